"""Reports: tracked versions with unified diffs, and a state machine with an audited step.

draft -> physician_review -> corrections -> approved -> submitted, with corrections going back
to physician review. Who may take each step is declared in :data:`TRANSITIONS`; every step is
checked against the caller's expected ``version`` so two reviewers cannot both move a report.
"""

from __future__ import annotations

import difflib

from sqlalchemy.orm import Session

from medcoder.store import access, audit
from medcoder.store.audit import Actor
from medcoder.store.base import ReportState, Role
from medcoder.store.case_models import CaseRow, Report, ReportVersion
from medcoder.store.encounters import check_version
from medcoder.store.errors import AccessDeniedError, ConflictError, InvalidError, NotFoundError
from medcoder.store.models import EncounterRow

S, R = ReportState, Role
TRANSITIONS: dict[tuple[ReportState, ReportState], tuple[Role, ...]] = {
    (S.DRAFT, S.PHYSICIAN_REVIEW): (R.CODER, R.CDI, R.MANAGER),
    (S.PHYSICIAN_REVIEW, S.CORRECTIONS): (R.PHYSICIAN,),
    (S.PHYSICIAN_REVIEW, S.APPROVED): (R.MANAGER,),
    (S.CORRECTIONS, S.PHYSICIAN_REVIEW): (R.CODER, R.CDI, R.MANAGER),
    (S.CORRECTIONS, S.APPROVED): (R.MANAGER,),
    (S.APPROVED, S.SUBMITTED): (R.MANAGER,),
}
# A report's text may change only while someone is still writing it.
EDITABLE = (S.DRAFT, S.CORRECTIONS)
WRITERS = (R.CODER, R.CDI, R.PHYSICIAN, R.MANAGER)


def create_report(
    session: Session,
    actor: Actor,
    *,
    title: str,
    body: str,
    case_id: int | None = None,
    encounter_id: int | None = None,
) -> Report:
    if case_id is not None:
        if session.get(CaseRow, case_id) is None:
            raise InvalidError(f"case {case_id} not found", field="case_id")
        access.check_case(session, actor, case_id)
    if encounter_id is not None:
        if session.get(EncounterRow, encounter_id) is None:
            raise InvalidError(f"encounter {encounter_id} not found", field="encounter_id")
        access.read_encounter(session, actor, encounter_id)
    report = Report(
        title=title, case_id=case_id, encounter_id=encounter_id, created_by=actor.user_id
    )
    session.add(report)
    session.flush()
    session.add(ReportVersion(report_id=report.id, number=1, body=body, author_id=actor.user_id))
    session.flush()
    audit.record(session, actor, "create", "report", report.id)
    return report


def load_report(session: Session, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError("report", report_id)
    return report


def get_report(session: Session, actor: Actor, report_id: int) -> Report:
    report = load_report(session, report_id)
    access.read_report(session, actor, report)
    audit.record(session, actor, "read", "report", report_id)
    return report


def transition(
    session: Session, actor: Actor, report_id: int, *, to: str, version: int | None
) -> Report:
    report = load_report(session, report_id)
    access.work_report(session, actor, report)
    try:
        target = ReportState(to)
    except ValueError:
        allowed = ", ".join(s.value for s in ReportState)
        raise InvalidError(f"unknown state {to!r}; allowed: {allowed}", field="to") from None
    current = ReportState(report.state)
    roles = TRANSITIONS.get((current, target))
    if roles is None:
        nexts = [b.value for (a, b) in TRANSITIONS if a is current] or ["none"]
        raise ConflictError(
            f"report {report_id} is {current.value}; it can move to {', '.join(nexts)}, "
            f"not {target.value}",
            field="to",
        )
    if actor.role not in roles:
        raise AccessDeniedError(
            f"move a report from {current.value} to {target.value}", actor.role, roles
        )
    check_version("report", report.version, version)
    report.state = target.value
    session.flush()
    audit.record(
        session,
        actor,
        "transition",
        "report",
        report_id,
        detail=f"{current.value}->{target.value}",
    )
    return report


def add_version(
    session: Session,
    actor: Actor,
    report_id: int,
    *,
    body: str,
    note: str | None,
    version: int | None,
) -> ReportVersion:
    """A tracked correction: the new text and its unified diff from the current one."""
    report = load_report(session, report_id)
    access.work_report(session, actor, report)
    check_version("report", report.version, version)
    if ReportState(report.state) not in EDITABLE:
        raise ConflictError(
            f"report {report_id} is {report.state}; its text can change only in "
            f"{' or '.join(s.value for s in EDITABLE)}",
            field="body",
        )
    previous = report.versions[-1]
    diff = "".join(
        difflib.unified_diff(
            previous.body.splitlines(keepends=True),
            body.splitlines(keepends=True),
            fromfile=f"v{previous.number}",
            tofile=f"v{previous.number + 1}",
        )
    )
    row = ReportVersion(
        report_id=report_id,
        number=previous.number + 1,
        body=body,
        diff=diff,
        note=note,
        author_id=actor.user_id,
    )
    session.add(row)
    report.current_version = row.number  # bumps report.version: the text changed
    session.flush()
    session.expire(report, ["versions"])
    audit.record(session, actor, "revise", "report", report_id, detail=f"version={row.number}")
    return row
