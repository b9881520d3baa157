"""An app per test on an empty database (SQLite always, PostgreSQL when
MEDCODER_TEST_POSTGRES_URL is set), and clients logged in as a given role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from workbench_api import ensure_user, login


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
