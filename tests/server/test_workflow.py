"""Upload a note, code it, review every code, finalize: the coder's day through the API."""

from __future__ import annotations

from workbench_api import NOTE, audit_rows, finalize, share, upload


def _coded_encounter(client) -> dict:
    response = upload(client)
    assert response.status_code == 201, response.text
    encounter_id = response.json()["encounter_id"]
    coded = client.post(f"/api/encounters/{encounter_id}/code")
    assert coded.status_code == 200, coded.text
    return coded.json()["encounter"]


def test_upload_code_review_finalize(client_for, app):
    coder = client_for("coder")
    encounter = _coded_encounter(coder)
    assert encounter["status"] == "coded"
    codes = encounter["codes"]
    assert codes, "the engine suggested nothing for a diabetic CKD note"
    assert all(c["state"] == "suggested" and c["evidence"] for c in codes)
    first, *rest = codes

    accepted = coder.post(f"/api/suggestions/{first['id']}/accept", json={"version": 1})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["suggestion"]["state"] == "accepted"
    assert accepted.json()["suggestion"]["version"] == 2

    eid = encounter["id"]
    added = coder.post(
        f"/api/encounters/{eid}/codes", json={"code": "z794", "reason": "on insulin"}
    )
    assert added.status_code == 201, added.text
    assert added.json()["suggestion"]["code"] == "Z79.4"
    assert added.json()["suggestion"]["state"] == "added"

    for c in rest:
        r = coder.post(f"/api/suggestions/{c['id']}/reject", json={"version": 1, "reason": "no"})
        assert r.status_code == 200, r.text

    # Not finalizable while a code is unreviewed: add one, then edit it.
    extra = coder.post(f"/api/encounters/{eid}/codes", json={"code": "E78.5"}).json()
    edited = coder.post(
        f"/api/suggestions/{extra['suggestion']['id']}/edit",
        json={"version": 1, "code": "E78.00", "reason": "pure hypercholesterolemia"},
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()["suggestion"]
    assert (body["code"], body["original_code"], body["state"]) == ("E78.00", "E78.5", "edited")

    done = finalize(coder, eid)
    assert done.status_code == 200, done.text
    assert done.json()["encounter"]["status"] == "finalized"
    again = coder.post(f"/api/suggestions/{first['id']}/accept", json={"version": 2})
    assert again.status_code == 409

    actions = [(a.action, a.entity) for a in audit_rows(app, username="coder")]
    for expected in [
        ("create", "document"),
        ("code", "encounter"),
        ("accept", "suggestion"),
        ("reject", "suggestion"),
        ("edit", "suggestion"),
        ("add", "suggestion"),
        ("finalize", "encounter"),
    ]:
        assert expected in actions


def test_finalize_refused_with_unreviewed_codes(client_for):
    coder = client_for("coder")
    encounter = _coded_encounter(coder)
    r = finalize(coder, encounter["id"])
    assert r.status_code == 409
    assert "unreviewed" in r.json()["error"]["message"]


def test_edit_to_an_invalid_code_is_refused_and_changes_nothing(client_for):
    coder = client_for("coder")
    code = _coded_encounter(coder)["codes"][0]
    r = coder.post(f"/api/suggestions/{code['id']}/edit", json={"version": 1, "code": "E11"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "code"
    assert "header" in r.json()["error"]["message"]
    encounter = coder.get(f"/api/encounters/{code['encounter_id']}").json()["encounter"]
    same = next(c for c in encounter["codes"] if c["id"] == code["id"])
    assert (same["code"], same["state"], same["version"]) == (code["code"], "suggested", 1)


def test_stale_version_is_a_conflict(client_for):
    # alice at two desks: the second still shows the version before the first's accept
    alice, alice_again = client_for("coder", "alice"), client_for("coder", "alice")
    code = _coded_encounter(alice)["codes"][0]
    assert alice.post(f"/api/suggestions/{code['id']}/accept", json={"version": 1}).is_success
    r = alice_again.post(
        f"/api/suggestions/{code['id']}/reject", json={"version": 1, "reason": "x"}
    )
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "version"


def test_reject_needs_a_reason(client_for):
    coder = client_for("coder")
    code = _coded_encounter(coder)["codes"][0]
    r = coder.post(f"/api/suggestions/{code['id']}/reject", json={"version": 1, "reason": " "})
    assert r.status_code == 422


def test_attorney_cannot_accept_a_code_and_the_refusal_is_audited(client_for, app):
    coder, attorney = client_for("coder"), client_for("attorney")
    code = _coded_encounter(coder)["codes"][0]
    r = attorney.post(f"/api/suggestions/{code['id']}/accept", json={"version": 1})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    refused = audit_rows(app, username="attorney", outcome="refused")
    assert [(a.action, a.entity, a.entity_id) for a in refused] == [
        ("code", "suggestion", str(code["id"]))
    ]
    # ... and reads the encounter only once it is shared with them; that read is audited too.
    assert attorney.get(f"/api/encounters/{code['encounter_id']}").status_code == 403
    share(coder, "encounter", code["encounter_id"], "attorney")
    assert attorney.get(f"/api/encounters/{code['encounter_id']}").status_code == 200
    reads = audit_rows(app, username="attorney", action="read", entity="encounter")
    assert reads and reads[0].entity_id == str(code["encounter_id"])


def test_worklist_filters_and_pages(client_for):
    coder = client_for("manager")  # sees every encounter (minimum necessary: tests/server/
    client_for("coder", "dana")  # test_access_matrix.py has what each role sees)
    for setting in ("inpatient", "outpatient", "outpatient"):
        r = coder.post("/api/encounters", json={"setting": setting, "assignee": "dana"})
        assert r.status_code == 201, r.text
    coder.post("/api/encounters", json={"setting": "outpatient"})
    page = coder.get("/api/worklist", params={"setting": "outpatient", "limit": 1}).json()
    assert page["total"] == 3 and len(page["items"]) == 1
    mine = coder.get("/api/worklist", params={"assignee": "dana", "status": "open"}).json()
    assert mine["total"] == 3
    assert coder.get("/api/worklist", params={"offset": 3}).json()["items"][0]["assignee"] is None


def test_upload_to_existing_encounter_and_read_document(client_for, app):
    coder = client_for("coder")
    eid = coder.post("/api/encounters", json={"setting": "inpatient"}).json()["encounter"]["id"]
    r = upload(coder, encounter_id=eid)
    assert r.status_code == 201 and r.json()["encounter_id"] == eid
    doc_id = r.json()["documents"][0]["id"]
    doc = coder.get(f"/api/documents/{doc_id}").json()["document"]
    assert doc["text"].startswith("ASSESSMENT") and doc["format"] == "text"
    assert doc["text"] == NOTE or "diabetes" in doc["text"]
    assert audit_rows(app, action="read", entity="document", entity_id=str(doc_id))
