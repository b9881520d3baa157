"""The case pages (issue 9 point 7) and the case-file API behind them, on SQLite and
PostgreSQL: list, header, records, cited chronology, source pane, classification decisions,
codes, data quality, synopsis report, and who may do what."""

from __future__ import annotations

import html
import re

import pytest
from case_fixture import CASE_DIR, open_case
from ui_workbench import audit_rows, build_app, share


@pytest.fixture
def ui_app(db_url, built_packs):
    app = build_app(db_url)
    yield app
    app.state.workbench.db.dispose()


def test_case_list_pages_and_is_readable_by_claims_staff_but_only_managers_open_cases(client_for):
    manager = client_for("manager")
    for role in ("claims_examiner", "attorney", "physician"):
        client_for(role)
    for i in range(27):
        created = manager.post("/api/cases", json={"title": f"Case {i}"})
        assert created.status_code == 201
        for role in ("claims_examiner", "attorney", "physician"):  # members of every case
            share(manager, "case", created.json()["case"]["id"], role)
    first = manager.get("/ui/cases").text
    assert "27 cases" in first and "Page 1 of 2" in first and "Open a case" in first
    assert len(set(re.findall(r'href="/ui/cases/(\d+)"', first))) == 25
    second = manager.get("/ui/cases?page=2").text
    assert len(set(re.findall(r'href="/ui/cases/(\d+)"', second))) == 2
    for role in ("claims_examiner", "attorney", "physician"):
        page = client_for(role).get("/ui/cases")
        assert page.status_code == 200, role
        assert "27 cases" in page.text and "Open a case" not in page.text
    assert client_for("admin").get("/ui/cases").headers["location"] == "/ui/forbidden?need=read"
    assert client_for().get("/ui/cases").headers["location"].startswith("/ui/login")
    assert audit_rows(manager.app, action="list", entity="case")


def test_case_page_shows_the_header_records_and_a_chronology_whose_citations_quote_the_record(
    client_for,
):
    coder = client_for("coder")
    case_id = open_case(coder)
    page = coder.get(f"/ui/cases/{case_id}")
    assert page.status_code == 200
    text = page.text
    for fact in ("CLM-2021-0001", "CV-21-000123", "Estate of H. Testperson", "Vale Ordwin",
                 "emergency physician", "2021-03-14", "Ohio", "2021-01-01 – 2021-12-31",
                 "incident in period"):  # fmt: skip
        assert fact in text, fact
    for path in CASE_DIR.glob("*.txt"):
        assert path.name in text
    # Every citation link points at characters of the stored record that are the quote.
    analysis = coder.get(f"/api/cases/{case_id}/file").json()["analysis"]["result"]
    events = analysis["chronology"]["events"]
    assert events
    links = re.findall(
        r'data-cite="/ui/cases/\d+/source\?doc=(c?doc\d+)&amp;start=(\d+)&amp;end=(\d+)"', text
    )
    assert len(links) >= len(events)
    texts = {}
    for key, start, end in links[:40]:
        if key not in texts:
            texts[key] = coder.get(f"/api/cases/{case_id}/documents/{key}").json()["document"][
                "text"
            ]
        assert texts[key][int(start) : int(end)].strip()
    first = events[0]
    cite = first["citation"]
    assert texts[cite["document"]][cite["start"] : cite["end"]] == cite["quote"]
    assert html.escape(first["citation"]["quote"][:40]) in text
    assert "03/14/2021" in text
    # Flags (a result never acted on) and data quality (another patient's lab) are shown.
    assert "result not acted on" in text
    assert "other patient" in text
    assert audit_rows(coder.app, action="read", entity="case", entity_id=str(case_id))


def test_a_citation_opens_the_source_with_exactly_the_cited_span_marked(client_for):
    coder = client_for("coder")
    case_id = open_case(coder)
    event = coder.get(f"/api/cases/{case_id}/file").json()["analysis"]["result"]["chronology"][
        "events"
    ][2]
    cite = event["citation"]
    params = {"doc": cite["document"], "start": cite["start"], "end": cite["end"]}
    pane = coder.get(f"/ui/cases/{case_id}/source", params=params)
    assert pane.status_code == 200 and "<html" not in pane.text
    marked = re.findall(r'<mark class="ev on" data-codes="1">(.*?)</mark>', pane.text, re.S)
    assert [html.unescape(m) for m in marked] == [cite["quote"]]
    # Without script the link reloads the page with the same pane.
    full = coder.get(f"/ui/cases/{case_id}", params=params).text
    assert re.findall(r'<mark class="ev on" data-codes="1">(.*?)</mark>', full, re.S) == marked
    key = cite["document"]
    assert audit_rows(coder.app, action="read", entity="case_document", entity_id=key[4:])
    assert coder.get(f"/ui/cases/{case_id}/source", params={"doc": "cdoc999999"}).status_code == 404
    assert coder.get(f"/ui/cases/{case_id}/source", params={"doc": "../x"}).status_code == 422


def test_examiner_confirms_or_changes_the_classification_but_cannot_file_or_analyse(client_for):
    coder = client_for("coder")
    case_id = open_case(coder)
    examiner = client_for("claims_examiner")
    share(coder, "case", case_id, "claims_examiner")
    page = examiner.get(f"/ui/cases/{case_id}").text
    assert 'data-testid="classify-form"' in page and "Run analysis" not in page
    assert "File a record" not in page
    result = examiner.get(f"/api/cases/{case_id}/file").json()
    top = result["analysis"]["result"]["classification"]["allegations"][0]
    decision = {
        "status": "changed",
        "allegation_group": int(top["group_code"]),
        "allegation": 602,
        "severity": 9,
        "contributing_factors": ["clinical_judgment", "communication"],
        "note": "discharged with an elevated troponin",
        "version": result["version"],
    }
    saved = examiner.post(f"/api/cases/{case_id}/classification", json=decision)
    assert saved.status_code == 200, saved.text
    body = saved.json()["classification"]
    assert body["allegation_label"] == "Premature Discharge from Institution"
    assert body["by"] == "claims_examiner" and body["status"] == "changed"
    stale = examiner.post(f"/api/cases/{case_id}/classification", json=decision)
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    bad = dict(decision, allegation=12345, version=saved.json()["version"])
    refused = examiner.post(f"/api/cases/{case_id}/classification", json=bad)
    assert refused.status_code == 422 and "allowed" in refused.json()["error"]["message"]
    shown = examiner.get(f"/ui/cases/{case_id}").text
    assert "Premature Discharge from Institution" in shown and "changed" in shown
    assert audit_rows(coder.app, action="classify", entity="case", entity_id=str(case_id))
    # Claims staff read and comment; they neither file records, analyse, nor classify (attorney).
    assert examiner.post(f"/api/cases/{case_id}/analyze").status_code == 403
    upload = examiner.post(
        f"/api/cases/{case_id}/documents", files={"file": ("x.txt", b"note", "text/plain")}
    )
    assert upload.status_code == 403
    attorney = client_for("attorney")
    share(coder, "case", case_id, "attorney")
    assert attorney.post(f"/api/cases/{case_id}/classification", json=decision).status_code == 403
    comment = attorney.post(
        "/api/comments",
        json={"target_type": "case", "target_id": case_id, "body": "Deposition due"},
    )
    assert comment.status_code == 201
    assert "Deposition due" in attorney.get(f"/ui/cases/{case_id}").text


def test_codes_and_data_quality_are_shown_and_missing_pcs_pack_is_reported(client_for):
    coder = client_for("coder")
    case_id = open_case(coder)
    text = coder.get(f"/ui/cases/{case_id}").text
    codes = coder.get(f"/api/cases/{case_id}/file").json()["analysis"]["result"]["codes"]
    assert codes and all(c["code"] in text for c in codes)
    assert 'data-testid="data-quality"' in text


def test_synopsis_report_is_created_once_from_the_analysis_and_links_back(client_for):
    coder = client_for("coder")
    case_id = open_case(coder, analyze=False)
    refused = coder.post(f"/api/cases/{case_id}/report")
    assert refused.status_code == 409 and "analysed" in refused.json()["error"]["message"]
    assert "Create synopsis report" not in coder.get(f"/ui/cases/{case_id}").text
    assert coder.post(f"/api/cases/{case_id}/analyze").status_code == 200
    assert "Create synopsis report" in coder.get(f"/ui/cases/{case_id}").text
    first = coder.post(f"/api/cases/{case_id}/report").json()
    again = coder.post(f"/api/cases/{case_id}/report").json()
    assert first["created"] and not again["created"]
    assert first["report"]["id"] == again["report"]["id"]
    body = first["report"]["body"]
    assert body.startswith("SYNOPSIS OF FACTS") and "CLM-2021-0001" in body
    assert re.search(r"\[01_ed_note\.txt @\d+-\d+", body), "sentences keep their citations"
    assert not re.search(r"\bc?doc\d+\b", body), "records are named as the reader knows them"
    report_page = coder.get(f"/ui/reports/{first['report']['id']}").text
    assert f'href="/ui/cases/{case_id}"' in report_page
    assert "Synopsis report" in coder.get(f"/ui/cases/{case_id}").text
    assert client_for("attorney").post(f"/api/cases/{case_id}/report").status_code == 403


def test_bad_case_input_gets_a_clear_4xx(client_for):
    coder = client_for("coder")
    case_id = open_case(coder, analyze=False)
    empty = coder.post("/api/cases", json={"title": "Empty"}).json()["case"]["id"]
    nothing = coder.post(f"/api/cases/{empty}/analyze")
    assert nothing.status_code == 409 and "no records" in nothing.json()["error"]["message"]
    backwards = coder.put(
        f"/api/cases/{case_id}/details",
        json={"policy_start": "2022-01-01", "policy_end": "2021-01-01"},
    )
    assert backwards.status_code == 422 and "policy_end" in backwards.text
    assert coder.put(f"/api/cases/{case_id}/details", json={"npi": "1"}).status_code == 422
    assert coder.get("/ui/cases/999999").status_code == 404
    assert coder.post("/api/cases/999999/analyze").status_code == 404
