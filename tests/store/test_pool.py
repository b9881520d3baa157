"""Pooled PostgreSQL connections are checked only after sitting idle, and a dead one is
replaced rather than failing the request that gets it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from medcoder.store import database


def test_a_connection_that_died_while_idle_is_replaced(db, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite connections do not die behind the pool's back")
    first, second = db.engine.connect(), db.engine.connect()
    victim = first.execute(text("SELECT pg_backend_pid()")).scalar()
    first.close()  # back to the pool
    second.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
    second.commit()
    second.close()
    monkeypatch.setattr(database, "IDLE_PING_AFTER", 0.0)
    # Both pooled connections are handed out again: each request gets a live one.
    with db.session() as one, db.session() as two:
        pids = {s.execute(text("SELECT pg_backend_pid()")).scalar() for s in (one, two)}
    assert victim not in pids and len(pids) == 2


def test_a_busy_connection_is_not_pinged(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the idle ping is for PostgreSQL")
    pings = []
    original = db.engine.dialect.do_ping
    db.engine.dialect.do_ping = lambda conn: pings.append(1) or original(conn)
    try:
        for _ in range(3):
            with db.session() as session:
                session.execute(text("SELECT 1"))
    finally:
        db.engine.dialect.do_ping = original
    assert pings == []
    assert db.max_sessions == database.POOL_SIZE
