"""Minimum necessary, route by route, role by role, record by record (issue 18, finding 1;
the rules are docs/security.md and ``medcoder.store.access``).

One world per database: a coder (cora) with her own encounter, another coder's (otto's)
encounter and an unassigned one in the pool; a CDI specialist's query on otto's encounter
to physician phil and another to physician pat on cora's; reports by cora and otto; a case
whose members are the attorney, the claims examiner and cora, and a case nobody was added to.
Each cell calls one route as one role on one record and expects it allowed (any answer but
401, 403 or 404: the body may still be refused for its content, checked after access) or
refused with 403 (audited). Bodies are chosen so an allowed call changes nothing another
cell depends on (stale versions, impossible moves). A last test checks that every route of
the app is in the matrix or is listed as holding no single record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from test_claim_route import CLAIM
from workbench_api import ensure_user, login, share, upload

ROLES = ("coder", "cdi", "physician", "attorney", "claims_examiner", "manager", "admin")
ACTOR = {
    "coder": "cora",
    "cdi": "cid",
    "physician": "phil",
    "attorney": "ann",
    "claims_examiner": "eli",
    "manager": "mona",
    "admin": "adam",
}


def _stub_coder(encounter):
    from medcoder.suggestions import CodeSuggestion, CodingResult

    codes = [CodeSuggestion("ICD-10-CM", c, c, 0.9) for c in ("E11.22", "I10")]
    return CodingResult(document=f"enc{encounter.id}", setting=encounter.setting, codes=codes)


@pytest.fixture
def app_options() -> dict:
    return {"coder": _stub_coder, "validator": lambda code, _on: (code, "ICD-10-CM", None)}


@dataclass
class World:
    clients: dict[str, TestClient]
    ids: dict[str, int | str] = field(default_factory=dict)


HL7_NOTE = (
    "MSH|^~\\&|EHR|H|MC|H|20250211||MDM^T02|1|P|2.5\r"
    "PID|1||{mrn}||{name}^Pat||19500101|F\r"
    "TXA|1|PN|TX\r"
    "OBX|1|TX|NOTE||Type 2 diabetes mellitus with diabetic chronic kidney disease.\r"
)


def _encounter(client: TestClient, mrn: str, **params) -> tuple[int, int, int]:
    body = HL7_NOTE.format(mrn=mrn, name=f"Test{mrn}").encode()
    r = client.post(
        "/api/documents", content=body, headers={"content-type": "application/hl7-v2"}, **params
    )
    assert r.status_code == 201, r.text
    eid, did = r.json()["encounter_id"], r.json()["documents"][0]["id"]
    coded = client.post(f"/api/encounters/{eid}/code")
    assert coded.status_code == 200, coded.text
    encounter = coded.json()["encounter"]
    return eid, did, encounter["patient_id"], encounter["codes"][0]["id"]


@pytest.fixture
def world(app, client_for) -> World:
    for name, role in (("otto", "coder"), ("pat", "physician")):
        ensure_user(app, name, role)
    clients = {role: client_for(role, ACTOR[role]) for role in ROLES}
    otto = client_for("coder", "otto")
    mona, cid = clients["manager"], clients["cdi"]
    w = World(clients)
    ids = w.ids
    ids["E_own"], ids["D_own"], ids["P_own"], ids["S_own"] = _encounter(clients["coder"], "1")
    ids["E_other"], ids["D_other"], ids["P_other"], ids["S_other"] = _encounter(otto, "2")
    r = upload(cid)  # a CDI specialist's upload is nobody's coding work yet: the pool
    ids["E_pool"], ids["D_pool"] = r.json()["encounter_id"], r.json()["documents"][0]["id"]
    q = {"question": "Acuity of the heart failure?", "options": ["acute", "chronic"]}
    ids["Q_own"] = cid.post(
        f"/api/encounters/{ids['E_other']}/queries", json={**q, "addressed_to": "phil"}
    ).json()["query"]["id"]
    ids["Q_other"] = cid.post(
        f"/api/encounters/{ids['E_own']}/queries", json={**q, "addressed_to": "pat"}
    ).json()["query"]["id"]
    report = {"title": "Coding summary", "body": "Codes reviewed.\n"}
    ids["R_own"] = (
        clients["coder"]
        .post("/api/reports", json={**report, "encounter_id": ids["E_own"]})
        .json()["report"]["id"]
    )
    ids["R_other"] = otto.post(
        "/api/reports", json={**report, "encounter_id": ids["E_other"]}
    ).json()["report"]["id"]
    ids["C_member"] = mona.post(
        "/api/cases", json={"title": "Claim 7", "encounter_ids": [ids["E_other"]]}
    ).json()["case"]["id"]
    ids["C_other"] = mona.post("/api/cases", json={"title": "Claim 8"}).json()["case"]["id"]
    for who in ("ann", "eli", "cora"):
        share(mona, "case", ids["C_member"], who)
    for case in ("C_member", "C_other"):
        filed = mona.post(
            f"/api/cases/{ids[case]}/documents",
            files={
                "file": ("letter.txt", b"Date: 03/14/2021\nLetter of complaint.\n", "text/plain")
            },
        )
        assert filed.status_code == 201, filed.text
        ids[f"K_{case}"] = filed.json()["documents"][0]["key"]
    ids["K_linked"] = f"doc{ids['D_other']}"
    return w


# Who may, per record. Encounters: own = cora's, other = otto's (phil's query is on it),
# pool = nobody's. Queries: own = phil's, other = pat's. Cases: member = ann, eli, cora.
READ_ENCOUNTER = {
    "E_own": {"coder", "cdi", "manager"},
    "E_other": {"cdi", "physician", "manager"},
    "E_pool": {"coder", "cdi", "manager"},
}
CODE_ENCOUNTER = {"E_own": {"coder"}, "E_other": set(), "E_pool": {"coder"}}
UPLOAD_TO = {"E_own": {"coder", "cdi"}, "E_other": {"cdi"}, "E_pool": {"coder", "cdi"}}
EXPORT = {"E_own": {"coder", "manager"}, "E_other": {"manager"}, "E_pool": {"coder", "manager"}}
ASSIGN = {"E_own": {"coder", "manager"}, "E_other": {"manager"}, "E_pool": {"coder", "manager"}}
SHARE_ENCOUNTER = {"E_own": {"coder", "manager"}, "E_other": {"manager"}, "E_pool": {"manager"}}
QUERY_ENCOUNTER = {"E_own": {"cdi"}, "E_other": {"cdi"}, "E_pool": {"cdi"}}
READ_DOCUMENT = {
    "D_own": READ_ENCOUNTER["E_own"],
    "D_other": READ_ENCOUNTER["E_other"],
    "D_pool": READ_ENCOUNTER["E_pool"],
}
READ_PATIENT = {"P_own": {"coder", "cdi", "manager"}, "P_other": {"cdi", "physician", "manager"}}
READ_QUERY = {"Q_own": {"cdi", "physician", "manager"}, "Q_other": {"coder", "cdi", "manager"}}
CDI_QUERY = {"Q_own": {"cdi"}, "Q_other": {"cdi"}}
ANSWER_QUERY = {"Q_own": {"physician"}, "Q_other": set()}
READ_REPORT = {"R_own": {"coder", "cdi", "manager"}, "R_other": {"cdi", "physician", "manager"}}
WRITE_REPORT = {"R_own": {"coder", "manager"}, "R_other": {"physician", "manager"}}
SHARE_REPORT = {"R_own": {"coder", "manager"}, "R_other": {"manager"}}
READ_CASE = {
    "C_member": {"coder", "attorney", "claims_examiner", "manager"},
    "C_other": {"manager"},
}
MANAGE_CASE = {"C_member": {"coder", "manager"}, "C_other": {"manager"}}
CLASSIFY_CASE = {"C_member": {"claims_examiner", "manager"}, "C_other": {"manager"}}
SYNOPSIS = {"C_member": {"coder", "manager"}, "C_other": {"manager"}}
SHARE_CASE = {"C_member": {"coder", "manager"}, "C_other": {"manager"}}
COMMENT_ENCOUNTER = READ_ENCOUNTER
COMMENT_CASE = READ_CASE

BAD_DOC = {"content": b"MSH|^~\\&|", "headers": {"content-type": "application/hl7-v2"}}


def _code_of(w: World, record: str) -> int:
    """A code of the encounter; the pool encounter is not coded, so its review cells take
    cora's code (the pool's coding cells are the codes, finalize and code routes)."""
    return w.ids["S_own"] if record == "E_pool" else w.ids[f"S_{record[2:]}"]


# (method, route template) -> (cells, request builder(world, record) -> (path, kwargs)).
# Order matters only for the last ones: answering a query recodes its encounter.
MATRIX: list[tuple[str, str, dict, object]] = [
    (
        "GET",
        "/api/encounters/{encounter_id}",
        READ_ENCOUNTER,
        lambda w, r: (f"/api/encounters/{w.ids[r]}", {}),
    ),
    (
        "GET",
        "/ui/encounters/{encounter_id}",
        READ_ENCOUNTER,
        lambda w, r: (f"/ui/encounters/{w.ids[r]}", {}),
    ),
    (
        "GET",
        "/ui/encounters/{encounter_id}/codes",
        READ_ENCOUNTER,
        lambda w, r: (f"/ui/encounters/{w.ids[r]}/codes", {}),
    ),
    (
        "GET",
        "/ui/encounters/{encounter_id}/scrub",
        READ_ENCOUNTER,
        lambda w, r: (f"/ui/encounters/{w.ids[r]}/scrub", {}),
    ),
    (
        "GET",
        "/ui/encounters/{encounter_id}/claim",
        READ_ENCOUNTER,
        lambda w, r: (f"/ui/encounters/{w.ids[r]}/claim", {}),
    ),
    (
        "GET",
        "/ui/encounters/{encounter_id}/claim.json",
        READ_ENCOUNTER,
        lambda w, r: (f"/ui/encounters/{w.ids[r]}/claim.json", {}),
    ),
    (
        "GET",
        "/api/encounters/{encounter_id}/scrub",
        READ_ENCOUNTER,
        lambda w, r: (f"/api/encounters/{w.ids[r]}/scrub", {}),
    ),
    (
        "GET",
        "/api/encounters/{encounter_id}/queries",
        READ_ENCOUNTER,
        lambda w, r: (f"/api/encounters/{w.ids[r]}/queries", {}),
    ),
    (
        "GET",
        "/api/documents/{document_id}",
        READ_DOCUMENT,
        lambda w, r: (f"/api/documents/{w.ids[r]}", {}),
    ),
    (
        "GET",
        "/api/patients/{patient_id}",
        READ_PATIENT,
        lambda w, r: (f"/api/patients/{w.ids[r]}", {}),
    ),
    (
        "GET",
        "/api/comments",
        COMMENT_ENCOUNTER,
        lambda w, r: (
            "/api/comments",
            {"params": {"target_type": "encounter", "target_id": w.ids[r]}},
        ),
    ),
    (
        "POST",
        "/api/comments",
        COMMENT_CASE,
        lambda w, r: (
            "/api/comments",
            {"json": {"target_type": "case", "target_id": w.ids[r], "body": "Deposition due"}},
        ),
    ),
    (
        "GET",
        "/api/shares",
        READ_CASE,
        lambda w, r: ("/api/shares", {"params": {"entity": "case", "entity_id": w.ids[r]}}),
    ),
    (
        "POST",
        "/api/shares",
        SHARE_ENCOUNTER,
        lambda w, r: (
            "/api/shares",
            {"json": {"entity": "encounter", "entity_id": w.ids[r], "username": "otto"}},
        ),
    ),
    (
        "POST",
        "/api/suggestions/{suggestion_id}/accept",
        CODE_ENCOUNTER,
        lambda w, r: (f"/api/suggestions/{_code_of(w, r)}/accept", {"json": {"version": 999}}),
    ),
    (
        "POST",
        "/api/suggestions/{suggestion_id}/reject",
        CODE_ENCOUNTER,
        lambda w, r: (
            f"/api/suggestions/{_code_of(w, r)}/reject",
            {"json": {"version": 999, "reason": "x"}},
        ),
    ),
    (
        "POST",
        "/api/suggestions/{suggestion_id}/edit",
        CODE_ENCOUNTER,
        lambda w, r: (
            f"/api/suggestions/{_code_of(w, r)}/edit",
            {"json": {"version": 999, "code": "E11.9"}},
        ),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/finalize",
        CODE_ENCOUNTER,
        lambda w, r: (f"/api/encounters/{w.ids[r]}/finalize", {"json": {"version": 999}}),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/codes",
        CODE_ENCOUNTER,
        lambda w, r: (f"/api/encounters/{w.ids[r]}/codes", {"json": {"code": "E11.22"}}),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/assign",
        ASSIGN,
        lambda w, r: (
            f"/api/encounters/{w.ids[r]}/assign",
            {"json": {"assignee": "cora", "version": 999}},
        ),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/reopen",
        {"E_own": {"manager"}, "E_other": {"manager"}, "E_pool": {"manager"}},
        lambda w, r: (
            f"/api/encounters/{w.ids[r]}/reopen",
            {"json": {"reason": "x", "version": 999}},
        ),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/claim",
        EXPORT,
        lambda w, r: (f"/api/encounters/{w.ids[r]}/claim", {"json": CLAIM}),
    ),
    (
        "POST",
        "/api/documents",
        UPLOAD_TO,
        lambda w, r: ("/api/documents", {"params": {"encounter_id": w.ids[r]}, **BAD_DOC}),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/queries",
        QUERY_ENCOUNTER,
        lambda w, r: (
            f"/api/encounters/{w.ids[r]}/queries",
            {"json": {"question": "Which stage?", "addressed_to": "admin-not-a-physician"}},
        ),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/opportunities",
        QUERY_ENCOUNTER,
        lambda w, r: (f"/api/encounters/{w.ids[r]}/opportunities", {}),
    ),
    ("GET", "/api/queries/{query_id}", READ_QUERY, lambda w, r: (f"/api/queries/{w.ids[r]}", {})),
    (
        "POST",
        "/api/queries/{query_id}/send",
        CDI_QUERY,
        lambda w, r: (f"/api/queries/{w.ids[r]}/send", {"json": {"addressed_to": "phil"}}),
    ),
    ("GET", "/api/reports/{report_id}", READ_REPORT, lambda w, r: (f"/api/reports/{w.ids[r]}", {})),
    ("GET", "/ui/reports/{report_id}", READ_REPORT, lambda w, r: (f"/ui/reports/{w.ids[r]}", {})),
    (
        "POST",
        "/api/reports/{report_id}/transition",
        WRITE_REPORT,
        lambda w, r: (
            f"/api/reports/{w.ids[r]}/transition",
            {"json": {"to": "draft", "version": 1}},
        ),
    ),
    (
        "POST",
        "/api/reports/{report_id}/versions",
        WRITE_REPORT,
        lambda w, r: (f"/api/reports/{w.ids[r]}/versions", {"json": {"body": "x", "version": 999}}),
    ),
    (
        "POST",
        "/api/reports",
        READ_ENCOUNTER,
        lambda w, r: (
            "/api/reports",
            {"json": {"title": "t", "body": "b", "encounter_id": w.ids[r]}},
        ),
    ),
    ("GET", "/api/cases/{case_id}", READ_CASE, lambda w, r: (f"/api/cases/{w.ids[r]}", {})),
    (
        "GET",
        "/api/cases/{case_id}/file",
        READ_CASE,
        lambda w, r: (f"/api/cases/{w.ids[r]}/file", {}),
    ),
    (
        "GET",
        "/api/cases/{case_id}/documents/{key}",
        READ_CASE,
        lambda w, r: (f"/api/cases/{w.ids[r]}/documents/{w.ids['K_' + r]}", {}),
    ),
    ("GET", "/ui/cases/{case_id}", READ_CASE, lambda w, r: (f"/ui/cases/{w.ids[r]}", {})),
    (
        "GET",
        "/ui/cases/{case_id}/source",
        READ_CASE,
        lambda w, r: (f"/ui/cases/{w.ids[r]}/source", {"params": {"doc": w.ids["K_" + r]}}),
    ),
    (
        "GET",
        "/api/cases/{case_id}/report.{fmt}",
        READ_CASE,
        lambda w, r: (f"/api/cases/{w.ids[r]}/report.html", {}),
    ),
    (
        "PUT",
        "/api/cases/{case_id}/details",
        MANAGE_CASE,
        lambda w, r: (f"/api/cases/{w.ids[r]}/details", {"json": {"version": 999}}),
    ),
    (
        "POST",
        "/api/cases/{case_id}/documents",
        MANAGE_CASE,
        lambda w, r: (f"/api/cases/{w.ids[r]}/documents", BAD_DOC),
    ),
    (
        "POST",
        "/api/cases/{case_id}/status",
        MANAGE_CASE,
        lambda w, r: (f"/api/cases/{w.ids[r]}/status", {"json": {"status": "open"}}),
    ),
    (
        "POST",
        "/api/cases/{case_id}/analyze",
        MANAGE_CASE,
        lambda w, r: (f"/api/cases/{w.ids[r]}/analyze", {}),
    ),
    (
        "POST",
        "/api/cases/{case_id}/classification",
        CLASSIFY_CASE,
        lambda w, r: (
            f"/api/cases/{w.ids[r]}/classification",
            {
                "json": {
                    "status": "confirmed",
                    "allegation_group": 1,
                    "allegation": 1,
                    "severity": 99,
                }
            },
        ),
    ),
    (
        "POST",
        "/api/cases/{case_id}/report",
        SYNOPSIS,
        lambda w, r: (f"/api/cases/{w.ids[r]}/report", {}),
    ),
    (
        "POST",
        "/api/queries/{query_id}/decline",
        ANSWER_QUERY,
        lambda w, r: (f"/api/queries/{w.ids[r]}/decline", {"json": {"reason": "not my patient"}}),
    ),
    (
        "POST",
        "/api/queries/{query_id}/answer",
        ANSWER_QUERY,
        lambda w, r: (f"/api/queries/{w.ids[r]}/answer", {"json": {"answer": "acute"}}),
    ),
    (
        "POST",
        "/api/queries/{query_id}/expire",
        CDI_QUERY,
        lambda w, r: (f"/api/queries/{w.ids[r]}/expire", {}),
    ),
    (
        "POST",
        "/api/encounters/{encounter_id}/code",
        CODE_ENCOUNTER,
        lambda w, r: (f"/api/encounters/{w.ids[r]}/code", {}),
    ),
]
SHARE_MATRIX = [("encounter", SHARE_ENCOUNTER), ("report", SHARE_REPORT), ("case", SHARE_CASE)]

# Routes that hold no single record: they are about the caller, list what the caller may
# see (tested below), create a new record, or hold no patient data.
NO_RECORD = {
    ("GET", "/healthz"),
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/api/me"),
    ("POST", "/api/me/password"),
    ("POST", "/api/tokens"),
    ("GET", "/api/tokens"),
    ("DELETE", "/api/tokens/{token_id}"),
    ("POST", "/api/users"),
    ("GET", "/api/users"),
    ("POST", "/api/users/{user_id}/disable"),
    ("POST", "/api/users/{user_id}/enable"),
    ("POST", "/api/users/{user_id}/password"),
    ("GET", "/api/audit"),
    ("POST", "/api/encounters"),
    ("POST", "/api/patients"),
    ("POST", "/api/cases"),
    ("GET", "/api/worklist"),
    ("GET", "/api/queries"),
    ("GET", "/api/queries/metrics"),
    ("GET", "/api/cases"),
    ("DELETE", "/api/shares/{share_id}"),
    ("GET", "/ui"),
    ("GET", "/ui/"),
    ("GET", "/ui/login"),
    ("GET", "/ui/forbidden"),
    ("GET", "/ui/account"),
    ("GET", "/ui/worklist"),
    ("GET", "/ui/reports"),
    ("GET", "/ui/cases"),
    ("GET", "/ui/cdi"),
    ("GET", "/ui/inbox"),
    ("GET", "/ui/cdi/metrics"),
    ("GET", "/ui/dashboard"),
}


def _refused(response) -> bool:  # noqa: ANN001 - httpx.Response
    if response.status_code == 303:  # a page: the "not allowed" page
        return response.headers["location"].startswith("/ui/forbidden")
    return response.status_code == 403


def _allowed(response) -> bool:  # noqa: ANN001
    return response.status_code not in (401, 403, 404) and not _refused(response)


def test_every_route_role_and_record(world, app):
    wrong: list[str] = []
    for method, template, cells, build in MATRIX:
        for record, allowed in cells.items():
            for role in ROLES:
                path, kwargs = build(world, record)
                client = world.clients[role]
                response = client.request(method, path, follow_redirects=False, **kwargs)
                ok = _allowed(response) if role in allowed else _refused(response)
                if not ok:
                    wrong.append(
                        f"{method} {template} {record} as {role}: {response.status_code} "
                        f"(expected {'allowed' if role in allowed else '403'}) "
                        f"{response.text[:120]}"
                    )
    assert not wrong, "\n".join(wrong)


def test_sharing_is_for_whoever_works_the_record_and_is_audited(world, app):
    from workbench_api import audit_rows

    records = {"encounter": "E", "report": "R", "case": "C"}
    wrong = []
    for entity, cells in SHARE_MATRIX:
        for record, allowed in cells.items():
            if not record.startswith(records[entity]):
                continue
            for role in ROLES:
                body = {"entity": entity, "entity_id": world.ids[record], "username": "pat"}
                response = world.clients[role].post("/api/shares", json=body)
                if response.status_code == 201:  # undo, so the next role meets the same state
                    share_id = response.json()["share"]["id"]
                    assert world.clients["manager"].delete(f"/api/shares/{share_id}").is_success
                ok = _allowed(response) if role in allowed else _refused(response)
                if not ok:
                    wrong.append(f"share {record} as {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert audit_rows(app, action="share") and audit_rows(app, action="unshare")


def test_lists_hold_only_what_the_caller_may_see(world):
    ids, clients = world.ids, world.clients

    def worklist(role: str) -> set[int]:
        items = clients[role].get("/api/worklist", params={"limit": 500}).json()["items"]
        return {e["id"] for e in items}

    assert worklist("coder") == {ids["E_own"], ids["E_pool"]}
    assert worklist("physician") == {ids["E_other"]}
    assert worklist("attorney") == set() and worklist("claims_examiner") == set()
    assert worklist("manager") >= {ids["E_own"], ids["E_other"], ids["E_pool"]}
    assert clients["admin"].get("/api/worklist").status_code == 403

    def queries(role: str) -> set[int]:
        return {q["id"] for q in clients[role].get("/api/queries").json()["items"]}

    assert queries("physician") == {ids["Q_own"]}
    assert queries("coder") == {ids["Q_other"]}  # the one on cora's own encounter
    assert queries("cdi") == {ids["Q_own"], ids["Q_other"]}

    def cases(role: str) -> set[int]:
        return {c["id"] for c in clients[role].get("/api/cases").json()["items"]}

    assert cases("attorney") == cases("claims_examiner") == {ids["C_member"]}
    assert cases("coder") == {ids["C_member"]} and cases("physician") == set()
    assert cases("manager") == {ids["C_member"], ids["C_other"]}
    ui = clients["attorney"].get("/ui/worklist").text
    assert f"/ui/encounters/{ids['E_own']}" not in ui
    reports = clients["physician"].get("/ui/reports").text
    assert f"/ui/reports/{ids['R_other']}" in reports
    assert f"/ui/reports/{ids['R_own']}" not in reports


def test_a_coder_working_a_pool_encounter_takes_it_and_the_other_coder_loses_it(world, app):
    from workbench_api import audit_rows

    ids, cora = world.ids, world.clients["coder"]
    otto = TestClient(app, base_url="http://localhost")
    assert login(otto, "otto").status_code == 200
    assert otto.get(f"/api/encounters/{ids['E_pool']}").status_code == 200
    added = cora.post(f"/api/encounters/{ids['E_pool']}/codes", json={"code": "I10"})
    assert added.status_code == 201
    assert otto.get(f"/api/encounters/{ids['E_pool']}").status_code == 403
    taken = audit_rows(app, action="assign", entity="encounter", entity_id=str(ids["E_pool"]))
    assert [(a.username, a.detail) for a in taken] == [("cora", "from pool")]


def test_every_route_is_in_the_matrix_or_holds_no_record(app):
    covered = {(m, t) for m, t, _, _ in MATRIX} | NO_RECORD
    routes = set()
    for route in app.routes:
        methods = getattr(route, "methods", None)
        path = getattr(route, "path", "")
        if not methods or path.startswith(("/ui/static", "/openapi", "/docs", "/redoc")):
            continue
        if not isinstance(route, APIRoute) and path.startswith("/api"):
            continue
        for method in methods - {"HEAD", "OPTIONS"}:
            routes.add((method, path))
    missing = sorted(routes - covered)
    assert not missing, f"routes with no access-matrix row: {missing}"
