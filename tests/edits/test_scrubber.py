"""The scrubber end to end: ordering, readiness, skipped rules, report shape, speed."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from medcoder.edits import RULES, Scrubber, rule_catalogue, scrub
from medcoder.edits.findings import Severity

TODAY = dt.date(2026, 3, 1)


def test_clean_encounter_is_ready_to_submit(built_packs: Path, make, ptp, mue) -> None:
    report = scrub(make(), ncci=ptp, mue=mue, today=TODAY)
    assert report.findings == [] and report.ready_to_submit
    assert report.icd10cm_version == 2026 and report.claim_type == "837P"
    # No HCPCS or CPT file; no documents given to compare the codes with.
    assert set(report.rules_skipped) == {
        "LINE-CODE-001",
        "LINE-MOD-003",
        "LINE-CPT-001",
        "DX-LAT-001",
    }


def test_findings_are_sorted_by_severity_and_rejects_block(built_packs: Path, make, ptp) -> None:
    enc = make(
        diagnoses=[{"code": "I10"}, {"code": "E11"}, {"code": "I10"}],
        lines=[
            {"code": "99213", "charge": "1", "dx_pointers": [1]},
            {"code": "11042", "charge": "1", "dx_pointers": [1]},
            {"code": "97597", "charge": "1", "dx_pointers": [2]},
        ],
    )
    report = scrub(enc, ncci=ptp, today=TODAY)
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks)
    ids = [f.rule_id for f in report.findings]
    assert ids[0] == "DX-VALID-002" and "LINE-EM25-001" in ids and "NCCI-PTP-002" in ids
    assert ids[-1] == "DX-DUP-001"
    assert not report.ready_to_submit and report.blocking[0].severity is Severity.REJECT


def test_rules_without_their_tables_are_skipped_with_the_reason(built_packs: Path, make) -> None:
    report = scrub(make(), today=TODAY)
    assert set(report.rules_skipped) == {
        "NCCI-PTP-001",
        "NCCI-PTP-002",
        "NCCI-PTP-003",
        "MUE-001",
        "MUE-002",
        "MUE-003",
        "LINE-CODE-001",
        "LINE-MOD-003",
        "LINE-CPT-001",  # no CPT file
        "DX-LAT-001",  # no documents given
    }
    assert "medcoder data import" in report.rules_skipped["NCCI-PTP-001"]
    assert (
        "load_ptp"
        in Scrubber(imported=False).scrub(make(), today=TODAY).rules_skipped["NCCI-PTP-001"]
    )
    assert "HCPCS" in report.rules_skipped["LINE-CODE-001"]


def test_report_is_json_and_accepts_dicts_and_paths(
    built_packs: Path, make, edits_dir: Path
) -> None:
    enc = make(payer={"member_id": ""}).model_dump(mode="json")
    report = scrub(
        enc,
        ncci=edits_dir / "ptp_practitioner.txt",
        mue=edits_dir / "mue_practitioner.txt",
        policy=edits_dir / "policy_example.yaml",
        today=TODAY,
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ready_to_submit"] is False and data["counts"]["reject"] == 1
    assert data["findings"][0]["rule_id"] == "CLM-MEMBER-001"
    assert data["findings"][0]["fix"]


def test_inpatient_claim_uses_discharge_date_and_837i(built_packs: Path, make) -> None:
    enc = make(
        setting="inpatient", admission_date="2025-09-28", discharge_date="2025-10-02", lines=[]
    )
    report = scrub(enc, today=TODAY)
    assert report.claim_type == "837I" and report.date_of_service == dt.date(2025, 10, 2)


def test_rule_ids_are_unique_and_every_rule_is_tested() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Z]+(-[A-Z0-9]+)+", i) for i in ids)
    tests = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    untested = [i for i in ids if f'"{i}"' not in tests]
    assert untested == []
    assert {c["severity"] for c in rule_catalogue()} == {"reject", "deny", "warn"}
