"""JSON bodies of the API: request models (pydantic, so FastAPI validates and documents them)
and the dictionaries each stored entity is returned as.

Text is returned exactly as stored; JSON encoding is what makes it safe to embed, and the UI
escapes it when rendering. Nothing here strips or rewrites what a user typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from medcoder.claims import model as claims
from medcoder.store.case_models import CaseRow, Comment, Query, Report, ReportVersion
from medcoder.store.models import (
    ApiToken,
    CodeSuggestionRow,
    DocumentRow,
    EncounterRow,
    PatientRow,
    User,
)

ID_MAX = 2**31 - 1  # ids are 32-bit integers on every database
PathId = Annotated[int, Path(ge=1, le=ID_MAX)]
Id = Annotated[int, Field(ge=1, le=ID_MAX)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PatientIn(_In):
    external_id: str | None = Field(None, max_length=128)
    name: str | None = Field(None, max_length=255)
    birth_date: dt.date | None = None
    sex: Literal["F", "M", "U"] | None = None


class EncounterIn(_In):
    setting: Literal["inpatient", "outpatient", "abstraction"] = "outpatient"
    patient_id: Id | None = None
    service_date: dt.date | None = None
    external_id: str | None = Field(None, max_length=128)
    assignee: str | None = Field(None, max_length=64)


class Versioned(_In):
    version: int = Field(
        ..., ge=1, le=ID_MAX, description="The version you read (optimistic locking)."
    )


class RejectIn(Versioned):
    reason: str = Field(..., min_length=1, max_length=2000)


class EditIn(Versioned):
    code: str = Field(..., min_length=1, max_length=16)
    reason: str | None = Field(None, max_length=2000)


class AddCodeIn(_In):
    code: str = Field(..., min_length=1, max_length=16)
    reason: str | None = Field(None, max_length=2000)


class FinalizeIn(_In):
    version: Id = Field(
        ..., description="The encounter version you reviewed; 409 if any code changed since."
    )


class ClaimIn(_In):
    """What an 837P needs that the workbench does not hold: the claims library's encounter
    (``medcoder claim --schema``) without ``id`` and ``diagnoses``, which come from the
    encounter and its final ICD-10-CM codes (``dx_pointers`` count from 1 in that order)."""

    service_date: dt.date | None = Field(None, description="Default: the encounter's")
    place_of_service: str | None = Field(None, max_length=2)
    patient: claims.ClaimPatient
    payer: claims.Payer
    billing_provider: claims.Provider
    rendering_provider: claims.Provider | None = None
    referring_provider: claims.Provider | None = None
    lines: list[claims.Line] = Field(..., min_length=1, max_length=50)
    prior_authorization: str | None = Field(None, max_length=50)
    submitter_phone: str | None = Field(None, max_length=32, description="1000A PER contact")


class ReportIn(_In):
    title: str = Field(..., min_length=1, max_length=255)
    body: str = Field("", max_length=1_000_000)
    case_id: Id | None = None
    encounter_id: Id | None = None


class TransitionIn(Versioned):
    to: str = Field(..., max_length=32)


class ReportVersionIn(Versioned):
    body: str = Field(..., max_length=1_000_000)
    note: str | None = Field(None, max_length=2000)


class CommentIn(_In):
    target_type: Literal["encounter", "report", "case"]
    target_id: Id
    body: str = Field(..., min_length=1, max_length=20_000)


class QueryIn(_In):
    question: str = Field(..., min_length=1, max_length=20_000)
    options: list[str] = Field(default_factory=list, max_length=20)
    addressed_to: str | None = Field(None, max_length=64)


class AnswerIn(_In):
    """The physician's answer: one of the query's options, their own words, or both."""

    answer: str | None = Field(None, max_length=20_000)
    option: str | None = Field(None, max_length=1_000)


class SendIn(_In):
    addressed_to: str = Field(..., min_length=1, max_length=64)


class DeclineIn(_In):
    reason: str | None = Field(None, max_length=2_000)


class CaseIn(_In):
    title: str = Field(..., min_length=1, max_length=255)
    kind: str = Field("review", max_length=32)
    patient_id: Id | None = None
    encounter_ids: list[Id] = Field(default_factory=list, max_length=500)


# A password is kept exactly as typed: never trimmed (the policy counts its characters).
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=1024)]


class UserIn(_In):
    username: str = Field(..., min_length=1, max_length=64)
    password: Password
    role: str = Field(..., max_length=32)
    display_name: str | None = Field(None, max_length=128)


class PasswordChangeIn(_In):
    current_password: Password
    new_password: Password


class PasswordResetIn(_In):
    new_password: Password


class TokenIn(_In):
    name: str = Field(..., min_length=1, max_length=128)
    expires_in_days: int | None = Field(
        None, ge=1, le=365, description="Default 30 days; every token expires."
    )
    keep_after_logout: bool = Field(
        False,
        description="A token made from a signed-in session ends with it unless this is true "
        "(a system's token); a token made with a token is never bound to a session.",
    )


class ShareIn(_In):
    entity: Literal["encounter", "case", "report"]
    entity_id: Id
    username: str = Field(..., min_length=1, max_length=64)


class AssignIn(_In):
    assignee: str | None = Field(
        None, max_length=64, description="The coder to assign; null puts it back in the pool."
    )
    version: Id


class ReopenIn(_In):
    reason: str = Field(..., min_length=1, max_length=2000)
    version: Id


def _when(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "role": u.role,
        "display_name": u.display_name,
        "active": u.active,
        "password_changed_at": _when(u.password_changed_at),
    }


def token(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "created_at": _when(t.created_at),
        "expires_at": _when(t.expires_at),
        "last_used_at": _when(t.last_used_at),
        "revoked": t.revoked,
        "revoked_at": _when(t.revoked_at),
        "ends_with_session": t.session_id is not None,
    }


def patient(p: PatientRow) -> dict[str, Any]:
    return {
        "id": p.id,
        "external_id": p.external_id,
        "name": p.name,
        "birth_date": _when(p.birth_date),
        "sex": p.sex,
    }


def suggestion(s: CodeSuggestionRow) -> dict[str, Any]:
    return {
        "id": s.id,
        "encounter_id": s.encounter_id,
        "system": s.system,
        "code": s.code,
        "original_code": s.original_code,
        "description": s.description,
        "score": s.score,
        "evidence": s.evidence,
        "poa": s.poa,
        "principal": s.principal,
        "state": s.state,
        "reason": s.reason,
        "reviewer_id": s.reviewer_id,
        "reviewed_at": _when(s.reviewed_at),
        "version": s.version,
    }


def document(d: DocumentRow, *, text: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": d.id,
        "encounter_id": d.encounter_id,
        "file_name": d.file_name,
        "format": d.format,
        "media_type": d.media_type,
        "kind": d.kind,
        "size_bytes": d.size_bytes,
        "sha256": d.sha256,
        "chars": len(d.text),
        "meta": d.meta,
        "created_at": _when(d.created_at),
    }
    if text:
        out["text"] = d.text
    return out


def encounter(e: EncounterRow, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id,
        "patient_id": e.patient_id,
        "external_id": e.external_id,
        "setting": e.setting,
        "status": e.status,
        "service_date": _when(e.service_date),
        "assignee": e.assignee.username if e.assignee else None,
        "version": e.version,
        "created_at": _when(e.created_at),
        "finalized_at": _when(e.finalized_at),
    }
    if detail:
        out["documents"] = [document(d) for d in e.documents]
        out["codes"] = [suggestion(s) for s in e.suggestions]
    return out


def report_version(v: ReportVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "body": v.body,
        "diff": v.diff,
        "note": v.note,
        "author_id": v.author_id,
        "created_at": _when(v.created_at),
    }


def report(r: Report, *, versions: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "title": r.title,
        "state": r.state,
        "case_id": r.case_id,
        "encounter_id": r.encounter_id,
        "current_version": r.current_version,
        "version": r.version,
        "body": r.versions[-1].body if r.versions else "",
    }
    if versions:
        out["versions"] = [report_version(v) for v in r.versions]
    return out


def comment(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "target_type": c.target_type,
        "target_id": c.target_id,
        "body": c.body,
        "mentions": c.mentions,
        "author_id": c.author_id,
        "created_at": _when(c.created_at),
    }


def query(q: Query) -> dict[str, Any]:
    return {
        "id": q.id,
        "encounter_id": q.encounter_id,
        "question": q.question,
        "options": q.options,
        "state": q.state,
        "answer": q.answer,
        "asked_by": q.asked_by,
        "addressed_to": q.addressed_to,
        "answered_by": q.answered_by,
        "answered_at": _when(q.answered_at),
        "created_at": _when(q.created_at),
        "sent_at": _when(q.sent_at),
        "rule": q.rule_id,
        "code": q.code,
        "draft": q.draft,
        "lint": q.lint,
        "recode": q.recode,
    }


def case(c: CaseRow) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "kind": c.kind,
        "status": c.status,
        "patient_id": c.patient_id,
        "encounter_ids": c.encounter_ids,
    }
