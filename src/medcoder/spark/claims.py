"""``medcoder batch FOLDER --spark``: one row per encounter, scrubbed and grouped, in Parquet.

The per-encounter work is :func:`encounter_outcome`, the same steps ``medcoder batch`` takes
for one encounter file (read and validate it, code its documents when it carries no codes,
scrub it, write and check the 837), plus the MS-DRG of an inpatient stay so the output
answers "codes by DRG". Each Python worker keeps one scrubber; the coding engine is shared
the way ``medcoder batch`` shares it.

Encounter files name their documents relative to the file, so the folder must be one every
executor can read (a local folder with a local master, a shared mount on a cluster).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

CLAIM_FIELDS = (
    ("file", "STRING"),
    ("encounter_id", "STRING"),
    ("setting", "STRING"),
    ("service_date", "DATE"),
    ("status", "STRING"),
    ("error_code", "STRING"),
    ("error_message", "STRING"),
    ("findings", "ARRAY<STRUCT<rule: STRING, severity: STRING, reason: STRING>>"),
    ("diagnoses", "ARRAY<STRUCT<rank: INT, code: STRING, poa: STRING, source: STRING>>"),
    ("procedures", "ARRAY<STRING>"),
    ("coded_by_engine", "ARRAY<STRING>"),
    (
        "drg",
        "STRUCT<version: INT, drg: STRING, description: STRING, mdc: STRING, "
        "severity: STRING, return_code: STRING>",
    ),
    ("x12", "STRING"),
)
CLAIM_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in CLAIM_FIELDS)
CLAIM_COLUMNS = [name for name, _ in CLAIM_FIELDS]

_scrubbers: dict[str | None, object] = {}


def _scrubber(policy: str | None):  # noqa: ANN202
    if policy not in _scrubbers:
        from medcoder.edits import Scrubber

        _scrubbers[policy] = Scrubber(policy=Path(policy) if policy else None)
    return _scrubbers[policy]


def _drg(encounter) -> dict[str, object] | None:  # noqa: ANN001
    """The MS-DRG of an inpatient stay; ``None`` for other encounters or when ungroupable."""
    if str(encounter.setting) != "inpatient" or not encounter.diagnoses:
        return None
    from medcoder.claims.drg import group
    from medcoder.errors import MedcoderError

    try:
        found = group(encounter)
    except MedcoderError:
        return None
    return {
        "version": found.version,
        "drg": found.drg,
        "description": found.drg_description,
        "mdc": found.mdc,
        "severity": found.severity,
        "return_code": found.return_code,
    }


def encounter_outcome(
    path: str,
    number: int,
    *,
    fmt: str,
    policy: str | None,
    validate: bool,
    submitter_phone: str | None,
) -> dict[str, object]:
    """One encounter file through the steps of ``medcoder batch``; never raises.

    ``number`` is the interchange control number, the file's place in the sorted folder as
    in ``medcoder batch``. Stand-in until the claims code exposes its own per-encounter
    batch function: replace the body with a call to it.
    """
    from medcoder.claims.x12_validate import validate_x12
    from medcoder.claims.x12_writer import write_837i, write_837p
    from medcoder.cli.claims_cmd import code_missing_diagnoses, load_encounter
    from medcoder.errors import MedcoderError

    file = Path(path)
    row: dict[str, object] = {name: None for name in CLAIM_COLUMNS}
    row.update(file=file.name, findings=[], diagnoses=[], procedures=[], coded_by_engine=[])
    try:
        encounter = load_encounter(file)
        row.update(
            encounter_id=encounter.id,
            setting=str(encounter.setting),
            service_date=encounter.service_date,
        )
        row["coded_by_engine"] = code_missing_diagnoses(encounter, file.parent)
        row["diagnoses"] = [
            {"rank": i, "code": d.code, "poa": d.poa, "source": getattr(d, "source", None)}
            for i, d in enumerate(encounter.diagnoses or [], start=1)
        ]
        row["procedures"] = [p.code for p in encounter.procedures or []]
        row["drg"] = _drg(encounter)
        scrubbed = _scrubber(policy).scrub(encounter)
        row["findings"] = [
            {"rule": f.rule_id, "severity": str(getattr(f.severity, "value", f.severity)),
             "reason": f.reason}
            for f in scrubbed.findings
        ]  # fmt: skip
        if not scrubbed.ready_to_submit:
            row["status"] = "held"
            return row
        writer = write_837p if fmt == "837p" else write_837i
        text = writer(
            encounter,
            sender_id="MEDCODER",
            receiver_id=encounter.payer.id,
            control_number=number,
            created=datetime.now(UTC),
            submitter_phone=submitter_phone,
        )
        issues = validate_x12(text) if validate else []
        if issues:
            raise MedcoderError(f"pyx12: {issues[0].message}")
        row.update(status="written", x12=text)
    except MedcoderError as exc:
        row.update(status="failed", error_code="invalid_encounter", error_message=str(exc))
    except Exception as exc:  # noqa: BLE001 - one encounter must not fail the job
        row.update(
            status="failed",
            error_code="internal_error",
            error_message=f"unexpected {type(exc).__name__}",
        )
    return row


def _claim_batches(
    settings: dict[str, object], data_dir: str, batches: Iterator[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    import pandas as pd

    from medcoder.spark.worker import use_data_dir

    use_data_dir(data_dir)
    for batch in batches:
        rows = [
            encounter_outcome(str(r["path"]), int(r["number"]), **settings)  # type: ignore[arg-type]
            for r in batch.to_dict("records")
        ]
        yield pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def batch_claims(
    spark: SparkSession,
    files: list[Path],
    *,
    data_dir: str,
    fmt: str,
    policy: str | None,
    validate: bool,
    submitter_phone: str | None,
    partitions: int,
) -> DataFrame:
    """The encounter files (sorted, numbered from 1 as ``medcoder batch`` numbers them) as a
    DataFrame of ``CLAIM_SCHEMA`` rows."""
    settings = {
        "fmt": fmt,
        "policy": policy,
        "validate": validate,
        "submitter_phone": submitter_phone,
    }
    listing = spark.createDataFrame(
        [(i, str(p.resolve())) for i, p in enumerate(files, start=1)], "number INT, path STRING"
    ).repartition(partitions)
    return listing.mapInPandas(functools.partial(_claim_batches, settings, data_dir), CLAIM_SCHEMA)
