"""Gold-standard code files (``doc<TAB>code``), split by code system.

CodiEsp-style files mix nothing, but an organisation's export may: every code's system is
recognised from the code itself, so a diagnosis file and a procedure file can be given
together. ICD-10-PCS codes may be cut to their first axes (``0DTJ``), as in CodiEsp.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from medcoder.codesets.systems import code_key
from medcoder.errors import SourceFileError

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_PCS = re.compile(r"^[0-9A-HJ-NP-Z]{3,7}$")
_HCPCS = re.compile(r"^[A-V][0-9]{4}$")
_CPT = re.compile(r"^[0-9]{4}[0-9FTU]$")


def system_of(code: str, had_dot: bool, resolve=None) -> str | None:  # noqa: ANN001
    """The code system of ``code``, from its shape and, where the shape fits two systems
    (``B24BZZZ`` is PCS imaging, ``B24`` is ICD-10-CM), from the code sets themselves."""
    key = code_key(code)
    if _CPT.match(key):
        return "CPT"
    if had_dot and _ICD10CM.match(key):
        return "ICD-10-CM"
    if key[:1].isdigit() and _PCS.match(key):
        return "ICD-10-PCS"
    icd, pcs = bool(_ICD10CM.match(key)), bool(_PCS.match(key))
    if icd and pcs and resolve is not None:
        return resolve(key)
    if icd:
        return "ICD-10-CM"
    if pcs:
        return "ICD-10-PCS"
    if _HCPCS.match(key):
        return "HCPCS"
    return None


def _resolver():  # noqa: ANN202
    """Decide ambiguous shapes by which installed code set knows the code."""
    from medcoder.codesets import registry

    icd = registry.icd10cm()
    try:
        from medcoder.codesets.other_systems import _pcs_tables

        tables = _pcs_tables(registry.choose("icd10pcs", None, "ICD-10-PCS").path)
    except Exception:  # noqa: BLE001 - no PCS pack installed: shape alone decides
        tables = None

    def resolve(key: str) -> str:
        if key in icd.flags:
            return "ICD-10-CM"
        if tables is not None and (tables.is_valid(key) or tables.is_valid_prefix(key)):
            return "ICD-10-PCS"
        return "ICD-10-CM"

    return resolve


def read_gold_files(paths: list[Path]) -> dict[str, dict[str, set[str]]]:
    """``{system: {document: {code key, ...}}}`` from one or more gold files."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    resolve = _resolver()
    files = []
    for path in paths:
        if not path.is_file():
            raise SourceFileError(path, "gold file not found")
        with path.open(encoding="utf-8", errors="replace") as fh:
            files.append((path, list(enumerate(csv.reader(fh, delimiter="\t"), start=1))))
    # Gold files that write their diagnosis codes with dots (B02.0) write an undotted code of
    # more than three characters that fits both shapes as a procedure (B020: PCS imaging),
    # whichever code set also knows it. Three characters are an ICD-10-CM category.
    dotted = any(len(r) >= 2 and "." in r[1] for _, rows in files for _, r in rows)

    def pick(key: str) -> str:
        return "ICD-10-PCS" if dotted and len(key) > 3 else resolve(key)

    for path, rows in files:
        for line_no, row in rows:
            if not row or not row[0].strip():
                continue
            if len(row) < 2:
                raise SourceFileError(path, "expected document<TAB>code", line=line_no)
            code = row[1].strip()
            system = system_of(code, "." in code, pick)
            if system is None:
                raise SourceFileError(path, f"{code!r} is not a recognisable code", line=line_no)
            out[system][row[0].strip()].add(code_key(code).lower())
    return {s: dict(d) for s, d in out.items()}
