"""``medcoder claim``, ``batch`` and ``drg`` as a biller runs them (issue 17): unique control
numbers, test usage until production is configured, scrubbing before writing, and batches
that survive broken encounters without writing outside their folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "claims"


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "medcoder", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "MEDCODER_DATA_DIR": str(data_dir), **env},
        cwd=REPO,
        timeout=300,
    )


def _office() -> dict[str, Any]:
    return json.loads((FIXTURES / "outpatient_office_visit.json").read_text())


def _write(folder: Path, name: str, data: dict[str, Any] | str) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def _isa(x12: str) -> list[str]:
    return x12.split("~")[0].split("*")


@pytest.fixture(scope="module")
def data_dir(built_packs: Path) -> Path:
    return built_packs


def test_two_claim_runs_in_a_row_get_different_interchange_control_numbers(
    data_dir: Path, tmp_path: Path
) -> None:
    enc = _write(tmp_path, "enc.json", _office())
    first = run("claim", str(enc), "--no-scrub", data_dir=data_dir)
    second = run("claim", str(enc), "--no-scrub", data_dir=data_dir)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert int(_isa(second.stdout)[13]) == int(_isa(first.stdout)[13]) + 1


def test_claim_is_a_test_file_with_the_configured_sender_and_receiver(
    data_dir: Path, tmp_path: Path
) -> None:
    enc = _write(tmp_path, "enc.json", _office())
    out = run(
        "claim",
        str(enc),
        "--no-scrub",
        data_dir=data_dir,
        MEDCODER_X12_SENDER_ID="CLINIC0042",
        MEDCODER_X12_RECEIVER_ID="CLEARHOUSE1",
    )
    assert out.returncode == 0, out.stderr
    isa = _isa(out.stdout)
    assert (isa[6].strip(), isa[8].strip(), isa[15]) == ("CLINIC0042", "CLEARHOUSE1", "T")


def test_production_with_the_placeholder_sender_is_refused(data_dir: Path, tmp_path: Path) -> None:
    enc = _write(tmp_path, "enc.json", _office())
    out = run("claim", str(enc), "--no-scrub", "--usage", "P", data_dir=data_dir)
    assert out.returncode == 1 and "sender id your clearinghouse assigned" in out.stderr
    ok = run("claim", str(enc), "--no-scrub", "--usage", "P", "--sender-id", "CLINIC0042",
             data_dir=data_dir)  # fmt: skip
    assert ok.returncode == 0 and _isa(ok.stdout)[15] == "P"


def test_claim_scrubs_first_and_writes_nothing_when_a_finding_blocks(
    data_dir: Path, tmp_path: Path
) -> None:
    data = _office()
    data["diagnoses"] = [
        {"code": "E11"},
        {"code": "Q99.9X"},
        {"code": "E78.5"},
    ]  # header, no such code
    data["service_date"] = "2099-01-04"
    data["discharge_status"] = "99"
    enc = _write(tmp_path, "enc.json", data)
    target = tmp_path / "claim.837"
    out = run("claim", str(enc), "-o", str(target), data_dir=data_dir)
    assert out.returncode == 1 and not target.exists()
    for rule in ("DX-VALID-002", "DX-VALID-001", "CLM-DATE-002", "CLM-STATUS-001"):
        assert rule in out.stderr, rule
    assert "nothing written" in out.stderr
    forced = run("claim", str(enc), "-o", str(target), "--no-scrub", data_dir=data_dir)
    assert forced.returncode == 0 and target.read_text().startswith("ISA")


def test_clean_claim_passes_the_scrub_and_is_written(data_dir: Path, tmp_path: Path) -> None:
    data = _office()
    data["clia_number"] = "05D0987654"
    out = run("claim", str(_write(tmp_path, "enc.json", data)), data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert "REF*X4*05D0987654~" in out.stdout


def test_inpatient_revenue_code_lines_build_an_837i_and_group_to_a_drg(
    data_dir: Path, tmp_path: Path
) -> None:
    enc = FIXTURES / "inpatient_admission.json"
    x12 = run("claim", str(enc), "--format", "837i", data_dir=data_dir)
    assert x12.returncode == 0, x12.stderr
    assert "SV2*0120**4500*DA*3~" in x12.stdout
    grouped = run("drg", str(enc), "--format", "json", data_dir=data_dir)
    assert grouped.returncode == 0, grouped.stderr
    assert json.loads(grouped.stdout)["drg"] not in ("", "999")


def test_batch_survives_broken_encounters_and_names_them(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = _office()
    for n in range(3):
        _write(folder, f"good{n}.json", {**good, "id": f"GOOD-{n}"})
    huge = {**good, "id": "HUGE"}
    huge["lines"] = [{**good["lines"][0], "charge": 1e30}]
    _write(folder, "huge.json", huge)
    _write(folder, "escape.json", {**good, "id": "../X"})
    _write(folder, "zdup.json", {**good, "id": "GOOD-1"})
    _write(folder, "broken.json", "{not json")
    out_dir = tmp_path / "out"
    out = run("batch", str(folder), "-o", str(out_dir), data_dir=data_dir)
    assert out.returncode == 1, out.stderr
    rows = {
        r["file"]: r
        for r in map(json.loads, (out_dir / "batch-report.jsonl").read_text().splitlines())
    }
    assert len(rows) == 7
    written = sorted(p.name for p in out_dir.glob("*.837"))
    assert written == ["GOOD-0.837", "GOOD-1.837", "GOOD-2.837", "_X.837"]
    assert not (tmp_path / "X.837").exists()
    assert rows["huge.json"]["status"] == "failed" and "charge" in rows["huge.json"]["error"]
    assert rows["zdup.json"]["status"] == "failed" and "duplicate" in rows["zdup.json"]["error"]
    assert rows["broken.json"]["status"] == "failed"
    for name in ("huge.json", "zdup.json", "broken.json"):
        assert f"failed: {name}" in out.stderr
    numbers = [rows[f]["control_number"] for f in ("good0.json", "good1.json", "good2.json")]
    assert len(set(numbers)) == 3
    again = run("batch", str(folder), "-o", str(tmp_path / "again"), data_dir=data_dir)
    rows2 = [
        json.loads(r) for r in (tmp_path / "again" / "batch-report.jsonl").read_text().splitlines()
    ]
    assert min(r["control_number"] for r in rows2 if "control_number" in r) > max(numbers)
    assert again.returncode == 1


def test_batch_uses_the_configured_sender_and_receiver(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "a.json", _office())
    out = run("batch", str(folder), "-o", str(tmp_path / "out"), "--sender-id", "CLINIC0042",
              "--receiver-id", "CLEARHOUSE1", data_dir=data_dir)  # fmt: skip
    assert out.returncode == 0, out.stderr
    isa = _isa((tmp_path / "out" / "SYN-OP-0001.837").read_text())
    assert (isa[6].strip(), isa[8].strip(), isa[15]) == ("CLINIC0042", "CLEARHOUSE1", "T")


EXAMPLES = REPO / "examples"


@pytest.mark.parametrize(
    "args",
    [
        ["scrub", "examples/encounter.json"],
        ["claim", "examples/encounter.json", "--format", "837p"],
        ["claim", "examples/inpatient_encounter.json", "--format", "837i"],
        ["claim", "examples/lab_accession.json", "--format", "fhir"],
        ["drg", "examples/inpatient_encounter.json"],
        ["export", "examples/lab_accession.json", "--format", "dft"],
        ["export", "examples/lab_accession.json", "--format", "xifin-csv"],
        ["remit", "examples/remittance.835"],
        ["ack", "examples/acknowledgment.277"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_claim_examples_run(data_dir: Path, args: list[str]) -> None:
    out = run(*args, data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()


def test_batch_example_writes_every_claim(data_dir: Path, tmp_path: Path) -> None:
    out = run("batch", str(EXAMPLES / "batch"), "-o", str(tmp_path), data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert len(list(tmp_path.glob("*.837"))) == len(list((EXAMPLES / "batch").glob("*.json")))


def test_paper_forms_of_the_examples(data_dir: Path, tmp_path: Path) -> None:
    for enc, fmt in (("encounter.json", "cms1500"), ("inpatient_encounter.json", "ub04")):
        target = tmp_path / f"{fmt}.pdf"
        out = run("claim", str(EXAMPLES / enc), "--format", fmt, "-o", str(target), "--data-only",
                  data_dir=data_dir)  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert target.read_bytes().startswith(b"%PDF")
