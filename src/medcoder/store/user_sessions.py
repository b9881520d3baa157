"""Server-side sessions: a signed-in browser is a row, so logging out, disabling the user or
changing the password ends it on the server, not only in the browser (issue 18, finding 5).

The cookie carries a random 256-bit key; only its SHA-256 is stored. A session ends at its
absolute expiry (``expires_at``: the working day), after ``idle`` seconds without a request
(``last_seen_at``, written at most once per :data:`SEEN_EVERY` so that reads stay reads), or
when revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.store.models import ApiToken, User, UserSession

SEEN_EVERY = dt.timedelta(seconds=30)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _aware(when: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def open_session(
    session: Session, user: User, *, now: dt.datetime, lifetime: float, client: str | None
) -> tuple[UserSession, str]:
    """A new session row for ``user`` and its key (for the cookie; never stored)."""
    key = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        key_hash=_key_hash(key),
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(seconds=max(lifetime, 0)),
        client=(client or "")[:64] or None,
    )
    session.add(row)
    session.flush()
    return row, key


def session_user(
    session: Session, key: str, *, now: dt.datetime, idle: float
) -> tuple[UserSession, User] | str:
    """The live session and its active user, or why not: ``"unknown"``, ``"revoked"``,
    ``"expired"``, ``"idle"`` or ``"disabled"``. One query; it runs on every request."""
    found = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == _key_hash(key))
    ).first()
    if found is None:
        return "unknown"
    row, user = found
    if row.revoked_at is not None:
        return "revoked"
    if _aware(row.expires_at) <= now:
        return "expired"
    if idle > 0 and (now - _aware(row.last_seen_at)).total_seconds() >= idle:
        return "idle"
    if not user.active:
        return "disabled"
    if now - _aware(row.last_seen_at) >= SEEN_EVERY:
        row.last_seen_at = now
    return row, user


def end_session(session: Session, row: UserSession, *, now: dt.datetime) -> None:
    """Revoke the session and the API tokens made from it."""
    row.revoked_at = now
    for token in session.scalars(
        select(ApiToken).where(ApiToken.session_id == row.id, ApiToken.revoked.is_(False))
    ):
        token.revoked, token.revoked_at = True, now
    session.flush()
