"""Tables of people, patient data and coding: who may do what, and what was coded from what.

PatientRow data (patients, encounters, documents, suggestions) is only ever touched through the
repository modules, which write an :class:`AuditEvent` in the same transaction. Documents keep
their text, never a file path: uploads never reach the file system.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from medcoder.store.base import Base, EncounterStatus, ReviewState, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[dt.datetime | None]


class UserSession(Base):
    """A signed-in browser: the cookie carries a random key whose SHA-256 is kept here, so a
    session can be ended on the server (log out, user disabled, password changed) and ends by
    itself after ``expires_at`` or when unused for the idle timeout (``last_seen_at``)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    client: Mapped[str | None] = mapped_column(String(64))


class ApiToken(Base):
    """A bearer token for a system; only its SHA-256 is kept (tokens are 256-bit random)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[dt.datetime | None]
    # The session that made the token; such a token ends with it (log out). None: kept until
    # it expires or is revoked (a system's token).
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_sessions.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship()


class RecordShare(Base):
    """A record made visible to a named user: an encounter or report shared with a colleague,
    a case's members (attorneys, claims examiners, the coders working it). Granting and
    removing a share are audited acts (``medcoder.store.access``)."""

    __tablename__ = "record_shares"
    __table_args__ = (
        UniqueConstraint("entity", "entity_id", "user_id", name="uq_record_shares_member"),
        Index("ix_record_shares_user", "user_id", "entity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # encounter | case | report
    entity_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditSeal(Base):
    """The audit log's hash chain: seal ``seq`` covers audit event ``event_id`` with
    ``hash = sha256(prev_hash + the event's fields)``, ``prev_hash`` being seal ``seq - 1``'s
    hash. Append-only (database triggers); ``medcoder audit verify`` walks it."""

    __tablename__ = "audit_seals"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Append-only: who did what to which entity, when, from where; never PHI text.

    Updates and deletes are refused by the ORM (see ``medcoder.store.audit``) and by database
    triggers created in the initial migration.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)  # no FK: audit outlives users
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")  # ok | refused
    client: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(255))  # ids and role names only


class PatientRow(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EncounterRow(Base):
    __tablename__ = "encounters"
    __table_args__ = (Index("ix_encounters_worklist", "status", "setting", "assignee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    external_id: Mapped[str | None] = mapped_column(String(128))
    setting: Mapped[str] = mapped_column(String(32), default="outpatient")
    status: Mapped[str] = mapped_column(String(16), default=EncounterStatus.OPEN.value)
    service_date: Mapped[dt.date | None] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finalized_at: Mapped[dt.datetime | None]
    finalized_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    patient: Mapped[PatientRow | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    documents: Mapped[list[DocumentRow]] = relationship(
        back_populates="encounter", order_by="DocumentRow.id"
    )
    suggestions: Mapped[list[CodeSuggestionRow]] = relationship(
        back_populates="encounter", order_by="CodeSuggestionRow.id"
    )

    __mapper_args__ = {"version_id_col": version}


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(128))  # sanitised; a label, never a path
    format: Mapped[str] = mapped_column(String(16))  # text, pdf, hl7v2, fhir
    media_type: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)  # reader warnings, pages ...
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    encounter: Mapped[EncounterRow] = relationship(back_populates="documents")


class CodingResultRow(Base):
    """One run of the engine over an encounter's documents."""

    __tablename__ = "coding_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    setting: Mapped[str] = mapped_column(String(32))
    engine_version: Mapped[str] = mapped_column(String(32))
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    rejected: Mapped[list[Any]] = mapped_column(default=list)
    # the version of each code set the run used, {"ICD-10-CM": "FY2026", ...}; None before 0005
    code_sets: Mapped[dict[str, Any] | None] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CodeSuggestionRow(Base):
    """A code on an encounter and its review; ``version`` guards against lost updates."""

    __tablename__ = "code_suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    coding_result_id: Mapped[int | None] = mapped_column(ForeignKey("coding_results.id"))
    system: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(16))
    original_code: Mapped[str | None] = mapped_column(String(16))  # before an edit
    description: Mapped[str | None] = mapped_column(String(512))
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    poa: Mapped[str | None] = mapped_column(String(1))
    principal: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=ReviewState.SUGGESTED.value)
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    encounter: Mapped[EncounterRow] = relationship(back_populates="suggestions")
    reviewer: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
