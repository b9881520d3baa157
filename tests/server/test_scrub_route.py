"""GET /api/encounters/{id}/scrub: the claim scrubber on the final codes, following every
review action; and the 837P export storing the scrub run on the claim it exported."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from test_claim_route import CLAIM
from workbench_api import audit_rows, finalize, share

DOS = "2026-03-02"  # inside the built-in ICD-10-CM pack's year (FY2026)


@pytest.fixture
def coder(client_for):
    return client_for("coder")


def _encounter(client) -> int:
    response = client.post("/api/encounters", json={"service_date": DOS})
    assert response.status_code == 201, response.text
    return response.json()["encounter"]["id"]


def _add(client, eid: int, code: str) -> dict:
    response = client.post(f"/api/encounters/{eid}/codes", json={"code": code})
    assert response.status_code == 201, response.text
    return response.json()["suggestion"]


def _scrub(client, eid: int) -> dict:
    response = client.get(f"/api/encounters/{eid}/scrub")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def _rules(body: dict) -> set[str]:
    return {f["rule_id"] for f in body["scrub"]["findings"]}


def test_findings_follow_accept_reject_and_edit(coder, app):
    eid = _encounter(coder)
    empty = _scrub(coder, eid)["scrub"]
    assert empty["scrubbed"] is False and "no final ICD-10-CM code" in empty["reason"]
    assert empty["findings"] == []

    type2 = _add(coder, eid, "E11.9")
    body = _scrub(coder, eid)
    scrub = body["scrub"]
    assert scrub["scrubbed"] is True and scrub["stage"] == "codes"
    assert scrub["icd10cm_version"] == 2026 and scrub["date_of_service"] == DOS
    assert scrub["claim_type"] == "837P"
    assert "DX-EXCL1-001" not in _rules(body)
    # Claim data typed in at export is not judged on blanks: those rules are deferred.
    assert {"CLM-NPI-001", "CLM-MEMBER-001", "MCE-AGE-001"} <= scrub["deferred"].keys()
    assert not {"CLM-NPI-001", "CLM-MEMBER-001"} & _rules(body)
    assert body["last_export"] is None

    # Type 1 beside type 2 diabetes: an Excludes1 pair, a front-end rejection.
    type1 = _add(coder, eid, "E10.9")
    body = _scrub(coder, eid)
    (finding,) = [f for f in body["scrub"]["findings"] if f["rule_id"] == "DX-EXCL1-001"]
    assert finding["severity"] == "reject"
    assert set(finding["codes"]) == {"E11.9", "E10.9"}
    assert set(finding["suggestion_ids"]) == {type2["id"], type1["id"]}
    assert "Excludes1" in finding["reason"] and finding["fix"]
    assert body["scrub"]["blocking"] >= 1 and body["scrub"]["ready_to_submit"] is False
    assert body["scrub"]["counts"]["reject"] >= 1

    rejected = coder.post(
        f"/api/suggestions/{type1['id']}/reject",
        json={"version": type1["version"], "reason": "type 2 only"},
    )
    assert rejected.status_code == 200, rejected.text
    assert "DX-EXCL1-001" not in _rules(_scrub(coder, eid))

    accepted = coder.post(
        f"/api/suggestions/{type1['id']}/accept",
        json={"version": rejected.json()["suggestion"]["version"]},
    )
    assert accepted.status_code == 200, accepted.text
    assert "DX-EXCL1-001" in _rules(_scrub(coder, eid))

    edited = coder.post(
        f"/api/suggestions/{type1['id']}/edit",
        json={"version": accepted.json()["suggestion"]["version"], "code": "E78.5"},
    )
    assert edited.status_code == 200, edited.text
    assert "DX-EXCL1-001" not in _rules(_scrub(coder, eid))

    # Each scrub is a read of the encounter's patient data, audited with its finding count.
    reads = [r for r in audit_rows(app, action="read", entity="encounter") if r.detail]
    assert len(reads) == 6 and all(r.detail.startswith("scrub findings=") for r in reads)
    assert {(r.username, r.entity_id) for r in reads} == {("coder", str(eid))}


def test_readers_may_scrub_others_are_refused_and_audited(coder, client_for, app):
    eid = _encounter(coder)
    _add(coder, eid, "E11.9")
    examiner = client_for("claims_examiner")
    assert examiner.get(f"/api/encounters/{eid}/scrub").status_code == 403
    share(coder, "encounter", eid, "claims_examiner")
    assert examiner.get(f"/api/encounters/{eid}/scrub").status_code == 200

    admin = client_for("admin")
    refused = admin.get(f"/api/encounters/{eid}/scrub")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    rows = audit_rows(app, username="admin", outcome="refused")
    assert [(r.action, r.entity, r.entity_id) for r in rows] == [("read", "encounter", str(eid))]

    missing = coder.get("/api/encounters/999999/scrub")
    assert missing.status_code == 404
    assert client_for().get(f"/api/encounters/{eid}/scrub").status_code == 401


def test_export_scrubs_the_claim_and_stores_the_run(coder, app):
    from medcoder.store.case_models import Claim, ScrubFinding

    eid = _encounter(coder)
    _add(coder, eid, "E11.9")
    _add(coder, eid, "E10.9")
    assert finalize(coder, eid).status_code == 200
    claim = copy.deepcopy(CLAIM)
    claim["service_date"] = DOS
    response = coder.post(f"/api/encounters/{eid}/claim", json=claim)
    assert response.status_code == 200, response.text
    assert response.text.startswith("ISA")
    assert int(response.headers["x-scrub-findings"]) >= 1
    assert int(response.headers["x-scrub-blocking"]) >= 1
    claim_id = int(response.headers["x-claim-id"])

    with app.state.workbench.db.session() as session:
        row = session.get(Claim, claim_id)
        assert (row.encounter_id, row.status, row.format) == (eid, "exported", "837p")
        assert row.x12 == response.text
        assert row.payload["patient"]["last_name"] == "Synthetic"
        assert float(row.total_charge) == 165.0
        assert row.scrub["ready_to_submit"] is False and row.scrub["icd10cm_version"] == 2026
        findings = list(
            session.scalars(select(ScrubFinding).where(ScrubFinding.claim_id == claim_id))
        )
    stored = {f.rule: f for f in findings}
    assert stored["DX-EXCL1-001"].severity == "reject"
    assert set(stored["DX-EXCL1-001"].codes) == {"E11.9", "E10.9"}
    assert stored["DX-EXCL1-001"].fix
    # The full claim: the claim-data rules ran (valid NPI, ZIP+4, member id: no finding).
    assert not {"CLM-NPI-001", "CLM-MEMBER-001", "CLM-ADDR-001"} & stored.keys()

    body = _scrub(coder, eid)
    last = body["last_export"]
    assert last["claim_id"] == claim_id and last["scrub"]["ready_to_submit"] is False
    assert "DX-EXCL1-001" in {f["rule_id"] for f in last["findings"]}
    rows = audit_rows(app, action="export", entity="claim")
    assert [(r.entity_id, r.detail) for r in rows] == [(str(eid), "837P")]


def test_a_refused_export_stores_no_claim(coder, app):
    from medcoder.store.case_models import Claim

    eid = _encounter(coder)
    _add(coder, eid, "E11.9")
    assert finalize(coder, eid).status_code == 200
    claim = copy.deepcopy(CLAIM)
    claim["billing_provider"]["npi"] = "1234567890"  # fails its check digit: 422
    assert coder.post(f"/api/encounters/{eid}/claim", json=claim).status_code == 422
    with app.state.workbench.db.session() as session:
        assert session.scalar(select(Claim.id)) is None
    assert _scrub(coder, eid)["last_export"] is None


def test_stored_data_the_claim_model_refuses_is_reported_not_raised(coder, app):
    from medcoder.store.models import EncounterRow, PatientRow

    eid = _encounter(coder)
    _add(coder, eid, "E11.9")
    with app.state.workbench.db.session() as session:
        patient = PatientRow(external_id="MRN-1", sex="X")  # not F, M or U
        session.add(patient)
        session.flush()
        session.get(EncounterRow, eid).patient_id = patient.id
    scrub = _scrub(coder, eid)["scrub"]
    assert scrub["scrubbed"] is False
    assert scrub["reason"].startswith("the claim cannot be built: patient.sex")
    assert coder.get(f"/ui/encounters/{eid}").status_code == 200
