"""The audit log is tamper-evident (issue 18, finding 12): committed rows are sealed into a
hash chain, and changing, deleting or re-sealing a row breaks it where it happened."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from medcoder.store import Actor, audit

ACTOR = Actor(1, "cora", "coder", "10.0.0.7")


def _write(db, n: int) -> None:
    with db.session() as session:
        for i in range(n):
            audit.record(session, ACTOR, "read", "encounter", i + 1, detail=f"row {i}")


def _tamper(db, statement: str) -> None:
    """What someone with the database's owner rights could do: drop the append-only trigger,
    change the table, put the trigger back."""
    dialect = db.engine.dialect.name
    with db.engine.begin() as conn:
        if dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
        conn.execute(text(statement))


def test_sealed_rows_verify_and_new_rows_wait_for_the_next_sealing(db):
    _write(db, 5)
    assert audit.seal_pending(db) == 5
    _write(db, 2)
    with db.session() as session:
        report = audit.verify(session)
    assert report.ok and (report.sealed, report.unsealed, report.head_seq) == (5, 2, 5)
    assert audit.seal_pending(db) == 2
    with db.session() as session:
        again = audit.verify(session)
    assert again.ok and again.sealed == 7 and again.head_hash != report.head_hash


@pytest.mark.parametrize(
    ("statement", "found"),
    [
        ("UPDATE audit_events SET detail = 'row 9' WHERE id = 3", "changed after sealing"),
        ("UPDATE audit_events SET username = 'otto' WHERE id = 1", "changed after sealing"),
        ("DELETE FROM audit_events WHERE id = 2", "was deleted"),
    ],
)
def test_a_changed_or_deleted_row_breaks_the_chain(db, statement, found):
    _write(db, 4)
    audit.seal_pending(db)
    _tamper(db, statement)
    with db.session() as session:
        report = audit.verify(session)
    assert not report.ok and found in report.problems[0]


def test_seals_cannot_be_changed_and_a_rewritten_seal_is_found(db):
    from sqlalchemy.exc import DBAPIError

    _write(db, 3)
    audit.seal_pending(db)
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_seals WHERE seq = 2"))
    with db.engine.begin() as conn:  # past the trigger: remove the middle seal
        if db.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_seals_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_no_change"))
        conn.execute(text("DELETE FROM audit_seals WHERE seq = 2"))
    with db.session() as session:
        report = audit.verify(session)
    assert not report.ok and "seal 2 is missing" in report.problems[0]


def test_audit_verify_command_exits_1_on_a_broken_chain(db):
    import typer
    from typer.testing import CliRunner

    from medcoder.cli import serve_cmd

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    serve_cmd.register(app)
    _write(db, 3)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", db.url])
    assert ok.exit_code == 0, ok.output
    assert "3 sealed events (3 sealed now)" in ok.output and "OK" in ok.output
    _tamper(db, "UPDATE audit_events SET action = 'nothing' WHERE id = 2")
    broken = runner.invoke(app, ["audit", "verify", "--db", db.url])
    assert broken.exit_code == 1
    assert "audit event 2 (seal 2) was changed after sealing" in broken.output
