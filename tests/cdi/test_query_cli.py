"""`medcoder query find` and `query lint` as a CDI specialist meets them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTE = (
    "PAST MEDICAL HISTORY: , Coronary artery disease, diabetes, hypertension, and CHF.,"
    "ALLERGIES: , PENICILLIN and ADHESIVE TAPE.,MEDICATIONS: , Lasix 40 mg daily.,"
    "IMPRESSION/PLAN:,  I have explained the risks, which include bleeding, infection, deep "
    "venous thrombosis and pulmonary embolism.  He wants to proceed.\n"
)


def _run(*args: str, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEDCODER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "medcoder", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300, input=stdin,
    )  # fmt: skip


def test_query_find_prints_each_query_once_with_each_indicator_once(built_packs, tmp_path):
    path = tmp_path / "consult.txt"
    path.write_text(NOTE)
    done = _run("query", "find", str(path), "--setting", "outpatient", data_dir=built_packs)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "heart_failure_specificity.v2" in out and "diabetes_type.v1" in out
    assert out.count("Lasix") == 1  # cited once, in the heart failure query
    assert str(path) not in out and "ADHESIVE" not in out and "embolism" not in out
    data = json.loads(
        _run("query", "find", str(path), "-s", "outpatient", "--format", "json",
             data_dir=built_packs).stdout
    )  # fmt: skip
    assert {o["topic"] for o in data} == {"heart_failure", "diabetes"}
    assert all(o["query"]["clinical_indicators"] for o in data)


def test_query_lint_refuses_a_free_text_yes_no_question(built_packs):
    text = (
        "Clinical indicators:\n- Temperature 39.2 C\n\nDoes the patient have sepsis? Yes or no.\n"
    )
    done = _run("query", "lint", "-", data_dir=built_packs, stdin=text)
    assert done.returncode == 1
    assert "yes-no-new-diagnosis" in done.stdout
