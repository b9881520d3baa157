"""Look a code of ICD-10-PCS, HCPCS or CPT up: what a coder wants to see beside it.

- ICD-10-PCS: each of the seven axes with its value, its meaning in the code's table and, where
  the PCS definitions define it, the definition (root operation, approach, ...); a partial code
  (``0DT``, ``0DTJ``) shows the axes given and the values allowed on the next one.
- HCPCS Level II: the long and short descriptions, dates the code was added and terminated,
  the OPPS status indicator, whether it is a modifier.
- CPT: the descriptor from the user's licensed file (medcoder ships none).

ICD-10-CM has its own richer answer (notes, hierarchy, 7th characters): :class:`CodeInfo` from
the tabular pack. The system is detected from the code's shape unless given. The pack in force
on the date answers, else the nearest installed with a warning naming its version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from medcoder.codesets import pack_store, registry
from medcoder.codesets.systems import CodeSystem, code_key, detect_system, normalize_code
from medcoder.errors import CodeError

_PCS_PREFIX = re.compile(r"^[0-9][0-9A-HJ-NP-Z]{0,6}$")
_CPT_SHAPE = re.compile(r"^[0-9]{4}[0-9FTU]$")


@dataclass(frozen=True)
class Detail:
    """One line of a look-up: a label, its value and what the value means."""

    label: str
    value: str
    meaning: str = ""
    definition: str = ""


@dataclass(frozen=True)
class LookupEntry:
    """A code of ICD-10-PCS, HCPCS or CPT as the pack of its version describes it."""

    code: str
    system: str
    version: str
    title: str
    status: str
    details: tuple[Detail, ...] = ()
    next_values: dict[str, str] = field(default_factory=dict)
    next_axis: str = ""
    warning: str | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "system": self.system,
            "version": self.version,
            "title": self.title,
            "status": self.status,
            "details": [
                {k: v for k, v in vars(d).items() if v or k in ("label", "value")}
                for d in self.details
            ],
        }
        if self.next_values:
            out["next_axis"] = self.next_axis
            out["next_values"] = self.next_values
        if self.warning:
            out["warning"] = self.warning
        return out


def system_of(code: str, system: CodeSystem | str | None = None) -> CodeSystem:
    """The system ``code`` belongs to: as given, else by its shape (a PCS prefix counts).

    A string no system could mean is read as ICD-10-CM, whose checks name what is wrong
    with it (``E11.2@``: the ``@``).
    """
    if system is not None:
        return CodeSystem.parse(system)
    key = code_key(code)
    if not _CPT_SHAPE.match(key) and _PCS_PREFIX.match(key) and len(key) < 7:
        return CodeSystem.ICD10PCS
    try:
        return detect_system(code)
    except CodeError:
        return CodeSystem.ICD10CM


def lookup_other(code: str, system: CodeSystem, on: date | None = None) -> LookupEntry:
    """Look up a code of ICD-10-PCS, HCPCS or CPT; :class:`CodeError` when it does not exist."""
    if system is CodeSystem.ICD10PCS:
        return lookup_pcs(code, on)
    if system is CodeSystem.HCPCS:
        return lookup_hcpcs(code, on)
    if system is CodeSystem.CPT:
        return lookup_cpt(code, on)
    raise CodeError(code, "ICD-10-CM codes are looked up in the tabular pack", system=system)


@lru_cache(maxsize=4)
def _pcs(path: Path):  # noqa: ANN202 - PcsData of one pack, read once
    from medcoder.codesets.icd10pcs import read_pcs

    return read_pcs(pack_store.open_pack(path), index=False)


def _definition(data, section: str, pos: int, label: str) -> str:  # noqa: ANN001
    if data.definitions is None:
        return ""
    for term in data.definitions.terms(section, pos):
        if label in term.titles:
            return term.definition
    return ""


def lookup_pcs(code: str, on: date | None = None) -> LookupEntry:
    """A PCS code axis by axis, or a partial code with the values its next axis allows."""
    key = code_key(code)
    if not _PCS_PREFIX.match(key):
        raise CodeError(
            code, "expected up to 7 characters from 0-9 and A-Z without I or O (0DTJ4ZZ)",
            system=CodeSystem.ICD10PCS.value,
        )  # fmt: skip
    chosen = registry.resolve("icd10pcs", on, CodeSystem.ICD10PCS.value)
    data = _pcs(chosen.info.path)
    tables = data.tables
    good = tables.longest_valid_prefix(key)
    if good != key:
        shown = tables.axis_title(good).lower()
        raise CodeError(
            code,
            f"no code of the {chosen.label} tables has {shown} {key[len(good)]!r} after "
            f"{good or 'the start'!r}; `medcoder lookup {good or '0'} --system pcs` lists "
            "the values allowed there",
            system=CodeSystem.ICD10PCS.value,
        )
    if len(key) == 7:
        described = tables.describe(key)
        details = tuple(
            Detail(axis.title, axis.value, axis.label, _definition(data, key[0], axis.pos, axis.label))
            for axis in described.axes
        )  # fmt: skip
        return LookupEntry(key, "ICD-10-PCS", chosen.label, described.title, "valid", details,
                     warning=chosen.warning)  # fmt: skip
    table = tables.tables.get(key[:3])
    titles = table.titles if table else ("Section", "Body System", "Operation")
    labels = list(table.labels) if table else []
    details = []
    for pos, char in enumerate(key):
        if pos < 3:
            label = labels[pos] if table else tables.values_for(key[:pos]).get(char, "")
        else:
            label = tables.values_for(key[:pos]).get(char, "")
        details.append(Detail(titles[pos], char, label, _definition(data, key[0], pos + 1, label)))
    title = table.definition if table and len(key) >= 3 else ""
    return LookupEntry(
        key, "ICD-10-PCS", chosen.label, title, "partial code", tuple(details),
        next_values=tables.values_for(key), next_axis=tables.axis_title(key),
        warning=chosen.warning,
    )  # fmt: skip


def lookup_hcpcs(code: str, on: date | None = None) -> LookupEntry:
    """A HCPCS Level II code or modifier with its descriptions and dates."""
    from medcoder.codesets.hcpcs import read_hcpcs_code

    key = code_key(code)
    if not re.fullmatch(r"[A-Z0-9]{2}", key):  # modifiers are two characters (25, LT, JW)
        key = normalize_code(code, CodeSystem.HCPCS)
    chosen = registry.resolve("hcpcs", on, CodeSystem.HCPCS.value)
    conn = pack_store.open_pack(chosen.info.path)
    try:
        found = read_hcpcs_code(conn, key)
    finally:
        conn.close()
    if found is None:
        raise CodeError(code, f"not in the HCPCS {chosen.label} file", system="HCPCS")
    day = on or chosen.info.period.start
    status = "active" if found.is_active(day) else (
        "terminated" if found.termination_date and day > found.termination_date else "not yet valid"
    )  # fmt: skip
    rows = [
        ("Short description", found.short_description),
        ("Kind", "modifier" if found.is_modifier else "Level II code"),
        ("Added", found.effective_date.isoformat() if found.effective_date else ""),
        ("Terminated", found.termination_date.isoformat() if found.termination_date else ""),
        ("OPPS status indicator", found.status_indicator),
        ("Use instead", found.cross_references),
    ]
    details = tuple(Detail(label, value) for label, value in rows if value)
    title = found.long_description or found.short_description
    return LookupEntry(key, "HCPCS", chosen.label, title, status, details, warning=chosen.warning)


def lookup_cpt(code: str, on: date | None = None) -> LookupEntry:
    """A CPT code from the user's licensed file; without one, says how to import it."""
    key = normalize_code(code, CodeSystem.CPT)
    if not registry.list_packs("cpt"):
        raise CodeError(
            code,
            "no licensed CPT file imported; medcoder ships no CPT descriptors (AMA licence): "
            "`medcoder data import --cpt FILE`",
            system="CPT",
        )
    chosen = registry.resolve("cpt", on, "CPT")
    conn = pack_store.open_pack(chosen.info.path)
    try:
        row = conn.execute(
            "SELECT description, short_description FROM cpt_code WHERE code = ?", (key,)
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise CodeError(code, f"not in your CPT {chosen.label} file", system="CPT")
    details = (Detail("Short description", row[1]),) if row[1] else ()
    return LookupEntry(
        key, "CPT", chosen.label, row[0], "in your file", details, warning=chosen.warning
    )
