"""The declarative base every workbench table derives from, and the vocabularies they share.

Allowed values (roles, review states, report states) are declared here as data, once, so the
models, the API schemas and the permission table cannot drift apart (STYLE: scikit-learn).
Columns holding them are plain strings rather than database enums: adding a state must not
need a dialect-specific ``ALTER TYPE`` migration.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations can drop or alter them on every dialect.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON on SQLite, JSONB on PostgreSQL (indexable, compact).
JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dict[str, Any]: JsonType,
        list[Any]: JsonType,
        dt.datetime: DateTime(timezone=True),
    }


def utcnow() -> dt.datetime:
    """Timezone-aware now; stored as UTC on every dialect."""
    return dt.datetime.now(dt.UTC)


class Role(StrEnum):
    CODER = "coder"
    CDI = "cdi"
    PHYSICIAN = "physician"
    CLAIMS_EXAMINER = "claims_examiner"
    ATTORNEY = "attorney"
    MANAGER = "manager"
    ADMIN = "admin"


class EncounterStatus(StrEnum):
    OPEN = "open"  # created, documents may be added
    CODED = "coded"  # the engine has suggested codes; review in progress
    FINALIZED = "finalized"  # every code reviewed; no further changes


class ReviewState(StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"
    ADDED = "added"


#: The states of a code a coder kept; these reach the claim, never suggested or rejected.
FINAL_STATES = (ReviewState.ACCEPTED.value, ReviewState.EDITED.value, ReviewState.ADDED.value)


class ReportState(StrEnum):
    DRAFT = "draft"
    PHYSICIAN_REVIEW = "physician_review"
    CORRECTIONS = "corrections"
    APPROVED = "approved"
    SUBMITTED = "submitted"


class QueryState(StrEnum):
    """open (drafted) -> sent -> answered | declined | expired (``medcoder.cdi.lifecycle``)."""

    OPEN = "open"
    SENT = "sent"
    ANSWERED = "answered"
    DECLINED = "declined"
    EXPIRED = "expired"
