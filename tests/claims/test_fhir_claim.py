"""to_fhir_claim builds an R4 Claim that fhir.resources accepts, with the right code systems."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fhir.resources.R4B.claim import Claim
from test_x12_factory import synthetic_encounters

from medcoder.claims.fhir_claim import (
    CPT,
    HCPCS,
    ICD10CM,
    ICD10PCS,
    NPI,
    icd10cm_with_dot,
    to_fhir_claim,
)
from medcoder.claims.model import ClaimEncounter

CREATED = dt.date(2025, 6, 1)


def _load(fixtures: Path, name: str) -> ClaimEncounter:
    return ClaimEncounter.model_validate(json.loads((fixtures / "claims" / name).read_text()))


def _contained(claim: dict, reference: str) -> dict:
    return next(r for r in claim["contained"] if f"#{r['id']}" == reference)


def test_outpatient_claim_maps_diagnoses_items_and_pointers(fixtures: Path) -> None:
    claim = to_fhir_claim(_load(fixtures, "outpatient_office_visit.json"), created=CREATED)
    assert claim["resourceType"] == "Claim" and claim["type"]["coding"][0]["code"] == "professional"
    assert claim["created"] == "2025-06-01"
    assert [d["diagnosisCodeableConcept"]["coding"][0] for d in claim["diagnosis"]] == [
        {"system": ICD10CM, "code": code} for code in ("E11.65", "I10", "E78.5")
    ]
    assert claim["diagnosis"][0]["type"][0]["coding"][0]["code"] == "principal"
    first, _, drug = claim["item"]
    assert first["productOrService"]["coding"][0] == {"system": CPT, "code": "99214"}
    assert first["modifier"][0]["coding"][0]["code"] == "25"
    assert first["diagnosisSequence"] == [1, 2, 3]
    assert drug["productOrService"]["coding"][0] == {"system": HCPCS, "code": "J3301"}
    assert (
        drug["quantity"]["value"] == 4
        and drug["unitPrice"]["value"] == 3
        and drug["net"]["value"] == 12
    )
    assert claim["total"] == {"value": 205.5, "currency": "USD"}
    assert first["servicedDate"] == "2025-02-11"


def test_parties_are_contained_and_referenced(fixtures: Path) -> None:
    claim = to_fhir_claim(_load(fixtures, "outpatient_office_visit.json"), created=CREATED)
    patient = _contained(claim, claim["patient"]["reference"])
    assert (
        patient["resourceType"] == "Patient"
        and patient["birthDate"] == "1968-07-19"
        and patient["gender"] == "female"
    )
    provider = _contained(claim, claim["provider"]["reference"])
    assert (
        provider["resourceType"] == "Organization"
        and {"system": NPI, "value": "1234567893"} in provider["identifier"]
    )
    insurer = _contained(claim, claim["insurer"]["reference"])
    assert insurer["name"] == "Example Commercial Health"
    coverage = _contained(claim, claim["insurance"][0]["coverage"]["reference"])
    assert (
        coverage["subscriberId"] == "XCH123456789"
        and coverage["beneficiary"]["reference"] == "#patient"
    )
    rendering = _contained(claim, claim["careTeam"][0]["provider"]["reference"])
    assert (
        rendering["resourceType"] == "Practitioner"
        and rendering["name"][0]["family"] == "Placeholder"
    )


def test_inpatient_claim_has_pcs_procedures_poa_and_admitting_dx(fixtures: Path) -> None:
    claim = to_fhir_claim(_load(fixtures, "inpatient_admission.json"), created=CREATED)
    assert claim["type"]["coding"][0]["code"] == "institutional"
    assert claim["billablePeriod"] == {"start": "2025-01-06", "end": "2025-01-09"}
    assert [p["procedureCodeableConcept"]["coding"][0] for p in claim["procedure"]] == [
        {"system": ICD10PCS, "code": "0DTJ4ZZ"},
        {"system": ICD10PCS, "code": "3E033VJ"},
    ]
    assert claim["procedure"][0]["date"].startswith("2025-01-06")
    poa = [d.get("onAdmission", {}).get("coding", [{}])[0].get("code") for d in claim["diagnosis"]]
    assert poa == ["y", "y", "n", None, None]  # POA 1 (exempt) has no FHIR code; last is admitting
    assert claim["diagnosis"][-1]["type"][0]["coding"][0]["code"] == "admitting"
    assert claim["item"][0]["revenue"]["coding"][0]["code"] == "0120"
    assert "text" in claim["item"][0]["productOrService"]


@pytest.mark.parametrize("enc", synthetic_encounters(), ids=lambda e: e.id)
def test_every_synthetic_encounter_gives_a_valid_claim(enc: ClaimEncounter) -> None:
    claim = to_fhir_claim(enc, created=CREATED)
    Claim.model_validate(claim)  # the returned JSON round-trips through the model
    assert Decimal(str(claim["total"]["value"])) == sum(ln.charge for ln in enc.lines)
    assert len(claim["item"]) == len(enc.lines)


@pytest.mark.parametrize(
    "raw,expected", [("E119", "E11.9"), ("E11.9", "E11.9"), ("I10", "I10"), ("s93401a", "S93.401A")]
)
def test_icd10cm_codes_carry_their_dot(raw: str, expected: str) -> None:
    assert icd10cm_with_dot(raw) == expected


# --- issue 17: what the FHIR Claim used to drop -----------------------------------------------


def _info(claim: dict) -> dict[str, dict]:
    return {i["category"]["coding"][0]["code"]: i for i in claim.get("supportingInfo", [])}


def test_fhir_claim_keeps_type_of_bill_admission_and_discharge_status(fixtures: Path) -> None:
    claim = to_fhir_claim(_load(fixtures, "inpatient_admission.json"), created=CREATED)
    info = _info(claim)
    assert info["typeofbill"]["code"]["coding"][0]["code"] == "0111"
    assert info["admissionperiod"]["timingPeriod"] == {"start": "2025-01-06", "end": "2025-01-09"}
    assert info["admtype"]["code"]["coding"][0]["code"] == "1"
    assert info["pointoforigin"]["code"]["coding"][0]["code"] == "7"
    assert info["discharge-status"]["code"]["coding"][0]["code"] == "01"


def test_fhir_claim_keeps_prior_authorization_ndc_and_secondary_coverage(fixtures) -> None:
    enc = _load(fixtures, "outpatient_office_visit.json")
    data = enc.model_dump(mode="json")
    data.update(prior_authorization="AUTH77")
    data["payer"]["responsibility"] = "S"
    data["other_payers"] = [
        {
            "name": "Medicare Part B",
            "id": "MCRB1",
            "member_id": "1EG4TE5MK73",
            "filing_indicator": "MB",
            "responsibility": "P",
        }  # fmt: skip
    ]
    claim = to_fhir_claim(ClaimEncounter.model_validate(data), created=CREATED)
    primary, secondary = claim["insurance"]
    assert primary["sequence"] == 1 and not primary["focal"]
    assert _contained(claim, primary["coverage"]["reference"])["subscriberId"] == "1EG4TE5MK73"
    assert secondary["focal"] and secondary["preAuthRef"] == ["AUTH77"]
    (detail,) = claim["item"][2]["detail"]
    assert detail["productOrService"]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/ndc",
        "code": "00003-0293-05",
    }
    assert detail["quantity"] == {"value": 1.0, "unit": "ML"}
