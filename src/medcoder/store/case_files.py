"""Repository of malpractice case files: claim facts, records, analyses, and the examiner's
classification decision. Every function that reads or changes case material writes its audit
row in the caller's transaction (ids only, never record text).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.store import access, audit
from medcoder.store.audit import Actor
from medcoder.store.base import utcnow
from medcoder.store.case_file_models import CaseAnalysis, CaseDocument, CaseFile
from medcoder.store.case_models import CaseRow, Report
from medcoder.store.encounters import check_version, file_columns
from medcoder.store.errors import ConflictError, InvalidError, NotFoundError
from medcoder.store.models import DocumentRow

#: Title of the report that carries a case's synopsis of facts through review.
SYNOPSIS_TITLE = "Synopsis of facts"
#: A case is worked while open; closing it files it away (the case list filters on it).
CASE_STATUSES = ("open", "closed")


def load_case(session: Session, case_id: int) -> CaseRow:
    case = session.get(CaseRow, case_id)
    if case is None:
        raise NotFoundError("case", case_id)
    return case


def case_file(session: Session, case_id: int) -> CaseFile:
    """The case's claim-facts row, created empty on first use (older cases have none)."""
    load_case(session, case_id)
    row = session.scalar(select(CaseFile).where(CaseFile.case_id == case_id))
    if row is None:
        row = CaseFile(case_id=case_id, details={}, classification={})
        session.add(row)
        session.flush()
    return row


def list_cases(
    session: Session, actor: Actor, *, status: str | None = None, limit: int = 25, offset: int = 0
) -> tuple[list[CaseRow], int]:
    """A page of the cases the actor is a member of, newest first, and how many match."""
    stmt = select(CaseRow).where(access.case_clause(actor))
    if status:
        stmt = stmt.where(CaseRow.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(CaseRow.id.desc()).limit(limit).offset(offset)))
    audit.record(session, actor, "list", "case", None, detail=f"count={len(rows)} offset={offset}")
    return rows, total


def set_details(
    session: Session, actor: Actor, case_id: int, details: dict[str, Any], version: int | None
) -> CaseFile:
    row = case_file(session, case_id)
    check_version("case file", row.version, version)
    row.details = details
    session.flush()
    audit.record(session, actor, "update", "case", case_id, detail="details")
    return row


def add_document(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    file_name: str,
    text: str,
    format: str,
    raw: bytes,
    media_type: str | None = None,
    kind: str | None = None,
    meta: dict[str, Any] | None = None,
) -> CaseDocument:
    load_case(session, case_id)
    row = CaseDocument(
        case_id=case_id,
        **file_columns(actor, file_name, text, format, raw, media_type, kind, meta),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "case_document", row.id, detail=f"case={case_id}")
    return row


def documents(session: Session, case: CaseRow) -> tuple[list[CaseDocument], list[DocumentRow]]:
    """Records filed with the case, and the documents of the encounters linked to it."""
    filed = list(
        session.scalars(
            select(CaseDocument).where(CaseDocument.case_id == case.id).order_by(CaseDocument.id)
        )
    )
    ids = [int(i) for i in case.encounter_ids or []]
    linked = (
        list(
            session.scalars(
                select(DocumentRow)
                .where(DocumentRow.encounter_id.in_(ids))
                .order_by(DocumentRow.id)
            )
        )
        if ids
        else []
    )
    return filed, linked


def get_document(
    session: Session, actor: Actor, case_id: int, key: str
) -> CaseDocument | DocumentRow:
    """One record of the case by its citation key (``cdoc<id>`` filed, ``doc<id>`` linked)."""
    case = access.check_case(session, actor, case_id)
    filed, linked = documents(session, case)
    for row in filed:
        if f"cdoc{row.id}" == key:
            audit.record(session, actor, "read", "case_document", row.id, detail=f"case={case_id}")
            return row
    for row in linked:
        if f"doc{row.id}" == key:
            audit.record(session, actor, "read", "document", row.id, detail=f"case={case_id}")
            return row
    raise NotFoundError("case document", key)


def save_analysis(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    result: dict[str, Any],
    synopsis: str,
    engine_version: str,
    seconds: float,
) -> CaseAnalysis:
    row = CaseAnalysis(
        case_id=case_id,
        result=result,
        synopsis=synopsis,
        engine_version=engine_version,
        seconds=seconds,
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "analyze", "case", case_id, detail=f"analysis={row.id}")
    return row


def latest_analysis(session: Session, case_id: int) -> CaseAnalysis | None:
    stmt = select(CaseAnalysis).where(CaseAnalysis.case_id == case_id)
    return session.scalar(stmt.order_by(CaseAnalysis.id.desc()).limit(1))


def classify(
    session: Session, actor: Actor, case_id: int, decision: dict[str, Any], version: int | None
) -> CaseFile:
    """Record the examiner's allegation, severity and factors (a confirmation or a change)."""
    row = case_file(session, case_id)
    check_version("case file", row.version, version)
    row.classification = {
        **decision,
        "by": actor.username,
        "role": actor.role,
        "at": utcnow().isoformat(timespec="seconds"),
    }
    session.flush()
    audit.record(session, actor, "classify", "case", case_id, detail=decision.get("status"))
    return row


def synopsis_report(session: Session, case_id: int) -> Report | None:
    stmt = select(Report).where(Report.case_id == case_id, Report.title == SYNOPSIS_TITLE)
    return session.scalar(stmt.order_by(Report.id).limit(1))


def reports(session: Session, case_id: int) -> list[Report]:
    return list(
        session.scalars(select(Report).where(Report.case_id == case_id).order_by(Report.id))
    )


def set_status(session: Session, actor: Actor, case_id: int, status: str) -> CaseRow:
    """Close or reopen a case (audited ``close`` / ``reopen`` with the change). Asking for the
    status the case already has is a conflict: the caller acted on a stale page, and a silent
    success would hide that someone else changed it first."""
    if status not in CASE_STATUSES:
        raise InvalidError(
            f"case status {status!r} is not one of {', '.join(CASE_STATUSES)}", field="status"
        )
    case = load_case(session, case_id)
    if case.status == status:
        raise ConflictError(f"case {case_id} is already {status}", field="status")
    before, case.status = case.status, status
    session.flush()
    action = "close" if status == "closed" else "reopen"
    audit.record(session, actor, action, "case", case_id, detail=f"{before}->{status}")
    return case


def record_export(
    session: Session, actor: Actor, case: CaseRow, analysis: CaseAnalysis, fmt: str
) -> None:
    """Audit a download of the case report: it carries patient facts out of the workbench."""
    audit.record(
        session, actor, "export", "case", case.id, detail=f"report.{fmt} analysis={analysis.id}"
    )
