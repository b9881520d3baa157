"""Synopsis citations, classification suggestions and rendering to HTML and PDF."""

from __future__ import annotations

import io

import pytest

from conftest import CASES
from medcoder.casework.analyze import analyze_case
from medcoder.casework.case import load_case
from medcoder.casework.render import render_html, render_json, render_pdf
from medcoder.casework.synopsis import Statement


@pytest.fixture(scope="module")
def reports(casework_dir):  # noqa: ANN001, ANN201
    out = {}
    for name in CASES:
        case = load_case([casework_dir / name])
        out[name] = (case, analyze_case(case))
    return out


@pytest.mark.parametrize("name", CASES)
def test_every_synopsis_sentence_cites_real_text(reports, name) -> None:
    case, report = reports[name]
    statements = report.statements()
    assert statements
    for statement in statements:
        assert statement.citations, statement.text
        for cite in statement.citations:
            document = case.document(cite.document)
            assert document is not None
            assert document.text[cite.start : cite.end] == cite.quote
            assert cite.quote.strip()


def test_a_statement_without_citation_cannot_exist() -> None:
    with pytest.raises(ValueError):
        Statement("The surgeon was negligent.", [])


def test_missed_mi_in_the_ed_is_diagnosis_related_with_death_severity(reports) -> None:
    _, report = reports["ed_missed_mi"]
    top = report.classification.allegations[0]
    assert top.extra["group_code"] == "1" and top.code == "101"
    assert report.classification.severity.code == "9"
    assert report.classification.severity.extra["crico_band"] == "high"
    assert all(a.evidence for a in report.classification.allegations)
    factors = {f.code for f in report.classification.contributing_factors}
    assert {"clinical_judgment", "clinical_systems", "documentation"} <= factors


def test_bile_duct_injury_is_surgery_related_with_complication_code(reports) -> None:
    _, report = reports["lap_chole"]
    codes = {(a.extra["group_code"], a.code) for a in report.classification.allegations}
    assert ("20", "306") in codes and ("20", "707") in codes
    assert any(c.code == "K91.71" and c.kind == "complication" for c in report.codes)
    kinds = {i.kind for i in report.issues}
    assert {"surgical_complication", "communication_breakdown", "consent"} <= kinds
    surgery = next(i for i in report.issues if i.kind == "surgical_complication")
    assert "cholecystectomy" in report.chronology.event(surgery.inflection_point).text


def test_obstetric_delay_maps_to_obstetrics_and_brain_damage(reports) -> None:
    _, report = reports["opinion_ob"]
    assert ("50", "203") in {
        (a.extra["group_code"], a.code) for a in report.classification.allegations
    }
    assert report.classification.severity.code == "8"
    assert not any(i.kind == "surgical_complication" for i in report.issues)


def test_spinal_abscess_narrative_is_delay_in_diagnosis(reports) -> None:
    _, report = reports["opinion_sea"]
    assert report.classification.allegations[0].code == "200"
    issue = report.issues[0]
    assert "back pain" in report.chronology.event(issue.inflection_point).text


def test_emitted_npdb_codes_match_the_published_codebook(shared_data) -> None:
    from medcoder.casework.classify import (
        ALLEGATION_GROUPS,
        ALLEGATIONS,
        SEVERITY,
        load_npdb_codebook,
    )

    book = load_npdb_codebook(shared_data / "npdb" / "npdb_puf_value_labels.tsv")
    assert {str(k): v for k, v in ALLEGATION_GROUPS.items()}.items() <= book["ALGNNATR"].items()
    assert {str(k): v for k, v in ALLEGATIONS.items()}.items() <= book["ALEGATN1"].items()
    assert {str(k): v for k, v in SEVERITY.items()}.items() <= book["OUTCOME"].items()


def test_report_has_physician_placeholder_and_open_questions(reports) -> None:
    _, report = reports["ed_missed_mi"]
    assert [p.party.name for p in report.physicians] == ["Vale Ordwin"]
    assert "not retrieved" in report.physicians[0].status
    assert any("other patient" in q.text for q in report.open_questions)
    assert '"claim_number": "CLM-2021-0001"' in render_json(report)


def test_html_escapes_record_text(casework_dir, tmp_path) -> None:
    (tmp_path / "note.txt").write_text(
        "Date: 04/01/2020\nPatient presented with chest pain <script>alert(1)</script> & fever at 0900.\n"
    )
    html = render_html(analyze_case([tmp_path], code=False))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; fever" in html


def test_pdf_has_the_report_text_and_a_non_blank_first_page(reports) -> None:
    import pypdf
    import pypdfium2

    _, report = reports["lap_chole"]
    data = render_pdf(report)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert (
        "Case summary report" in text and "CLM-2022-0417" in text and "Chronology of care" in text
    )
    pdf = pypdfium2.PdfDocument(data)
    image = pdf[0].render(scale=1).to_pil().convert("L")
    low, high = image.getextrema()
    assert low < 128 < high  # dark text on a white page
    dark = sum(image.histogram()[:128])
    assert dark > 1000


@pytest.mark.parametrize("name", CASES)
def test_text_synopsis_keeps_every_statement_with_its_citations(reports, name) -> None:
    from medcoder.casework.render import render_text

    case, report = reports[name]
    names = {d.id: f"{d.id}.txt" for d in case.documents}
    text = render_text(report, names)
    assert text.startswith("SYNOPSIS OF FACTS")
    for statement in report.statements():
        assert statement.text in text
        for cite in statement.citations:
            assert f"{names[cite.document]}" in text and f"@{cite.start}-{cite.end}" in text
    for question in report.open_questions:
        assert question.text in text
