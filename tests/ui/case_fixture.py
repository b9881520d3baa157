"""A stored malpractice case for the page and browser tests: the synthetic missed-MI file
(tests/fixtures/casework/ed_missed_mi) opened, described and filed through the JSON API."""

from __future__ import annotations

import json
from pathlib import Path

CASE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "casework" / "ed_missed_mi"


def manifest_details() -> dict:
    """The ``case.json`` manifest as the details API takes it."""
    raw = json.loads((CASE_DIR / "case.json").read_text())
    policy = raw.pop("policy_period")
    raw["claimant"] = raw["claimant"]["name"]
    return {**raw, "policy_start": policy["start"], "policy_end": policy["end"]}


def open_case(client, *, analyze: bool = True) -> int:
    """Open the case, set its claim facts, file every record, and (optionally) analyse it."""
    created = client.post(
        "/api/cases", json={"title": "Testperson v. Ordwin", "kind": "malpractice"}
    )
    assert created.status_code == 201, created.text
    case_id = created.json()["case"]["id"]
    details = client.put(f"/api/cases/{case_id}/details", json=manifest_details())
    assert details.status_code == 200, details.text
    for path in sorted(CASE_DIR.glob("*.txt")):
        filed = client.post(
            f"/api/cases/{case_id}/documents",
            files={"file": (path.name, path.read_bytes(), "text/plain")},
        )
        assert filed.status_code == 201, filed.text
    if analyze:
        ran = client.post(f"/api/cases/{case_id}/analyze")
        assert ran.status_code == 200, ran.text
    return case_id
