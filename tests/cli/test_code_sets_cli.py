"""The command line and code sets by date of service: a date whose code set is not installed is
coded with the nearest one and says which; every result names the versions it used; `data
list` shows which years each system has; errors come before notes, with one exit status rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTE = (
    "CHIEF COMPLAINT: cough and fever for three days.\n"
    "ASSESSMENT/PLAN:\n"
    "1. Community acquired pneumonia, right lower lobe. Start amoxicillin.\n"
    "2. Type 2 diabetes mellitus without complications, continue metformin.\n"
)


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEDCODER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "medcoder", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_a_date_whose_fiscal_year_is_not_installed_codes_with_the_newest_and_says_so(
    built_packs: Path, tmp_path: Path
) -> None:
    note = tmp_path / "visit.txt"
    note.write_text(NOTE)
    # 2026-12-05 is in FY2027; the packs hold the FY2026 tabular and a FY2025 index
    done = run("code", str(note), "--date", "2026-12-05", "--format", "json", data_dir=built_packs)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "J18.9" in {c["code"] for c in result["codes"]}
    assert result["code_sets"]["ICD-10-CM"] == "FY2026"
    assert result["code_sets"]["ICD-10-CM index"] == "FY2025"
    (warning,) = [w for w in result["warnings"] if w.startswith("ICD-10-CM for")]
    assert "2026-12-05: FY2027 is not installed; used FY2026" in warning
    table = run("code", str(note), "--date", "2026-12-05", data_dir=built_packs)
    assert table.returncode == 0 and "FY2027 is not installed" in table.stdout


def test_without_a_date_the_result_names_the_mixed_years(built_packs: Path, tmp_path: Path) -> None:
    note = tmp_path / "visit.txt"
    note.write_text(NOTE)
    done = run("code", str(note), "--format", "jsonl", data_dir=built_packs)
    result = json.loads(done.stdout)
    assert result["code_sets"] == {"ICD-10-CM": "FY2026", "ICD-10-CM index": "FY2025"}
    assert any("no date of service given" in w and "index FY2025" in w for w in result["warnings"])


def test_data_list_shows_the_years_of_each_system_and_those_a_date_gets(built_packs: Path) -> None:
    done = run("data", "list", "--date", "2026-12-05", "--format", "json", data_dir=built_packs)
    assert done.returncode == 0, done.stderr
    systems = {s["system"]: s for s in json.loads(done.stdout)["systems"]}
    assert systems["ICD-10-CM"]["versions"] == ["FY2026"]
    assert systems["ICD-10-CM"]["used_for_date"] == "FY2026"
    assert systems["ICD-10-CM"]["in_force_on_date"] is False
    assert (
        systems["ICD-10-PCS"]["versions"] == [] and systems["ICD-10-PCS"]["used_for_date"] is None
    )
    table = run("data", "list", "--date", "2026-03-02", data_dir=built_packs)
    assert "ICD-10-PCS" in table.stdout and "FY2026" in table.stdout


def test_a_missing_file_is_one_input_error_with_no_note_before_it(
    built_packs: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.txt"
    for args in (("code", str(missing)), ("claim", str(missing)), ("explain", str(missing))):
        done = run(*args, data_dir=built_packs)
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr.startswith("Error: ") and str(missing) in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_validate_reads_the_system_from_the_code_or_takes_it_given(built_packs: Path) -> None:
    done = run(
        "validate", "J1885", "--date", "2026-03-02", "--format", "json", data_dir=built_packs
    )
    verdict = json.loads(done.stdout)
    assert verdict["system"] == "HCPCS" and "J18.85" in verdict["reason"]
    bad = run("validate", "E11.22", "--system", "loinc", data_dir=built_packs)
    assert bad.returncode == 2 and "unknown code system 'loinc'" in bad.stderr
