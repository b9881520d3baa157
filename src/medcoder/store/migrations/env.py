"""Alembic environment: uses the connection handed over by ``medcoder.store.database.upgrade``,
or ``-x url=...`` / ``$MEDCODER_DB_URL`` when run from the ``alembic`` command line."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from medcoder.store import case_file_models, case_models, models  # noqa: F401 - every table
from medcoder.store.base import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ["MEDCODER_DB_URL"]
    from medcoder.store.database import normalize_url

    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; give a database URL")
run_migrations_online()
