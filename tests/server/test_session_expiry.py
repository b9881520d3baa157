"""A session past its expiry is refused with 401 and a code saying so."""

from __future__ import annotations

import pytest
from workbench_api import ensure_user, login


@pytest.fixture
def app_options():
    return {"session_max_age": -1}  # every session is born expired


def test_expired_session_is_401(client_for, app):
    ensure_user(app, "carol", "coder")
    client = client_for()
    assert login(client, "carol").status_code == 200
    r = client.get("/api/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
