"""Login with CSRF, cookie flags, API tokens, expiry and the login rate limit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from workbench_api import PASSWORD, audit_rows, ensure_user, login


def test_login_sets_httponly_lax_cookie_and_csrf_is_required(client_for, app):
    ensure_user(app, "carol", "coder")
    client = client_for()
    response = login(client, "carol")
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("medcoder_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session.replace("Lax", "lax")
    assert "Secure" not in session  # plain HTTP on localhost
    assert client.get("/api/me").json()["user"]["username"] == "carol"

    token = client.headers.pop("X-CSRF-Token")
    refused = client.post("/api/encounters", json={})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    client.headers["X-CSRF-Token"] = "forged"
    assert client.post("/api/encounters", json={}).status_code == 403
    client.headers["X-CSRF-Token"] = token
    assert client.post("/api/encounters", json={}).status_code == 201


def test_login_form_without_csrf_token_is_refused(client_for, app):
    ensure_user(app, "carol", "coder")
    client = client_for()
    r = client.post("/login", data={"username": "carol", "password": PASSWORD, "csrf_token": "x"})
    assert r.status_code == 403


def test_cookies_are_secure_off_localhost(app):
    ensure_user(app, "carol", "coder")
    client = TestClient(app, base_url="https://workbench.example.org")
    assert login(client, "carol").status_code == 200
    session = next(c for c in client.post("/logout").headers.get_list("set-cookie"))
    assert session  # logout clears
    client2 = TestClient(app, base_url="https://workbench.example.org")
    token = client2.get("/login")
    assert "Secure" in token.headers["set-cookie"]


def test_wrong_password_is_401_and_audited(client_for, app):
    ensure_user(app, "carol", "coder")
    r = login(client_for(), "carol", "not-the-password")
    assert r.status_code == 401
    assert audit_rows(app, action="login", outcome="refused", username="carol")


def test_login_rate_limit(client_for, app):
    ensure_user(app, "carol", "coder")
    client = client_for()
    codes = [login(client, "carol", "wrong-password").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    blocked = login(client, "carol")  # even the right password waits out the window
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert login(client, "someone-else", "x" * 12).status_code == 401  # other key unaffected


def test_bearer_token_needs_no_csrf(client_for, app):
    coder = client_for("coder")
    token = coder.post("/api/tokens", json={"name": "interface engine"}).json()["token"]
    system = TestClient(app, base_url="http://localhost")
    system.headers["Authorization"] = f"Bearer {token}"
    assert system.get("/api/me").json()["auth"] == "token"
    assert system.post("/api/encounters", json={"setting": "inpatient"}).status_code == 201
    system.headers["Authorization"] = "Bearer mct_wrong"
    assert system.get("/api/me").status_code == 401


def test_admin_manages_users_but_reads_no_patient_data(client_for):
    admin = client_for("admin")
    r = admin.post("/api/users", json={"username": "erin", "password": PASSWORD, "role": "cdi"})
    assert r.status_code == 201
    dup = admin.post("/api/users", json={"username": "erin", "password": PASSWORD, "role": "cdi"})
    assert dup.status_code == 409
    bad = admin.post("/api/users", json={"username": "x", "password": PASSWORD, "role": "boss"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "role"
    assert admin.get("/api/worklist").status_code == 403
    assert client_for("coder").get("/api/users").status_code == 403
