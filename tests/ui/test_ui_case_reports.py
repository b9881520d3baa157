"""Case report downloads (HTML and PDF from the stored analysis), open questions that name the
records by file name, and closing / reopening a case, on SQLite and PostgreSQL (issue 9)."""

from __future__ import annotations

import io
import re

import pytest
from case_fixture import CASE_DIR, open_case
from ui_workbench import audit_rows, build_app, share

KEY = re.compile(r"\bc?doc\d+\b")


@pytest.fixture
def ui_app(db_url, built_packs):
    app = build_app(db_url)
    yield app
    app.state.workbench.db.dispose()


def _pdf_text(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_case_report_downloads_as_html_and_pdf_from_the_stored_analysis_audited(client_for):
    coder = client_for("coder")
    case_id = open_case(coder)
    stored = coder.get(f"/api/cases/{case_id}/file").json()["analysis"]
    page = coder.get(f"/ui/cases/{case_id}").text
    for fmt in ("html", "pdf"):
        assert f'href="/api/cases/{case_id}/report.{fmt}" download' in page
    # A record filed after the analysis is not in the download: it is the stored analysis.
    late = coder.post(
        f"/api/cases/{case_id}/documents",
        files={"file": ("99_late_addendum.txt", b"Date: 03/20/2021\nLate note.\n", "text/plain")},
    )
    assert late.status_code == 201

    examiner = client_for("claims_examiner")  # a member reads the case, so takes its report
    share(coder, "case", case_id, "claims_examiner")
    pdf = examiner.get(f"/api/cases/{case_id}/report.pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="case-{case_id}-report.pdf"'
    )
    assert pdf.content.startswith(b"%PDF-")
    text = _pdf_text(pdf.content)
    assert "Case summary report" in text and "CLM-2021-0001" in text
    assert "01_ed_note.txt @" in text and "04_lab_other_patient.txt" in text
    assert not KEY.search(text), KEY.search(text)
    assert "99_late_addendum" not in text

    html = examiner.get(f"/api/cases/{case_id}/report.html")
    assert html.status_code == 200
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert "attachment" in html.headers["content-disposition"]
    body = html.text
    assert "CLM-2021-0001" in body and "<h2>Chronology of care</h2>" in body
    generated = stored["result"]["generated_at"][:16].replace("T", " ")
    assert f"Generated {generated} UTC" in body
    events = stored["result"]["chronology"]["events"]
    assert all(e["citation"]["quote"][:30].replace("&", "&amp;") in body for e in events[:10])
    assert not KEY.search(body) and "99_late_addendum" not in body

    exports = audit_rows(coder.app, action="export", entity="case", entity_id=str(case_id))
    assert [(r.username, r.detail) for r in exports] == [
        ("claims_examiner", f"report.pdf analysis={stored['id']}"),
        ("claims_examiner", f"report.html analysis={stored['id']}"),
    ]
    reads = audit_rows(coder.app, action="read", entity="case", username="claims_examiner")
    assert len(reads) == 2


def test_report_download_refuses_unanalysed_cases_unknown_formats_and_non_readers(client_for):
    coder = client_for("coder")
    case_id = open_case(coder, analyze=False)
    refused = coder.get(f"/api/cases/{case_id}/report.pdf")
    assert refused.status_code == 409 and "analysed" in refused.json()["error"]["message"]
    assert "report.pdf" not in coder.get(f"/ui/cases/{case_id}").text
    assert coder.post(f"/api/cases/{case_id}/analyze").status_code == 200
    assert coder.get(f"/api/cases/{case_id}/report.docx").status_code == 422
    assert coder.get("/api/cases/999999/report.pdf").status_code == 404
    assert client_for("admin").get(f"/api/cases/{case_id}/report.pdf").status_code == 403
    assert client_for().get(f"/api/cases/{case_id}/report.html").status_code == 401
    assert not audit_rows(coder.app, action="export")


def test_open_questions_flags_and_data_quality_name_records_by_file_name(client_for):
    coder = client_for("coder")
    case_id = open_case(coder)
    result = coder.get(f"/api/cases/{case_id}/file").json()["analysis"]["result"]
    assert any(KEY.search(q["text"]) for q in result["open_questions"]), "stored by key"
    page = coder.get(f"/ui/cases/{case_id}").text
    questions = page.split("Open questions for the physician reviewer", 1)[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)<a ", questions, re.S) or re.findall(r"<li>(.*?)</li>", questions)
    assert len(items) >= len(result["open_questions"]) - 2
    visible = re.sub(r"<[^>]+>", " ", questions)
    assert "04_lab_other_patient.txt" in visible
    assert not KEY.search(visible), KEY.search(visible)
    quality = page.split('data-testid="data-quality"', 1)[1].split("</section>")[0]
    assert not KEY.search(re.sub(r"<[^>]+>", " ", quality))
    assert {p.name for p in CASE_DIR.glob("*.txt")} & set(re.findall(r"\d\d_\w+\.txt", visible))


def test_coder_or_manager_closes_and_reopens_a_case_and_the_list_filter_follows(client_for):
    coder = client_for("coder")
    case_id = open_case(coder, analyze=False)
    other = coder.post("/api/cases", json={"title": "Still open"}).json()["case"]["id"]
    assert 'data-testid="case-close"' in coder.get(f"/ui/cases/{case_id}").text

    closed = coder.post(f"/api/cases/{case_id}/status", json={"status": "closed"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["case"]["status"] == "closed"
    again = coder.post(f"/api/cases/{case_id}/status", json={"status": "closed"})
    assert again.status_code == 409 and "already closed" in again.json()["error"]["message"]

    def listed(status: str) -> set[int]:
        text = coder.get("/ui/cases", params={"status": status}).text
        return {int(i) for i in re.findall(r'href="/ui/cases/(\d+)"', text)}

    assert listed("closed") == {case_id}
    assert listed("open") == {other}
    assert listed("") == {case_id, other}
    assert [c["id"] for c in coder.get("/api/cases?status=closed").json()["items"]] == [case_id]
    page = coder.get(f"/ui/cases/{case_id}").text
    assert 'data-testid="case-reopen"' in page and 'data-testid="case-close"' not in page

    examiner = client_for("claims_examiner")
    assert 'data-testid="case-reopen"' not in examiner.get(f"/ui/cases/{case_id}").text
    forbidden = examiner.post(f"/api/cases/{case_id}/status", json={"status": "open"})
    assert forbidden.status_code == 403
    bad = coder.post(f"/api/cases/{case_id}/status", json={"status": "archived"})
    assert bad.status_code == 422
    assert coder.post("/api/cases/999999/status", json={"status": "open"}).status_code == 404

    manager = client_for("manager")
    reopened = manager.post(f"/api/cases/{case_id}/status", json={"status": "open"})
    assert reopened.status_code == 200 and reopened.json()["case"]["status"] == "open"
    assert listed("closed") == set()
    changes = [
        (r.action, r.username, r.detail)
        for r in audit_rows(coder.app, entity="case", entity_id=str(case_id))
        if r.action in ("close", "reopen")
    ]
    assert changes == [("close", "coder", "open->closed"), ("reopen", "manager", "closed->open")]
