"""Code systems and the shape of their codes.

Codes are stored in their *key* form (upper case, no dot, no spaces) and shown in their
*display* form (ICD-10-CM with a dot after the category). Users type codes every way there is
(``e1122``, ``E11.22``, `` E11.22 ``); :func:`normalize_code` accepts all of them and rejects
what no system could mean.
"""

from __future__ import annotations

import re
from enum import StrEnum

from medcoder.errors import CodeError


class CodeSystem(StrEnum):
    ICD10CM = "ICD-10-CM"
    ICD10PCS = "ICD-10-PCS"
    HCPCS = "HCPCS"
    CPT = "CPT"

    @classmethod
    def parse(cls, text: str | CodeSystem) -> CodeSystem:
        """A system as people type it: ``ICD-10-CM``, ``icd10cm``, ``cm``, ``pcs``, ``hcpcs``.

        Raises :class:`UsageError` naming the accepted spellings.
        """
        if isinstance(text, CodeSystem):
            return text
        found = _ALIASES.get(re.sub(r"[\s._-]", "", text.lower()))
        if found is None:
            from medcoder.errors import UsageError

            raise UsageError(
                f"unknown code system {text!r}; use one of icd10cm, icd10pcs, hcpcs, cpt"
            )
        return found


_ALIASES = {
    "icd10cm": CodeSystem.ICD10CM,
    "cm": CodeSystem.ICD10CM,
    "icd10": CodeSystem.ICD10CM,
    "icd10pcs": CodeSystem.ICD10PCS,
    "pcs": CodeSystem.ICD10PCS,
    "hcpcs": CodeSystem.HCPCS,
    "hcpcs2": CodeSystem.HCPCS,
    "hcpcslevelii": CodeSystem.HCPCS,
    "cpt": CodeSystem.CPT,
}
_ICD10CM_KEY = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_ICD10PCS_KEY = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_HCPCS_KEY = re.compile(r"^[A-V][0-9]{4}$")
_CPT_KEY = re.compile(r"^[0-9]{4}[0-9FTU]$")
_CLEAN = re.compile(r"[\s.]")
_PATTERNS = {
    CodeSystem.ICD10CM: _ICD10CM_KEY,
    CodeSystem.ICD10PCS: _ICD10PCS_KEY,
    CodeSystem.HCPCS: _HCPCS_KEY,
    CodeSystem.CPT: _CPT_KEY,
}


def code_key(code: str) -> str:
    """Return the storage key of ``code``: upper case, without dots or whitespace."""
    return _CLEAN.sub("", code).upper()


def icd10cm_display(key: str) -> str:
    """``E1122`` -> ``E11.22`` (categories of three characters keep no dot)."""
    return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"


def detect_system(code: str) -> CodeSystem:
    """Guess the code system of ``code`` from its shape alone.

    ICD-10-PCS codes are exactly seven characters and start with a digit (or a letter of the
    PCS sections B-D, F-H, X); ICD-10-CM codes start with a letter followed by a digit. A
    letter and four digits (``E1122``, ``J1885``) fits both ICD-10-CM without its dot and HCPCS
    Level II: it is read as ICD-10-CM here, and :func:`ambiguous_systems` names the
    alternatives so that a validator can try the other pack.
    """
    raw = code.strip()
    key = code_key(raw)
    if not key:
        raise CodeError(code, "empty code")
    if "." in raw and _ICD10CM_KEY.match(key):
        return CodeSystem.ICD10CM
    if _CPT_KEY.match(key):
        return CodeSystem.CPT
    if len(key) == 7 and key[0].isdigit() and _ICD10PCS_KEY.match(key):
        return CodeSystem.ICD10PCS
    if _HCPCS_KEY.match(key) and not _ICD10CM_KEY.match(key):
        return CodeSystem.HCPCS
    if _ICD10CM_KEY.match(key):
        return CodeSystem.ICD10CM
    if _ICD10PCS_KEY.match(key):
        return CodeSystem.ICD10PCS
    raise CodeError(code, "not shaped like an ICD-10-CM, ICD-10-PCS, HCPCS or CPT code")


def normalize_code(code: str, system: CodeSystem | str) -> str:
    """Return the key form of ``code`` for ``system`` or raise :class:`CodeError`.

    Whitespace *inside* a code (``E11 .22`` or ``E1 1.22``) is tolerated only around the dot;
    anything else that is not a letter or digit is refused with the offending character named.
    """
    system = CodeSystem(system)
    raw = code.strip()
    if not raw:
        raise CodeError(code, "empty code", system=system)
    plain = raw.replace(".", "", 1)
    if plain.isalnum() and plain.isascii():  # the common case: E11.22, e1122
        key = plain.upper()
        if _PATTERNS[system].match(key):
            return key
    bad = sorted({ch for ch in raw if not (ch.isalnum() or ch in ". ")})
    if bad:
        raise CodeError(
            code,
            f"contains {''.join(bad)!r}; codes hold letters, digits and a dot",
            system=system,
        )
    key = code_key(raw)
    pattern = _PATTERNS[system]
    if not pattern.match(key):
        expected = {
            CodeSystem.ICD10CM: "a letter, a digit, then 1 to 5 letters or digits (E11.22)",
            CodeSystem.ICD10PCS: "7 characters from 0-9 and A-Z without I or O (0DTJ4ZZ)",
            CodeSystem.HCPCS: "a letter A-V and 4 digits (J1885)",
            CodeSystem.CPT: "4 digits and a digit, F, T or U (99214)",
        }[system]
        hint = ""
        try:
            other = detect_system(raw)
            if other != system:
                hint = f"; it looks like {other.value}"
        except CodeError:
            pass
        raise CodeError(code, f"expected {expected}{hint}", system=system)
    return key


def ambiguous_systems(code: str) -> tuple[CodeSystem, ...]:
    """Every system whose code shape ``code`` fits (``E1122`` fits ICD-10-CM and HCPCS)."""
    key = code_key(code)
    found = []
    if "." not in code and _HCPCS_KEY.match(key):
        found.append(CodeSystem.HCPCS)
    if _ICD10CM_KEY.match(key):
        found.insert(0, CodeSystem.ICD10CM)
    if _ICD10PCS_KEY.match(key):
        found.append(CodeSystem.ICD10PCS)
    if _CPT_KEY.match(key):
        found.append(CodeSystem.CPT)
    return tuple(found)
