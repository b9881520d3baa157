"""Minimum necessary (45 CFR 164.502(b), 164.514(d)): which records each person may see and
change, beyond what their role may do (``medcoder.server.permissions``).

* managers: every record;
* admins: no patient data at all (their role has no ``read`` permission);
* coders: the encounters assigned to them and the unassigned pool; working a pool encounter
  (coding it, reviewing a code) assigns it to them, audited; another coder's encounter is
  theirs to read only when shared;
* CDI specialists: the encounters still being worked (not finalized: concurrent review), and
  those they asked queries on; only the queries they asked are theirs to send or close;
* physicians: the queries addressed to them and those queries' encounters, and reports
  shared with them or written by them;
* attorneys and claims examiners: only the cases they are members of (and what is filed with
  or linked to those cases);
* reports: their author, whoever may read the encounter or case they belong to, and whoever
  they are shared with; only the author, the shared-with, the encounter's assignee or the
  case's members (and managers) may change them.

Sharing a record (an encounter, a case, a report) with a named user is an explicit act,
audited as ``share`` / ``unshare`` (:func:`share`, :func:`unshare`). Refusals raise
:class:`AccessDeniedError`, which the server answers 403 and audits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from medcoder.store import audit
from medcoder.store.audit import Actor
from medcoder.store.base import EncounterStatus, Role
from medcoder.store.case_models import CaseRow, Query, Report
from medcoder.store.errors import AccessDeniedError, ConflictError, InvalidError, NotFoundError
from medcoder.store.models import EncounterRow, RecordShare, User

R = Role
POOL_ROLES = (R.CODER.value, R.CDI.value)  # see the unassigned pool
ASSIGNABLE = (R.CODER.value, R.CDI.value)  # may be an encounter's assignee
SHAREABLE = {"encounter": EncounterRow, "case": CaseRow, "report": Report}


def _manager(actor: Actor) -> bool:
    return actor.role == R.MANAGER.value


def _shared(entity: str, actor: Actor) -> Any:
    """Ids of the ``entity`` records shared with the actor (a subquery)."""
    return select(RecordShare.entity_id).where(
        RecordShare.entity == entity, RecordShare.user_id == actor.user_id
    )


def is_shared(session: Session, entity: str, entity_id: int, actor: Actor) -> bool:
    stmt = _shared(entity, actor).where(RecordShare.entity_id == entity_id).limit(1)
    return session.scalar(stmt) is not None


def _deny(what: str, actor: Actor, why: str) -> AccessDeniedError:
    return AccessDeniedError(f"{what} ({why})", actor.role, ("manager", "a user it is shared with"))


# -- encounters -------------------------------------------------------------------------------


def encounter_clause(actor: Actor) -> Any:
    """The encounters the actor may read, as a condition on ``EncounterRow``."""
    if _manager(actor):
        return true()
    if actor.role is None or actor.role == R.ADMIN.value:
        return false()
    clauses = [
        EncounterRow.id.in_(_shared("encounter", actor)),
        EncounterRow.assignee_id == actor.user_id,
    ]
    if actor.role in POOL_ROLES:
        clauses.append(EncounterRow.assignee_id.is_(None))
    if actor.role == R.CDI.value:  # concurrent review: the encounters still being worked
        clauses.append(EncounterRow.status != EncounterStatus.FINALIZED.value)
        clauses.append(
            EncounterRow.id.in_(select(Query.encounter_id).where(Query.asked_by == actor.user_id))
        )
    if actor.role == R.PHYSICIAN.value:
        clauses.append(
            EncounterRow.id.in_(
                select(Query.encounter_id).where(Query.addressed_to == actor.user_id)
            )
        )
    return or_(*clauses)


def can_read_encounter(session: Session, actor: Actor, encounter_id: int) -> bool:
    stmt = select(EncounterRow.id).where(EncounterRow.id == encounter_id, encounter_clause(actor))
    return session.scalar(stmt) is not None


def read_encounter(session: Session, actor: Actor, encounter_id: int) -> None:
    if not can_read_encounter(session, actor, encounter_id):
        raise _deny(f"read encounter {encounter_id}", actor, "not assigned or shared to you")


def work_encounter(session: Session, actor: Actor, encounter: EncounterRow) -> None:
    """May the actor change this encounter's documents and codes? A coder working an
    unassigned encounter takes it from the pool (audited ``assign``)."""
    if _manager(actor) or encounter.assignee_id == actor.user_id:
        return
    if encounter.assignee_id is None and actor.role == R.CODER.value:
        encounter.assignee_id = actor.user_id
        session.flush()
        audit.record(session, actor, "assign", "encounter", encounter.id, detail="from pool")
        return
    who = "another user" if encounter.assignee_id else "nobody"
    raise _deny(f"change encounter {encounter.id}", actor, f"it is assigned to {who}")


def assign(
    session: Session,
    actor: Actor,
    encounter: EncounterRow,
    username: str | None,
    *,
    version: int | None = None,
) -> EncounterRow:
    """Assign an encounter: a manager to any coder or CDI specialist (or back to the pool); a
    coder or CDI specialist takes one from the pool or gives their own back."""
    user = None
    if username is not None:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise InvalidError(f"no active user named {username!r}", field="assignee")
        if user.role not in ASSIGNABLE:
            raise InvalidError(
                f"{username!r} is a {user.role}; encounters are assigned to coders and CDI "
                "specialists",
                field="assignee",
            )
    target = user.id if user else None
    if not _manager(actor):
        mine = encounter.assignee_id == actor.user_id
        taking = encounter.assignee_id is None and target == actor.user_id
        releasing = mine and target is None
        if not (taking or releasing or (mine and target == actor.user_id)):
            raise _deny(
                f"assign encounter {encounter.id}",
                actor,
                "you may take an encounter from the pool or give yours back",
            )
    if version is not None and version != encounter.version:
        raise ConflictError(
            f"encounter {encounter.id} was changed by someone else (version is "
            f"{encounter.version}, you sent {version}); reload it and retry",
            field="version",
        )
    before = encounter.assignee_id
    encounter.assignee_id = target
    session.flush()
    audit.record(
        session,
        actor,
        "assign",
        "encounter",
        encounter.id,
        detail=f"from={before or 'pool'} to={target or 'pool'}",
    )
    return encounter


def read_patient(session: Session, actor: Actor, patient_id: int) -> None:
    """A patient is readable through a readable encounter or case of theirs."""
    if _manager(actor):
        return
    via_encounter = select(EncounterRow.id).where(
        EncounterRow.patient_id == patient_id, encounter_clause(actor)
    )
    via_case = select(CaseRow.id).where(CaseRow.patient_id == patient_id, case_clause(actor))
    if session.scalar(via_encounter.limit(1)) is None and session.scalar(via_case.limit(1)) is None:
        raise _deny(f"read patient {patient_id}", actor, "no encounter or case of theirs is yours")


# -- cases ------------------------------------------------------------------------------------


def case_clause(actor: Actor) -> Any:
    if _manager(actor):
        return true()
    if actor.role is None or actor.role == R.ADMIN.value:
        return false()
    return or_(CaseRow.id.in_(_shared("case", actor)), CaseRow.created_by == actor.user_id)


def check_case(session: Session, actor: Actor, case_id: int) -> CaseRow:
    """The case, if the actor is a member (or its author, or a manager); read and work alike:
    what a member may do is their role's to say."""
    case = session.get(CaseRow, case_id)
    if case is None:
        raise NotFoundError("case", case_id)
    mine = _manager(actor) or case.created_by == actor.user_id
    if not mine and not is_shared(session, "case", case_id, actor):
        raise _deny(f"open case {case_id}", actor, "you are not a member of it")
    return case


# -- reports ----------------------------------------------------------------------------------


def report_clause(actor: Actor) -> Any:
    if _manager(actor):
        return true()
    if actor.role is None or actor.role == R.ADMIN.value:
        return false()
    return or_(
        Report.created_by == actor.user_id,
        Report.id.in_(_shared("report", actor)),
        Report.encounter_id.in_(select(EncounterRow.id).where(encounter_clause(actor))),
        Report.case_id.in_(select(CaseRow.id).where(case_clause(actor))),
    )


def read_report(session: Session, actor: Actor, report: Report) -> None:
    stmt = select(Report.id).where(Report.id == report.id, report_clause(actor))
    if session.scalar(stmt) is None:
        raise _deny(f"read report {report.id}", actor, "not yours, nor shared with you")


def work_report(session: Session, actor: Actor, report: Report) -> None:
    """Change a report's text or state: its author, whoever it is shared with, the assignee of
    its encounter, a member of its case, a physician it concerns, or a manager."""
    if _manager(actor) or report.created_by == actor.user_id:
        return
    if is_shared(session, "report", report.id, actor):
        return
    if report.encounter_id is not None:
        encounter = session.get(EncounterRow, report.encounter_id)
        if encounter is not None and encounter.assignee_id == actor.user_id:
            return
        if actor.role == R.PHYSICIAN.value and can_read_encounter(
            session, actor, report.encounter_id
        ):
            return
    if report.case_id is not None and is_shared(session, "case", report.case_id, actor):
        return
    raise _deny(f"change report {report.id}", actor, "another user's report, not shared with you")


# -- queries ----------------------------------------------------------------------------------


def query_clause(actor: Actor) -> Any:
    if _manager(actor):
        return true()
    if actor.role == R.PHYSICIAN.value:
        return Query.addressed_to == actor.user_id
    readable = Query.encounter_id.in_(select(EncounterRow.id).where(encounter_clause(actor)))
    if actor.role == R.CDI.value:
        return or_(Query.asked_by == actor.user_id, readable)
    return readable


def read_query(session: Session, actor: Actor, query: Query) -> None:
    stmt = select(Query.id).where(Query.id == query.id, query_clause(actor))
    if session.scalar(stmt) is None:
        raise _deny(f"read query {query.id}", actor, "not yours")


def own_query(actor: Actor, query: Query, action: str) -> None:
    """Send or close a query: the CDI specialist who asked it."""
    if query.asked_by is not None and query.asked_by != actor.user_id:
        raise AccessDeniedError(
            f"{action} query {query.id}: another CDI specialist asked it",
            actor.role,
            ("the CDI specialist who asked it",),
        )


# -- sharing ----------------------------------------------------------------------------------


def _record(session: Session, entity: str, entity_id: int) -> Any:
    model = SHAREABLE.get(entity)
    if model is None:
        raise InvalidError(
            f"unknown entity {entity!r}; allowed: {', '.join(SHAREABLE)}", field="entity"
        )
    row = session.get(model, entity_id)
    if row is None:
        raise NotFoundError(entity, entity_id)
    return row


def _may_share(session: Session, actor: Actor, entity: str, row: Any) -> None:
    if entity == "encounter":
        if not (_manager(actor) or row.assignee_id == actor.user_id):
            raise _deny(f"share encounter {row.id}", actor, "only its assignee or a manager")
    elif entity == "case":
        check_case(session, actor, row.id)
    else:
        work_report(session, actor, row)


def share(
    session: Session, actor: Actor, entity: str, entity_id: int, username: str
) -> RecordShare:
    """Make a record visible to a named user (a case: make them a member). Audited."""
    row = _record(session, entity, entity_id)
    _may_share(session, actor, entity, row)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise InvalidError(f"no active user named {username!r}", field="username")
    if user.role == R.ADMIN.value:
        raise InvalidError(
            "admins hold no patient data; share with a working role", field="username"
        )
    existing = session.scalar(
        select(RecordShare).where(
            RecordShare.entity == entity,
            RecordShare.entity_id == entity_id,
            RecordShare.user_id == user.id,
        )
    )
    if existing is not None:
        raise ConflictError(
            f"{entity} {entity_id} is already shared with {username!r}", field="username"
        )
    grant = RecordShare(
        entity=entity, entity_id=entity_id, user_id=user.id, granted_by=actor.user_id
    )
    session.add(grant)
    session.flush()
    audit.record(
        session, actor, "share", entity, entity_id, detail=f"user={user.id} share={grant.id}"
    )
    return grant


def unshare(session: Session, actor: Actor, share_id: int) -> RecordShare:
    grant = session.get(RecordShare, share_id)
    if grant is None:
        raise NotFoundError("share", share_id)
    _may_share(session, actor, grant.entity, _record(session, grant.entity, grant.entity_id))
    session.delete(grant)
    session.flush()
    audit.record(
        session, actor, "unshare", grant.entity, grant.entity_id, detail=f"user={grant.user_id}"
    )
    return grant


def shares(session: Session, actor: Actor, entity: str, entity_id: int) -> list[RecordShare]:
    """Who a record is shared with; for whoever may read the record."""
    row = _record(session, entity, entity_id)
    if entity == "encounter":
        read_encounter(session, actor, entity_id)
    elif entity == "case":
        check_case(session, actor, entity_id)
    else:
        read_report(session, actor, row)
    stmt = select(RecordShare).where(
        RecordShare.entity == entity, RecordShare.entity_id == entity_id
    )
    return list(session.scalars(stmt.order_by(RecordShare.id)))
