"""Exported claims and the scrub run kept with each (issue 7: storage for "claims and scrub
findings").

An 837P export stores the claim as exported (the claims library's encounter JSON and the X12
text), the scrubber's summary of that claim and one :class:`ScrubFinding` per finding, in the
caller's transaction: the export and its record commit together or not at all. Scrubbing the
codes while they are reviewed is a read and stores nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from medcoder.store import audit
from medcoder.store.audit import Actor
from medcoder.store.case_models import Claim, ScrubFinding

SUMMARY_KEYS = (
    "ready_to_submit",
    "block_at",
    "claim_type",
    "date_of_service",
    "icd10cm_version",
    "policy",
    "counts",
    "rules_skipped",
)


def record_export(
    session: Session,
    actor: Actor,
    encounter_id: int,
    *,
    payload: dict[str, Any],
    x12: str,
    total_charge: Decimal | None,
    report: dict[str, Any],
    claim_format: str = "837p",
) -> Claim:
    """Store an exported claim with ``report`` (``ScrubReport.to_dict()``) on it, and audit
    the export."""
    claim = Claim(
        encounter_id=encounter_id,
        format=claim_format,
        status="exported",
        payload=payload,
        x12=x12,
        total_charge=total_charge,
        created_by=actor.user_id,
        scrub={k: report.get(k) for k in SUMMARY_KEYS},
    )
    session.add(claim)
    session.flush()
    for finding in report.get("findings", ()):
        session.add(
            ScrubFinding(
                claim_id=claim.id,
                rule=finding["rule_id"],
                severity=finding["severity"],
                message=finding["reason"],
                fix=finding.get("fix"),
                codes=list(finding.get("codes", ())),
                lines=list(finding.get("lines", ())),
                carc=finding.get("carc"),
            )
        )
    session.flush()
    audit.record(session, actor, "export", "claim", encounter_id, detail=claim_format.upper())
    return claim


def last_export(session: Session, encounter_id: int) -> Claim | None:
    """The encounter's latest exported claim with its findings, or None."""
    return session.scalar(
        select(Claim)
        .where(Claim.encounter_id == encounter_id, Claim.status == "exported")
        .order_by(Claim.id.desc())
        .options(selectinload(Claim.findings))
        .limit(1)
    )


def finding_dict(row: ScrubFinding) -> dict[str, Any]:
    """A stored finding in the shape of ``Finding.to_dict()``."""
    return {
        "rule_id": row.rule,
        "severity": row.severity,
        "reason": row.message,
        "fix": row.fix,
        "codes": list(row.codes or ()),
        "lines": list(row.lines or ()),
        "carc": row.carc,
    }
