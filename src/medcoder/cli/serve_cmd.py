"""``medcoder serve``, ``medcoder user ...`` and ``medcoder audit verify``: run the workbench,
manage its users, check its audit log's hash chain."""

from __future__ import annotations

import sys

import typer

user_app = typer.Typer(help="Manage workbench users.", no_args_is_help=True)
audit_app = typer.Typer(help="The workbench's audit log.", no_args_is_help=True)
CLI_ACTOR = ("cli", "local")  # who the audit log names for a command-line change

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
            f"Log in at http://{host}:{port}/ui/login and change this password on the Account "
            "page (or `medcoder user passwd admin`), then add users there or with "
            "`medcoder user add NAME --role coder`. This password is not shown again.",
            err=True,
        )
    typer.echo(
        f"medcoder workbench on http://{host}:{port}/ui (REST API described at "
        f"/openapi.json; database: {bench.db.engine.url!r})",
        err=True,
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


def _read_password(password_stdin: bool, prompt: str = "Password") -> str:
    """From standard input (one line, exactly as typed but for the line break) or a prompt;
    with no terminal to prompt on, a usage error that says how to pass it."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        from medcoder.errors import UsageError

        raise UsageError(
            "no terminal to ask for the password: give it on standard input with "
            "--password-stdin (for example: printf '%s\\n' \"$PASSWORD\" | medcoder user ... "
            "--password-stdin)"
        )
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


def _database(db: str | None):  # noqa: ANN202 - medcoder.store.Database
    from medcoder.store import Database

    database = Database(db)
    database.migrate()
    return database


def _cli_actor():  # noqa: ANN202 - medcoder.store.audit.Actor
    from medcoder.store.audit import Actor

    return Actor(None, CLI_ACTOR[0], None, CLI_ACTOR[1])


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
    """Add a workbench user; the password is prompted for unless --password-stdin.

    At least 12 characters, not a common or breached password, not containing the name."""
    from medcoder.store import audit
    from medcoder.store.passwords import check_password
    from medcoder.store.users import check_role, check_username, create_user

    check_role(role)  # fail before asking for a password
    check_username(name)
    password = _read_password(password_stdin)
    check_password(password, username=name, display_name=display_name)
    database = _database(db)
    with database.session() as session:
        user = create_user(session, name, password, role, display_name)
        audit.record(session, _cli_actor(), "create", "user", user.id, detail=f"role={user.role}")
    typer.echo(f"created user {name} ({role})")


def user_passwd(
    name: str = typer.Argument(..., help="The user whose password to set."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input."
    ),
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
) -> None:
    """Set (reset) a user's password; their sessions and API tokens end."""
    from medcoder.store import audit
    from medcoder.store.users import find_user, set_password

    database = _database(db)
    with database.session() as session:
        find_user(session, name)  # fail before asking for a password
    password = _read_password(password_stdin, "New password")
    with database.session() as session:
        user = find_user(session, name)
        set_password(session, user, password)
        audit.record(session, _cli_actor(), "password", "user", user.id, detail="reset")
    typer.echo(f"password of {name} changed; their sessions and API tokens were ended")


def _set_active(name: str, db: str | None, active: bool) -> None:
    from medcoder.store import audit
    from medcoder.store.users import find_user, set_active

    database = _database(db)
    with database.session() as session:
        user = find_user(session, name)
        set_active(session, user, active)
        action = "enable" if active else "disable"
        audit.record(session, _cli_actor(), action, "user", user.id)


def user_disable(
    name: str = typer.Argument(..., help="The user to disable."),
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
) -> None:
    """Disable a user: they cannot log in, and their sessions and API tokens end now."""
    _set_active(name, db, False)
    typer.echo(f"disabled {name}; their sessions and API tokens were ended")


def user_enable(
    name: str = typer.Argument(..., help="The user to enable again."),
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
) -> None:
    """Enable a disabled user (they log in with their password again)."""
    _set_active(name, db, True)
    typer.echo(f"enabled {name}")


def user_list(
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
) -> None:
    """List the users: name, role, active, when the password last changed."""
    from medcoder.store.users import list_users

    database = _database(db)
    with database.session() as session:
        for user in list_users(session):
            changed = (
                user.password_changed_at.date().isoformat() if user.password_changed_at else "-"
            )
            state = "active" if user.active else "disabled"
            typer.echo(f"{user.username}\t{user.role}\t{state}\tpassword {changed}")


def audit_verify(
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
    seal: bool = typer.Option(
        True, "--seal/--no-seal", help="Seal the rows committed since the last sealing first."
    ),
) -> None:
    """Check the audit log's hash chain: exit 0 when intact, 1 when a row was changed,
    deleted or its seal removed. Keep the printed head hash somewhere else: a later run
    that no longer reaches it shows the chain was cut short."""
    from medcoder.store import audit

    database = _database(db)
    sealed_now = audit.seal_pending(database) if seal else 0
    with database.session() as session:
        report = audit.verify(session)
    typer.echo(
        f"audit chain: {report.sealed} sealed events ({sealed_now} sealed now), "
        f"{report.unsealed} not yet sealed; head seal {report.head_seq} {report.head_hash}"
    )
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"BROKEN: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("OK: every sealed event matches its seal")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    user_app.command("add")(user_add)
    user_app.command("passwd")(user_passwd)
    user_app.command("disable")(user_disable)
    user_app.command("enable")(user_enable)
    user_app.command("list")(user_list)
    app.add_typer(user_app, name="user")
    audit_app.command("verify")(audit_verify)
    app.add_typer(audit_app, name="audit")
