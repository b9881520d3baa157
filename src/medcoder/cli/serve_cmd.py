"""``medcoder serve`` and ``medcoder user add``: run the workbench and manage its users."""

from __future__ import annotations

import sys

import typer

user_app = typer.Typer(help="Manage workbench users.", no_args_is_help=True)

DB_HELP = "Database URL (sqlite:///path.db or postgresql://...); default: the data dir's SQLite."


def serve(
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Server processes (PostgreSQL)."
    ),
    coding_processes: int = typer.Option(
        1,
        "--coding-processes",
        min=0,
        max=64,
        help="Processes running the coding engine, per server process (0: in the server "
        "process, which slows review actions while coding runs).",
    ),
) -> None:
    """Start the workbench server (migrates the database first)."""
    import uvicorn

    from medcoder.server import create_app
    from medcoder.store.users import bootstrap_admin

    app = create_app(db, coding_processes=coding_processes)
    bench = app.state.workbench
    with bench.db.session() as session:
        password = bootstrap_admin(session)
    if password is not None:
        # Printed once, on the first start with an empty database; only its hash is stored.
        typer.echo(
            "Created the first user.\n"
            f"  username: admin\n  password: {password}\n"
            f"Log in at http://{host}:{port}/ui and change this password on the Account page "
            "(or `medcoder user passwd admin`), then create users with "
            "`medcoder user add NAME --role coder`. This password is not shown again.",
            err=True,
        )
    typer.echo(
        f"medcoder workbench on http://{host}:{port} (database: {bench.db.engine.url!r})", err=True
    )
    # uvicorn's access log prints full URLs, whose query strings may carry names (a file name,
    # an assignee); the app logs route templates and ids instead.
    if workers > 1:
        import os

        # Each worker process builds its own app on the already migrated database.
        os.environ["MEDCODER_DB_URL"] = bench.db.url
        os.environ["MEDCODER_CODING_PROCESSES"] = str(coding_processes)
        bench.db.dispose()
        uvicorn.run(
            "medcoder.server.app:app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level=log_level,
            proxy_headers=False,
            access_log=False,
        )
        return
    uvicorn.run(
        app, host=host, port=port, log_level=log_level, proxy_headers=False, access_log=False
    )


def user_add(
    name: str = typer.Argument(..., help="Username (letters, digits, '.', '_', '-')."),
    role: str = typer.Option(
        ..., "--role", help="coder, cdi, physician, claims_examiner, attorney, manager or admin."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    display_name: str | None = typer.Option(None, "--display-name"),
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
) -> None:
    """Add a workbench user; the password is prompted for unless --password-stdin."""
    from medcoder.store import Database, audit
    from medcoder.store.audit import Actor
    from medcoder.store.users import check_role, create_user

    check_role(role)  # fail before asking for a password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = Database(db)
    database.migrate()
    with database.session() as session:
        user = create_user(session, name, password, role, display_name)
        audit.record(
            session,
            Actor(None, "cli", None, "local"),
            "create",
            "user",
            user.id,
            detail=f"role={user.role}",
        )
    typer.echo(f"created user {name} ({role})")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    user_app.command("add")(user_add)
    app.add_typer(user_app, name="user")
