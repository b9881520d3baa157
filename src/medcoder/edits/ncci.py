"""NCCI procedure-to-procedure (PTP) and Medically Unlikely Edit (MUE) rules.

The tables come from :mod:`medcoder.codesets.ncci` (CMS's quarterly files, given directly or
imported with ``medcoder data import``). A PTP edit applies when both codes are billed on the
same date of service and the date is in ``[effective, deletion)``; indicator 0 pairs are
never bypassed, indicator 1 pairs are bypassed by an NCCI-associated modifier (and the
bypass is flagged for documentation), indicator 9 edits were deleted retroactively. MUE units
are summed per line (MAI 1) or per date of service (MAI 2 absolute, MAI 3 clinical).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from medcoder.claims.model import ClaimEncounter, Line
from medcoder.codesets.ncci import (
    MueEdit,
    MueTable,
    PtpEdit,
    PtpTable,
    load_mue,
    load_ptp,
)
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import EditRule, Finding, Severity, registrar
from medcoder.edits.rules_lines import is_em

__all__ = ["MueEdit", "MueTable", "PtpEdit", "PtpTable", "load_mue", "load_ptp"]

RULES: list[EditRule] = []
rule = registrar(RULES)

# NCCI-associated modifiers (NCCI policy manual, CR8863).
ANATOMIC = frozenset(
    {"E1", "E2", "E3", "E4", "FA", "TA", "LT", "RT", "LC", "LD", "LM", "RC", "RI"}
    | {f"F{n}" for n in range(1, 10)}
    | {f"T{n}" for n in range(1, 10)}
)
GLOBAL_SURGERY = frozenset({"24", "25", "57", "58", "78", "79"})
OTHER = frozenset({"27", "59", "91", "XE", "XS", "XP", "XU"})
BYPASS = ANATOMIC | GLOBAL_SURGERY | OTHER


def _mods(line: Line) -> set[str]:
    return {m.strip().upper() for m in line.modifiers}


def bypass_modifier(col1: Line, col2: Line) -> str | None:
    """The NCCI-associated modifier that lets an indicator-1 pair pay, if any.

    59/X{EPSU}/27/91 and the global-surgery modifiers count on either line (59/X never on an
    E/M); 25 counts only on an E/M line; anatomic modifiers count when the two lines name
    different sites (RT on both is the same site and does not bypass).
    """
    m1, m2 = _mods(col1), _mods(col2)
    for line, mods in ((col2, m2), (col1, m1)):
        general = sorted(mods & (OTHER | (GLOBAL_SURGERY - {"25"})))
        if is_em(line.code):
            general = [m for m in general if m not in ("59", "XE", "XS", "XP", "XU")]
        if general:
            return general[0]
        if "25" in mods and is_em(line.code):
            return "25"
    a1, a2 = m1 & ANATOMIC, m2 & ANATOMIC
    if a2 and a2 != a1:
        return sorted(a2)[0]
    if a1 and a2 and a1 != a2:
        return sorted(a1)[0]
    return None


def _by_date(encounter: ClaimEncounter, ctx: ScrubContext) -> dict[dt.date | None, list[int]]:
    groups: dict[dt.date | None, list[int]] = defaultdict(list)
    for n, line in enumerate(encounter.lines or (), 1):
        groups[ctx.line_date(line, encounter)].append(n)
    return groups


@rule("NCCI-PTP-001", Severity.DENY, "NCCI PTP pair, no modifier allowed", needs="ptp")
def ptp_never(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _ptp(encounter, ctx)[0]


@rule("NCCI-PTP-002", Severity.DENY, "NCCI PTP pair without a bypass modifier", needs="ptp")
def ptp_unmodified(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _ptp(encounter, ctx)[1]


@rule("NCCI-PTP-003", Severity.WARN, "NCCI PTP pair bypassed by a modifier", needs="ptp")
def ptp_bypassed(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return _ptp(encounter, ctx)[2]


def _ptp(encounter: ClaimEncounter, ctx: ScrubContext) -> tuple[list[Finding], ...]:
    """All PTP findings, split by outcome; memoised on the context (three rules share it)."""
    cached = ctx.memo.get("ptp")
    if cached is not None:
        return cached  # type: ignore[return-value]
    never: list[Finding] = []
    unmodified: list[Finding] = []
    bypassed: list[Finding] = []
    lines = encounter.lines or []
    table = ctx.ptp
    for on, numbers in _by_date(encounter, ctx).items() if table is not None else ():
        if on is None:
            continue
        codes: dict[str, list[int]] = defaultdict(list)
        for n in numbers:
            if lines[n - 1].code:
                codes[lines[n - 1].code.strip().upper()].append(n)
        for code1, ns1 in codes.items():
            partners = table.partners(code1)
            if not partners:
                continue
            for code2 in partners.keys() & codes.keys():
                edit = table.edit(code1, code2, on) if code2 != code1 else None
                if edit is None or edit.modifier_indicator == 9:
                    continue
                for n1 in ns1:
                    for n2 in codes[code2]:
                        finding = _ptp_finding(edit, lines[n1 - 1], lines[n2 - 1], n1, n2)
                        target = {
                            "NCCI-PTP-001": never,
                            "NCCI-PTP-002": unmodified,
                            "NCCI-PTP-003": bypassed,
                        }[finding.rule_id]
                        target.append(finding)
    result = (never, unmodified, bypassed)
    ctx.memo["ptp"] = result
    return result


def _ptp_finding(edit: PtpEdit, col1: Line, col2: Line, n1: int, n2: int) -> Finding:
    pair = f"{edit.column1} (line {n1}) and {edit.column2} (line {n2})"
    why = f" ({edit.rationale})" if edit.rationale else ""
    common = {
        "codes": [edit.column1, edit.column2],
        "lines": [n1, n2],
        "modifier_indicator": edit.modifier_indicator,
    }
    if edit.modifier_indicator == 0:
        return ptp_never.finding(
            f"NCCI PTP edit{why}: {pair} are not billed together on one date and no modifier "
            f"bypasses it (indicator 0); column 2 {edit.column2} will be denied",
            f"Remove {edit.column2} (it is included in {edit.column1}); modifiers do not help.",
            carc="CO-97",
            **common,
        )
    modifier = bypass_modifier(col1, col2)
    if modifier is None:
        em_line = n2 if is_em(col2.code) else n1 if is_em(col1.code) else None
        if em_line is not None:
            fix = (
                f"If the E/M on line {em_line} was significant and separately identifiable "
                "from the other service and documented so, add modifier 25 to the E/M "
                "(never 59 or X{EPSU} on an E/M); otherwise remove it."
            )
        else:
            fix = (
                f"If {edit.column2} was a distinct service (separate encounter, site, "
                "practitioner) and the record shows it, add the specific modifier (XE/XS/XP/XU, "
                f"anatomic, or 59 as last resort) to line {n2}; otherwise remove it."
            )
        return ptp_unmodified.finding(
            f"NCCI PTP edit{why}: {pair} bundle (indicator 1) and neither line carries an "
            f"NCCI-associated modifier; column 2 {edit.column2} will be denied",
            fix,
            carc="CO-97",
            **common,
        )
    return ptp_bypassed.finding(
        f"NCCI PTP edit{why}: {pair} bundle (indicator 1) and modifier {modifier} bypasses it",
        "Make sure the documentation supports the distinct service the modifier claims; a "
        "different diagnosis alone does not.",
        bypass_modifier=modifier,
        **common,
    )


def _mue_hits(
    encounter: ClaimEncounter, ctx: ScrubContext, mai: int
) -> list[tuple[str, Decimal, list[int], MueEdit]]:
    table = ctx.mue
    if table is None:
        return []
    lines = encounter.lines or []
    hits = []
    if mai == 1:
        for n, line in enumerate(lines, 1):
            edit = table.get(line.code.strip().upper())
            if edit and edit.mai == 1 and line.units > edit.value:
                hits.append((edit.code, line.units, [n], edit))
        return hits
    totals: dict[tuple[str, object], tuple[Decimal, list[int]]] = {}
    for n, line in enumerate(lines, 1):
        code = line.code.strip().upper()
        edit = table.get(code)
        if edit is None or edit.mai != mai:
            continue
        key = (code, ctx.line_date(line, encounter))
        units, ns = totals.get(key, (Decimal(0), []))
        totals[key] = (units + line.units, [*ns, n])
    for (code, _), (units, ns) in totals.items():
        if units > table[code].value:
            hits.append((code, units, ns, table[code]))
    return hits


@rule("MUE-001", Severity.DENY, "Units over the MUE on a line (MAI 1)", needs="mue")
def mue_line(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return [
        mue_line.finding(
            f"line {ns[0]} {code}: {units} units exceed the MUE of {edit.value} per line (MAI 1)",
            "If medically necessary and documented, report the extra units on separate lines "
            "with 76/77/91, anatomic modifiers or XE/XS/XP/XU (59 as last resort); otherwise "
            "reduce the units. All units on the line are denied otherwise.",
            codes=[code],
            lines=ns,
            carc="CO-151",
            mai=1,
            mue=str(edit.value),
            appealable=True,
        )  # fmt: skip
        for code, units, ns, edit in _mue_hits(encounter, ctx, 1)
    ]


@rule("MUE-002", Severity.DENY, "Units over the MUE for the date of service (MAI 2)", needs="mue")
def mue_policy(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return [
        mue_policy.finding(
            f"{code}: {units} units on one date exceed the MUE of {edit.value} (MAI 2, an "
            "absolute limit set by policy; splitting lines does not help)",
            "Reduce the units to the MUE value; an MAI 2 limit is not overturned on appeal.",
            codes=[code],
            lines=ns,
            carc="CO-151",
            mai=2,
            mue=str(edit.value),
            appealable=False,
        )  # fmt: skip
        for code, units, ns, edit in _mue_hits(encounter, ctx, 2)
    ]


@rule("MUE-003", Severity.DENY, "Units over the MUE for the date of service (MAI 3)", needs="mue")
def mue_clinical(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    return [
        mue_clinical.finding(
            f"{code}: {units} units on one date exceed the MUE of {edit.value} (MAI 3, a "
            "clinical benchmark)",
            "Bill the units that were rendered; expect a denial and appeal with the records "
            "that show the medical necessity, or reduce the units if they were keyed wrong.",
            codes=[code],
            lines=ns,
            carc="CO-151",
            mai=3,
            mue=str(edit.value),
            appealable=True,
        )  # fmt: skip
        for code, units, ns, edit in _mue_hits(encounter, ctx, 3)
    ]
