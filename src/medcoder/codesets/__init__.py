"""Code-set knowledge: look codes up, validate them on a date, search the index and titles.

::

    from medcoder import codesets
    codesets.validate("e1122")            # Validation(status=billable, ...)
    codesets.lookup("E11.22").notes       # instructional notes in force
    codesets.search("diabetic ckd")       # best first
"""

from __future__ import annotations

from datetime import date

from medcoder.codesets.icd10cm_pack import CodeInfo, ICD10CMPack, Note
from medcoder.codesets.periods import Period
from medcoder.codesets.registry import icd10cm, list_packs

# Imported here, not inside a wrapper: importing the submodule ``codesets.search`` later would
# otherwise replace this package's ``search`` function with the module.
from medcoder.codesets.search import search
from medcoder.codesets.systems import CodeSystem, detect_system, normalize_code
from medcoder.codesets.validation import Status, Validation

__all__ = [
    "CodeInfo",
    "CodeSystem",
    "ICD10CMPack",
    "Note",
    "Period",
    "Status",
    "Validation",
    "detect_system",
    "icd10cm",
    "list_packs",
    "lookup",
    "normalize_code",
    "search",
    "validate",
]


def validate(
    code: str, on: date | None = None, system: CodeSystem | str | None = None
) -> Validation:
    """Validate ``code`` against the pack in force on ``on`` (the newest pack if None)."""
    from medcoder.codesets.validation import validate_any

    return validate_any(code, on=on, system=system)


def lookup(code: str, on: date | None = None) -> CodeInfo | None:
    """The tabular entry of an ICD-10-CM code, or None if the code does not exist."""
    return icd10cm(on).lookup(code)
