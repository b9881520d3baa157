"""FHIR R4 reader: Bundle resources, structured lines, validation errors."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest

from medcoder.documents.fhir_reader import read_fhir
from medcoder.documents.model import Setting
from medcoder.errors import DocumentError


@pytest.fixture
def bundle(fixtures):
    return read_fhir(fixtures / "documents" / "fhir_bundle.json")


def _doc(result, kind):
    return next(d for d in result.documents if d.kind == kind)


def test_document_reference_base64_text_becomes_a_document(bundle):
    doc = _doc(bundle, "Discharge summary")
    assert doc.id == "note1" and doc.format == "fhir"
    assert doc.text.startswith("HISTORY OF PRESENT ILLNESS:")
    assert doc.author == "Dr. Synthetic Attending"
    assert doc.created.date() == date(2023, 3, 5)
    assert any("url not fetched" in w for w in doc.warnings)


def test_diagnostic_report_has_conclusion_and_presented_form(bundle):
    doc = _doc(bundle, "diagnostic report")
    assert "Conclusion: Right lower lobe consolidation" in doc.text
    assert "FINDINGS: Right lower lobe opacity." in doc.text


def test_observation_becomes_lab_result(bundle):
    doc = _doc(bundle, "structured data")
    [sodium] = doc.results
    assert (sodium.name, sodium.value, sodium.unit) == ("sodium", 129.0, "mmol/L")
    assert (sodium.reference_low, sodium.reference_high, sodium.abnormal_flag) == (136, 145, "L")
    assert sodium.source_code == "2951-2"
    assert sodium.observed_at.date() == date(2023, 3, 2)
    assert doc.text[sodium.start : sodium.end] == sodium.raw_text


def test_conditions_are_rendered_with_status_wording_and_kept_as_metadata(bundle):
    doc = _doc(bundle, "structured data")
    lines = doc.text.splitlines()
    assert "Diagnosis: Community acquired pneumonia." in lines
    assert "History of Appendicitis (resolved)." in lines
    assert "Ruled out: Pulmonary embolism." in lines
    entries = {e["id"]: e for e in doc.metadata["entries"]}
    cond = entries["cond1"]
    assert cond["codes"][0]["code"] == "385093006"
    assert cond["clinical_status"] == "active" and cond["verification_status"] == "confirmed"
    assert doc.text[cond["start"] : cond["end"]] == "Diagnosis: Community acquired pneumonia."


def test_procedure_and_medication_request_lines(bundle):
    lines = _doc(bundle, "structured data").text.splitlines()
    assert "Procedure: Bronchoscopy on 2023-03-03." in lines
    assert "Medication: Amoxicillin 500 mg capsule 500 mg, oral, 3 times per 1 d." in lines


def test_patient_and_encounter(bundle):
    assert bundle.patient.id == "SYN-0001"
    assert bundle.patient.birth_date == date(1950, 6, 15)
    assert bundle.patient.sex == "F"
    enc = bundle.encounter
    assert enc.setting is Setting.INPATIENT
    assert (enc.admission_date, enc.discharge_date) == (date(2023, 3, 1), date(2023, 3, 5))
    assert any("Practitioner" in w for w in bundle.warnings)


def test_single_document_reference_resource_is_read():
    resource = {
        "resourceType": "DocumentReference",
        "status": "current",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain",
                    "data": base64.b64encode(b"PLAN: rest").decode(),
                }
            }
        ],
    }
    result = read_fhir(json.dumps(resource).encode(), name="dr.json")
    assert [d.text for d in result.documents] == ["PLAN: rest"]


def test_observation_referenced_by_report_is_rendered_in_the_report():
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "Potassium"},
                    "valueQuantity": {"value": 5.9, "unit": "mmol/L"},
                },
            },
            {
                "resource": {
                    "resourceType": "DiagnosticReport",
                    "status": "final",
                    "code": {"text": "Basic metabolic panel"},
                    "result": [{"reference": "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"}],
                }
            },
        ],
    }
    [report] = read_fhir(json.dumps(bundle).encode(), name="b.json").documents
    assert report.results[0].name == "potassium"
    assert report.text.splitlines()[1] == "Potassium: 5.9 mmol/L"


def test_invalid_json_is_refused_with_position():
    with pytest.raises(DocumentError, match="invalid JSON at line 1"):
        read_fhir(b'{"resourceType": "Patient",', name="bad.json")


def test_json_without_resource_type_is_refused():
    with pytest.raises(DocumentError, match="without resourceType"):
        read_fhir(b'{"id": 1}', name="x.json")


def test_resource_failing_validation_names_resource_and_field():
    obs = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"text": "Sodium"},
        "valueQuantity": {"value": "not-a-number"},
    }
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": obs}]}
    with pytest.raises(DocumentError, match=r"Observation id 'o1' \(entry 0\).*valueQuantity"):
        read_fhir(json.dumps(bundle).encode(), name="b.json")


def test_missing_required_field_is_reported():
    with pytest.raises(DocumentError, match="Condition.*field"):
        read_fhir(b'{"resourceType": "Condition", "code": {"text": "x"}}', name="c.json")
