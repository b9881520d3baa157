"""The one place where ``medcoder.spark`` calls the coding engine.

Everything else in this package moves rows around; only :func:`code_document` knows how the
engine is asked for codes. When the engine's public API changes (a request object carrying
the setting and date of service, say), this module is the one to change.

It does what ``medcoder code`` does for one document, so Spark gives the same codes: a
document in another language is declined with a warning (the engine's vocabulary is English),
every other one goes to a :class:`~medcoder.coding.engine.CodingEngine` for its setting,
date of service and code systems.

Engines are kept per process, at most :data:`MAX_ENGINES` of them, least recently used out.
``medcoder.coding.api.engine_for`` keeps every engine it ever made, and an engine is bound to
one date of service: a Spark worker that meets a month of dates would keep thirty engines
(about 60 MB each beyond the first, which holds the shared packs and assertion rules).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from pathlib import Path

from medcoder.coding.engine import CodingEngine
from medcoder.coding.suggestion import CodingResult
from medcoder.documents.model import Document

#: Engines one process keeps (one per setting, date of service and systems in use).
MAX_ENGINES = 8

_engines: OrderedDict[tuple, CodingEngine] = OrderedDict()
_models: dict[str, object] = {}


def _model(path: str | None) -> object | None:
    """A model from ``medcoder train``, read once per process."""
    if path is None:
        return None
    if path not in _models:
        from medcoder.coding.house_model import HouseModel

        _models[path] = HouseModel.load(Path(path))
    return _models[path]


def engine(
    setting: str, on: date | None, systems: tuple[str, ...], model: str | None
) -> CodingEngine:
    """The process's engine for this setting, date and systems (built on first use)."""
    from medcoder.codesets.pack_store import data_dir

    key = (setting, on, systems, model, str(data_dir()))
    found = _engines.get(key)
    if found is not None:
        _engines.move_to_end(key)
        return found
    built = CodingEngine(setting=setting, model=_model(model), on=on, systems=systems)
    _engines[key] = built
    while len(_engines) > MAX_ENGINES:
        _engines.popitem(last=False)
    return built


def code_document(
    document: Document,
    *,
    setting: str,
    on: date | None,
    systems: tuple[str, ...],
    model: str | None = None,
) -> CodingResult:
    """Code one document exactly as ``medcoder code`` does (raises ``MedcoderError``)."""
    from medcoder.nlp.language import NAMES, detect_language

    coder = engine(setting, on, systems, model)
    language = detect_language(document.text)
    if language not in (None, "en"):
        result = CodingResult(document.id, coder.profile.name, language=language)
        result.warnings.append(
            f"document is in {NAMES.get(language, language)}; medcoder codes English text only"
        )
        return result
    return coder.code_document(document)


def forget_engines() -> None:
    """Drop every engine and model (a worker that is handed another data folder)."""
    _engines.clear()
    _models.clear()
