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
