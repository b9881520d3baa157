"""NCCI procedure-to-procedure (PTP) and Medically Unlikely Edit (MUE) tables and checks.

CMS publishes both quarterly (practitioner, outpatient hospital and DME tables; docs/domain.md
§1.1-1.2). The loaders read the text/CSV exports of those files: one or more heading lines
(title, copyright notice, column names) followed by one row per edit, tab- or
comma-separated. Any line whose first field is not a HCPCS/CPT code is taken as heading.

PTP layout (7 columns)::

    Column 1 | Column 2 | * = in existence prior to 1996 | Effective Date |
    Deletion Date (* = no data) | Modifier 0=not allowed 1=allowed 9=not applicable |
    PTP Edit Rationale

Dates are ``YYYYMMDD`` (``MM/DD/YYYY`` and ISO are accepted too); a deletion date of ``*``
or blank means the edit is open. An edit applies when both codes are billed for the same
patient, provider and date of service, and the DOS is in ``[effective, deletion)``.

MUE layout (4 columns)::

    HCPCS/CPT Code | <Practitioner|Outpatient Hospital|DME Supplier> Services MUE Values |
    MUE Adjudication Indicator | MUE Rationale

The MAI column reads like ``2 Date of Service Edit: Policy``; its leading digit is the MAI.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from medcoder.claims.model import Encounter, Line
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import Finding, Rule, Severity, registrar
from medcoder.edits.rules_lines import is_em
from medcoder.errors import SourceFileError

RULES: list[Rule] = []
rule = registrar(RULES)

_CODE = re.compile(r"^([0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})$")  # CPT (incl. F/T/U) or HCPCS II

# NCCI-associated modifiers (docs/domain.md §1.1).
ANATOMIC = frozenset(
    {"E1", "E2", "E3", "E4", "FA", "TA", "LT", "RT", "LC", "LD", "LM", "RC", "RI"}
    | {f"F{n}" for n in range(1, 10)}
    | {f"T{n}" for n in range(1, 10)}
)
GLOBAL_SURGERY = frozenset({"24", "25", "57", "58", "78", "79"})
OTHER = frozenset({"27", "59", "91", "XE", "XS", "XP", "XU"})
BYPASS = ANATOMIC | GLOBAL_SURGERY | OTHER


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    prior_1996: bool
    effective: dt.date
    deletion: dt.date | None
    modifier_indicator: int  # 0 never bypassable, 1 bypassable, 9 deleted retroactively
    rationale: str

    def in_force(self, on: dt.date) -> bool:
        return self.effective <= on and (self.deletion is None or on < self.deletion)


@dataclass(frozen=True, slots=True)
class MueEdit:
    code: str
    value: Decimal
    mai: int  # 1 claim line, 2 date of service (policy, absolute), 3 date of service (clinical)
    rationale: str


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """Data rows with their line numbers; heading and blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        delimiter = "\t" if "\t" in raw else ","
        fields = [f.strip() for f in next(csv.reader(io.StringIO(raw), delimiter=delimiter))]
        if fields and _CODE.match(fields[0].upper()):
            out.append((number, fields))
    if not out:
        raise SourceFileError(path, "no edit rows found (is this a CMS NCCI file?)")
    return out


def _date(text: str, path: Path, line: int, label: str) -> dt.date | None:
    text = text.strip()
    if text in ("", "*"):
        return None
    for fmt in ("%Y%m%d", "%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise SourceFileError(path, f"{label} {text!r} is not a date (YYYYMMDD)", line=line)


class PtpTable:
    """PTP edits indexed column1 -> column2 -> edits (several rows may cover one pair)."""

    def __init__(self, edits: list[PtpEdit] | tuple[PtpEdit, ...] = ()) -> None:
        self.index: dict[str, dict[str, list[PtpEdit]]] = defaultdict(dict)
        self.count = 0
        for edit in edits:
            self.add(edit)

    def add(self, edit: PtpEdit) -> None:
        self.index[edit.column1].setdefault(edit.column2, []).append(edit)
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def edit(self, column1: str, column2: str, on: dt.date) -> PtpEdit | None:
        """The edit in force on ``on`` for this ordered pair, if any."""
        for edit in self.index.get(column1, {}).get(column2, ()):
            if edit.in_force(on):
                return edit
        return None


def load_ptp(*paths: str | Path) -> PtpTable:
    """Read CMS PTP files (practitioner or outpatient hospital) into one table."""
    table = PtpTable()
    for path in map(Path, paths):
        for line, f in _rows(path):
            if len(f) < 6:
                raise SourceFileError(path, f"expected 7 PTP columns, got {len(f)}", line=line)
            indicator = f[5][:1]
            if indicator not in ("0", "1", "9"):
                raise SourceFileError(
                    path, f"modifier indicator {f[5]!r} is not 0, 1 or 9", line=line
                )
            effective = _date(f[3], path, line, "effective date")
            if effective is None:
                raise SourceFileError(path, "effective date is missing", line=line)
            table.add(
                PtpEdit(
                    column1=f[0].upper(),
                    column2=f[1].upper(),
                    prior_1996=f[2] == "*",
                    effective=effective,
                    deletion=_date(f[4], path, line, "deletion date"),
                    modifier_indicator=int(indicator),
                    rationale=f[6] if len(f) > 6 else "",
                )
            )
    return table


class MueTable(dict[str, MueEdit]):
    """MUE edits by code."""


def load_mue(*paths: str | Path) -> MueTable:
    """Read CMS MUE files (practitioner, outpatient hospital or DME) into one table."""
    table = MueTable()
    for path in map(Path, paths):
        for line, f in _rows(path):
            if len(f) < 3:
                raise SourceFileError(path, f"expected 4 MUE columns, got {len(f)}", line=line)
            try:
                value = Decimal(f[1])
            except ArithmeticError:
                raise SourceFileError(
                    path, f"MUE value {f[1]!r} is not a number", line=line
                ) from None
            mai = f[2][:1]
            if mai not in ("1", "2", "3"):
                raise SourceFileError(path, f"MAI {f[2]!r} is not 1, 2 or 3", line=line)
            code = f[0].upper()
            table[code] = MueEdit(code, value, int(mai), f[3] if len(f) > 3 else "")
    return table


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


def _by_date(encounter: Encounter, ctx: ScrubContext) -> dict[dt.date | None, list[int]]:
    groups: dict[dt.date | None, list[int]] = defaultdict(list)
    for n, line in enumerate(encounter.lines or (), 1):
        groups[ctx.line_date(line, encounter)].append(n)
    return groups


@rule("NCCI-PTP-001", Severity.DENY, "NCCI PTP pair, no modifier allowed", needs="ptp")
def ptp_never(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _ptp(encounter, ctx)[0]


@rule("NCCI-PTP-002", Severity.DENY, "NCCI PTP pair without a bypass modifier", needs="ptp")
def ptp_unmodified(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _ptp(encounter, ctx)[1]


@rule("NCCI-PTP-003", Severity.WARN, "NCCI PTP pair bypassed by a modifier", needs="ptp")
def ptp_bypassed(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _ptp(encounter, ctx)[2]


def _ptp(encounter: Encounter, ctx: ScrubContext) -> tuple[list[Finding], ...]:
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
            codes[lines[n - 1].code.strip().upper()].append(n)
        for code1, ns1 in codes.items():
            partners = table.index.get(code1)
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
        return ptp_unmodified.finding(
            f"NCCI PTP edit{why}: {pair} bundle (indicator 1) and neither line carries an "
            f"NCCI-associated modifier; column 2 {edit.column2} will be denied",
            f"If {edit.column2} was a distinct service (separate encounter, site, practitioner) "
            "and the record shows it, add the specific modifier (XE/XS/XP/XU, anatomic, or 59 "
            f"as last resort) to line {n2}; otherwise remove it.",
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
    encounter: Encounter, ctx: ScrubContext, mai: int
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
def mue_line(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def mue_policy(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def mue_clinical(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
