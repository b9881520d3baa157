"""What the scrubber reports (:class:`Finding`) and how a rule is declared (:class:`EditRule`).

Severities follow where a claim would stop if sent as it is:

* ``reject``: refused before adjudication (999/277CA front-end rejection, or a field the
  payer's intake cannot read). The claim never reaches a claims examiner; fix and resend.
* ``deny``: accepted, adjudicated and denied with a CARC (CO-97 bundling, CO-151 MUE, CO-16
  missing information ...): costs a rework or an appeal ($25-$118 per claim, §1.6).
* ``warn``: may pay, but needs documentation or a human look (a bypass modifier was used,
  a sequencing instruction, a deactivated edit).

Rule ids are stable (``DX-VALID-001``): policies disable them and override their severity by
id, and reports are compared across releases, so an id is never reused for another check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medcoder.claims.model import ClaimEncounter
    from medcoder.edits.context import ScrubContext


class Severity(StrEnum):
    REJECT = "reject"
    DENY = "deny"
    WARN = "warn"

    @property
    def rank(self) -> int:
        """0 for the most severe; findings sort by this."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        """Whether this severity is ``other`` or worse."""
        return self.rank <= other.rank


_RANK = {Severity.REJECT: 0, Severity.DENY: 1, Severity.WARN: 2}

#: Groups of claim data a rule may read (``EditRule.reads``): the providers' identifiers, the
#: payer and member, the patient's demographics, and the addresses.
DATA_GROUPS = frozenset({"providers", "payer", "patient", "addresses"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem on one claim: which rule, how bad, what is involved, and how to fix it.

    ``lines`` are 1-based service-line numbers (as on the CMS-1500 / 837 LX counter);
    ``codes`` are the codes involved, in the order the reason names them.
    """

    rule_id: str
    severity: Severity
    reason: str
    fix: str
    codes: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()
    carc: str | None = None  # the denial it pre-empts (group + CARC), when one is typical
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "reason": self.reason,
            "fix": self.fix,
            "codes": list(self.codes),
            "lines": list(self.lines),
            "carc": self.carc,
        }
        if self.details:
            out["details"] = dict(self.details)
        return out


Check = Callable[["ClaimEncounter", "ScrubContext"], list[Finding]]


@dataclass(frozen=True)
class EditRule:
    """A registered check. Calling it runs the check: ``rule(encounter, context)``.

    ``needs`` names data the rule cannot run without (``icd10cm``, ``ptp``, ``mue``,
    ``birth_date``); the scrubber skips it, and says why, when that data is absent.
    ``reads`` names the groups of claim data the rule judges (:data:`DATA_GROUPS`); a caller
    that has not collected a group yet (the workbench before export) passes it as pending,
    and the rules reading it are deferred instead of reporting blanks.
    """

    id: str
    severity: Severity
    title: str
    check: Check
    needs: tuple[str, ...] = ()
    reads: frozenset[str] = frozenset()

    def __call__(self, encounter: ClaimEncounter, context: ScrubContext) -> list[Finding]:
        return self.check(encounter, context)

    def finding(
        self,
        reason: str,
        fix: str,
        *,
        codes: Iterable[str] = (),
        lines: Iterable[int] = (),
        carc: str | None = None,
        **details: Any,
    ) -> Finding:
        """A finding of this rule at its default severity (policies may override it later)."""
        return Finding(
            self.id, self.severity, reason, fix, tuple(codes), tuple(lines), carc, details
        )


def registrar(
    registry: list[EditRule],
) -> Callable[..., Callable[[Check], EditRule]]:
    """A decorator that turns a check function into a :class:`EditRule` appended to ``registry``.

    The decorated name is bound to the EditRule, so the function body can call
    ``its_own_name.finding(...)`` and the default severity is written once.
    """

    def rule(
        rule_id: str,
        severity: Severity,
        title: str,
        *,
        needs: str | tuple[str, ...] | None = None,
        reads: Iterable[str] = (),
    ) -> Callable[[Check], EditRule]:
        unknown = set(reads) - DATA_GROUPS
        if unknown:
            raise ValueError(f"{rule_id}: unknown data groups {sorted(unknown)}")

        def wrap(check: Check) -> EditRule:
            wanted = (needs,) if isinstance(needs, str) else tuple(needs or ())
            made = EditRule(rule_id, severity, title, check, wanted, frozenset(reads))
            registry.append(made)
            return made

        return wrap

    return rule
