"""The scrub-findings panel on the encounter page, and its fragment that ui.js swaps in after
each review action."""

from __future__ import annotations

import re

import pytest
from ui_workbench import audit_rows

DOS = "2026-03-02"  # inside the built-in ICD-10-CM pack's year (FY2026)
NOTE = "Type 2 diabetes mellitus. Type 1 diabetes mellitus per an old chart.\n"


def _stub_coder(encounter):
    """Type 2 and type 1 diabetes: an Excludes1 pair once both are kept."""
    from medcoder.suggestions import CodeSuggestion, CodingResult, Evidence

    document = encounter.documents[0]

    def evidence(phrase: str) -> Evidence:
        start = document.text.index(phrase)
        return Evidence(f"doc{document.id}", start, start + len(phrase), phrase)

    return CodingResult(
        document=f"enc{encounter.id}",
        setting=encounter.setting,
        codes=[
            CodeSuggestion("ICD-10-CM", "E11.9", "Type 2 diabetes", 0.9, [evidence("Type 2")]),
            CodeSuggestion("ICD-10-CM", "E10.9", "Type 1 diabetes", 0.6, [evidence("Type 1")]),
        ],
    )


@pytest.fixture
def app_options() -> dict:
    return {"coder": _stub_coder}


def _coded(client) -> tuple[int, list[dict]]:
    created = client.post("/api/encounters", json={"service_date": DOS})
    eid = created.json()["encounter"]["id"]
    upload = client.post(
        "/api/documents",
        params={"encounter_id": eid},
        files={"file": ("note.txt", NOTE.encode(), "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    coded = client.post(f"/api/encounters/{eid}/code")
    assert coded.status_code == 200, coded.text
    return eid, coded.json()["encounter"]["codes"]


def _rows(html: str) -> list[str]:
    return re.findall(r'data-testid="finding-([A-Z0-9-]+)"', html)


def test_encounter_page_shows_the_findings_on_the_final_codes(client_for, built_packs):
    coder = client_for("coder")
    eid, codes = _coded(coder)
    page = coder.get(f"/ui/encounters/{eid}").text
    assert page.count('data-testid="scrub-panel"') == 1
    assert 'data-refresh-with="#codes"' in page
    assert 'data-testid="scrub-empty"' in page  # suggestions are not final codes

    for code in codes:
        accepted = coder.post(
            f"/api/suggestions/{code['id']}/accept", json={"version": code["version"]}
        )
        assert accepted.status_code == 200, accepted.text
    page = coder.get(f"/ui/encounters/{eid}").text
    assert "DX-EXCL1-001" in _rows(page)
    row = re.search(
        r'<tr class="finding sev-reject" data-testid="finding-DX-EXCL1-001".*?</tr>', page, re.S
    )  # noqa: E501
    assert row, "the Excludes1 finding is a reject"
    cells = row.group(0)
    for code in codes:  # each code involved opens its evidence
        assert f'data-show-evidence="{code["id"]}"' in cells
    assert "Excludes1" in cells and "Report only the code the documentation supports" in cells
    assert re.search(r'data-testid="scrub-verdict">\d+ blocking<', page)
    assert "checked at export" in page  # the deferred claim-data rules are named


def test_the_fragment_is_what_ui_js_swaps_in_and_it_is_audited(client_for, built_packs):
    coder = client_for("coder")
    eid, codes = _coded(coder)
    for code in codes:
        coder.post(f"/api/suggestions/{code['id']}/accept", json={"version": code["version"]})
    fragment = coder.get(f"/ui/encounters/{eid}/scrub")
    assert fragment.status_code == 200
    assert fragment.headers["cache-control"] == "no-store"
    html = fragment.text
    assert "<section" not in html and "<html" not in html.lower()
    assert "DX-EXCL1-001" in _rows(html)

    type1 = next(c for c in codes if c["code"] == "E10.9")
    rejected = coder.post(
        f"/api/suggestions/{type1['id']}/reject",
        json={"version": type1["version"] + 1, "reason": "<i>old chart</i>"},
    )
    assert rejected.status_code == 200, rejected.text
    after = coder.get(f"/ui/encounters/{eid}/scrub").text
    assert "DX-EXCL1-001" not in _rows(after)
    reads = audit_rows(coder.app, action="read", entity="encounter", entity_id=str(eid))
    assert len(reads) >= 2


def test_fragment_needs_a_reader(client_for, built_packs):
    coder = client_for("coder")
    eid, _ = _coded(coder)
    admin = client_for("admin")
    refused = admin.get(f"/ui/encounters/{eid}/scrub")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/ui/forbidden?need=read"
    anonymous = client_for()
    assert anonymous.get(f"/ui/encounters/{eid}/scrub").status_code == 303
