"""An app with the pages per test on an empty SQLite database, and clients logged in by role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from ui_workbench import PASSWORD, build_app, ensure_user


@pytest.fixture
def app_options() -> dict:
    return {}


@pytest.fixture
def ui_app(tmp_path, app_options):
    app = build_app(f"sqlite:///{tmp_path / 'workbench.db'}", **app_options)
    yield app
    app.state.workbench.db.dispose()


@pytest.fixture
def client_for(ui_app):
    """``client_for("coder")``: a client logged in (through the login page's token) by role."""

    def make(role: str | None = None, username: str | None = None) -> TestClient:
        client = TestClient(ui_app, base_url="http://localhost", follow_redirects=False)
        if role is not None:
            username = username or role
            ensure_user(ui_app, username, role)
            page = client.get("/ui/login")
            assert page.status_code == 200, page.text
            token = client.cookies.get("medcoder_csrf")
            response = client.post(
                "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
            )
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    return make
