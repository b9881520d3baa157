"""API-token lookup, the check every API call makes: one query, and a write of
``last_used_at`` at most once a minute."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select

from medcoder.store import users
from medcoder.store.base import utcnow
from medcoder.store.models import ApiToken, User


def _statements(db) -> list[str]:
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql))
    return seen


def _utc(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def test_lookup_is_one_query_and_last_used_is_written_once_a_minute(db):
    with db.session() as session:
        user = users.create_user(session, "ann", "long enough password", "coder")
        row, token = users.create_token(session, user, "feed")
        token_id = row.id
    seen = _statements(db)
    with db.session() as session:
        assert users.user_for_token(session, token).username == "ann"
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE")]
    assert len(selects) == 1 and len(updates) == 1  # first use: last_used_at written
    with db.session() as session:
        first_use = session.get(ApiToken, token_id).last_used_at
        assert first_use is not None

    seen.clear()
    with db.session() as session:
        assert users.user_for_token(session, token).username == "ann"
    assert [s for s in seen if not s.lstrip().upper().startswith("SELECT")] == []

    with db.session() as session:  # a minute later it is written again
        session.get(ApiToken, token_id).last_used_at = utcnow() - dt.timedelta(minutes=2)
    with db.session() as session:
        assert users.user_for_token(session, token) is not None
    with db.session() as session:
        written = _utc(session.get(ApiToken, token_id).last_used_at)
    assert written > utcnow() - dt.timedelta(minutes=1)


def test_revoked_expired_and_disabled_tokens_are_refused(db):
    with db.session() as session:
        user = users.create_user(session, "bo", "long enough password", "coder")
        _, live = users.create_token(session, user, "live")
        revoked, revoked_token = users.create_token(session, user, "revoked")
        revoked.revoked = True
        expired, expired_token = users.create_token(session, user, "old", expires_in_days=1)
        expired.expires_at = utcnow() - dt.timedelta(seconds=1)
    with db.session() as session:
        assert users.user_for_token(session, live) is not None
        assert users.user_for_token(session, revoked_token) is None
        assert users.user_for_token(session, expired_token) is None
        assert users.user_for_token(session, "mct_unknown") is None
        session.scalar(select(User).where(User.username == "bo")).active = False
    with db.session() as session:
        assert users.user_for_token(session, live) is None
