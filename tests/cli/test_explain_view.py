"""``medcoder explain`` for procedures and services, and the systems each setting codes.

Issue 5: the PCS construction is shown axis by axis (position, axis, value, meaning, why) and
an E/M level as its MDM grid; ``medcoder code`` without ``--systems`` codes what the setting
calls for (inpatient and abstraction: ICD-10-PCS too; outpatient: CPT/HCPCS services).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medcoder.cli.explain_view import render
from medcoder.codesets import pack_store
from medcoder.codesets.icd10pcs import build_pcs_pack, read_pcs
from medcoder.coding.request import CodingRequest
from medcoder.documents.sections import segment
from medcoder.documents.text_reader import text_document
from medcoder.procedures.pcs_engine import PcsEngine
from medcoder.services.service_codes import service_codes
from medcoder.suggestions import CodingResult

REPO = Path(__file__).resolve().parents[2]
OP_NOTE = (
    "OPERATIVE REPORT\nPreoperative diagnosis: Acute cholecystitis with cholelithiasis.\n"
    "Procedure: Laparoscopic cholecystectomy.\n"
    "The gallbladder was removed laparoscopically without complication.\n"
)
OFFICE_NOTE = (
    "Established patient.\nAssessment: type 2 diabetes, worsening.\n"
    "Reviewed HbA1c and BMP.\nPrescription drug management.\nTotal time 45 minutes.\n"
)


def _pcs_fixture_pack(fixtures: Path) -> Path:
    folder = fixtures / "procedures"
    return build_pcs_pack([folder / "pcs_tables_2023.xml", folder / "pcs_index_2023.xml"], 2023)


def _printed(result: CodingResult) -> str:
    from rich.console import Console

    out = Console(record=True, width=200)
    render(out, result)
    return out.export_text()


def test_explain_prints_an_axis_table_for_each_pcs_code(fixtures: Path) -> None:
    engine = PcsEngine(
        "inpatient", data=read_pcs(pack_store.open_pack(_pcs_fixture_pack(fixtures)))
    )
    document = segment(text_document(OP_NOTE, doc_id="op", source="op"))
    pcs = engine.analyze(document)
    result = CodingResult("op", "inpatient", codes=pcs.codes, rejected=pcs.rejected)
    text = _printed(result)
    assert "0FT44ZZ · ICD-10-PCS axis by axis" in text
    for row in (
        ("1", "Section", "0", "Medical and Surgical"),
        ("3", "Operation", "T", "Resection"),
        ("4", "Body Part", "4", "Gallbladder"),
        ("5", "Approach", "4", "Percutaneous Endoscopic", "documented approach 'laparoscopic'"),
        ("7", "Qualifier", "Z", "No Qualifier", "only value the table allows"),
    ):
        line = next(x for x in text.splitlines() if x.startswith(f"│ {row[0]} "))
        assert all(cell in line for cell in row), line
    lines = text.splitlines()
    first = next(i for i, x in enumerate(lines) if x.startswith("│ 0FT44ZZ"))
    how = lines[first] + lines[first + 1]
    assert "index: Cholecystectomy" in how
    assert "axis by axis below" in how  # the How cell points to the table, it is not the table
    assert "only value the table allows" not in how
    assert "0FC4" not in text  # "removed" with the gallbladder as object is no Extirpation


def test_explain_marks_an_incomplete_code_and_its_missing_axis(fixtures: Path) -> None:
    # Abstraction reports a prefix; billing settings make it a query instead (PCS A8).
    engine = PcsEngine(
        "abstraction", data=read_pcs(pack_store.open_pack(_pcs_fixture_pack(fixtures)))
    )
    document = segment(text_document("Cholecystectomy was performed.", doc_id="op", source="op"))
    text = _printed(CodingResult("op", "inpatient", codes=engine.code_document(document)))
    assert "incomplete: longest valid prefix 0FT4, missing Approach" in text
    line = next(x for x in text.splitlines() if x.startswith("│ 5 "))
    assert "Approach" in line and "?" in line and "not documented" in line


def test_explain_prints_the_mdm_grid_and_how_the_level_was_decided() -> None:
    services = service_codes(OFFICE_NOTE, setting="outpatient", systems=["CPT"])
    text = _printed(CodingResult("visit", "outpatient", codes=services.codes))
    em = services.codes[0].code
    assert f"{em} · E/M MDM grid" in text
    for element in (
        "Problems addressed",
        "Data reviewed and analysed",
        "Data, category 1: tests, documents, independent historian",
        "Data, category 2: independent interpretation of a test",
        "Data, category 3: discussion of management",
        "Risk of patient management",
        "MDM (2 of 3)",
    ):
        assert element in text
    assert "│ patient    │ established" in text
    assert "45 min documented, meets 99215" in text and "99215 ≥40 min" in text


def test_inpatient_and_abstraction_default_to_pcs_when_its_pack_is_imported(
    fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pcs_fixture_pack(fixtures)  # FY2023
    for setting in ("inpatient", "abstraction"):
        request = CodingRequest.build(setting).resolve()
        assert request.systems == ("ICD-10-CM", "ICD-10-PCS")
        assert request.notes == ()
    # a date of another fiscal year still codes PCS: the nearest pack, named in the result
    dated = CodingRequest.build("inpatient", on=dt.date(2026, 3, 6)).resolve()
    assert dated.systems == ("ICD-10-CM", "ICD-10-PCS") and dated.notes == ()


def test_without_the_pcs_pack_inpatient_codes_icd10cm_and_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = CodingRequest.build("inpatient").resolve()
    assert request.systems == ("ICD-10-CM",)
    assert len(request.notes) == 1
    assert "ICD-10-PCS" in request.notes[0] and "medcoder data import" in request.notes[0]


def test_outpatient_defaults_to_services_and_says_hcpcs_needs_its_pack(
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = CodingRequest.build("outpatient").resolve()
    assert request.systems == ("ICD-10-CM", "CPT")
    assert "HCPCS" in request.notes[0]


@pytest.fixture(scope="module")
def data_with_pcs(built_packs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's ICD-10-CM packs plus the fixture PCS pack, in a data dir of its own."""
    path = tmp_path_factory.mktemp("packs-with-pcs")
    shutil.copytree(built_packs, path, dirs_exist_ok=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("MEDCODER_DATA_DIR", str(path))
    try:
        _pcs_fixture_pack(Path(__file__).resolve().parents[1] / "fixtures")
    finally:
        mp.undo()
    return path


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEDCODER_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "medcoder", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_code_inpatient_without_systems_codes_procedures(
    data_with_pcs: Path, tmp_path: Path
) -> None:
    note = tmp_path / "op.txt"
    note.write_text(OP_NOTE)
    out = _run(
        "code", str(note), "--setting", "inpatient", "--format", "json", data_dir=data_with_pcs
    )
    assert out.returncode == 0, out.stderr
    systems = {c["system"]: c["code"] for c in json.loads(out.stdout)["codes"]}
    assert systems.get("ICD-10-PCS") == "0FT44ZZ"
    assert "ICD-10-CM" in systems


def test_explain_json_carries_the_axis_table(data_with_pcs: Path, tmp_path: Path) -> None:
    note = tmp_path / "op.txt"
    note.write_text(OP_NOTE)
    out = _run(
        "explain", str(note), "--setting", "inpatient", "--format", "json", data_dir=data_with_pcs
    )
    assert out.returncode == 0, out.stderr
    (pcs,) = [c for c in json.loads(out.stdout)["codes"] if c["system"] == "ICD-10-PCS"]
    axes = pcs["explanation"]["axes"]
    assert [a["position"] for a in axes] == [1, 2, 3, 4, 5, 6, 7]
    assert "".join(a["value"] for a in axes) == pcs["code"] == "0FT44ZZ"
