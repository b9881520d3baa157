"""The Alembic history builds exactly the models' schema, and audit rows cannot change."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from medcoder.store import Actor, Base, Database, audit, users
from medcoder.store.audit import AppendOnlyError
from medcoder.store.models import AuditEvent

ACTOR = Actor(1, "tester", "coder", "127.0.0.1")


def test_upgrade_creates_every_table_and_matches_the_models(db):
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables and "alembic_version" in tables
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ; write a revision: {diff}"


def _head() -> str:
    from alembic.script import ScriptDirectory

    from medcoder.store.database import MIGRATIONS

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_upgrade_is_idempotent(db_url):
    first = Database(db_url)
    first.migrate()
    first.migrate()
    with first.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
    first.dispose()


def test_audit_rows_are_append_only(db):
    with db.session() as session:
        row = audit.record(session, ACTOR, "read", "encounter", 1)
    with pytest.raises(AppendOnlyError), db.session() as session:
        session.get(AuditEvent, row.id).action = "nothing to see"
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'x'"))
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    with db.session() as session:
        assert session.get(AuditEvent, row.id).action == "read"


def test_default_url_lives_in_the_data_dir(tmp_path, monkeypatch):
    from medcoder.store import default_url

    monkeypatch.setenv("MEDCODER_DATA_DIR", str(tmp_path / "d"))
    assert default_url() == f"sqlite:///{tmp_path / 'd' / 'workbench.db'}"


def test_bootstrap_admin_only_once(db):
    with db.session() as session:
        password = users.bootstrap_admin(session)
        assert password and users.authenticate(session, "admin", password).role == "admin"
        assert users.bootstrap_admin(session) is None
