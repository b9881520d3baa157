"""Chronology: every dated event with its date and citation; flags; data quality."""

from __future__ import annotations

from pathlib import Path

import pytest
from casework_cases import CASES, parse_expected

from medcoder.casework.case import Case, load_case
from medcoder.casework.chronology import build_chronology
from medcoder.documents.readers import read_source
from medcoder.nlp.annotator import context_of


def _chron(folder: Path):  # noqa: ANN202
    case = load_case([folder])
    return case, build_chronology(case, assertions=context_of)


@pytest.mark.parametrize("name", CASES)
def test_every_dated_event_is_in_the_chronology_with_its_date_and_citation(
    name, casework_dir, expected
) -> None:
    case, chron = _chron(casework_dir / name)
    for row in expected(name):
        day, clock = parse_expected(row)
        hits = [e for e in chron.events if e.document == row["document"] and row["quote"] in e.text]
        assert hits, f"missing event {row['quote']!r}"
        event = hits[0]
        assert event.date == day, (row["quote"], event.date)
        if clock:
            assert event.time == clock, (row["quote"], event.time)
        document = case.document(event.citation.document)
        assert document.text[event.citation.start : event.citation.end] == event.citation.quote


def test_chronology_is_in_time_order(casework_dir) -> None:
    _, chron = _chron(casework_dir / "opinion_ob")
    moments = [(e.date, e.time) for e in chron.events if e.time]
    assert moments == sorted(moments)


def test_relative_dates_say_how_they_were_resolved(casework_dir) -> None:
    _, chron = _chron(casework_dir / "lap_chole")
    pod = next(e for e in chron.events if "postoperative day 1" in e.text)
    assert pod.date_basis == "relative" and pod.date_text == "postoperative day 1"


def test_unacted_result_and_unperformed_order_are_flagged(casework_dir) -> None:
    _, chron = _chron(casework_dir / "ed_missed_mi")
    kinds = {f.kind: f for f in chron.flags}
    troponin = chron.event(kinds["result_not_acted_on"].events[0])
    assert "Troponin" in troponin.text
    assert "x-ray" in kinds["order_not_carried_out"].message


def test_negated_finding_is_not_abnormal(casework_dir) -> None:
    _, chron = _chron(casework_dir / "ed_missed_mi")
    ecg = next(e for e in chron.events if e.text.startswith("ECG"))
    assert not ecg.abnormal


def test_delay_late_entry_and_contradictory_dates_are_flagged(casework_dir) -> None:
    _, chron = _chron(casework_dir / "lap_chole")
    kinds = [f.kind for f in chron.flags]
    assert "late_entry" in kinds and "contradictory_dates" in kinds
    delay = next(f for f in chron.flags if f.kind == "delay")
    assert delay.hours == 48.0
    assert any(d.kind == "contradictory_dates" for d in chron.data_quality)


def test_fetal_distress_delay_uses_the_urgent_threshold(casework_dir) -> None:
    _, chron = _chron(casework_dir / "opinion_ob")
    delay = next(f for f in chron.flags if f.kind == "delay")
    assert delay.hours == pytest.approx(2.9, abs=0.1)


def test_undated_event_is_reported_not_dropped(casework_dir) -> None:
    _, chron = _chron(casework_dir / "ed_missed_mi")
    assert any("8/10" in e.text for e in chron.undated)
    item = next(d for d in chron.data_quality if d.kind == "undated_event")
    assert item.citation and "8/10" in item.citation.quote


def test_another_patients_document_is_excluded_and_reported(casework_dir) -> None:
    _, chron = _chron(casework_dir / "ed_missed_mi")
    assert not any(e.document == "04_lab_other_patient" for e in chron.events)
    assert any(e.document == "04_lab_other_patient" for e in chron.excluded)
    other = next(d for d in chron.data_quality if d.kind == "other_patient")
    assert other.source == "04_lab_other_patient" and "mrn" in other.message


def _pdf(path: Path, text: str | None) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    if text:
        c.drawString(72, 700, text)
    else:
        c.rect(72, 500, 300, 200, fill=1)  # an "image" page: no text layer
    c.showPage()
    c.save()
    return path


def test_scanned_pdf_without_text_is_reported(tmp_path) -> None:
    scan = _pdf(tmp_path / "scan.pdf", None)
    note = tmp_path / "note.txt"
    note.write_text("Date: 01/05/2020\nPatient was seen in clinic at 0900 for cough.\n")
    case = load_case([tmp_path])
    chron = build_chronology(case)
    bad = [d for d in chron.data_quality if d.kind == "unreadable_document"]
    assert bad and bad[0].source == str(scan) and "OCR" in bad[0].message
    assert chron.events[0].date.isoformat() == "2020-01-05"


def test_pdf_events_cite_their_page(tmp_path) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "two_pages.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    c.drawString(72, 700, "Date: 02/01/2020")
    c.showPage()
    c.drawString(72, 700, "Patient was admitted at 1400 with fever.")
    c.showPage()
    c.save()
    document = read_source(path).documents[0]
    chron = build_chronology(Case(documents=[document]))
    admitted = next(e for e in chron.events if "admitted" in e.text)
    assert admitted.citation.page == 2 and admitted.date.isoformat() == "2020-02-01"
