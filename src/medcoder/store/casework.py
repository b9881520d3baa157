"""Comments with @mentions, and cases (CDI queries: ``store.queries``)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.store import access, audit
from medcoder.store.audit import Actor
from medcoder.store.case_models import CaseRow, Comment, Report
from medcoder.store.errors import InvalidError, NotFoundError
from medcoder.store.models import EncounterRow, PatientRow, User

# @name not preceded by a word character (so e-mail addresses are not mentions).
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})")
TARGETS = {"encounter": EncounterRow, "report": Report, "case": CaseRow}


def parse_mentions(session: Session, body: str) -> list[str]:
    """Usernames mentioned in ``body`` that exist, in order of first mention."""
    names: list[str] = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".-")
        if name and name not in names:
            names.append(name)
    if not names:
        return []
    known = set(session.scalars(select(User.username).where(User.username.in_(names))))
    return [n for n in names if n in known]


def _check_target(session: Session, actor: Actor, target_type: str, target_id: int) -> None:
    """The target exists and the actor may read it (comments are part of the record)."""
    model = TARGETS.get(target_type)
    if model is None:
        allowed = ", ".join(TARGETS)
        raise InvalidError(
            f"unknown target_type {target_type!r}; allowed: {allowed}", field="target_type"
        )
    row = session.get(model, target_id)
    if row is None:
        raise NotFoundError(target_type, target_id)
    if target_type == "encounter":
        access.read_encounter(session, actor, target_id)
    elif target_type == "case":
        access.check_case(session, actor, target_id)
    else:
        access.read_report(session, actor, row)


def add_comment(
    session: Session, actor: Actor, *, target_type: str, target_id: int, body: str
) -> Comment:
    _check_target(session, actor, target_type, target_id)
    comment = Comment(
        target_type=target_type,
        target_id=target_id,
        body=body,
        mentions=parse_mentions(session, body),
        author_id=actor.user_id,
    )
    session.add(comment)
    session.flush()
    audit.record(session, actor, "comment", target_type, target_id, detail=f"comment={comment.id}")
    return comment


def list_comments(
    session: Session, actor: Actor, *, target_type: str, target_id: int
) -> list[Comment]:
    _check_target(session, actor, target_type, target_id)
    audit.record(session, actor, "read_comments", target_type, target_id)
    stmt = select(Comment).where(Comment.target_type == target_type, Comment.target_id == target_id)
    return list(session.scalars(stmt.order_by(Comment.id)))


def create_case(
    session: Session,
    actor: Actor,
    *,
    title: str,
    kind: str,
    patient_id: int | None,
    encounter_ids: list[int],
) -> CaseRow:
    if patient_id is not None and session.get(PatientRow, patient_id) is None:
        raise InvalidError(f"patient {patient_id} not found", field="patient_id")
    for encounter_id in encounter_ids:
        if session.get(EncounterRow, encounter_id) is None:
            raise InvalidError(f"encounter {encounter_id} not found", field="encounter_ids")
        access.read_encounter(session, actor, encounter_id)
    case = CaseRow(
        title=title,
        kind=kind,
        patient_id=patient_id,
        encounter_ids=list(encounter_ids),
        created_by=actor.user_id,
    )
    session.add(case)
    session.flush()
    audit.record(session, actor, "create", "case", case.id)
    return case


def get_case(session: Session, actor: Actor, case_id: int) -> CaseRow:
    case = access.check_case(session, actor, case_id)
    audit.record(session, actor, "read", "case", case_id)
    return case
