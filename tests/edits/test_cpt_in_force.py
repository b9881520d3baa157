"""A CPT code must be in the user's licensed CPT file of the date of service's year: a code
deleted on 1 January is rejected on a claim dated after it (CO-16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets.cpt import build_cpt_pack
from medcoder.edits import Scrubber


@pytest.fixture()
def cpt_2026(tmp_path: Path) -> None:
    licensed = tmp_path / "cpt_2026.csv"
    licensed.write_text(
        "CPT Code,Description\n"
        '99213,"Synthetic descriptor for a test"\n'
        '93000,"Synthetic descriptor for a test"\n',
        encoding="utf-8",
    )
    build_cpt_pack(licensed, 2026)


def _findings(make, code: str):  # noqa: ANN001, ANN202
    encounter = make(lines=[{"code": code, "charge": "120.00", "dx_pointers": [1]}])
    report = Scrubber(imported=False).scrub(encounter)
    return report, [f for f in report.findings if f.rule_id == "LINE-CPT-001"]


def test_a_cpt_code_not_in_the_years_file_is_rejected(make, cpt_2026) -> None:  # noqa: ANN001
    _, found = _findings(make, "99201")  # deleted from CPT on 1 January 2021
    assert len(found) == 1 and "99201" in found[0].reason and "2026-01-15" in found[0].reason


def test_a_cpt_code_in_force_passes(make, cpt_2026) -> None:  # noqa: ANN001
    _, found = _findings(make, "99213")
    assert found == []


def test_without_a_cpt_file_the_rule_says_why_it_did_not_run(make) -> None:  # noqa: ANN001
    report, found = _findings(make, "99201")
    assert found == [] and "LINE-CPT-001" in report.rules_skipped
