"""Databases for the store tests: SQLite always, PostgreSQL when MEDCODER_TEST_POSTGRES_URL is
set (``eval "$(bash .ci/postgres.sh)"`` starts one). Each test gets an empty database."""

from __future__ import annotations

import pytest


@pytest.fixture
def db(db_url):
    from medcoder.store import Database

    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()
