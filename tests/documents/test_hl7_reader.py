"""HL7 v2 reader: ORU results, MDM notes, ADT visit data, malformed messages."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from medcoder.documents.hl7_reader import parse_reference_range, read_hl7
from medcoder.documents.model import Setting
from medcoder.errors import DocumentError


def test_oru_results_become_lab_results_pointing_at_rendered_lines(fixtures):
    result = read_hl7(fixtures / "documents" / "oru_r01.hl7")
    assert result.message_types == ["ORU_R01"]
    [doc] = result.documents
    assert doc.format == "hl7v2" and doc.id == "LAB0001" and doc.kind == "lab report"
    by_name = {r.name: r for r in doc.results}
    sodium = by_name["sodium"]
    assert (sodium.value, sodium.unit, sodium.source_code) == (129.0, "mmol/L", "2951-2")
    assert (sodium.reference_low, sodium.reference_high, sodium.abnormal_flag) == (136, 145, "L")
    assert sodium.observed_at == datetime(2023, 3, 2, 6, 15)
    assert doc.text[sodium.start : sodium.end] == "Sodium: 129 mmol/L (ref 136-145) [L]"
    creatinine = by_name["creatinine"]
    assert creatinine.observed_at == datetime(2023, 3, 2, 6, 0)  # OBR-7 fallback
    egfr = by_name["egfr"]
    assert egfr.value == 60.0 and egfr.reference_low == 60 and egfr.reference_high is None
    assert "Color of Urine: Yellow" in doc.text
    assert "Specimen slightly hemolyzed & repeated" in doc.text  # \T\ unescaped
    for res in doc.results:
        assert doc.text[res.start : res.end] == res.raw_text


def test_oru_carries_patient_and_inpatient_encounter(fixtures):
    result = read_hl7(fixtures / "documents" / "oru_r01.hl7")
    assert result.patient.id == "SYN-0001"
    assert result.patient.birth_date == date(1950, 6, 15)
    assert result.patient.sex == "F"
    assert result.encounter.setting is Setting.INPATIENT
    assert result.encounter.admission_date == date(2023, 3, 1)
    assert result.encounter.discharge_date == date(2023, 3, 5)


def test_mdm_text_and_txa_metadata(fixtures):
    result = read_hl7(fixtures / "documents" / "mdm_t02.hl7")  # \r\n separators
    [doc] = result.documents
    assert doc.kind == "Discharge summary"
    assert doc.author == "Dr Sam Synthetic"
    assert doc.created == datetime(2023, 3, 5, 15, 0)
    assert doc.metadata["document_number"] == "DOCNUM-1"
    assert doc.text.splitlines() == [
        "DISCHARGE DIAGNOSES:",
        "1. Community-acquired pneumonia.",
        "2. Hyponatremia.",
        "HOSPITAL COURSE:",
        "Treated with IV antibiotics|fluids; improved.",
    ]


def test_adt_gives_demographics_and_emergency_encounter_without_documents(fixtures):
    result = read_hl7((fixtures / "documents" / "adt_a03.hl7").read_bytes())  # \n separators
    assert result.documents == []
    assert result.patient.id == "SYN-0002"
    assert result.patient.birth_date == date(1980, 2, 29)
    assert result.patient.sex == "M"
    assert result.encounter.id == "VIS-200"
    assert result.encounter.setting is Setting.EMERGENCY
    assert result.encounter.admission_date == date(2023, 3, 4)
    assert result.encounter.discharge_date == date(2023, 3, 5)


@pytest.mark.parametrize("event", ["A01", "A04", "A08"])
def test_other_adt_events_are_read(event):
    msg = (
        f"MSH|^~\\&|A|B|C|D|20230101120000||ADT^{event}|X1|P|2.5\r"
        "PID|1||SYN-9^^^S^MR||Doe^Syn||20000101|F\rPV1|1|O\r"
    )
    result = read_hl7(msg.encode())
    assert result.encounter.setting is Setting.OUTPATIENT
    assert result.patient.sex == "F"


def test_two_messages_in_one_file_are_both_read(fixtures):
    data = (fixtures / "documents" / "oru_r01.hl7").read_bytes()
    mdm = (fixtures / "documents" / "mdm_t02.hl7").read_bytes()
    result = read_hl7(data + b"\r" + mdm, name="batch.hl7")
    assert len(result.documents) == 2
    assert result.message_types == ["ORU_R01", "MDM_T02"]


def test_missing_msh_is_refused():
    with pytest.raises(DocumentError, match="missing MSH"):
        read_hl7(b"PID|1||123||Doe^Syn\rOBX|1|NM|X||1\r", name="nomsh.hl7")


@pytest.mark.parametrize(
    "header, problem",
    [
        ("MSHA^~\\&|A|B", "field separator"),
        ("MSH|^~|A|B", "encoding characters"),
        ("MSH|^^\\&|A|B", "encoding characters"),
        ("MSH|", "encoding characters"),
    ],
)
def test_bad_delimiters_are_refused_with_a_clear_message(header, problem):
    with pytest.raises(DocumentError, match=problem):
        read_hl7(f"{header}||ORU^R01|1|P|2.5\rPID|1\r".encode(), name="bad.hl7")


def test_unknown_version_is_parsed_tolerantly_with_a_warning():
    msg = "MSH|^~\\&|A|B|C|D|20230101||ORU^R01|V1|P|9.9\rOBX|1|NM|X^Potassium||5.9|mmol/L\r"
    [doc] = read_hl7(msg.encode()).documents
    assert doc.results[0].value == 5.9
    assert any("version" in w for w in doc.warnings)


@pytest.mark.parametrize(
    "text, expected",
    [("136-145", (136, 145)), ("0.6 - 1.2", (0.6, 1.2)), ("<5", (None, 5)), (">60", (60, None))],
)
def test_reference_ranges_parse_into_low_and_high(text, expected):
    assert parse_reference_range(text) == expected
