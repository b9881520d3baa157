"""The claim preview on the encounter page reads as a claim (diagnoses with their pointer
letters, service lines, totals) with the JSON one click away, and the page says which code-set
versions the coding run used."""

from __future__ import annotations

import html
import re

from ui_workbench import audit_rows

NOTE = (
    "OFFICE VISIT 03/02/2026\n"
    "ASSESSMENT AND PLAN:\n"
    "1. Type 2 diabetes mellitus with diabetic chronic kidney disease. Continue metformin.\n"
    "2. Chronic kidney disease stage 3a, eGFR 52. Recheck BMP in 3 months.\n"
)


def _coded_and_accepted(client) -> int:
    created = client.post("/api/encounters", json={"service_date": "2026-03-02"})
    eid = created.json()["encounter"]["id"]
    upload = client.post(
        "/api/documents",
        params={"encounter_id": eid},
        files={"file": ("visit.txt", NOTE.encode(), "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    coded = client.post(f"/api/encounters/{eid}/code")
    assert coded.status_code == 200, coded.text
    for code in coded.json()["encounter"]["codes"]:
        if code["code"] in ("E11.22", "N18.31"):
            accepted = client.post(
                f"/api/suggestions/{code['id']}/accept", json={"version": code["version"]}
            )
            assert accepted.status_code == 200, accepted.text
    return eid


def _cells(html: str, testid: str) -> list[list[str]]:
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
             for r in rows]  # fmt: skip
    return [row for row in cells if row]  # the header row has no <td>


def test_the_claim_preview_lists_diagnoses_by_pointer_letter_with_totals(client_for, built_packs):
    coder = client_for("coder")
    eid = _coded_and_accepted(coder)
    page = coder.get(f"/ui/encounters/{eid}").text
    diagnoses = _cells(page, "claim-diagnoses")
    assert [row[0] for row in diagnoses] == ["A", "B"]
    assert {row[1].split()[0] for row in diagnoses} == {"E11.22", "N18.31"}
    assert "first-listed" in diagnoses[0][1]
    totals = re.search(r'data-testid="claim-totals">(.*?)</p>', page, re.S).group(1)
    assert "2 diagnoses" in totals and "0 service lines" in totals
    # the JSON is still there, one click away, and still downloads
    assert re.search(r'<details class="more small">\s*<summary>Claim data as JSON', page)
    assert '"pointer": 1' in html.unescape(page)
    assert coder.get(f"/ui/encounters/{eid}/claim.json").json()["diagnoses"][0]["pointer"] == 1


def test_the_preview_fragment_is_what_ui_js_swaps_in_after_a_review(client_for, built_packs):
    coder = client_for("coder")
    eid = _coded_and_accepted(coder)
    fragment = coder.get(f"/ui/encounters/{eid}/claim")
    assert fragment.status_code == 200
    assert 'data-testid="claim-diagnoses"' in fragment.text
    assert '<div class="claim-preview"' not in fragment.text  # the panel's inside only
    assert audit_rows(coder.app, action="read", entity="encounter")
    page = coder.get(f"/ui/encounters/{eid}").text
    assert f'data-refresh-url="/ui/encounters/{eid}/claim" data-refresh-with="#codes"' in page


def test_the_page_names_the_code_set_versions_of_the_coding_run(client_for, built_packs):
    coder = client_for("coder")
    eid = _coded_and_accepted(coder)
    page = coder.get(f"/ui/encounters/{eid}").text
    line = re.search(r'data-testid="code-sets">(.*?)</p>', page, re.S).group(1)
    assert "ICD-10-CM FY2026" in line
