"""The one place where ``medcoder.spark`` calls the coding engine.

Everything else in this package moves rows around; only :func:`code_document` knows how the
engine is asked for codes. When the engine's public API changes, this module is the one to
change.

It does what ``medcoder code`` does for one document, so Spark gives the same codes: build a
:class:`~medcoder.coding.request.CodingRequest` (setting, systems, date of service, model),
take the process's shared pipeline for it (:func:`~medcoder.coding.api.pipeline_for`: loaded
once per process, the newest few kept), decline a document in another language with a
warning (the engine's vocabulary is English), and code every other one.
"""

from __future__ import annotations

from datetime import date

from medcoder.documents.model import Document
from medcoder.suggestions import CodingResult


def code_document(
    document: Document,
    *,
    setting: str,
    on: date | None,
    systems: tuple[str, ...] | None,
    model: str | None = None,
) -> CodingResult:
    """Code one document exactly as ``medcoder code`` does (raises ``MedcoderError``).

    ``systems`` ``None``: the setting's default systems, those with a pack installed.
    ``model``: the path of a model from ``medcoder train`` (read once per process).
    """
    from medcoder.coding.api import load_model, pipeline_for
    from medcoder.coding.request import CodingRequest
    from medcoder.nlp.language import NAMES, detect_language

    request = CodingRequest.build(
        setting, systems=systems, on=on, model=load_model(model) if model else None
    )
    pipeline = pipeline_for(request)
    language = detect_language(document.text)
    if language not in (None, "en"):
        result = CodingResult(document.id, pipeline.profile.name, language=language)
        result.warnings.append(
            f"document is in {NAMES.get(language, language)}; medcoder codes English text only"
        )
        return result
    return pipeline.code_document(document)
