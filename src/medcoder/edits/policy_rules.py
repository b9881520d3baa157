"""The checks behind payer rules of a policy file (see :mod:`medcoder.edits.policy`).

Each ``kind`` of payer rule is one function here; :func:`as_rule` binds a rule's settings
from the policy file into a :class:`EditRule` that the scrubber runs after the built-in rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medcoder.edits.findings import EditRule, Finding

if TYPE_CHECKING:
    from medcoder.claims.model import ClaimEncounter, Line
    from medcoder.edits.context import ScrubContext
    from medcoder.edits.policy import (
        AbnModifierRule,
        NoUnspecifiedDxRule,
        PayerPolicy,
        PriorAuthRule,
    )
    from medcoder.edits.policy import _PolicyRule as PolicyRuleSpec


def code_matches(code: str, patterns: list[str]) -> bool:
    """``97110`` exact, ``97110-97546`` range (same length), ``97*`` prefix; empty = all."""
    if not patterns:
        return True
    code = code.strip().upper()
    for p in patterns:
        if p.endswith("*"):
            if code.startswith(p[:-1]):
                return True
        elif "-" in p:
            lo, hi = p.split("-", 1)
            if len(code) == len(lo) and lo <= code <= hi:
                return True
        elif code == p:
            return True
    return False


def _lines(encounter: ClaimEncounter, spec: PolicyRuleSpec) -> list[tuple[int, Line]]:
    return [
        (n, line)
        for n, line in enumerate(encounter.lines or (), 1)
        if code_matches(line.code, spec.procedures)
    ]


def _abn(
    payer: PayerPolicy,
    spec: AbnModifierRule,
    me: EditRule,
    encounter: ClaimEncounter,
    ctx: ScrubContext,
) -> list[Finding]:
    if not encounter.abn_on_file:
        return []
    missing = [n for n, line in _lines(encounter, spec) if spec.modifier not in line.modifiers]
    if not missing:
        return []
    return [
        me.finding(
            f"an ABN is on file but line(s) {', '.join(map(str, missing))} lack modifier "
            f"{spec.modifier}, which {payer.name} requires",
            f"Add {spec.modifier} to the line(s) so the patient can be billed if the payer "
            "denies them as not medically necessary.",
            lines=missing,
            carc="CO-50",
        )
    ]


def _unspecified(
    payer: PayerPolicy,
    spec: NoUnspecifiedDxRule,
    me: EditRule,
    encounter: ClaimEncounter,
    ctx: ScrubContext,
) -> list[Finding]:
    dx = encounter.diagnoses or []
    out = []
    for n, line in _lines(encounter, spec):
        positions = line.dx_pointers or range(1, len(dx) + 1)
        bad = [
            dx[p - 1].code
            for p in positions
            if 1 <= p <= len(dx) and "unspecified" in (ctx.title(dx[p - 1].code) or "").lower()
        ]
        if bad:
            out.append(
                me.finding(
                    f"line {n} {line.code} is supported by unspecified diagnosis "
                    f"{', '.join(bad)}, which {payer.name} does not accept for it",
                    "Code the diagnosis to the specificity documented, or query the provider.",
                    codes=[line.code, *bad],
                    lines=[n],
                    carc="CO-16",
                )
            )
    return out


def _prior_auth(
    payer: PayerPolicy,
    spec: PriorAuthRule,
    me: EditRule,
    encounter: ClaimEncounter,
    ctx: ScrubContext,
) -> list[Finding]:
    if encounter.prior_authorization:
        return []
    lines = [n for n, _ in _lines(encounter, spec)]
    if not lines:
        return []
    return [
        me.finding(
            f"line(s) {', '.join(map(str, lines))} need prior authorization from {payer.name} "
            "and the claim has no authorization number",
            "Enter the authorization number (837 REF*G1), or obtain a retro-authorization.",
            lines=lines,
            carc="CO-197",
        )
    ]


_CHECKS = {
    "abn_requires_modifier": _abn,
    "no_unspecified_dx": _unspecified,
    "prior_auth_required": _prior_auth,
}


def as_rule(payer: PayerPolicy, spec: PolicyRuleSpec) -> EditRule:
    kind = spec.kind  # type: ignore[attr-defined]
    title = spec.description or f"{payer.name}: {kind.replace('_', ' ')}"
    holder: list[EditRule] = []
    rule = EditRule(
        spec.id,
        spec.severity,
        title,
        lambda enc, ctx: _CHECKS[kind](payer, spec, holder[0], enc, ctx),
        ("icd10cm",) if kind == "no_unspecified_dx" else (),
    )
    holder.append(rule)
    return rule
