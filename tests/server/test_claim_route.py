"""POST /api/encounters/{id}/claim: a finalized encounter's final codes as a valid 837P."""

from __future__ import annotations

import copy

import pytest
from workbench_api import audit_rows, upload
from workbench_api import finalize as finalize_encounter

CLAIM = {
    "service_date": "2025-02-11",
    "place_of_service": "11",
    "patient": {
        "id": "MRN-000111",
        "first_name": "Alex",
        "last_name": "Synthetic",
        "birth_date": "1968-07-19",
        "sex": "F",
        "address": {
            "line1": "100 Test Avenue",
            "city": "Dayton",
            "state": "OH",
            "zip": "454021234",
        },
    },
    "payer": {
        "name": "Example Commercial Health",
        "id": "EXCH1",
        "filing_indicator": "CI",
        "member_id": "XCH123456789",
    },
    "billing_provider": {
        "npi": "1234567893",
        "name": "Synthetic Family Clinic",
        "tax_id": "123456789",
        "taxonomy": "207Q00000X",
        "address": {
            "line1": "200 Clinic Road",
            "city": "Dayton",
            "state": "OH",
            "zip": "454021234",
        },
    },
    "rendering_provider": {"npi": "1234567893", "first_name": "Sam", "last_name": "Placeholder"},
    "lines": [{"code": "99214", "units": "1", "charge": "165.00", "dx_pointers": [1]}],
    "submitter_phone": "9375550100",
}


def _encounter(client, *, finalize: bool = True) -> dict:
    response = upload(client)
    assert response.status_code == 201, response.text
    eid = response.json()["encounter_id"]
    coded = client.post(f"/api/encounters/{eid}/code")
    assert coded.status_code == 200, coded.text
    for code in coded.json()["encounter"]["codes"]:
        r = client.post(f"/api/suggestions/{code['id']}/accept", json={"version": code["version"]})
        assert r.status_code == 200, r.text
    if finalize:
        done = finalize_encounter(client, eid)
        assert done.status_code == 200, done.text
    return client.get(f"/api/encounters/{eid}").json()["encounter"]


@pytest.fixture
def coder(client_for):
    return client_for("coder")


def test_finalized_encounter_exports_a_valid_837p(coder, app):
    encounter = _encounter(coder)
    response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=CLAIM)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="encounter-{encounter["id"]}.837"'
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    assert text.startswith("ISA")
    hi = [s for s in text.split("~") if s.strip().startswith("HI*")]
    assert len(hi) == 1
    final = [c["code"] for c in encounter["codes"] if c["system"] == "ICD-10-CM"]
    assert final
    for code in final:
        assert code.replace(".", "") in hi[0]
    rows = audit_rows(app, action="export", entity="claim")
    assert [(r.username, r.entity_id, r.detail) for r in rows] == [
        ("coder", str(encounter["id"]), "837P")
    ]


def test_manager_may_export(coder, client_for):
    encounter = _encounter(coder)
    manager = client_for("manager")
    response = manager.post(f"/api/encounters/{encounter['id']}/claim", json=CLAIM)
    assert response.status_code == 200, response.text


def test_not_finalized_is_a_conflict(coder, app):
    encounter = _encounter(coder, finalize=False)
    response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=CLAIM)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["field"] == "encounter_id"
    assert "not finalized" in error["message"]
    assert not audit_rows(app, action="export", entity="claim")


def test_bad_npi_names_the_field(coder):
    encounter = _encounter(coder)
    claim = copy.deepcopy(CLAIM)
    claim["billing_provider"]["npi"] = "1234567890"
    response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=claim)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "billing_provider.npi"
    assert "check digit" in error["message"]


def test_schema_errors_name_the_field(coder):
    encounter = _encounter(coder)
    claim = copy.deepcopy(CLAIM)
    claim["patient"]["address"]["zip"] = "4540"
    response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=claim)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "patient.address.zip"
    claim = {**CLAIM, "diagnoses": [{"code": "I10"}]}
    response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=claim)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "diagnoses"


def test_pointer_past_the_final_codes_is_refused(coder):
    encounter = _encounter(coder)
    claim = copy.deepcopy(CLAIM)
    claim["lines"][0]["dx_pointers"] = [13]
    response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=claim)
    assert response.status_code == 422
    assert response.json()["error"]["field"].startswith("lines")


def test_attorney_is_refused_and_audited(coder, client_for, app):
    encounter = _encounter(coder)
    attorney = client_for("attorney")
    response = attorney.post(f"/api/encounters/{encounter['id']}/claim", json=CLAIM)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    refused = audit_rows(app, username="attorney", outcome="refused")
    assert [(r.action, r.entity, r.entity_id) for r in refused] == [
        ("export_claim", "encounter", str(encounter["id"]))
    ]
    assert not audit_rows(app, action="export", entity="claim")


def test_claim_text_stays_out_of_the_log(coder, caplog):
    encounter = _encounter(coder)
    with caplog.at_level("DEBUG"):
        response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=CLAIM)
    assert response.status_code == 200
    assert "Synthetic" not in caplog.text and "ISA*" not in caplog.text


def test_exports_take_fresh_control_numbers_and_default_to_test_usage(coder):
    """The workbench writes through the claims package's one path: the data directory's
    counter (never a random number that may repeat) and ISA15 T until production is set."""
    encounter = _encounter(coder)
    isas = []
    for _ in range(2):
        response = coder.post(f"/api/encounters/{encounter['id']}/claim", json=CLAIM)
        assert response.status_code == 200, response.text
        isas.append(response.text.split("~")[0].split("*"))
    first, second = (int(isa[13]) for isa in isas)
    assert second == first + 1
    assert {isa[15] for isa in isas} == {"T"}
