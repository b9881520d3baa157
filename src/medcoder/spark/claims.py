"""``medcoder batch FOLDER --spark``: one row per encounter, scrubbed and grouped, in Parquet.

The executors do what ``medcoder batch`` does per encounter, through the same functions:
``cli.claims_cmd._batch_load`` (read and validate the file, code its documents when it
carries no codes), the same scrubber, and ``claims.submission.write_claims`` for the ready
ones of each Arrow batch (one pyx12 run per batch); they add the MS-DRG of an inpatient
stay, so the output answers "codes by DRG". Control numbers are taken on the driver, one per
file in sorted order, from the data directory's store, and the written ones are logged there
after the job, as ``medcoder batch`` logs its own; the 837 text is a column of the output.

Encounter files name their documents relative to the file, so the folder must be one every
executor can read (a local folder with a local master, a shared mount on a cluster). Unlike
``medcoder batch`` no files are written per encounter, so there is no file-name check, and
duplicate encounter ids are not detected across executors.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

    from medcoder.claims.submission import Submitter

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
    ("control_number", "INT"),
    ("x12", "STRING"),
)
CLAIM_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in CLAIM_FIELDS)
CLAIM_COLUMNS = [name for name, _ in CLAIM_FIELDS]

_scrubbers: dict[str | None, object] = {}


def _scrubber(policy: str | None):  # noqa: ANN202 - edits.Scrubber, one per worker
    if policy not in _scrubbers:
        from medcoder.cli.claims_cmd import _scrubber as batch_scrubber

        _scrubbers[policy] = batch_scrubber(Path(policy) if policy else None)
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


def _failed(row: dict[str, object], code: str, message: str) -> dict[str, object]:
    row.update(status="failed", error_code=code, error_message=message)
    return row


def encounter_row(path: str, policy: str | None) -> tuple[dict[str, object], object | None]:
    """One encounter file up to its scrub: its row, and the encounter when ready to write."""
    from medcoder.cli.claims_cmd import _batch_load

    file = Path(path)
    row: dict[str, object] = {name: None for name in CLAIM_COLUMNS}
    row.update(file=file.name, findings=[], diagnoses=[], procedures=[], coded_by_engine=[])
    try:
        loaded = _batch_load(file)
        if isinstance(loaded, Exception):
            return _failed(row, "invalid_encounter", str(loaded)), None
        encounter = loaded
        row.update(
            encounter_id=encounter.id,
            setting=str(encounter.setting),
            service_date=encounter.service_date,
            coded_by_engine=[
                d.code for d in encounter.diagnoses or [] if getattr(d, "source", None) == "engine"
            ]
            + [
                p.code for p in encounter.procedures or [] if getattr(p, "source", None) == "engine"
            ],
            diagnoses=[
                {"rank": i, "code": d.code, "poa": d.poa, "source": getattr(d, "source", None)}
                for i, d in enumerate(encounter.diagnoses or [], start=1)
            ],
            procedures=[p.code for p in encounter.procedures or []],
            drg=_drg(encounter),
        )
        scrubbed = _scrubber(policy).scrub(encounter)
        row["findings"] = [
            {"rule": f.rule_id, "severity": str(getattr(f.severity, "value", f.severity)),
             "reason": f.reason}
            for f in scrubbed.findings
        ]  # fmt: skip
        if not scrubbed.ready_to_submit:
            row["status"] = "held"
            return row, None
        return row, encounter
    except Exception as exc:  # noqa: BLE001 - one encounter must not fail the job
        return _failed(row, "internal_error", f"unexpected {type(exc).__name__}"), None


def _claim_batches(
    settings: dict[str, object], data_dir: str, batches: Iterator[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    import pandas as pd

    from medcoder.claims.control_numbers import ControlNumbers
    from medcoder.claims.errors import ClaimError
    from medcoder.claims.submission import write_claims
    from medcoder.spark.worker import use_data_dir

    use_data_dir(data_dir)
    # The numbers were taken on the driver and are logged there after the job: the store the
    # writer records into here is a scratch one.
    scratch = ControlNumbers(Path(tempfile.mkdtemp(prefix="medcoder-x12-")) / "sent.sqlite")
    for batch in batches:
        rows, ready = [], []
        for record in batch.to_dict("records"):
            row, encounter = encounter_row(str(record["path"]), settings["policy"])  # type: ignore[arg-type]
            rows.append(row)
            if encounter is not None:
                ready.append((row, encounter, int(record["number"])))
        if ready:
            try:
                written = write_claims(
                    [encounter for _, encounter, _ in ready],
                    str(settings["kind"]),
                    settings["submitter"],  # type: ignore[arg-type]
                    numbers=scratch,
                    control_numbers=[number for _, _, number in ready],
                    validate=bool(settings["validate"]),
                )
            except ClaimError as exc:  # the submitter: every claim of the batch fails
                written = [exc] * len(ready)
            for (row, _, _), result in zip(ready, written, strict=True):
                if isinstance(result, ClaimError):
                    _failed(row, "invalid_encounter", str(result))
                else:
                    row.update(
                        status="written", control_number=result.control_number, x12=result.text
                    )
        yield pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def batch_claims(
    spark: SparkSession,
    files: list[Path],
    numbers: list[int],
    *,
    data_dir: str,
    kind: str,
    submitter: Submitter,
    policy: str | None,
    validate: bool,
    partitions: int,
) -> DataFrame:
    """The encounter files, each with its control number, as a DataFrame of ``CLAIM_SCHEMA``
    rows."""
    settings = {"kind": kind, "submitter": submitter, "policy": policy, "validate": validate}
    listing = spark.createDataFrame(
        [(n, str(p.resolve())) for n, p in zip(numbers, files, strict=True)],
        "number INT, path STRING",
    ).repartition(partitions)
    return listing.mapInPandas(functools.partial(_claim_batches, settings, data_dir), CLAIM_SCHEMA)
