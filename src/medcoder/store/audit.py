"""The audit trail: append-only rows saying who read or changed which entity, from where.

Rows are added to the caller's session so they commit, or roll back, with the change they
describe (an audit row for a change that did not happen would be a false record). ``detail``
carries ids, role names and states only; patient text never enters the audit log.

Tamper-evident (issue 18, finding 12): committed rows are sealed into a hash chain
(``audit_seals``): seal ``n`` holds ``sha256(hash of seal n-1 + the event's fields)``. Sealing
runs after commit (:func:`seal`: the server every few seconds, ``medcoder audit verify``
first), so requests never wait on one another for the chain; rows are sealed in the order
they became visible. :func:`verify` recomputes the chain: an edited, deleted or reordered
event, or a removed seal, breaks it at that point. The head hash it reports, kept outside the
database, also shows a chain cut short.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medcoder.store.database import Database
from medcoder.store.models import AuditEvent, AuditSeal

GENESIS = "0" * 64
SEAL_BATCH = 5_000
_SEAL_LOCK = 18_1218  # PostgreSQL advisory lock key: one sealer at a time


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
    # Cut to the columns' sizes: PostgreSQL refuses a longer value (SQLite would keep it).
    row = AuditEvent(
        user_id=actor.user_id,
        username=(actor.username or "")[:64] or None,
        action=action[:64],
        entity=entity[:64],
        entity_id=None if entity_id is None else str(entity_id)[:64],
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


def _utc(when: dt.datetime) -> str:
    if when.tzinfo is None:  # SQLite returns naive datetimes, stored as UTC
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat()


def event_bytes(row: AuditEvent) -> bytes:
    """The event's fields in a fixed, database-independent form: what its seal hashes."""
    fields = [
        row.id,
        _utc(row.at),
        row.user_id,
        row.username,
        row.action,
        row.entity,
        row.entity_id,
        row.outcome,
        row.client,
        row.detail,
    ]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, row: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + event_bytes(row)).hexdigest()


def seal(session: Session, *, limit: int = SEAL_BATCH) -> int:
    """Seal up to ``limit`` committed, unsealed events in id order; returns how many. Call in
    a transaction of its own. Two sealers at once: PostgreSQL serializes them with an
    advisory lock; on SQLite the second's seals collide on ``seq`` (IntegrityError)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEAL_LOCK})
    head = session.scalar(select(AuditSeal).order_by(AuditSeal.seq.desc()).limit(1))
    prev, seq = (head.hash, head.seq) if head else (GENESIS, 0)
    sealed = select(AuditSeal.event_id)
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.id.not_in(sealed)).order_by(AuditEvent.id).limit(limit)
    ).all()
    for row in rows:
        seq += 1
        digest = chain_hash(prev, row)
        session.add(AuditSeal(seq=seq, event_id=row.id, prev_hash=prev, hash=digest))
        prev = digest
    session.flush()
    return len(rows)


def seal_pending(db: Database) -> int:
    """Seal what is committed and unsealed, in a transaction of its own; 0 when another
    sealer got there first (SQLite: the same ``seq``, refused by the primary key)."""
    total = 0
    try:
        while True:
            with db.session() as session:
                done = seal(session)
            total += done
            if done < SEAL_BATCH:
                return total
    except IntegrityError:
        return total


@dataclass
class Verification:
    """What :func:`verify` found: ``ok`` when every seal checks and none is missing."""

    sealed: int = 0
    unsealed: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, *, max_problems: int = 20) -> Verification:
    """Walk the chain from the first seal: each seal must follow the previous one, name an
    existing event, and hash that event's fields as they are now."""
    report = Verification()
    prev, expected_seq = GENESIS, 1
    stmt = (
        select(AuditSeal, AuditEvent)
        .join(AuditEvent, AuditEvent.id == AuditSeal.event_id, isouter=True)
        .order_by(AuditSeal.seq)
    )
    for seal_row, row in session.execute(stmt).yield_per(1000):
        problem = None
        if seal_row.seq != expected_seq:
            problem = f"seal {expected_seq} is missing (next is {seal_row.seq})"
        elif seal_row.prev_hash != prev:
            problem = f"seal {seal_row.seq} does not follow seal {seal_row.seq - 1}"
        elif row is None:
            problem = f"audit event {seal_row.event_id} (seal {seal_row.seq}) was deleted"
        elif chain_hash(prev, row) != seal_row.hash:
            problem = f"audit event {row.id} (seal {seal_row.seq}) was changed after sealing"
        if problem and len(report.problems) < max_problems:
            report.problems.append(problem)
        prev, expected_seq = seal_row.hash, seal_row.seq + 1
        report.sealed += 1
        report.head_seq, report.head_hash = seal_row.seq, seal_row.hash
    sealed_ids = select(AuditSeal.event_id)
    report.unsealed = len(
        session.scalars(select(AuditEvent.id).where(AuditEvent.id.not_in(sealed_ids))).all()
    )
    return report
