"""Every error path of the API answers the one shape {"error": {code, message, field}}."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from workbench_api import ensure_user, login, upload


@pytest.fixture
def app_options():
    return {"max_upload_bytes": 1024, "login_limit": 1}


def _shape(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_every_error_path_has_the_one_shape(client_for, app):
    anonymous = TestClient(app, base_url="http://localhost")
    coder = client_for("coder")
    attorney = client_for("attorney")

    _shape(anonymous.get("/api/worklist"), 401, "unauthenticated")
    anonymous.headers["Authorization"] = "Basic abc"
    _shape(anonymous.get("/api/worklist"), 401, "unauthenticated")
    del anonymous.headers["Authorization"]
    anonymous.cookies.set("medcoder_session", "forged")
    _shape(anonymous.get("/api/worklist"), 401, "unauthenticated")
    anonymous.cookies.clear()

    _shape(attorney.post("/api/encounters", json={}), 403, "forbidden")
    csrf = coder.headers.pop("X-CSRF-Token")
    _shape(coder.post("/api/encounters", json={}), 403, "csrf_failed")
    coder.headers["X-CSRF-Token"] = csrf

    _shape(coder.get("/api/encounters/999"), 404, "not_found")
    _shape(coder.get("/no/such/route"), 404, "not_found")
    _shape(coder.delete("/api/worklist"), 405, "method_not_allowed")

    eid = upload(coder).json()["encounter_id"]
    _shape(coder.post(f"/api/encounters/{eid}/finalize", json={"version": 99}), 409, "conflict")
    _shape(upload(coder, "x" * 2000), 413, "payload_too_large")
    _shape(
        coder.post("/api/documents", content=b"x", headers={"content-type": "image/gif"}),
        415,
        "unsupported_media_type",
    )
    _shape(
        coder.post(
            "/api/encounters", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
        "malformed_json",
    )
    r = coder.post("/api/encounters", json={"setting": "spaceship"})
    _shape(r, 422, "validation_error")
    assert r.json()["error"]["field"] == "setting"
    _shape(coder.get("/api/worklist", params={"limit": 0}), 422, "validation_error")
    _shape(coder.post(f"/api/encounters/{eid}/codes", json={"code": "QQQ"}), 422)
    _shape(
        coder.post(
            "/api/documents", content=b"%PDF-1.4 x", headers={"content-type": "application/pdf"}
        ),
        422,
        "unreadable_document",
    )

    ensure_user(app, "zed", "coder")
    other = TestClient(app, base_url="http://localhost")
    _shape(login(other, "zed", "wrong-password-1"), 401, "unauthenticated")
    _shape(login(other, "zed", "wrong-password-2"), 429, "rate_limited")


def test_unexpected_errors_are_500_in_the_same_shape(client_for, app):
    def broken(_encounter):
        raise RuntimeError("patient text that must not leak")

    app.state.workbench.coder = broken
    coder = client_for("coder")
    coder_safe = TestClient(app, base_url="http://localhost", raise_server_exceptions=False)
    coder_safe.cookies = coder.cookies
    coder_safe.headers.update(coder.headers)
    eid = upload(coder).json()["encounter_id"]
    r = coder_safe.post(f"/api/encounters/{eid}/code")
    _shape(r, 500, "internal_error")
    assert "must not leak" not in r.text
