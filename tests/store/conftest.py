"""Databases for the store tests: SQLite always, PostgreSQL when MEDCODER_TEST_POSTGRES_URL is
set (``eval "$(bash .ci/postgres.sh)"`` starts one). Each test gets an empty database."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

PG_ENV = "MEDCODER_TEST_POSTGRES_URL"


def _empty_postgres(url: str) -> str:
    from medcoder.store.database import normalize_url

    url = normalize_url(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workbench.db'}"
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f'PostgreSQL tests need ${PG_ENV} (eval "$(bash .ci/postgres.sh)")')
    return _empty_postgres(url)


@pytest.fixture
def db(db_url):
    from medcoder.store import Database

    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()
