"""The review actions stay cheap (issue 7: p95 <= 100 ms with 50 clients): four statements
each, a bounded number of open sessions under a burst, and coding out of the server process
when asked for."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from workbench_api import upload

from medcoder.server.turns import Turns


def _stub_coder(encounter):
    from medcoder.suggestions import CodeSuggestion, CodingResult

    codes = [
        CodeSuggestion("ICD-10-CM", code, code, 0.9)
        for code in ("E11.9", "I10", "E78.5", "J20.9", "K21.9", "M54.50")
    ]
    return CodingResult(document=f"enc{encounter.id}", setting=encounter.setting, codes=codes)


@pytest.fixture
def app_options() -> dict:
    return {"coder": _stub_coder}


def _token_client(app, client_for) -> tuple[TestClient, list[dict]]:
    coder = client_for("coder")
    token = coder.post("/api/tokens", json={"name": "bench"}).json()["token"]
    system = TestClient(app, base_url="http://localhost")
    system.headers["Authorization"] = f"Bearer {token}"
    eid = upload(system).json()["encounter_id"]
    codes = system.post(f"/api/encounters/{eid}/code").json()["encounter"]["codes"]
    return system, codes


def test_a_review_action_is_four_statements(app, client_for):
    system, codes = _token_client(app, client_for)
    first, second = codes[0], codes[1]
    assert system.post(f"/api/suggestions/{first['id']}/accept", json={"version": 1}).is_success
    seen: list[str] = []
    event.listen(
        app.state.workbench.db.engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_a: seen.append(sql.split()[0].upper()),
    )
    accepted = system.post(f"/api/suggestions/{second['id']}/accept", json={"version": 1})
    assert accepted.status_code == 200, accepted.text
    # the token with its user; the code with its locked encounter; the code's update and the
    # encounter's version (issue 18: finalize checks it); the audit row
    assert seen == ["SELECT", "SELECT", "UPDATE", "UPDATE", "INSERT"]
    seen.clear()
    rejected = system.post(
        f"/api/suggestions/{second['id']}/reject", json={"version": 2, "reason": "no"}
    )
    assert rejected.status_code == 200 and rejected.json()["suggestion"]["version"] == 3
    assert seen == ["SELECT", "SELECT", "UPDATE", "UPDATE", "INSERT"]
    stale = system.post(f"/api/suggestions/{second['id']}/accept", json={"version": 2})
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    missing = system.post("/api/suggestions/999999/accept", json={"version": 1})
    assert missing.status_code == 404


def test_review_actions_check_the_role_and_csrf(app, client_for):
    _, codes = _token_client(app, client_for)
    examiner = client_for("claims_examiner")
    refused = examiner.post(f"/api/suggestions/{codes[0]['id']}/accept", json={"version": 1})
    assert refused.status_code == 403
    coder = client_for("coder", "cody")
    coder.headers.pop("X-CSRF-Token")
    no_csrf = coder.post(f"/api/suggestions/{codes[0]['id']}/accept", json={"version": 1})
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf_failed"
    anonymous = client_for()  # no credentials: 401 before the body is even looked at
    assert anonymous.post(f"/api/suggestions/{codes[0]['id']}/accept", json={}).status_code == 401


def test_a_burst_never_opens_more_sessions_than_there_are_turns(app, client_for):
    system, codes = _token_client(app, client_for)
    token = system.headers["Authorization"]
    bench = app.state.workbench
    bench.session_turns = Turns("test_turns", 2)
    open_now, most = 0, 0
    lock = threading.Lock()
    make = bench.db.sessions

    def counted():
        nonlocal open_now, most
        session = make()
        with lock:
            open_now += 1
            most = max(most, open_now)

        def closed(*_a) -> None:
            nonlocal open_now
            with lock:
                open_now -= 1

        original = session.close
        session.close = lambda: (original(), closed())
        return session

    bench.db.sessions = counted

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", headers={"Authorization": token}
        ) as client:

            async def review(code: dict, n: int) -> list[int]:
                version, statuses = code["version"], []
                for i in range(n):
                    action = "accept" if i % 2 == 0 else "reject"
                    body = {"version": version} | ({"reason": "x"} if i % 2 else {})
                    r = await client.post(f"/api/suggestions/{code['id']}/{action}", json=body)
                    statuses.append(r.status_code)
                    version = r.json()["suggestion"]["version"]
                return statuses

            results = await asyncio.gather(*(review(c, 5) for c in codes))
            return [s for r in results for s in r]

    try:
        statuses = asyncio.run(burst())
    finally:
        bench.db.sessions = make
    assert statuses == [200] * 5 * len(codes)
    assert 1 <= most <= 2


def test_responses_carry_the_request_id_and_security_headers(app, client_for):
    coder = client_for("coder")
    api = coder.get("/api/worklist", headers={"X-Request-ID": "trace-42"})
    assert api.headers["x-request-id"] == "trace-42"
    assert api.headers["cache-control"] == "no-store"
    for name, value in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ]:
        assert api.headers[name] == value
    health = coder.get("/healthz")
    assert len(health.headers["x-request-id"]) == 32 and "cache-control" not in health.headers
    assert health.headers.get_list("x-frame-options") == ["DENY"]


def test_worker_errors_come_back_as_the_same_medcoder_errors():
    from medcoder.errors import CodeError
    from medcoder.server.coding_processes import _Failure

    exc = _Failure(CodeError, "code 'X': unknown", {"code": "X", "problem": "unknown"}).rebuild()
    assert isinstance(exc, CodeError) and str(exc) == "code 'X': unknown"
    assert (exc.code, exc.problem) == ("X", "unknown")


def test_coding_in_a_worker_process_gives_the_engines_codes(db_url, built_packs):
    from workbench_api import PASSWORD, login

    from medcoder.server import create_app
    from medcoder.server.coding_processes import CodingProcesses
    from medcoder.store.users import create_user

    app = create_app(db_url, secret="test-secret", coding_processes=1)
    bench = app.state.workbench
    assert isinstance(bench.coder, CodingProcesses) and bench.coding_turns.size == 2
    with bench.db.session() as session:
        create_user(session, "cora", PASSWORD, "coder")
    try:
        with TestClient(app, base_url="http://localhost") as client:  # lifespan: starts it
            assert login(client, "cora").status_code == 200
            eid = upload(client).json()["encounter_id"]
            coded = client.post(f"/api/encounters/{eid}/code")
            assert coded.status_code == 200, coded.text
            codes = {c["code"] for c in coded.json()["encounter"]["codes"]}
            assert "E11.22" in codes
            evidence = coded.json()["encounter"]["codes"][0]["evidence"]
            assert evidence and evidence[0]["document"].startswith("doc")
        assert all(lane._executor is None for lane in bench.coder.lanes.values())  # shut down
    finally:
        bench.db.dispose()
