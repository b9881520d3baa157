"""medcoder: medical coding from clinical documentation, each code with its evidence.

Public API::

    import medcoder
    result = medcoder.code("ASSESSMENT: Acute bronchitis.", setting="outpatient")
    for c in result.codes:
        print(c.system, c.code, c.score, c.evidence[0].text)

    request = medcoder.CodingRequest.build("inpatient", systems="icd10cm,icd10pcs")
    pipeline = medcoder.pipeline_for(request)       # named components, see pipeline.names
    pipeline.code(medcoder.Document(id="n1", text=note_text))

    from medcoder import codesets
    codesets.validate("E11.22")

Names are imported on first use, so ``import medcoder`` stays cheap for the command line.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "CodingRequest": "medcoder.coding.request",
    "Pipeline": "medcoder.coding.pipeline",
    "pipeline_for": "medcoder.coding.api",
    "CodingResult": "medcoder.suggestions",
    "CodeSuggestion": "medcoder.suggestions",
    "Evidence": "medcoder.suggestions",
    "Rejected": "medcoder.suggestions",
    "Document": "medcoder.documents.model",
    "Encounter": "medcoder.documents.model",
    "Patient": "medcoder.documents.model",
    "Setting": "medcoder.documents.model",
    "AnnotatedDocument": "medcoder.nlp.annotated",
    "MedcoderError": "medcoder.errors",
}

__all__ = ["__version__", "code", *_EXPORTS]


def code(source, **kwargs):  # noqa: ANN001, ANN201 - thin re-export, see medcoder.coding.api
    """Code a text, Document or Encounter; see :func:`medcoder.coding.api.code`."""
    from medcoder.coding.api import code as _code

    return _code(source, **kwargs)


def __getattr__(name: str):  # noqa: ANN202 - lazy public names (PEP 562)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'medcoder' has no attribute {name!r}")
    return getattr(import_module(module), name)
