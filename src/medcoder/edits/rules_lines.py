"""Service-line edits: diagnosis pointers, modifier misuse, E/M with a same-day procedure.

Pointers (837P SV107, CMS-1500 item 24E) hold up to four 1-based positions into the claim's
diagnoses and at least one is required; 837I lines carry no pointers.
Modifier rules follow CMS CR8863 (the X{EPSU} modifiers) and the NCCI policy manual.
"""

from __future__ import annotations

from medcoder.claims.model import ClaimEncounter, Line
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import EditRule, Finding, Severity, registrar

RULES: list[EditRule] = []
rule = registrar(RULES)

MAX_POINTERS = 4

# Office/outpatient (99202-99205, 99211-99215) and emergency department (99281-99285) E/M.
EM_CODES = frozenset(
    [f"9920{n}" for n in range(2, 6)]
    + [f"9921{n}" for n in range(1, 6)]
    + [f"9928{n}" for n in range(1, 6)]
)
X_MODIFIERS = frozenset({"XE", "XS", "XP", "XU"})
DISTINCT = X_MODIFIERS | {"59"}


def is_em(code: str) -> bool:
    return code.strip().upper() in EM_CODES


def is_procedure(code: str) -> bool:
    """A procedure with a global surgery period, which bundles the same-day E/M unless the
    E/M carries modifier 25 (NCCI manual ch. I, CMS global surgery rules).

    Without the MPFS global-days file this is the CPT surgery section, 10004-69990, plus the
    interventional cardiology codes with a 0-day global (92920-92979 coronary interventions,
    93451-93583 catheterisation). Diagnostic tests (ECG 93000, lab, imaging), vaccines and
    other medicine services have no global period and bill beside an E/M without 25; where
    CMS does bundle one with an E/M, the NCCI PTP table says so (NCCI-PTP-*).
    """
    c = code.strip()
    if len(c) != 5 or not c.isdigit():
        return False
    n = int(c)
    return 10004 <= n <= 69990 or 92920 <= n <= 92979 or 93451 <= n <= 93583


def _mods(line: Line) -> set[str]:
    return {m.strip().upper() for m in line.modifiers}


@rule("LINE-PTR-001", Severity.REJECT, "More than four diagnosis pointers on a line")
def too_many_pointers(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    if ctx.claim_type != "837P":
        return []
    out = []
    for n, line in enumerate(encounter.lines or (), 1):
        if len(line.dx_pointers) > MAX_POINTERS:
            out.append(
                too_many_pointers.finding(
                    f"line {n} ({line.code}) has {len(line.dx_pointers)} diagnosis pointers; "
                    f"the 837P allows {MAX_POINTERS}",
                    "Keep the four diagnoses that best support the service, most relevant first.",
                    codes=[line.code],
                    lines=[n],
                )
            )
    return out


@rule("LINE-PTR-002", Severity.REJECT, "Diagnosis pointer points at no diagnosis")
def dangling_pointer(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    if ctx.claim_type != "837P":
        return []
    count = len(encounter.diagnoses or ())
    out = []
    for n, line in enumerate(encounter.lines or (), 1):
        bad = [p for p in line.dx_pointers if not 1 <= p <= count]
        if bad:
            out.append(
                dangling_pointer.finding(
                    f"line {n} ({line.code}) points at diagnosis "
                    f"{', '.join(map(str, bad))}, but the claim has {count} diagnoses",
                    "Point the line at the diagnoses listed on the claim (1-based positions).",
                    codes=[line.code],
                    lines=[n],
                    pointers=bad,
                )
            )
    return out


@rule("LINE-PTR-003", Severity.REJECT, "Service line without a diagnosis pointer")
def missing_pointer(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    if ctx.claim_type != "837P" or not encounter.diagnoses:
        return []
    lines = [n for n, line in enumerate(encounter.lines or (), 1) if not line.dx_pointers]
    if not lines:
        return []
    return [
        missing_pointer.finding(
            f"line(s) {', '.join(map(str, lines))} point at no diagnosis (837P SV107 is required)",
            "Point each line at the diagnosis that supports it (medical necessity).",
            lines=lines,
            carc="CO-16",
        )
    ]


@rule("LINE-MOD-001", Severity.WARN, "Modifier 59/X on an E/M service")
def distinct_on_em(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    out = []
    for n, line in enumerate(encounter.lines or (), 1):
        wrong = sorted(_mods(line) & DISTINCT)
        if wrong and is_em(line.code):
            out.append(
                distinct_on_em.finding(
                    f"line {n} E/M {line.code} carries {', '.join(wrong)}; 59 and X{{EPSU}} are "
                    "never used on an E/M",
                    "Use modifier 25 for a significant, separately identifiable E/M; put 59/X "
                    "on the procedure instead.",
                    codes=[line.code],
                    lines=[n],
                )
            )
    return out


@rule("LINE-MOD-002", Severity.WARN, "Modifier 59 together with an X modifier")
def fifty_nine_with_x(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    out = []
    for n, line in enumerate(encounter.lines or (), 1):
        mods = _mods(line)
        if "59" in mods and mods & X_MODIFIERS:
            out.append(
                fifty_nine_with_x.finding(
                    f"line {n} ({line.code}) carries 59 and {', '.join(sorted(mods & X_MODIFIERS))}",
                    "Keep the more specific X modifier and drop 59, the modifier of last resort "
                    "(CR8863).",
                    codes=[line.code],
                    lines=[n],
                )
            )
    return out


@rule("LINE-EM25-001", Severity.DENY, "E/M with a same-day procedure and no modifier 25")
def em_without_25(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """An E/M billed with a procedure on the same date is bundled unless it carries 25."""
    by_date: dict[object, list[int]] = {}
    lines = encounter.lines or []
    for n, line in enumerate(lines, 1):
        if is_procedure(line.code):
            by_date.setdefault(ctx.line_date(line, encounter), []).append(n)
    out = []
    for n, line in enumerate(lines, 1):
        if not is_em(line.code) or "25" in _mods(line):
            continue
        procs = by_date.get(ctx.line_date(line, encounter))
        if not procs:
            continue
        codes = [lines[p - 1].code for p in procs]
        out.append(
            em_without_25.finding(
                f"line {n} E/M {line.code} is billed on the same date as procedure(s) "
                f"{', '.join(codes)} without modifier 25; it will be bundled",
                "If the E/M was significant and separately identifiable from the procedure's "
                "own pre-service work, and documented so, add modifier 25; otherwise drop "
                "the E/M line.",
                codes=[line.code, *codes],
                lines=[n, *procs],
                carc="CO-97",
            )
        )
    return out


#: CPT (Level I) modifiers, by number; the HCPCS file carries only the Level II ones.
CPT_MODIFIERS = frozenset(
    [
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
        "32",
        "33",
        "47",
        "50",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "59",
        "62",
        "63",
        "66",
        "73",
        "74",
        "76",
        "77",
        "78",
        "79",
        "80",
        "81",
        "82",
        "90",
        "91",
        "92",
        "93",
        "95",
        "96",
        "97",
        "99",
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
        "P6",
        "1P",
        "2P",
        "3P",
        "8P",
    ]
)


@rule("LINE-MOD-003", Severity.REJECT, "Modifier is not a CPT or HCPCS modifier", needs="hcpcs")
def unknown_modifier(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """A modifier neither in CPT's list nor in the HCPCS file in force (or terminated by the
    date of service) is refused at the front end (CO-4 if it gets through)."""
    table, _ = ctx.hcpcs()
    assert table is not None
    out = []
    for n, line in enumerate(encounter.lines or (), 1):
        for mod in sorted(_mods(line)):
            if mod in CPT_MODIFIERS:
                continue
            entry = table.get(mod)
            if entry is not None and entry.is_modifier and entry.is_active(ctx.on):
                continue
            why = "was terminated" if entry is not None else "is not a CPT or HCPCS modifier"
            out.append(
                unknown_modifier.finding(
                    f"line {n} ({line.code}): modifier {mod} {why} on {ctx.on.isoformat()}",
                    "Use a modifier from the CPT list or the HCPCS file in force on the date "
                    "of service, or remove it.",
                    codes=[line.code, mod],
                    lines=[n],
                    carc="CO-4",
                )
            )
    return out


@rule(
    "LINE-CODE-001",
    Severity.REJECT,
    "HCPCS code deleted or not yet valid on the DOS",
    needs="hcpcs",
)
def hcpcs_not_in_force(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """HCPCS Level II codes (a letter and four digits) are checked against the HCPCS file in
    force on the date of service, terminations included. CPT codes are checked only against
    the user's licensed CPT file (`medcoder validate`), which medcoder does not ship."""
    table, _ = ctx.hcpcs()
    assert table is not None
    out = []
    for n, line in enumerate(encounter.lines or (), 1):
        code = line.code.strip().upper()
        if not (len(code) == 5 and code[0].isalpha() and code[1:].isdigit()):
            continue
        on = ctx.line_date(line, encounter) or ctx.on
        entry = table.get(code)
        if entry is not None and not entry.is_modifier and entry.is_active(on):
            continue
        if entry is None:
            why = "is not in the HCPCS file"
        elif entry.termination_date and on > entry.termination_date:
            why = f"was terminated on {entry.termination_date.isoformat()}"
        else:
            why = f"is effective only from {entry.effective_date}"
        out.append(
            hcpcs_not_in_force.finding(
                f"line {n}: {code} {why} (date of service {on.isoformat()})",
                "Bill the HCPCS code in force on the date of service"
                + (
                    f" (the file names {entry.cross_references})"
                    if entry and entry.cross_references
                    else ""
                )
                + ".",
                codes=[code],
                lines=[n],
                carc="CO-16",
            )
        )
    return out


@rule(
    "LINE-CPT-001",
    Severity.REJECT,
    "CPT code deleted or not yet valid on the DOS",
    needs="cpt",
)
def cpt_not_in_force(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    """CPT codes (five digits, or four and a letter) are checked against the user's licensed
    CPT file of the date of service's year: a code deleted on 1 January, or new that year, is
    not in the other year's file (the CPT pack chosen by date, as the HCPCS one is)."""
    codes, _ = ctx.cpt()
    assert codes is not None
    out = []
    for n, line in enumerate(encounter.lines or (), 1):
        code = line.code.strip().upper()
        if not (len(code) == 5 and code[:4].isdigit() and code[4].isalnum()):
            continue
        if code in codes:
            continue
        on = ctx.line_date(line, encounter) or ctx.on
        out.append(
            cpt_not_in_force.finding(
                f"line {n}: {code} is not in the CPT file in force on {on.isoformat()} "
                "(deleted, not yet effective, or mistyped)",
                "Bill the CPT code in force on the date of service.",
                codes=[code],
                lines=[n],
                carc="CO-16",
            )
        )
    return out
