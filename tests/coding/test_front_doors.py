"""One note, one setting, one coding: ``medcoder code``, ``medcoder.code()`` and the workbench
return the same codes because they all build a CodingRequest and run the same pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import medcoder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from workbench_api import ensure_user, login  # noqa: E402

NOTES = {
    "office_htn_dm": (
        "CHIEF COMPLAINT\n\nFollow-up of diabetes.\n\nHISTORY OF PRESENT ILLNESS\n\nMr. Lee is a "
        "64-year-old man with type 2 diabetes and hypertension. He takes metformin 1000 mg twice "
        "daily and lisinopril 20 mg daily. Denies chest pain.\n\nREVIEW OF SYSTEMS\n\n"
        "Cardiovascular: Denies chest pain or palpitations.\n\nPHYSICAL EXAMINATION\n\n"
        "SKIN: Warm, dry, and intact.\nLungs: Clear to auscultation.\n\nASSESSMENT AND PLAN\n\n"
        "1. Type 2 diabetes mellitus with hyperglycemia. A1c 8.9. Increase metformin.\n"
        "2. Essential hypertension, well controlled. Continue lisinopril.\n"
    ),
    "ed_flattened": (
        "CHIEF COMPLAINT:, Right wrist pain.,HISTORY OF PRESENT ILLNESS:, A 45-year-old woman "
        "presents to the emergency department after a fall on an outstretched hand.,PHYSICAL "
        "EXAMINATION:, Tenderness over the distal radius.,ED COURSE:, X-ray shows a distal "
        "radius fracture.,IMPRESSION:, Closed fracture of the right distal radius, initial "
        "encounter.,DISPOSITION:, Splinted and discharged home."
    ),
    "operative": (
        "PREOPERATIVE DIAGNOSIS:, Acute cholecystitis with cholelithiasis.,POSTOPERATIVE "
        "DIAGNOSIS:, Acute cholecystitis with cholelithiasis.,PROCEDURE PERFORMED:, "
        "Laparoscopic cholecystectomy.,ANESTHESIA:, General.,ESTIMATED BLOOD LOSS:, Minimal.,"
        "PROCEDURE IN DETAIL:, The patient was taken to the operating room and prepped and "
        "draped in the usual sterile fashion. The gallbladder was removed laparoscopically."
    ),
    "radiology": (
        "EXAM: CT abdomen and pelvis with contrast.\nREASON FOR EXAM: Right lower quadrant "
        "pain.\nFINDINGS: The appendix is dilated with periappendiceal stranding.\n"
        "IMPRESSION: Acute appendicitis.\n"
    ),
    "discharge": (
        "DISCHARGE SUMMARY\n\nDISCHARGE DIAGNOSES:\n1. Community-acquired pneumonia.\n"
        "2. Chronic obstructive pulmonary disease with acute exacerbation.\n3. Hypertension.\n\n"
        "HOSPITAL COURSE: Treated with ceftriaxone and azithromycin, and nebulizers.\n"
    ),
    "negations": (
        "HISTORY OF PRESENT ILLNESS: No fever. Denies cough. No evidence of pneumonia.\n"
        "FAMILY HISTORY: Mother with breast cancer.\nASSESSMENT: Acute bronchitis.\n"
    ),
}
SETTINGS = ("outpatient", "inpatient", "emergency")


def _pairs(codes) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(c["system"], c["code"]) if isinstance(c, dict) else (c.system, c.code) for c in codes]


@pytest.fixture(scope="module")
def note_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("front-door-notes")
    for name, text in NOTES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def _cli_codes(folder: Path, setting: str, data_dir: Path) -> dict[str, list[tuple[str, str]]]:
    run = subprocess.run(
        [sys.executable, "-m", "medcoder", "code", str(folder), "--setting", setting,
         "--format", "jsonl"],
        capture_output=True,
        text=True,
        env={**os.environ, "MEDCODER_DATA_DIR": str(data_dir)},
        timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    return {row["document"]: _pairs(row["codes"]) for row in lines}


def _workbench_codes(app, text: str, setting: str) -> list[tuple[str, str]]:  # noqa: ANN001
    client = TestClient(app, base_url="http://localhost")
    ensure_user(app, "coder", "coder")
    assert login(client, "coder").status_code == 200
    up = client.post(
        "/api/documents",
        files={"file": ("note.txt", text.encode("utf-8"), "text/plain")},
        params={"setting": setting},
    )
    assert up.status_code == 201, up.text
    coded = client.post(f"/api/encounters/{up.json()['encounter_id']}/code")
    assert coded.status_code == 200, coded.text
    return _pairs(coded.json()["encounter"]["codes"])


@pytest.mark.parametrize("setting", SETTINGS)
def test_cli_python_api_and_workbench_code_the_same_note_alike(
    setting: str, note_dir: Path, built_packs: Path, tmp_path: Path
) -> None:
    from medcoder.server import create_app

    cli = _cli_codes(note_dir, setting, built_packs)
    # The database is not what this test is about: SQLite (the suite runs both elsewhere).
    app = create_app(f"sqlite:///{tmp_path / 'workbench.db'}", secret="test-secret")
    try:
        for name, text in NOTES.items():
            api = _pairs(medcoder.code(text, setting=setting, document_id=name).codes)
            assert cli[name] == api, f"{name}: CLI and medcoder.code() differ"
            assert _workbench_codes(app, text, setting) == api, f"{name}: workbench differs"
    finally:
        app.state.workbench.db.dispose()


def test_encounter_setting_and_discharge_date_decide_the_request() -> None:
    from datetime import date

    from medcoder.coding.request import CodingRequest
    from medcoder.documents.model import Encounter, Setting

    stay = Encounter(
        "e1",
        setting=Setting.INPATIENT,
        admission_date=date(2025, 9, 28),
        discharge_date=date(2025, 10, 3),
    )
    request = CodingRequest.for_encounter(stay)
    assert request.setting is Setting.INPATIENT
    assert request.on == date(2025, 10, 3)  # a stay across 1 October takes the discharge year
    assert request.systems == ("ICD-10-CM", "ICD-10-PCS")
