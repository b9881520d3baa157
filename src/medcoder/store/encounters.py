"""Repository functions for patients, encounters and their documents.

Every function that reads or changes patient data writes its audit row into the same session,
so the record and the change commit together (issue 7, item 3). Callers own the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.documents.model import Setting
from medcoder.errors import MedcoderError
from medcoder.store import access, audit
from medcoder.store.audit import Actor
from medcoder.store.base import EncounterStatus
from medcoder.store.errors import ConflictError, InvalidError, NotFoundError
from medcoder.store.models import DocumentRow, EncounterRow, PatientRow, User

SETTINGS = tuple(s.value for s in Setting)  # the one list of settings


def check_version(entity: str, current: int, expected: int | None) -> None:
    """Optimistic locking: refuse a change based on a stale read."""
    if expected is not None and expected != current:
        raise ConflictError(
            f"{entity} was changed by someone else (version is {current}, you sent "
            f"{expected}); reload it and retry",
            field="version",
        )


def create_patient(
    session: Session,
    actor: Actor,
    *,
    external_id: str | None = None,
    name: str | None = None,
    birth_date: dt.date | None = None,
    sex: str | None = None,
) -> PatientRow:
    patient = PatientRow(external_id=external_id, name=name, birth_date=birth_date, sex=sex)
    session.add(patient)
    session.flush()
    audit.record(session, actor, "create", "patient", patient.id)
    return patient


def get_patient(session: Session, actor: Actor, patient_id: int) -> PatientRow:
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFoundError("patient", patient_id)
    access.read_patient(session, actor, patient_id)
    audit.record(session, actor, "read", "patient", patient_id)
    return patient


def _user_id(session: Session, username: str | None) -> int | None:
    if username is None:
        return None
    user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise InvalidError(f"no user named {username!r}", field="assignee")
    return user_id


def create_encounter(
    session: Session,
    actor: Actor,
    *,
    setting: str = "outpatient",
    patient_id: int | None = None,
    service_date: dt.date | None = None,
    external_id: str | None = None,
    assignee: str | None = None,
) -> EncounterRow:
    try:
        setting = Setting.parse(setting).value
    except MedcoderError:
        raise InvalidError(
            f"unknown setting {setting!r}; allowed: {', '.join(SETTINGS)}", field="setting"
        ) from None
    if patient_id is not None and session.get(PatientRow, patient_id) is None:
        raise InvalidError(f"patient {patient_id} not found", field="patient_id")
    assignee_id = _user_id(session, assignee)
    if actor.role != "manager" and assignee_id not in (None, actor.user_id):
        raise access.AccessDeniedError(
            "assign a new encounter to someone else", actor.role, ("manager",)
        )
    if assignee_id is None and actor.role == "coder":
        assignee_id = actor.user_id  # a coder's new encounter is their work, not the pool's
    encounter = EncounterRow(
        setting=setting,
        patient_id=patient_id,
        service_date=service_date,
        external_id=external_id,
        assignee_id=assignee_id,
    )
    session.add(encounter)
    session.flush()
    audit.record(session, actor, "create", "encounter", encounter.id)
    return encounter


def load_encounter(
    session: Session, encounter_id: int, *, for_update: bool = False
) -> EncounterRow:
    """The encounter, without an audit row: for functions that audit their own action."""
    stmt = select(EncounterRow).where(EncounterRow.id == encounter_id)
    if for_update:
        # Locked and read from the database even if the session holds the row already: the
        # status and version decided on must be the committed ones.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    encounter = session.scalar(stmt)
    if encounter is None:
        raise NotFoundError("encounter", encounter_id)
    return encounter


def get_encounter(session: Session, actor: Actor, encounter_id: int) -> EncounterRow:
    encounter = load_encounter(session, encounter_id)
    access.read_encounter(session, actor, encounter_id)
    audit.record(session, actor, "read", "encounter", encounter_id)
    return encounter


def require_open(encounter: EncounterRow) -> None:
    if encounter.status == EncounterStatus.FINALIZED:
        raise ConflictError(
            f"encounter {encounter.id} is finalized; its documents and codes can no longer change",
            field="encounter_id",
        )


def file_columns(
    actor: Actor,
    file_name: str,
    text: str,
    format: str,
    raw: bytes,
    media_type: str | None,
    kind: str | None,
    meta: dict[str, Any] | None,
) -> dict[str, Any]:
    """The columns every stored document has (encounter documents and case records): the
    text, the original's size and SHA-256, who uploaded it."""
    return {
        "file_name": file_name,
        "format": format,
        "media_type": media_type,
        "kind": kind,
        "text": text,
        "size_bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "meta": meta or {},
        "uploaded_by": actor.user_id,
    }


def add_document(
    session: Session,
    actor: Actor,
    encounter: EncounterRow,
    *,
    file_name: str,
    text: str,
    format: str,
    raw: bytes,
    media_type: str | None = None,
    kind: str | None = None,
    meta: dict[str, Any] | None = None,
) -> DocumentRow:
    require_open(encounter)
    document = DocumentRow(
        encounter_id=encounter.id,
        **file_columns(actor, file_name, text, format, raw, media_type, kind, meta),
    )
    session.add(document)
    session.flush()
    audit.record(
        session, actor, "create", "document", document.id, detail=f"encounter={encounter.id}"
    )
    return document


def get_document(session: Session, actor: Actor, document_id: int) -> DocumentRow:
    document = session.get(DocumentRow, document_id)
    if document is None:
        raise NotFoundError("document", document_id)
    access.read_encounter(session, actor, document.encounter_id)
    audit.record(session, actor, "read", "document", document_id)
    return document


def worklist(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    setting: str | None = None,
    assignee: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EncounterRow], int]:
    """A page of the encounters the actor may read, oldest first, and how many match."""
    stmt = select(EncounterRow).where(access.encounter_clause(actor))
    if status:
        stmt = stmt.where(EncounterRow.status == status)
    if setting:
        stmt = stmt.where(EncounterRow.setting == setting)
    if assignee:
        stmt = stmt.join(User, User.id == EncounterRow.assignee_id).where(User.username == assignee)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(EncounterRow.id).limit(limit).offset(offset)))
    audit.record(
        session, actor, "list", "encounter", None, detail=f"count={len(rows)} offset={offset}"
    )
    return rows, total
