"""Engine, sessions and schema migration for the workbench database.

SQLite is the default (``<data dir>/workbench.db``) so a single coder can run the workbench
with nothing to install; PostgreSQL is one URL away. The schema is owned by Alembic: the
application never calls ``create_all``, so a database is always at a known revision.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
IDLE_PING_AFTER = 10.0  # seconds a pooled connection may sit unused before it is checked
# Server connections: the request thread pool is sized to match (medcoder.server.app).
POOL_SIZE = 20
POOL_OVERFLOW = 10


def default_url() -> str:
    """``sqlite:///<data dir>/workbench.db``; the data dir is created if missing."""
    from medcoder.codesets.pack_store import data_dir

    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'workbench.db'}"


def normalize_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _owner_only(database: str, *, create: bool = False) -> None:
    """The database file and its WAL and shared-memory files: owner read/write only. SQLite
    creates ``-wal`` and ``-shm`` with the database file's mode, so a new database file is
    made 0600 before SQLite opens it (``create``, by :meth:`Database.migrate`), and existing
    files are put right on every connection."""
    path = Path(database)
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            if name.stat().st_mode & 0o077:
                name.chmod(0o600)
        except FileNotFoundError:
            pass


def make_engine(url: str) -> Engine:
    """The engine for ``url``. SQL parameters never appear in error messages
    (``hide_parameters``): they hold patient names and note text, and messages reach logs."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        database = engine.url.database
        on_disk = bool(database) and database != ":memory:" and "mode=memory" not in url

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            # Foreign keys are off by default in SQLite; WAL lets readers run beside a writer.
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if on_disk:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            if on_disk:
                _owner_only(database)

        return engine
    engine = create_engine(
        url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, hide_parameters=True
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle for a while.

    ``pool_pre_ping`` would cost every request one more round trip to the server; a
    connection handed back a moment ago is alive, and one idle across a database restart is
    caught here and replaced (the pool retries with a new connection).
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record) -> None:  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy) -> None:  # noqa: ANN001
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_AFTER:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure means: not usable
            raise DisconnectionError("pooled connection failed its ping") from exc
        if not alive:
            raise DisconnectionError("pooled connection failed its ping")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run ``alembic upgrade`` programmatically on ``engine``'s database."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Database:
    """One engine and its session factory; the server keeps one on the app."""

    def __init__(self, url: str | None = None) -> None:
        self.url = normalize_url(url or default_url())
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        pool = self.engine.pool
        # How many sessions may be open at once without waiting for a connection.
        self.max_sessions = pool.size() if isinstance(pool, QueuePool) else 1

    def migrate(self) -> None:
        database = self.engine.url.database
        on_disk = self.engine.url.get_backend_name() == "sqlite" and database not in (
            None,
            "",
            ":memory:",
        )
        if on_disk:
            _owner_only(database, create=True)  # the files hold patient data
        upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
