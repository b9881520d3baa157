"""An app per test on an empty database (SQLite always, PostgreSQL when
MEDCODER_TEST_POSTGRES_URL is set), and clients logged in as a given role."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from workbench_api import ensure_user, login

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
def app_options() -> dict:
    """Override in a test module to build the app differently."""
    return {}


@pytest.fixture
def app(db_url, built_packs, app_options):
    from medcoder.server import create_app

    app = create_app(db_url, secret="test-secret", **app_options)
    yield app
    app.state.workbench.db.dispose()


@pytest.fixture
def client_for(app):
    """``client_for("coder")``: a client logged in as a user of that role."""

    def make(role: str | None = None, username: str | None = None) -> TestClient:
        client = TestClient(app, base_url="http://localhost")
        if role is not None:
            username = username or role
            ensure_user(app, username, role)
            response = login(client, username)
            assert response.status_code == 200, response.text
        return client

    return make
