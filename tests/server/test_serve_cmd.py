"""``medcoder serve`` bootstraps an admin once; ``medcoder user add`` reads a password."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from medcoder.cli import serve_cmd


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    serve_cmd.register(app)
    return app


def test_serve_creates_admin_once_and_starts_uvicorn(tmp_path, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setenv("MEDCODER_SECRET_KEY", "test")
    url = f"sqlite:///{tmp_path / 'wb.db'}"
    runner = CliRunner()
    first = runner.invoke(_cli(), ["serve", "--db", url, "--port", "8123"])
    assert first.exit_code == 0, first.output
    assert "username: admin" in first.output and "password:" in first.output
    second = runner.invoke(_cli(), ["serve", "--db", url])
    assert "password:" not in second.output
    assert calls[0]["port"] == 8123 and calls[0]["host"] == "127.0.0.1"


def test_user_add_with_password_stdin(tmp_path):
    from medcoder.store import Database
    from medcoder.store.users import authenticate

    url = f"sqlite:///{tmp_path / 'wb.db'}"
    runner = CliRunner()
    r = runner.invoke(
        _cli(),
        ["user", "add", "mia", "--role", "cdi", "--password-stdin", "--db", url],
        input="a long password\n",
    )
    assert r.exit_code == 0, r.output
    with Database(url).session() as session:
        assert authenticate(session, "mia", "a long password").role == "cdi"
    bad = runner.invoke(_cli(), ["user", "add", "x", "--role", "king", "--db", url])
    assert bad.exit_code != 0


def test_first_run_message_points_at_the_ui(tmp_path, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setenv("MEDCODER_SECRET_KEY", "test")
    result = CliRunner().invoke(
        _cli(), ["serve", "--db", f"sqlite:///{tmp_path / 'wb.db'}", "--port", "8123"]
    )
    assert "http://127.0.0.1:8123/ui" in result.output and "/docs" not in result.output


def test_user_commands_refuse_weak_passwords_reset_disable_and_list(tmp_path):
    from medcoder.store import Database
    from medcoder.store.users import authenticate

    url = f"sqlite:///{tmp_path / 'wb.db'}"
    runner = CliRunner()
    weak = runner.invoke(
        _cli(),
        ["user", "add", "nia", "--role", "coder", "--password-stdin", "--db", url],
        input="password1234\n",
    )
    assert weak.exit_code != 0 and "common" in str(weak.exception or weak.output)
    added = runner.invoke(
        _cli(),
        ["user", "add", "nia", "--role", "coder", "--password-stdin", "--db", url],
        input="  river stones at dusk  \n",
    )
    assert added.exit_code == 0, added.output
    with Database(url).session() as session:  # kept exactly as typed, spaces and all
        assert authenticate(session, "nia", "  river stones at dusk  ") is not None
    reset = runner.invoke(
        _cli(),
        ["user", "passwd", "nia", "--password-stdin", "--db", url],
        input="lanterns over water\n",
    )
    assert reset.exit_code == 0, reset.output
    assert runner.invoke(_cli(), ["user", "disable", "nia", "--db", url]).exit_code == 0
    with Database(url).session() as session:
        assert authenticate(session, "nia", "lanterns over water") is None  # disabled
    listed = runner.invoke(_cli(), ["user", "list", "--db", url])
    assert "nia\tcoder\tdisabled" in listed.output
    assert runner.invoke(_cli(), ["user", "enable", "nia", "--db", url]).exit_code == 0
    with Database(url).session() as session:
        assert authenticate(session, "nia", "lanterns over water").username == "nia"
