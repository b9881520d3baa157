"""The audit trail: append-only rows saying who read or changed which entity, from where.

Rows are added to the caller's session so they commit, or roll back, with the change they
describe (an audit row for a change that did not happen would be a false record). ``detail``
carries ids, role names and states only; patient text never enters the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

from medcoder.store.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where; ``user_id`` is None for anonymous attempts."""

    user_id: int | None
    username: str | None
    role: str | None
    client: str | None


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    outcome: str = "ok",
    detail: str | None = None,
) -> AuditEvent:
    row = AuditEvent(
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        outcome=outcome,
        client=(actor.client or "")[:64] or None,
        detail=detail[:255] if detail else None,
    )
    session.add(row)
    return row


class AppendOnlyError(RuntimeError):
    """Raised when code tries to update or delete an audit row."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context, _instances) -> None:  # noqa: ANN001
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("audit_events is append-only")
