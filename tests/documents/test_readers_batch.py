"""Format dispatch, batch reading and encounter building."""

from __future__ import annotations

from datetime import date

import pytest

from medcoder.documents.encounter import age_at, build_encounter
from medcoder.documents.hl7_reader import read_hl7
from medcoder.documents.model import Document, Patient, Setting
from medcoder.documents.readers import read_document, read_many, read_source, sniff_format
from medcoder.errors import DocumentError


def test_content_sniffing_beats_the_extension(fixtures, make_pdf):
    hl7 = (fixtures / "documents" / "oru_r01.hl7").read_bytes()
    assert sniff_format(hl7, "export.txt") == "hl7v2"
    assert sniff_format(make_pdf([["x"]]), "scan.txt") == "pdf"
    assert sniff_format(b'{"resourceType": "Patient"}', "p.txt") == "fhir"
    assert sniff_format(b'{not json but has "resourceType"', "x") == "fhir"
    assert sniff_format(b"PLAN: rest", "note") == "text"


def test_read_document_dispatches_each_format(tmp_path, fixtures, make_pdf):
    pdf = tmp_path / "note"
    pdf.write_bytes(make_pdf([["ASSESSMENT: Pneumonia."]]))
    assert read_document(pdf).format == "pdf"
    assert read_document(fixtures / "documents" / "mdm_t02.hl7").format == "hl7v2"
    txt = tmp_path / "n.txt"
    txt.write_text("PLAN: rest")
    doc = read_document(txt)
    assert (doc.format, doc.id, doc.source) == ("text", "n", str(txt))
    assert read_document(b"HPI: cough", name="mem.txt").text == "HPI: cough"


def test_read_document_refuses_inputs_with_several_or_no_documents(fixtures):
    with pytest.raises(DocumentError, match="holds 3 documents.*read_source"):
        read_document(fixtures / "documents" / "fhir_bundle.json")
    with pytest.raises(DocumentError, match="holds 0 documents"):
        read_document(fixtures / "documents" / "adt_a03.hl7")


def test_read_source_keeps_structured_patient_and_encounter(fixtures):
    outcome = read_source(fixtures / "documents" / "fhir_bundle.json")
    assert len(outcome.documents) == 3 and outcome.patient.sex == "F"
    assert outcome.encounter.setting is Setting.INPATIENT
    assert all(d.source == outcome.source for d in outcome.documents)


def test_batch_survives_a_bad_document_and_lists_every_input(tmp_path, fixtures, make_pdf):
    good = tmp_path / "good.txt"
    good.write_text("ASSESSMENT: Pneumonia.")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x00\x01\x02\x03" * 100)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_pdf([None]))
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"resourceType": "Bundle", ')
    missing = tmp_path / "missing.txt"
    paths = [good, empty, fixtures / "documents" / "fhir_bundle.json", binary, scan, bad_json]
    outcomes = read_many([*paths, missing])
    assert [o.source for o in outcomes] == [str(p) for p in [*paths, missing]]
    assert [o.ok for o in outcomes] == [True, False, True, False, False, False, False]
    assert "empty" in str(outcomes[1].error)
    assert "binary" in str(outcomes[3].error)
    assert "OCR" in str(outcomes[4].error)
    assert "invalid JSON" in str(outcomes[5].error)
    assert "cannot read" in str(outcomes[6].error)
    assert len(outcomes[2].documents) == 3


def test_age_at_counts_completed_years():
    assert age_at(date(1950, 6, 15), date(2023, 6, 14)) == 72
    assert age_at(date(1950, 6, 15), date(2023, 6, 15)) == 73
    assert age_at(date(2000, 2, 29), date(2023, 2, 28)) == 22


def test_build_encounter_from_hl7_visit_sets_age_at_discharge(fixtures):
    hl7 = read_hl7(fixtures / "documents" / "oru_r01.hl7")
    enc = build_encounter(hl7.documents, source=hl7.encounter)
    assert enc.setting is Setting.INPATIENT
    assert enc.service_date == date(2023, 3, 5)
    assert enc.patient.age == 72
    assert enc.id == "VIS-100"


def test_explicit_arguments_win_and_missing_setting_warns():
    docs = [Document(id="a", text="x", created=date(2023, 1, 10))]
    enc = build_encounter(
        docs,
        setting="emergency",
        admission_date=date(2023, 1, 9),
        patient=Patient(birth_date=date(2020, 1, 10)),
    )
    assert enc.setting is Setting.EMERGENCY
    assert enc.patient.age == 2
    fallback = build_encounter(docs)
    assert fallback.setting is Setting.OUTPATIENT
    assert fallback.admission_date == date(2023, 1, 10)
    assert any("setting" in w for w in fallback.warnings)
    assert any("age unknown" in w for w in fallback.warnings)
