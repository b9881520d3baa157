"""Service-line edits: diagnosis pointers, modifier misuse, E/M with a same-day procedure.

Pointers (837P SV107, CMS-1500 item 24E) hold up to four 1-based positions into the claim's
diagnoses and at least one is required; 837I lines carry no pointers (docs/domain.md §2.1-2.2).
Modifier rules follow CR8863 and the NCCI manual as summarised in docs/domain.md §1.1.
"""

from __future__ import annotations

from medcoder.claims.model import Encounter, Line
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import Finding, Rule, Severity, registrar

RULES: list[Rule] = []
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
    """A CPT procedure that bundles a same-day E/M unless the E/M carries modifier 25.

    Approximated by CPT section, since global-period data (MPFS) is not loaded: surgery
    10004-69990 and medicine 90785-98999 (psychiatry through osteopathic/chiropractic
    manipulation and other medicine services). Lab, radiology, vaccine and immune-globulin
    products, Category II/III and HCPCS codes are not counted.
    """
    c = code.strip()
    if len(c) != 5 or not c.isdigit():
        return False
    n = int(c)
    return 10004 <= n <= 69990 or 90785 <= n <= 98999


def _mods(line: Line) -> set[str]:
    return {m.strip().upper() for m in line.modifiers}


@rule("LINE-PTR-001", Severity.REJECT, "More than four diagnosis pointers on a line")
def too_many_pointers(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def dangling_pointer(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def missing_pointer(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def distinct_on_em(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def fifty_nine_with_x(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
def em_without_25(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
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
