"""Issue 18, findings 2-7, 10 and 11, on SQLite and PostgreSQL (the ``app`` fixture runs each
test on both): finalized codes stay final, NUL never reaches the database, no PHI in logs,
sessions end on the server, accounts can be disabled and their passwords changed under the
policy, logins are throttled and hashing is bounded, malformed documents are refused with the
reason, and the pages carry a Content-Security-Policy."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from workbench_api import NOTE, PASSWORD, audit_rows, ensure_user, login, upload

from medcoder.store.models import CodeSuggestionRow, EncounterRow

# A synthetic patient: what must never be found in a log line.
PHI_NAME, PHI_MRN = "Ottilie Vandersloot", "MRN-77341902"


def _stub_coder(encounter):
    from medcoder.suggestions import CodeSuggestion, CodingResult

    codes = [CodeSuggestion("ICD-10-CM", code, code, 0.9) for code in ("E11.22", "I10")]
    return CodingResult(document=f"enc{encounter.id}", setting=encounter.setting, codes=codes)


def _validator(code, _on):
    return code, "ICD-10-CM", None


@pytest.fixture
def app_options() -> dict:
    return {"coder": _stub_coder, "validator": _validator}


def _coded(client: TestClient) -> dict:
    eid = upload(client).json()["encounter_id"]
    return client.post(f"/api/encounters/{eid}/code").json()["encounter"]


def _accept_all(client: TestClient, encounter: dict) -> int:
    for code in encounter["codes"]:
        r = client.post(f"/api/suggestions/{code['id']}/accept", json={"version": code["version"]})
        assert r.status_code == 200, r.text
    return client.get(f"/api/encounters/{encounter['id']}").json()["encounter"]["version"]


# -- finding 2: final means final -------------------------------------------------------------


def test_finalize_with_the_version_read_before_another_change_is_refused(client_for):
    desk1, desk2 = client_for("coder", "cora"), client_for("coder", "cora")
    encounter = _coded(desk1)
    read = _accept_all(desk1, encounter)
    code = encounter["codes"][0]
    edited = desk2.post(
        f"/api/suggestions/{code['id']}/edit",
        json={"version": code["version"] + 1, "code": "E11.9", "reason": "second look"},
    )
    assert edited.status_code == 200, edited.text
    stale = desk1.post(f"/api/encounters/{encounter['id']}/finalize", json={"version": read})
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    missing = desk1.post(f"/api/encounters/{encounter['id']}/finalize", json={})
    assert missing.status_code == 422  # the version is required


def test_a_change_prepared_before_finalize_cannot_land_after_it(app, client_for):
    """The store path of the race: a session holding the encounter (status coded) tries a
    change after another transaction finalized it; it must re-read under lock and refuse."""
    from medcoder.store import review
    from medcoder.store.audit import Actor
    from medcoder.store.errors import ConflictError

    coder = client_for("coder", "cora")
    encounter = _coded(coder)
    version = _accept_all(coder, encounter)
    db = app.state.workbench.db
    with db.session() as s:
        actor = Actor(
            s.scalar(text("SELECT id FROM users WHERE username = 'cora'")), "cora", "coder", "t"
        )
    racing = db.sessions()
    try:
        held = racing.get(CodeSuggestionRow, encounter["codes"][0]["id"])
        assert held.encounter.status == "coded"  # read before the finalize
        done = coder.post(f"/api/encounters/{encounter['id']}/finalize", json={"version": version})
        assert done.status_code == 200, done.text
        with pytest.raises(ConflictError):
            review.edit(
                racing,
                actor,
                held.id,
                code="E11.9",
                reason=None,
                version=held.version,
                validator=_validator,
            )
        racing.rollback()
    finally:
        racing.close()
    with db.session() as s:
        codes = set(
            s.scalars(
                select(CodeSuggestionRow.code).where(
                    CodeSuggestionRow.encounter_id == encounter["id"]
                )
            )
        )
    assert codes == {"E11.22", "I10"}


def test_only_a_managers_audited_reopen_changes_finalized_codes(app, client_for):
    coder, manager = client_for("coder", "cora"), client_for("manager")
    encounter = _coded(coder)
    version = _accept_all(coder, encounter)
    eid = encounter["id"]
    assert coder.post(f"/api/encounters/{eid}/finalize", json={"version": version}).is_success
    code = encounter["codes"][0]
    blocked = coder.post(
        f"/api/suggestions/{code['id']}/edit", json={"version": code["version"] + 1, "code": "X"}
    )
    assert blocked.status_code == 409
    added = coder.post(f"/api/encounters/{eid}/codes", json={"code": "E78.5"})
    assert added.status_code == 409
    final = coder.get(f"/api/encounters/{eid}").json()["encounter"]
    assert (
        coder.post(
            f"/api/encounters/{eid}/reopen", json={"reason": "x", "version": final["version"]}
        ).status_code
        == 403
    )
    reopened = manager.post(
        f"/api/encounters/{eid}/reopen",
        json={"reason": "payer asked for the CKD stage", "version": final["version"]},
    )
    assert reopened.status_code == 200 and reopened.json()["encounter"]["status"] == "coded"
    assert [r.username for r in audit_rows(app, action="reopen", outcome="ok")] == ["manager"]
    assert coder.post(f"/api/encounters/{eid}/codes", json={"code": "N18.3"}).status_code == 201


# -- finding 3: NUL ---------------------------------------------------------------------------


def test_nul_anywhere_is_422_never_500(client_for, app):
    anonymous = client_for()
    csrf = anonymous.get("/login").json()["csrf_token"]
    r = anonymous.post("/login", data={"username": "a\x00b", "password": "p", "csrf_token": csrf})
    assert r.status_code == 422
    coder = client_for("coder")
    eid = upload(coder).json()["encounter_id"]
    r = coder.post(
        "/api/comments", json={"target_type": "encounter", "target_id": eid, "body": "a\x00b"}
    )
    assert r.status_code == 422 and "NUL" in r.json()["error"]["message"]
    assert coder.get("/api/worklist", params={"assignee": "x\x00"}).status_code == 422
    assert coder.post("/api/patients", json={"name": "A\x00B"}).status_code == 422
    doc = coder.post(
        "/api/documents", content=b"Chest pain\x00.", headers={"content-type": "text/plain"}
    )
    assert doc.status_code == 422
    # "\\u0000" spelled out (a backslash, then u0000) is ordinary text, not NUL
    fine = coder.post(
        "/api/comments",
        content=json.dumps(
            {"target_type": "encounter", "target_id": eid, "body": "literal \\u0000"}
        ),
        headers={"content-type": "application/json"},
    )
    assert fine.status_code == 201, fine.text


# -- finding 4: no PHI in logs ----------------------------------------------------------------


def _phi_coder(encounter):
    from sqlalchemy.orm import object_session

    # A failing statement whose parameters carry the patient's name and MRN.
    object_session(encounter).execute(
        text("SELECT no_such_column FROM patients WHERE name = :name AND external_id = :mrn"),
        {"name": PHI_NAME, "mrn": PHI_MRN},
    )


def test_a_failing_statement_logs_no_sql_parameters(client_for, app, caplog):
    app.state.workbench.coder = _phi_coder
    coder = client_for("coder")
    safe = TestClient(app, base_url="http://localhost", raise_server_exceptions=True)
    safe.cookies, safe.headers = coder.cookies, coder.headers
    eid = upload(coder, text=f"Patient {PHI_NAME} {PHI_MRN}\n" + NOTE).json()["encounter_id"]
    caplog.set_level(logging.DEBUG)
    response = safe.post(f"/api/encounters/{eid}/code")  # must not raise out of the app
    assert response.status_code == 500
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    assert "unhandled" in logged  # it was logged ...
    assert PHI_NAME not in logged and PHI_MRN not in logged  # ... without the parameters
    assert PHI_NAME not in response.text


def test_database_errors_hide_their_parameters(app):
    from sqlalchemy.exc import DBAPIError

    db = app.state.workbench.db
    with pytest.raises(DBAPIError) as raised, db.session() as s:
        s.execute(text("SELECT no_such_column FROM patients WHERE name = :n"), {"n": PHI_NAME})
    assert PHI_NAME not in str(raised.value)


# -- finding 5: sessions ----------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(client_for, app):
    ensure_user(app, "carol", "coder")
    client = client_for()
    assert login(client, "carol").status_code == 200
    cookie, csrf = client.cookies.get("medcoder_session"), client.headers["X-CSRF-Token"]
    assert client.post("/logout").status_code == 200
    replay = TestClient(app, base_url="http://localhost")
    replay.cookies.set("medcoder_session", cookie)
    replay.cookies.set("medcoder_csrf", csrf)
    replay.headers["X-CSRF-Token"] = csrf
    me = replay.get("/api/me")
    assert me.status_code == 401 and me.json()["error"]["code"] == "session_ended"
    comment = replay.post(
        "/api/comments", json={"target_type": "encounter", "target_id": 1, "body": "x"}
    )
    assert comment.status_code == 401


def test_an_idle_session_ends(client_for, app):
    client = client_for("coder")
    signer = app.state.workbench.signer
    start = signer.clock()
    assert client.get("/api/me").status_code == 200
    signer.clock = lambda: start + app.state.workbench.session_idle + 1
    r = client.get("/api/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
    assert "without use" in r.json()["error"]["message"]


def test_api_tokens_expire_can_be_listed_revoked_and_end_with_their_session(client_for, app):
    client = client_for("coder")
    bound = client.post("/api/tokens", json={"name": "script"}).json()
    kept = client.post("/api/tokens", json={"name": "system", "keep_after_logout": True}).json()
    assert bound["expires_at"] and kept["expires_at"]  # every token expires (30 days default)
    listed = client.get("/api/tokens").json()["items"]
    assert [(t["name"], t["ends_with_session"]) for t in listed] == [
        ("script", True),
        ("system", False),
    ]
    assert all("token" not in t for t in listed)
    too_long = client.post("/api/tokens", json={"name": "x", "expires_in_days": 3650})
    assert too_long.status_code == 422

    def works(token: str) -> int:
        return client_for().get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert works(bound["token"]) == 200 and works(kept["token"]) == 200
    revoked = client.delete(f"/api/tokens/{kept['id']}")
    assert revoked.status_code == 200 and revoked.json()["token"]["revoked"]
    assert works(kept["token"]) == 401
    assert client.post("/logout").status_code == 200
    assert works(bound["token"]) == 401  # ended with the session that made it
    other = client_for("cdi")
    assert other.delete(f"/api/tokens/{bound['id']}").status_code == 404  # not theirs


# -- finding 6: accounts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["password12", "aaaaaaaaaaaa", "password1234", "123456789012", "qwertyuiopas", "carla-carla-1"],
)
def test_weak_passwords_are_refused(client_for, password):
    admin = client_for("admin")
    r = admin.post("/api/users", json={"username": "carla", "password": password, "role": "coder"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"


def test_a_password_is_kept_exactly_as_typed(client_for, app):
    admin = client_for("admin")
    spaced = "  two words, spaced  "
    r = admin.post("/api/users", json={"username": "sam", "password": spaced, "role": "coder"})
    assert r.status_code == 201, r.text
    assert login(client_for(), "sam", spaced).status_code == 200
    assert login(client_for(), "sam", spaced.strip()).status_code == 401


def test_disabling_a_user_ends_their_sessions_and_tokens(client_for, app):
    admin, coder = client_for("admin"), client_for("coder", "dee")
    token = coder.post("/api/tokens", json={"name": "t", "keep_after_logout": True}).json()
    uid = coder.get("/api/me").json()["user"]["id"]
    assert admin.post(f"/api/users/{uid}/disable").status_code == 200
    assert coder.get("/api/me").status_code == 401
    bearer = client_for().get("/api/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert bearer.status_code == 401
    assert login(client_for(), "dee").status_code == 401
    assert admin.post(f"/api/users/{uid}/enable").status_code == 200
    assert login(client_for(), "dee").status_code == 200
    me = admin.get("/api/me").json()["user"]["id"]
    last_admin = admin.post(f"/api/users/{me}/disable")
    assert last_admin.status_code == 409  # nobody could manage users any more


def test_change_and_reset_password(client_for, app):
    coder, admin = client_for("coder", "eve"), client_for("admin")
    other_desk = client_for("coder", "eve")
    wrong = coder.post(
        "/api/me/password",
        json={"current_password": "nope nope nope", "new_password": "a new river song"},
    )
    assert wrong.status_code == 403
    weak = coder.post(
        "/api/me/password", json={"current_password": PASSWORD, "new_password": "password1234"}
    )
    assert weak.status_code == 422
    changed = coder.post(
        "/api/me/password",
        json={"current_password": PASSWORD, "new_password": "a new river song"},
    )
    assert changed.status_code == 200, changed.text
    assert coder.get("/api/me").status_code == 200  # this session stays
    assert other_desk.get("/api/me").status_code == 401  # the other one ended
    assert login(client_for(), "eve", "a new river song").status_code == 200
    uid = coder.get("/api/me").json()["user"]["id"]
    reset = admin.post(f"/api/users/{uid}/password", json={"new_password": "copper kettle dawn"})
    assert reset.status_code == 200
    assert coder.get("/api/me").status_code == 401
    assert login(client_for(), "eve", "copper kettle dawn").status_code == 200
    assert {r.detail for r in audit_rows(app, action="password")} == {"changed", "reset"}


# -- finding 7: throttling --------------------------------------------------------------------


def test_spraying_one_password_across_many_users_is_throttled(client_for, app):
    for i in range(14):
        ensure_user(app, f"user{i}", "coder")
    sprayer = client_for()
    codes = [login(sprayer, f"user{i}", "Winter2026!!x").status_code for i in range(14)]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
    assert audit_rows(app, action="login", detail="throttled")


def test_guessing_one_account_from_many_addresses_is_throttled(app):
    ensure_user(app, "frank", "coder")
    codes = []
    for i in range(12):
        client = TestClient(app, base_url="http://localhost", client=(f"10.9.0.{i}", 5000))
        codes.append(login(client, "frank", f"guess number {i}").status_code)
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}


def test_parallel_logins_hash_a_bounded_number_at_once(client_for, app):
    from medcoder.store.users import HASHING

    ensure_user(app, "gail", "coder")
    HASHING.peak = 0
    results: list[int] = []

    def one(i: int) -> None:
        client = TestClient(app, base_url="http://localhost", client=(f"10.8.0.{i}", 5000))
        results.append(login(client, "gail").status_code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 16
    assert 1 <= HASHING.peak <= HASHING.limit <= 4


# -- finding 10: malformed documents ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (b"MSH|^~\\&|", "application/hl7-v2", "HL7 message holds no clinical document"),
        (b'{"resourceType": "Spaceship"}', "application/fhir+json", "FHIR resource holds no"),
        (b"[" * 20000 + b"]" * 20000, "application/fhir+json", "not a FHIR resource"),
        (
            b'{"resourceType": "Observation", "extension": '
            + b'[{"extension": ' * 3000
            + b"[]"
            + b"}]" * 3000
            + b"}",
            "application/fhir+json",
            "nested too deeply",
        ),
    ],
)
def test_malformed_documents_are_refused_with_the_reason(client_for, app, body, content_type, says):
    coder = client_for("coder")
    r = coder.post("/api/documents", content=body, headers={"content-type": content_type})
    assert r.status_code == 422, r.text
    assert says in r.json()["error"]["message"]
    with app.state.workbench.db.session() as s:
        assert s.scalar(select(EncounterRow.id)) is None  # nothing stored


def test_each_format_has_its_size_limit(client_for):
    from medcoder.server.uploads import FORMAT_LIMITS

    coder = client_for("coder")
    hl7 = (
        b"MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5\rOBX|1|TX|||"
        + b"x" * (FORMAT_LIMITS["hl7v2"])
    )
    r = coder.post("/api/documents", content=hl7, headers={"content-type": "application/hl7-v2"})
    assert r.status_code == 413 and "hl7v2 document may be at most" in r.json()["error"]["message"]


# -- finding 11: pages ------------------------------------------------------------------------


def test_root_redirects_to_the_ui_and_docs_are_not_served_from_a_cdn(client_for):
    anonymous = client_for()
    root = anonymous.get("/", follow_redirects=False)
    assert root.status_code == 303 and root.headers["location"] == "/ui/"
    assert anonymous.get("/docs").status_code == 404
    assert anonymous.get("/redoc").status_code == 404
    assert anonymous.get("/openapi.json").status_code == 200


def test_every_response_has_a_content_security_policy(client_for):
    coder = client_for("coder")
    for path in ("/ui/worklist", "/api/me", "/ui/login", "/healthz"):
        policy = coder.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_an_admin_gets_pages_without_a_redirect_loop(client_for, app):
    admin = client_for("admin")
    before = len(audit_rows(app, outcome="refused"))
    home = admin.get("/ui", follow_redirects=False)
    assert home.headers["location"] == "/ui/account"
    account = admin.get("/ui/account", follow_redirects=False)
    assert account.status_code == 200 and "Change your password" in account.text
    worklist = admin.get("/ui/worklist", follow_redirects=False)
    assert worklist.headers["location"] == "/ui/forbidden?need=read"
    forbidden = admin.get("/ui/forbidden?need=read", follow_redirects=False)
    assert forbidden.status_code == 403 and "Not allowed" in forbidden.text
    assert len(audit_rows(app, outcome="refused")) == before + 1  # one refusal, not a loop
