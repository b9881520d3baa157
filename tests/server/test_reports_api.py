"""Reports through review with tracked versions; comments with @mentions; CDI queries."""

from __future__ import annotations

from workbench_api import audit_rows, share


def test_report_lifecycle_with_versions_and_conflict(client_for, app):
    coder, physician, manager = client_for("coder"), client_for("physician"), client_for("manager")
    r = coder.post("/api/reports", json={"title": "Review", "body": "line one\nline two\n"})
    assert r.status_code == 201, r.text
    report = r.json()["report"]
    rid, version = report["id"], report["version"]
    assert report["state"] == "draft"
    share(coder, "report", rid, "physician")  # the physician who reviews it

    step = coder.post(
        f"/api/reports/{rid}/transition", json={"to": "physician_review", "version": version}
    )
    assert step.status_code == 200, step.text
    version = step.json()["report"]["version"]
    stale = physician.post(
        f"/api/reports/{rid}/transition", json={"to": "corrections", "version": version - 1}
    )
    assert stale.status_code == 409
    # A coder may not request corrections: that is the physician's step (403, audited).
    assert (
        coder.post(
            f"/api/reports/{rid}/transition", json={"to": "corrections", "version": version}
        ).status_code
        == 403
    )
    step = physician.post(
        f"/api/reports/{rid}/transition", json={"to": "corrections", "version": version}
    )
    assert step.status_code == 200
    version = step.json()["report"]["version"]

    revised = coder.post(
        f"/api/reports/{rid}/versions",
        json={"body": "line one\nline 2\n", "note": "fix", "version": version},
    )
    assert revised.status_code == 201, revised.text
    diff = revised.json()["version"]["diff"]
    assert "-line two" in diff and "+line 2" in diff
    version = revised.json()["report"]["version"]
    skip = manager.post(
        f"/api/reports/{rid}/transition", json={"to": "submitted", "version": version}
    )
    assert skip.status_code == 409  # corrections cannot jump to submitted
    for to in ("approved", "submitted"):
        step = manager.post(f"/api/reports/{rid}/transition", json={"to": to, "version": version})
        assert step.status_code == 200, step.text
        version = step.json()["report"]["version"]
    frozen = coder.post(f"/api/reports/{rid}/versions", json={"body": "x", "version": version})
    assert frozen.status_code == 409
    full = coder.get(f"/api/reports/{rid}").json()["report"]
    assert [v["number"] for v in full["versions"]] == [1, 2]
    steps = [a.detail for a in audit_rows(app, action="transition", entity="report")]
    assert steps == [
        "draft->physician_review",
        "physician_review->corrections",
        "corrections->approved",
        "approved->submitted",
    ]
    assert audit_rows(app, username="coder", outcome="refused", entity="report")


def test_comments_parse_mentions(client_for):
    coder = client_for("coder")
    client_for("physician", "dr.who")
    eid = coder.post("/api/encounters", json={}).json()["encounter"]["id"]
    client_for("attorney")
    share(coder, "encounter", eid, "attorney")
    body = "@dr.who please look; cc @nobody and mail x@dr.who"
    r = client_for("attorney").post(
        "/api/comments", json={"target_type": "encounter", "target_id": eid, "body": body}
    )
    assert r.status_code == 201, r.text
    assert r.json()["comment"]["mentions"] == ["dr.who"]
    listed = coder.get("/api/comments", params={"target_type": "encounter", "target_id": eid})
    assert [c["body"] for c in listed.json()["items"]] == [body]
    missing = coder.post(
        "/api/comments", json={"target_type": "report", "target_id": 9, "body": "x"}
    )
    assert missing.status_code == 404


def test_cdi_query_answered_by_physician(client_for):
    cdi, physician = client_for("cdi"), client_for("physician")
    eid = cdi.post("/api/encounters", json={}).json()["encounter"]["id"]
    q = cdi.post(
        f"/api/encounters/{eid}/queries",
        json={
            "question": "Acuity of heart failure?",
            "options": ["acute", "chronic"],
            "addressed_to": "physician",
        },
    )
    assert q.status_code == 201, q.text
    qid = q.json()["query"]["id"]
    assert (
        client_for("coder").post(f"/api/queries/{qid}/answer", json={"answer": "acute"}).status_code
        == 403
    )
    a = physician.post(f"/api/queries/{qid}/answer", json={"answer": "acute"})
    assert a.json()["query"]["state"] == "answered"
    assert physician.post(f"/api/queries/{qid}/answer", json={"answer": "x"}).status_code == 409
    assert len(cdi.get(f"/api/encounters/{eid}/queries").json()["items"]) == 1


def test_cases_for_claims_examiners(client_for):
    manager, examiner = client_for("manager"), client_for("claims_examiner")
    eid = manager.post("/api/encounters", json={}).json()["encounter"]["id"]
    case = manager.post("/api/cases", json={"title": "Claim 42", "encounter_ids": [eid]})
    assert case.status_code == 201, case.text
    cid = case.json()["case"]["id"]
    assert examiner.get(f"/api/cases/{cid}").status_code == 403  # not a member yet
    share(manager, "case", cid, "claims_examiner")
    assert examiner.get(f"/api/cases/{cid}").json()["case"]["encounter_ids"] == [eid]
    assert examiner.post("/api/cases", json={"title": "x"}).status_code == 403
    assert manager.get("/api/audit", params={"entity": "case"}).json()["total"] >= 2
