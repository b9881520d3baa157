"""Codes -> the claim's diagnoses, procedures and service lines: written once.

The engine's result (``medcoder claim`` on an encounter without codes) and the workbench's
final codes (export and the scrub panel) reach a claim through these functions, so the two
cannot order or limit codes differently. Anything with ``system``, ``code`` and optionally
``poa`` and ``principal`` attributes is a code here (the engine's and the store's
``CodeSuggestion`` both are).

Order: the principal diagnosis first (OCG II / IV.A: first-listed), then the order the codes
were given in; a code listed twice is kept once. ICD-10-PCS codes go on a claim only when
complete (seven characters): a shorter prefix is a query to the physician, not a code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from medcoder.claims.model import Diagnosis, Procedure

DIAGNOSIS_SYSTEM = "ICD-10-CM"
PROCEDURE_SYSTEM = "ICD-10-PCS"
LINE_SYSTEMS = ("CPT", "HCPCS")
#: An 837I holds a principal and 24 other diagnoses; the 837P twelve (the writer says so).
MAX_DIAGNOSES = 25
#: SV107 / item 24E: at most four pointers per line.
MAX_POINTERS = 4


class CodeLike(Protocol):
    system: str
    code: str


def _unique(codes: Iterable[CodeLike], systems: tuple[str, ...]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for c in codes:
        key = c.code.replace(".", "").upper()
        if c.system in systems and key not in seen:
            seen.add(key)
            out.append(c)
    return out


def diagnoses_from(
    codes: Iterable[CodeLike], *, source: str | None = None, limit: int | None = MAX_DIAGNOSES
) -> list[Diagnosis]:
    """ICD-10-CM codes as claim diagnoses: principal first, POA kept, at most ``limit``
    (None keeps all: the writer then refuses more than its claim holds, naming the limit)."""
    dx = _unique(codes, (DIAGNOSIS_SYSTEM,))
    dx.sort(key=lambda c: not getattr(c, "principal", False))  # stable: order kept otherwise
    return [Diagnosis(code=c.code, poa=getattr(c, "poa", None), source=source) for c in dx[:limit]]


def procedures_from(codes: Iterable[CodeLike], *, source: str | None = None) -> list[Procedure]:
    """Complete ICD-10-PCS codes (seven characters) as claim procedures."""
    return [
        Procedure(code=c.code, source=source)
        for c in _unique(codes, (PROCEDURE_SYSTEM,))
        if len(c.code.replace(".", "")) == 7
    ]


def line_codes(codes: Iterable[CodeLike]) -> list[Any]:
    """The CPT/HCPCS codes that become service lines, in order, each once."""
    return _unique(codes, LINE_SYSTEMS)


def default_pointers(n_diagnoses: int) -> list[int]:
    """A new line points at the first diagnoses (at most four) until the coder says more."""
    return list(range(1, min(MAX_POINTERS, n_diagnoses) + 1))
