"""Validation of ICD-10-PCS, HCPCS Level II and CPT codes against their packs.

- ICD-10-PCS: a code is valid when a row of its table allows all seven characters (the PCS
  tables decide, PCS guideline A.1-A.2); an invalid code names the first axis that fails.
- HCPCS Level II: valid when the code is in the pack in force and active on the date (added
  on or before it, not terminated).
- CPT: medcoder ships no CPT content (AMA licence); with the user's licensed file imported the
  code is checked against it, without one only its shape is checked and the answer says so.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from medcoder.codesets import pack_store, registry
from medcoder.codesets.systems import CodeSystem, normalize_code
from medcoder.codesets.validation import Status, Validation, checked_against
from medcoder.errors import CodeError, PackNotFoundError


@lru_cache(maxsize=8)
def _pcs_tables(path: Path):  # noqa: ANN202
    from medcoder.codesets.icd10pcs import read_pcs

    return read_pcs(pack_store.open_pack(path), index=False, definitions=False).tables


def _malformed(code: str, system: CodeSystem, exc: CodeError) -> Validation:
    return Validation(code, code.strip(), system.value, Status.MALFORMED, exc.problem)


def validate_pcs(code: str, on: date | None) -> Validation:
    system = CodeSystem.ICD10PCS
    try:
        key = normalize_code(code, system)
    except CodeError as exc:
        return _malformed(code, system, exc)
    resolution = registry.resolve("icd10pcs", on, system.value)
    return checked_against(_validate_pcs(code, key, resolution.info), resolution)


def _validate_pcs(code: str, key: str, info: registry.PackInfo) -> Validation:
    system = CodeSystem.ICD10PCS
    tables = _pcs_tables(info.path)
    version = int(info.version)
    if tables.is_valid(key):
        return Validation(
            code, key, system.value, Status.BILLABLE, "valid", tables.describe(key).title, version
        )
    try:
        tables.describe(key)
        problem = "not a valid code"
    except CodeError as exc:
        problem = exc.problem
    prefix = tables.longest_valid_prefix(key)
    return Validation(
        code,
        key,
        system.value,
        Status.UNKNOWN,
        f"{problem} (FY{version} tables; longest valid prefix {prefix or '-'})",
        None,
        version,
    )


def validate_hcpcs(code: str, on: date | None) -> Validation:
    system = CodeSystem.HCPCS
    try:
        key = normalize_code(code, system)
    except CodeError as exc:
        return _malformed(code, system, exc)
    resolution = registry.resolve("hcpcs", on, system.value)
    return checked_against(_validate_hcpcs(code, key, resolution.info, on), resolution)


def _validate_hcpcs(code: str, key: str, info: registry.PackInfo, on: date | None) -> Validation:
    system = CodeSystem.HCPCS
    conn = pack_store.open_pack(info.path)
    row = conn.execute(
        "SELECT short_description, effective_date, termination_date FROM hcpcs_code WHERE code=?",
        (key,),
    ).fetchone()
    conn.close()
    if row is None:
        return Validation(
            code,
            key,
            system.value,
            Status.UNKNOWN,
            f"{key} is not in the HCPCS {info.version} file",
        )
    title, added, ended = row
    day = on or info.period.start
    if added and date.fromisoformat(added) > day:
        return Validation(
            code, key, system.value, Status.NOT_YET_VALID, f"{key} is effective from {added}", title
        )
    if ended and date.fromisoformat(ended) < day:
        return Validation(
            code, key, system.value, Status.DELETED, f"{key} was terminated on {ended}", title
        )
    return Validation(code, key, system.value, Status.BILLABLE, "valid", title)


def validate_cpt(code: str, on: date | None) -> Validation:
    system = CodeSystem.CPT
    try:
        key = normalize_code(code, system)
    except CodeError as exc:
        return _malformed(code, system, exc)
    try:
        resolution = registry.resolve("cpt", on, system.value)
    except PackNotFoundError:
        return Validation(
            code,
            key,
            system.value,
            Status.UNKNOWN,
            "well-formed CPT code; no licensed CPT file imported to check it "
            "(medcoder ships no CPT content: `medcoder data import --cpt FILE`)",
        )
    info = resolution.info
    conn = pack_store.open_pack(info.path)
    row = conn.execute("SELECT description FROM cpt_code WHERE code=?", (key,)).fetchone()
    conn.close()
    if row is None:
        verdict = Validation(
            code, key, system.value, Status.UNKNOWN, f"{key} is not in your CPT {info.version} file"
        )
    else:
        verdict = Validation(code, key, system.value, Status.BILLABLE, "valid", row[0])
    return checked_against(verdict, resolution)


def validate_other(code: str, system: CodeSystem, on: date | None) -> Validation:
    if system is CodeSystem.ICD10PCS:
        return validate_pcs(code, on)
    if system is CodeSystem.HCPCS:
        return validate_hcpcs(code, on)
    return validate_cpt(code, on)
