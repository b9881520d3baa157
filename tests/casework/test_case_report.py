"""Synopsis citations, classification suggestions and rendering to HTML and PDF."""

from __future__ import annotations

import io
import re

import pytest
from casework_cases import CASES

from medcoder.casework.analyze import analyze_case
from medcoder.casework.case import load_case
from medcoder.casework.render import DISCLAIMER, render_html, render_json, render_pdf
from medcoder.casework.synopsis import SynopsisStatement


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
        SynopsisStatement("The surgeon was negligent.", [])


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


CHRONOLOGY, ISSUES = "Chronology of care", "Issues"
CODES = "Codes of the diagnoses and procedures involved"
QUESTIONS = "Open questions for the physician reviewer"


def _pdf_pages(data: bytes) -> list[tuple[str, list[str]]]:
    """Each page's text layer, whitespace collapsed, and its lines (headings are lines)."""
    import pypdf

    out = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        text = page.extract_text()
        out.append((" ".join(text.split()), [line.strip() for line in text.splitlines()]))
    return out


def _page_of(pages: list[tuple[str, list[str]]], heading: str) -> int:
    found = [i for i, (_, lines) in enumerate(pages) if heading in lines]
    assert len(found) == 1, (heading, found)
    return found[0]


def _assert_every_page_is_inked_inside_its_margins(data: bytes) -> int:
    """Render every page to an image: each has dark text on white, and the outer half inch
    is white on every side (a table wider or longer than the frame would be drawn there)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    for number in range(len(pdf)):
        image = pdf[number].render(scale=1).to_pil().convert("L")  # 72 dpi: 1 px = 1 pt
        low, high = image.getextrema()
        assert low < 128 < high, f"page {number + 1} is blank"
        assert sum(image.histogram()[:128]) > 1000, f"page {number + 1} has almost no ink"
        width, height = image.size
        band = 36  # half an inch
        for box in ((0, 0, width, band), (0, height - band, width, height),
                    (0, 0, band, height), (width - band, 0, width, height)):  # fmt: skip
            assert image.crop(box).getextrema()[0] > 200, f"ink in the margin of page {number + 1}"
    return len(pdf)


def test_pdf_every_page_is_a_non_blank_image_and_each_section_is_on_its_page(reports) -> None:
    _, report = reports["lap_chole"]
    data = render_pdf(report)
    count = _assert_every_page_is_inked_inside_its_margins(data)
    pages = _pdf_pages(data)
    assert len(pages) == count > 1
    first = pages[0][0]
    assert (
        "Case summary report" in first and "CLM-2022-0417" in first and "Dana R. Fakename" in first
    )
    chron, issues = _page_of(pages, CHRONOLOGY), _page_of(pages, ISSUES)
    codes, questions = _page_of(pages, CODES), _page_of(pages, QUESTIONS)
    assert 0 <= chron <= issues <= codes <= questions <= count - 1
    # The table under each heading is on that page (or runs on from it); the questions end
    # the report.
    first_event = report.chronology.events[0]
    assert first_event.citation.label() in " ".join(t for t, _ in pages[chron : issues + 1])
    code = report.codes[0]
    assert code.code in pages[codes][0].split(CODES, 1)[1]
    tail = " ".join(t for t, _ in pages[questions:]).split(QUESTIONS, 1)[1]
    assert report.open_questions[-1].text[:60] in tail
    assert report.open_questions[-1].text[:40] in pages[-1][0]


def test_pdf_long_chronology_runs_over_more_pages_and_keeps_every_row(tmp_path) -> None:
    from datetime import date, timedelta

    def pdf_of(days: int) -> tuple[bytes, list[str]]:
        folder = tmp_path / f"d{days}"
        folder.mkdir()
        visits = [
            f"Date: {date(2020, 1, 1) + timedelta(days=i):%m/%d/%Y}\n"
            f"Patient presented to clinic with chest pain, visit {i}, at 0900. Troponin ordered.\n"
            for i in range(days)
        ]
        (folder / "note.txt").write_text("\n".join(visits))
        report = analyze_case([folder], code=False)
        assert len(report.chronology.events) >= days
        return render_pdf(report), [e.citation.label() for e in report.chronology.events]

    short, _ = pdf_of(3)
    long, labels = pdf_of(90)
    short_pages, long_pages = _pdf_pages(short), _pdf_pages(long)
    spans = []
    for pages in (short_pages, long_pages):
        spans.append(_page_of(pages, ISSUES) - _page_of(pages, CHRONOLOGY) + 1)
    assert spans[1] >= spans[0] + 3, spans  # the table itself grew by pages
    assert len(long_pages) > len(short_pages)
    assert _assert_every_page_is_inked_inside_its_margins(long) == len(long_pages)
    start, stop = _page_of(long_pages, CHRONOLOGY), _page_of(long_pages, ISSUES)
    table = " ".join(text for text, _ in long_pages[start : stop + 1])
    missing = [label for label in labels if label not in table]
    assert not missing, f"{len(missing)} chronology rows lost, first {missing[:3]}"
    for text, _ in long_pages[start + 1 : stop]:  # continuation pages repeat the heading row
        assert text.startswith("Date/time Setting Type Event Source"), text[:80]


def test_report_rebuilt_from_its_json_renders_as_the_original(reports) -> None:
    import json

    from medcoder.casework.restore import report_from_dict

    for name in CASES:
        _, report = reports[name]
        stored = json.loads(render_json(report))  # as the workbench stores it
        again = report_from_dict(stored)
        assert render_html(again) == render_html(report), name
        assert render_json(again) == render_json(report), name
    _, report = reports["lap_chole"]
    again = report_from_dict(json.loads(render_json(report)))
    assert [p.extract_text() for p in pypdf_pages(render_pdf(again))] == [
        p.extract_text() for p in pypdf_pages(render_pdf(report))
    ]


def pypdf_pages(data: bytes) -> list:
    import pypdf

    return list(pypdf.PdfReader(io.BytesIO(data)).pages)


def test_names_replace_document_ids_in_citations_and_generated_text(reports) -> None:
    case, report = reports["lap_chole"]
    names = {d.id: f"{d.id}.txt" for d in case.documents}
    html = render_html(report, names)
    assert all(name in html for name in names.values())
    assert "01_operative_course @" not in html and "01_operative_course.txt @" in html
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf_pages(render_pdf(report, names))
    )
    assert "01_operative_course.txt @" in text and "01_operative_course @" not in text
    assert "in 01_operative_course.txt but" in text  # the contradictory-dates question


@pytest.mark.parametrize("name", CASES)
def test_text_synopsis_keeps_every_statement_with_its_citations(reports, name) -> None:
    from medcoder.casework.render import render_text

    case, report = reports[name]
    names = {d.id: f"{d.id}.txt" for d in case.documents}
    text = render_text(report, names)
    assert text.startswith("SYNOPSIS OF FACTS")
    for statement in report.statements():
        assert _named(statement.text, names) in text
        for cite in statement.citations:
            assert f"{names[cite.document]}" in text and f"@{cite.start}-{cite.end}" in text
    for question in report.open_questions:
        assert _named(question.text, names) in text


def _named(text: str, names: dict[str, str]) -> str:
    """Generated text as the reader sees it: each document id by the name it was given."""
    for doc_id, name in names.items():
        text = re.sub(rf"\b{re.escape(doc_id)}\b", name, text)
    return text


UNDATED_CASE = """STATEMENT OF FACTS
Patient: Rosalind Pike, 62-year-old woman

Dr. Ames performed an upper endoscopy with dilation at Harbor View Hospital.
Immediately after the procedure she reported substernal chest pain.
The recovery nurse did not report the pain to Dr. Ames.
After forty minutes in recovery she was discharged home.
About ten hours later a CT scan showed an esophageal perforation.
She underwent emergency thoracotomy and remains on a feeding tube.

PROCEDURAL HISTORY
She sued Dr. Ames and the hospital, alleging that she was discharged with an unrecognized
perforation.
On April 4, 2019, the trial court granted summary judgment to the hospital.
"""


@pytest.fixture(scope="module")
def undated_report(tmp_path_factory):  # noqa: ANN001, ANN201
    folder = tmp_path_factory.mktemp("undated")
    (folder / "facts.txt").write_text(UNDATED_CASE)
    case = load_case([folder])
    return case, analyze_case(case, code=False)


def test_synopsis_says_who_what_when_injury_deviation_and_outcome_each_cited(
    undated_report,
) -> None:
    case, report = undated_report
    titles = [s.title for s in report.synopsis]
    assert titles[:5] == [
        "Who",
        "What happened and when",
        "Injury",
        "Alleged deviation",
        "Outcome and procedural posture",
    ]
    who = " ".join(s.text for s in report.synopsis[0].statements)
    assert '"Rosalind Pike, 62-year-old woman"' in who and '"Dr. Ames"' in who
    assert '"Harbor View Hospital"' in who
    deviation = " ".join(s.text for s in report.synopsis[3].statements)
    assert "alleging that she was discharged with an unrecognized" in deviation
    posture = report.synopsis[4].statements[-1]
    assert posture.text.startswith("Procedural posture, 04/04/2019")
    for statement in report.statements():  # every quote is in what the sentence cites
        for piece in re.findall(r'"([^"]{8,})"', statement.text):
            piece = piece.rstrip("\u2026")
            assert any(piece in " ".join(c.quote.split()) for c in statement.citations), piece
            for cite in statement.citations:
                text = case.document(cite.document).text
                assert text[cite.start : cite.end] == cite.quote


def test_html_and_pdf_show_undated_events_with_their_quotes_and_the_procedural_history(
    undated_report,
) -> None:
    _, report = undated_report
    html = " ".join(render_html(report).split())
    pdf = " ".join(" ".join(p.extract_text().split()) for p in pypdf_pages(render_pdf(report)))
    for text in (html, pdf):
        assert "Immediately after the procedure she reported substernal chest pain" in text
        assert "About ten hours later a CT scan showed an esophageal perforation" in text
        assert "Procedural history" in text and "granted summary judgment" in text
    assert "undated (About ten hours later)" in html and "after: undated" in html
    chron_rows = html.split("Chronology of care", 1)[1].split("Procedural history", 1)[0]
    assert (
        chron_rows.index("performed an upper endoscopy")
        < chron_rows.index("Immediately after the procedure")
        < chron_rows.index("About ten hours later")
    )
    assert "granted summary judgment" not in chron_rows


def test_pdf_pages_are_numbered_and_carry_the_disclaimer(undated_report) -> None:
    _, report = undated_report
    pages = pypdf_pages(render_pdf(report))
    for number, page in enumerate(pages, 1):
        text = " ".join(page.extract_text().split())
        assert f"Page {number} of {len(pages)}" in text
        assert "not a finding of negligence or causation" in text
    assert DISCLAIMER in " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert DISCLAIMER in " ".join(render_html(report).split())


def test_pdf_leaves_out_a_section_that_has_nothing_to_show(undated_report) -> None:
    _, report = undated_report
    assert not report.codes and not report.physicians
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf_pages(render_pdf(report)))
    assert CODES not in text and "Physician background" not in text
    assert "System Code Description Kind Source" not in text  # no table with only a head row
