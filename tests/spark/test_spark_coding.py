"""Coding on Spark gives what ``medcoder code`` gives, and a bad note is a row, not a failure.

Every test here shares the session's ``local[2]`` SparkSession (``spark`` fixture); the
command line runs in this process so that it finds that session instead of starting a JVM.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from medcoder.cli import claims_cmd, code_cmd

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "spark.md"


def _app() -> typer.Typer:
    app = typer.Typer()
    code_cmd.register(app)
    claims_cmd.register(app)
    return app


def invoke(*args: str):  # noqa: ANN201
    result = CliRunner().invoke(_app(), list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def cli_codes(target: Path, *options: str) -> dict[str, object]:
    """``medcoder code TARGET --format jsonl``: per document, its codes or its error."""
    out = invoke("code", str(target), "--format", "jsonl", *options)
    found: dict[str, object] = {}
    for line in out.stdout.splitlines():
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        found[row["document"]] = (
            "error"
            if "error" in row
            else [
                (
                    c["system"],
                    c["code"],
                    c["score"],
                    [(e["start"], e["end"]) for e in c["evidence"]],
                )
                for c in row["codes"]
            ]
        )
    return found


def spark_codes(rows: list) -> dict[str, object]:  # noqa: ANN001
    """The same shape from the Parquet rows written by ``--spark``."""
    return {
        r["note_id"]: (
            "error"
            if r["status"] == "error"
            else [
                (
                    c["system"],
                    c["code"],
                    c["score"],
                    [(e["start"], e["end"]) for e in c["evidence"]],
                )
                for c in sorted(r["codes"], key=lambda c: c["rank"])
            ]
        )
        for r in rows
    }


def documented_queries(view: str) -> dict[str, str]:
    """The SQL blocks of docs/spark.md that read ``view``, by their first comment line."""
    blocks = re.findall(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return {
        b.splitlines()[0].lstrip("- ").strip(): b
        for b in blocks
        if re.search(rf"\bFROM {view}\b", b)
    }


@pytest.fixture
def note_folder(fixtures: Path, tmp_path: Path) -> Path:
    """The self-written notes, a FHIR Bundle of two notes, an empty and a binary file."""
    folder = tmp_path / "notes"
    shutil.copytree(fixtures / "spark" / "notes", folder)
    shutil.copy(fixtures / "documents" / "fhir_bundle.json", folder / "bundle.json")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "scanned.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    return folder


def test_spark_gives_medcoder_code_codes_for_a_folder_of_documents(
    spark, built_packs: Path, note_folder: Path, tmp_path: Path
) -> None:
    expected = cli_codes(note_folder)
    out = tmp_path / "notes.parquet"
    run = invoke("code", str(note_folder), "--spark", "local[2]", "-o", str(out), "--queries")
    assert run.exit_code == 1, run.output  # two unreadable files: exit 1, as medcoder code
    assert f"{len(expected)} notes: {len(expected) - 2} done, 2 errors" in run.stdout
    rows = [r.asDict(recursive=True) for r in spark.read.parquet(str(out)).collect()]
    got = spark_codes(rows)
    assert got == expected
    assert sum(1 for codes in got.values() if codes != "error" and codes) >= 10
    errors = {r["note_id"]: r["error_code"] for r in rows if r["status"] == "error"}
    assert errors == {"empty": "unreadable", "scanned": "unreadable"}
    spark.read.parquet(str(out)).createOrReplaceTempView("notes")
    queries = documented_queries("notes")
    assert len(queries) >= 4
    answers = {title: spark.sql(sql).collect() for title, sql in queries.items()}
    asked = answers["Documents with a query opportunity"]
    # Rule ids carry a version (heart_failure_specificity.v2): the rule, whatever its version.
    assert ("discharge_heart_failure", "heart_failure_specificity") in {
        (r["note_id"], r["rule"].rsplit(".", 1)[0]) for r in asked
    }


@pytest.mark.shared_data
def test_spark_codes_100_public_notes_as_medcoder_code_does(
    spark, shared_data: Path, tmp_path: Path, monkeypatch
) -> None:
    from medcoder.cli import data_cmd

    app = typer.Typer()
    data_cmd.register(app)
    imported = CliRunner().invoke(app, ["data", "import", str(shared_data / "icd10cm")])
    assert imported.exit_code == 0, imported.output
    codiesp = sorted((shared_data / "codiesp" / "dev" / "text_files_en").glob("*.txt"))[:50]
    notes = {p.stem: p.read_text(encoding="utf-8") for p in codiesp}
    with (shared_data / "mtsamples" / "mtsamples_first401.csv").open(encoding="utf-8") as fh:
        for row in list(csv.reader(fh))[:80]:
            if len(notes) < 100 and row[4].strip():
                notes[f"mtsamples-{row[0]}"] = row[4]
    assert len(notes) == 100
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, text in notes.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    jsonl = tmp_path / "notes.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in notes.items()),
        encoding="utf-8",
    )
    expected = cli_codes(folder, "--setting", "abstraction")
    out = tmp_path / "codes.parquet"
    run = invoke("code", str(jsonl), "--spark", "local[2]", "-o", str(out), "-s", "abstraction")
    assert run.exit_code == 0, run.output
    rows = [r.asDict(recursive=True) for r in spark.read.parquet(str(out)).collect()]
    assert len(rows) == 100
    assert spark_codes(rows) == expected
    assert sum(len(r["codes"]) for r in rows) > 300


def test_parquet_rows_keep_their_setting_date_and_encounter_and_bad_rows_become_errors(
    spark, built_packs: Path, fixtures: Path, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = fixtures / "spark" / "notes"
    pneumonia = (texts / "pneumonia_admission.txt").read_text(encoding="utf-8")
    table = pa.table(
        {
            "id": ["ip-1", "op-1", "x-setting", "x-date", "x-text", "x-pack"],
            "text": [pneumonia, pneumonia, pneumonia, pneumonia, None, pneumonia],
            "setting": ["inpatient", "outpatient", "ambulatory", "inpatient", "inpatient", None],
            # The packs here are FY2026 (from 2025-10-01): a 2024 date is coded with the
            # nearest installed year and a warning naming it (issue 22), never refused.
            "date": ["2025-11-03", "2025-11-03", None, "11/30/2025", None, "2024-06-01"],
            "encounter_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
        }
    )
    source = tmp_path / "input.parquet"
    pq.write_table(table, source)
    out = tmp_path / "coded.parquet"
    run = invoke("code", str(source), "--spark", "local[2]", "-o", str(out))
    assert run.exit_code == 1
    rows = {r["note_id"]: r.asDict(recursive=True) for r in spark.read.parquet(str(out)).collect()}
    inpatient, outpatient = rows["ip-1"], rows["op-1"]
    assert (inpatient["setting"], str(inpatient["service_date"]), inpatient["encounter_id"]) == (
        "inpatient",
        "2025-11-03",
        "E1",
    )
    # Inpatient sequencing names a principal diagnosis (UHDDS); outpatient has none.
    assert [c["principal"] for c in inpatient["codes"]][:1] == [True]
    assert not any(c["principal"] for c in outpatient["codes"])
    assert outpatient["setting"] == "outpatient" and outpatient["codes"]
    assert {k: (r["error_code"], r["status"]) for k, r in rows.items() if k.startswith("x-")} == {
        "x-setting": ("invalid_input", "error"),
        "x-date": ("invalid_input", "error"),
        "x-text": ("invalid_input", "error"),
        "x-pack": (None, "coded"),
    }
    assert "ambulatory" in rows["x-setting"]["error_message"]


def test_packs_shipped_with_addfile_code_a_dataframe_like_packs_read_in_place(
    spark, built_packs: Path, fixtures: Path
) -> None:
    from medcoder.spark import CodingOptions, code_notes
    from medcoder.spark.job import ship_packs

    texts = sorted((fixtures / "spark" / "notes").glob("*.txt"))
    df = spark.createDataFrame(
        [(p.stem, p.read_text(encoding="utf-8")) for p in texts], "id STRING, text STRING"
    )
    systems = {"outpatient": ("ICD-10-CM", "CPT")}
    in_place = CodingOptions(data_dir=str(built_packs), systems=systems)
    shipped = CodingOptions(shipped=ship_packs(spark, built_packs, None), systems=systems)
    assert shipped.shipped and all(name.endswith(".sqlite") for name in shipped.shipped)

    def codes(options: CodingOptions) -> dict[str, object]:
        rows = code_notes(df, options=options, partitions=2).collect()
        return spark_codes([r.asDict(recursive=True) for r in rows])

    read_in_place = codes(in_place)
    assert codes(shipped) == read_in_place
    assert len(read_in_place) == len(texts) and all(read_in_place.values())


def test_batch_on_spark_reports_what_medcoder_batch_reports_with_the_drg(
    spark, built_packs: Path, fixtures: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "encounters"
    folder.mkdir()
    for name in ("inpatient_admission.json", "outpatient_office_visit.json"):
        shutil.copy(fixtures / "claims" / name, folder / name)
    (folder / "truncated.json").write_text('{"id": "SYN-X", "setting": ', encoding="utf-8")
    plain = invoke("batch", str(folder), "-o", str(tmp_path / "claims"), "--format", "837i")
    report = {
        row["file"]: row
        for row in map(json.loads, (tmp_path / "claims" / "batch-report.jsonl").open())
    }
    out = tmp_path / "claims.parquet"
    run = invoke("batch", str(folder), "-o", str(out), "--format", "837i", "--spark", "local[2]")
    assert run.exit_code == plain.exit_code == 1
    rows = {r["file"]: r.asDict(recursive=True) for r in spark.read.parquet(str(out)).collect()}
    assert {f: r["status"] for f, r in rows.items()} == {f: r["status"] for f, r in report.items()}
    for name, row in rows.items():
        assert [f["rule"] for f in row["findings"]] == report[name].get("findings", [])
    assert rows["truncated.json"]["error_code"] == "invalid_encounter"
    written = [r for r in rows.values() if r["status"] == "written"]
    assert written and all(r["x12"].startswith("ISA*") for r in written)
    from medcoder.claims.control_numbers import ControlNumbers

    for row in written:  # logged for acknowledgment matching, as medcoder batch logs its own
        logged = ControlNumbers().sent(claim_id=row["encounter_id"])
        assert logged[-1].control_number == row["control_number"]
    inpatient = rows["inpatient_admission.json"]
    assert inpatient["drg"]["drg"] and inpatient["diagnoses"][0]["code"] == "K35.80"
    spark.read.parquet(str(out)).createOrReplaceTempView("claims")
    queries = documented_queries("claims")
    by_drg = spark.sql(queries["Codes by DRG"]).collect()
    assert {r["code"] for r in by_drg} >= {"K35.80", "E11.9"}
