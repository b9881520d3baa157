"""NCCI PTP and MUE files in CMS's published layout, imported with ``medcoder data import``
and used by the scrubber for the quarter of the date of service (issue 17)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medcoder.codesets.importer import detect, import_paths
from medcoder.codesets.ncci import PackedMue, PackedPtp, imported_table, quarter_period
from medcoder.edits import Scrubber
from medcoder.errors import PackNotFoundError

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 3, 1)


@pytest.fixture()
def cms_folder(tmp_path: Path, edits_dir: Path) -> Path:
    """The fixtures under the names CMS gives its January 2026 files."""
    folder = tmp_path / "ncci"
    folder.mkdir()
    shutil.copy(edits_dir / "ptp_practitioner.txt", folder / "ccipra-v320r0-f1.txt")
    shutil.copy(edits_dir / "ptp_outpatient.csv", folder / "ccioph-v320r0-f1.csv")
    shutil.copy(
        edits_dir / "mue_practitioner.txt",
        folder / "MCR_MUE_PractitionerServices_Eff_01-01-2026.csv",
    )
    return folder


def test_cms_files_are_recognised_with_their_table_and_quarter(cms_folder: Path) -> None:
    assert detect(cms_folder / "ccipra-v320r0-f1.txt") == ("ncci-ptp-practitioner", "2026q1")
    assert detect(cms_folder / "ccioph-v320r0-f1.csv") == ("ncci-ptp-hospital", "2026q1")
    assert detect(cms_folder / "MCR_MUE_PractitionerServices_Eff_01-01-2026.csv") == (
        "ncci-mue-practitioner",
        "2026q1",
    )
    assert quarter_period("2026q1", TODAY) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter_period("2025q4", TODAY) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_imported_tables_answer_like_the_files(cms_folder: Path) -> None:
    report = import_paths([cms_folder])
    assert sorted(c for c, _, _ in report.built) == [
        "ncci-mue-practitioner",
        "ncci-ptp-hospital",
        "ncci-ptp-practitioner",
    ]
    ptp = imported_table("ptp", "practitioner", dt.date(2026, 2, 1))
    assert isinstance(ptp, PackedPtp)
    edit = ptp.edit("11042", "97597", dt.date(2026, 2, 1))
    assert edit is not None and edit.modifier_indicator == 1
    mue = imported_table("mue", "practitioner", dt.date(2026, 2, 1))
    assert isinstance(mue, PackedMue) and mue["36415"].mai == 2 and mue.get("99999") is None


def test_scrubber_uses_the_imported_tables_for_the_claims_quarter(cms_folder, make) -> None:
    import_paths([cms_folder])
    enc = make(
        lines=[
            {"code": "11042", "charge": "1", "dx_pointers": [1]},
            {"code": "97597", "charge": "1", "dx_pointers": [1]},
            {"code": "36415", "units": 2, "charge": "1", "dx_pointers": [1]},
        ]
    )
    report = Scrubber().scrub(enc, today=TODAY)
    ids = [f.rule_id for f in report.findings]
    assert "NCCI-PTP-002" in ids and "MUE-002" in ids
    assert "NCCI-PTP-001" not in report.rules_skipped


def test_without_imported_tables_the_report_says_the_edits_were_not_run(make) -> None:
    report = Scrubber().scrub(make(), today=TODAY)
    reason = report.rules_skipped["NCCI-PTP-001"]
    assert "not run" in reason and "cms.gov" in reason and "medcoder data import" in reason
    assert any("NCCI-PTP-001" in note for note in report.not_run_notes())


def test_a_date_outside_the_imported_quarter_is_not_edited(cms_folder, make) -> None:
    import_paths([cms_folder])
    with pytest.raises(PackNotFoundError, match="none in force on 2025-12-15"):
        imported_table("ptp", "practitioner", dt.date(2025, 12, 15))
    report = Scrubber().scrub(make(service_date="2025-12-15"), today=TODAY)
    assert "NCCI-PTP-001" in report.rules_skipped


def test_data_import_command_builds_the_ncci_packs(cms_folder: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MEDCODER_DATA_DIR": str(tmp_path / "data")}
    imported = subprocess.run(
        [sys.executable, "-m", "medcoder", "data", "import", str(cms_folder)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "medcoder", "data", "list", "--format", "json"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert "ncci-ptp-practitioner" in listed.stdout
