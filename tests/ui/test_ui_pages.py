"""The workbench pages over HTTP: sessions, escaping, evidence marks, worklist paging,
the dashboard's numbers and who may open which page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ui_workbench import audit_rows, finalize, share

HOSTILE_NOTE = (
    "HPI: <script>alert('x')</script> & friends.\n"
    "Type 2 diabetes mellitus. Essential hypertension.\n"
)


def _stub_coder(encounter):
    """Two codes whose evidence is found by searching the stored text (offsets are exact)."""
    from medcoder.suggestions import CodeSuggestion, CodingResult, Evidence

    document = encounter.documents[0]
    text = document.text

    def evidence(phrase: str) -> Evidence:
        start = text.index(phrase)
        return Evidence(f"doc{document.id}", start, start + len(phrase), phrase)

    return CodingResult(
        document=f"enc{encounter.id}",
        setting=encounter.setting,
        codes=[
            CodeSuggestion("ICD-10-CM", "E11.9", "Type 2 diabetes", 0.9, [evidence("diabetes")]),
            CodeSuggestion("ICD-10-CM", "I10", "Hypertension", 0.8, [evidence("hypertension")]),
        ],
    )


@pytest.fixture
def app_options() -> dict:
    return {"coder": _stub_coder}


def _coded(client, text: str = HOSTILE_NOTE) -> int:
    response = client.post(
        "/api/documents", files={"file": ("note.txt", text.encode(), "text/plain")}
    )
    assert response.status_code == 201, response.text
    encounter_id = response.json()["encounter_id"]
    assert client.post(f"/api/encounters/{encounter_id}/code").status_code == 200
    return encounter_id


def test_pages_send_a_visitor_without_a_session_to_the_login_page(client_for):
    anonymous = client_for()
    for path in ["/ui/worklist", "/ui/encounters/1", "/ui/reports/1", "/ui/dashboard"]:
        response = anonymous.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui/login?next=%2Fui%2F")
    assert anonymous.get("/ui").headers["location"] == "/ui/worklist"


def test_login_page_sets_the_csrf_cookie_and_only_returns_to_our_pages(client_for):
    client = client_for()
    page = client.get("/ui/login", params={"next": "//evil.example/ui/x"})
    assert page.status_code == 200
    token = client.cookies.get("medcoder_csrf")
    assert token and f'value="{token}"' in page.text
    assert 'data-next="/ui/"' in page.text  # the worklist, or an admin's account page
    assert page.headers["cache-control"] == "no-store"
    assert 'data-next="/ui/reports/3"' in client.get("/ui/login?next=/ui/reports/3").text


def test_document_text_is_escaped_and_each_codes_evidence_is_marked(client_for):
    coder = client_for("coder")
    encounter_id = _coded(coder)
    page = coder.get(f"/ui/encounters/{encounter_id}")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends." in html
    codes = coder.get(f"/api/encounters/{encounter_id}").json()["encounter"]["codes"]
    ids = {c["code"]: c["id"] for c in codes}
    assert f'<mark class="ev" data-codes="{ids["E11.9"]}">diabetes</mark>' in html
    assert f'<mark class="ev" data-codes="{ids["I10"]}">hypertension</mark>' in html
    assert f'data-show-evidence="{ids["E11.9"]}"' in html
    # Without script, ?focus= lights the same spans.
    focused = coder.get(f"/ui/encounters/{encounter_id}?focus={ids['I10']}").text
    assert f'<mark class="ev on" data-codes="{ids["I10"]}">hypertension</mark>' in focused
    assert audit_rows(coder.app, action="read", entity="encounter", entity_id=str(encounter_id)), (
        "a page read is audited like an API read"
    )


def test_codes_panel_shows_review_buttons_to_coders_only(client_for):
    coder = client_for("coder")
    encounter_id = _coded(coder)
    panel = coder.get(f"/ui/encounters/{encounter_id}/codes").text
    assert panel.count(">Accept</button>") == 2 and "Finalize" in panel
    assert "<html" not in panel  # a partial, swapped into the page
    physician = client_for("physician")
    refused = physician.get(f"/ui/encounters/{encounter_id}")  # not theirs: "not allowed"
    assert refused.headers["location"] == "/ui/forbidden?need=record"
    share(coder, "encounter", encounter_id, "physician")
    page = physician.get(f"/ui/encounters/{encounter_id}").text
    assert ">Accept</button>" not in page and "Run coding" not in page
    assert "E11.9" in page


def test_worklist_filters_and_pages(client_for):
    coder = client_for("coder")
    for i in range(27):
        setting = "inpatient" if i % 3 == 0 else "outpatient"
        assert coder.post("/api/encounters", json={"setting": setting}).status_code == 201
    first = coder.get("/ui/worklist").text
    assert "27 encounters" in first and "Page 1 of 2" in first
    assert first.count('href="/ui/encounters/') == 25
    second = coder.get("/ui/worklist?page=2").text
    assert second.count('href="/ui/encounters/') == 2 and "Previous" in second
    inpatient = coder.get("/ui/worklist?setting=inpatient").text
    assert "9 encounters" in inpatient and "Page 1 of 1" in inpatient
    assert "No encounters match" in coder.get("/ui/worklist?status=finalized").text
    assert coder.get("/ui/worklist?status=bogus").status_code == 422


def test_dashboard_is_for_managers_and_counts_review_outcomes(client_for):
    coder = client_for("coder")
    encounter_id = _coded(coder)
    codes = coder.get(f"/api/encounters/{encounter_id}").json()["encounter"]["codes"]
    assert coder.post(f"/api/suggestions/{codes[0]['id']}/accept", json={"version": 1}).is_success
    rejected = coder.post(
        f"/api/suggestions/{codes[1]['id']}/reject", json={"version": 1, "reason": "no"}
    )
    assert rejected.is_success
    assert finalize(coder, encounter_id).is_success

    refused = coder.get("/ui/dashboard")
    assert refused.headers["location"] == "/ui/forbidden?need=dashboard"
    assert "manager" in coder.get(refused.headers["location"]).text
    assert audit_rows(coder.app, username="coder", outcome="refused", action="dashboard")

    html = client_for("manager").get("/ui/dashboard").text
    accuracy = re.search(r'kpi-accuracy".*?kpi-value">([^<]+)<', html, re.S).group(1)
    assert accuracy.strip() == "50%"
    assert re.search(r'kpi-finalized".*?kpi-value">1<', html, re.S)
    assert html.count("<svg") == 3 and "<rect" in html


def test_report_page_offers_only_the_viewers_transitions(client_for):
    coder = client_for("coder")
    report = coder.post("/api/reports", json={"title": "Summary <b>", "body": "v1"}).json()
    report_id = report["report"]["id"]
    page = coder.get(f"/ui/reports/{report_id}").text
    assert "Send for physician review" in page and "Approve" not in page
    assert "Summary &lt;b&gt;" in page
    coder.post(
        f"/api/reports/{report_id}/transition", json={"to": "physician_review", "version": 1}
    )
    manager = client_for("manager").get(f"/ui/reports/{report_id}").text
    assert ">Approve</button>" in manager
    client_for("physician")
    share(coder, "report", report_id, "physician")
    physician = client_for("physician").get(f"/ui/reports/{report_id}").text
    assert "Return for corrections" in physician and ">Approve</button>" not in physician
    listing = coder.get("/ui/reports?state=physician_review").text
    assert f"/ui/reports/{report_id}" in listing


def test_claim_preview_downloads_as_json(client_for):
    coder = client_for("coder")
    encounter_id = _coded(coder)
    response = coder.get(f"/ui/encounters/{encounter_id}/claim.json")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.json()["diagnoses"] == []  # nothing reviewed yet: no final codes
    assert audit_rows(coder.app, action="export", entity="claim")


def test_every_page_view_has_its_template_and_partials_start_with_underscore():
    import importlib

    from medcoder.server.ui import views

    here = Path(views.__file__).parent
    templates = here / "templates"
    names = {p.name for p in templates.glob("*.html")}
    modules = [  # views.py and each page family's own module (cdi_views.py, ...)
        importlib.import_module(f"medcoder.server.ui.{p.stem}") for p in here.glob("*views.py")
    ]
    pages = {
        name.removesuffix("_view")
        for module in modules
        for name in dir(module)
        if name.endswith("_view")
        and name not in ("home_view", "encounter_codes_view", "claim_view")
    }
    assert {f"{p}.html" for p in pages} <= names
    source = "".join(p.read_text() for p in templates.glob("*.html"))
    included = set(re.findall(r'{% (?:include|extends) "([^"]+)"', source))
    assert all(name.startswith("_") for name in included)
    assert {n for n in names if not n.startswith("_")} == {f"{p}.html" for p in pages}
