"""Spark side of coding notes: read the input, ship the packs, map the batches, write Parquet.

:func:`code_notes` is the library entry point for a DataFrame a user already has (a notebook
on Databricks, a job on YARN or Kubernetes); :func:`read_notes` turns what ``medcoder code
INPUT --spark`` is given (a folder of files, JSON Lines or Parquet) into the same input.
"""

from __future__ import annotations

import functools
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from medcoder.errors import UsageError
from medcoder.spark.notes import NOTE_SCHEMA, CodingOptions
from medcoder.spark.worker import INPUT_COLUMNS, code_batches

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: File names ``medcoder code`` reads from a folder (the same list).
DOCUMENT_SUFFIXES = ("txt", "text", "pdf", "hl7", "json", "xml", "rtf", "md")
TABLE_SUFFIXES = {".parquet": "parquet", ".jsonl": "json", ".ndjson": "json"}
#: Notes per Arrow batch handed to a worker (``spark.sql.execution.arrow.maxRecordsPerBatch``,
#: which the command line sets; Spark's default is 10,000): a worker holds a batch's notes and
#: rows at once, and its memory grew about 48 KB per note coded and kept in
#: benchmarks/bench_spark.py, so 256 notes stay near 12 MB while the per-batch cost is nothing
#: next to coding 256 notes.
BATCH_NOTES = 256
#: Tasks per core when the input has too few partitions to keep every core busy.
TASKS_PER_CORE = 4


def _column(df: DataFrame, name: str | None, kind: str):  # noqa: ANN202
    from pyspark.sql import functions as F

    if name is None:
        return F.lit(None).cast(kind)
    if name not in df.columns:
        raise UsageError(
            f"the input has no column {name!r} (its columns: {', '.join(df.columns) or 'none'})"
        )
    return F.col(name).cast(kind)


def note_rows(
    df: DataFrame,
    *,
    text: str,
    id: str,  # noqa: A002
    setting: str | None = None,
    date: str | None = None,
    encounter_id: str | None = None,
) -> DataFrame:
    """``df``'s note columns under the names the workers read (``worker.INPUT_COLUMNS``)."""
    from pyspark.sql import functions as F

    return df.select(
        _column(df, id, "string").alias("note_id"),
        _column(df, text, "string").alias("text"),
        F.lit(None).cast("binary").alias("content"),
        F.lit(None).cast("string").alias("path"),
        _column(df, setting, "string").alias("setting"),
        _column(df, date, "string").alias("service_date"),
        _column(df, encounter_id, "string").alias("encounter_id"),
    )


def code_notes(
    df: DataFrame,
    *,
    text: str = "text",
    id: str = "id",  # noqa: A002 - the column's usual name
    setting: str | None = None,
    date: str | None = None,
    encounter_id: str | None = None,
    options: CodingOptions | None = None,
    partitions: int | None = None,
) -> DataFrame:
    """Code the notes of ``df`` (one note per row): a DataFrame of ``NOTE_SCHEMA`` rows.

    ``text`` and ``id`` name the note text and note id columns; ``setting``, ``date`` (date of
    service: a date, a timestamp or a YYYY-MM-DD string) and ``encounter_id`` name optional
    columns; a row without a setting or date takes the one in ``options``. Nothing runs until
    an action (``write``, ``count``): Spark plans the job lazily.
    """
    notes = note_rows(df, text=text, id=id, setting=setting, date=date, encounter_id=encounter_id)
    keyed = setting is not None or date is not None
    return code_input(notes, options or CodingOptions(), partitions, keyed=keyed)


def _task_count(notes: DataFrame, partitions: int | None) -> int | None:
    """Tasks to split the notes into; ``None`` keeps the input's partitions (enough of them)."""
    if partitions:
        return partitions
    cores = notes.sparkSession.sparkContext.defaultParallelism
    if notes.rdd.getNumPartitions() >= 2 * cores:
        return None
    return cores * TASKS_PER_CORE


def code_input(
    notes: DataFrame, options: CodingOptions, partitions: int | None, *, keyed: bool = False
) -> DataFrame:
    """Map normalised input rows (``worker.INPUT_COLUMNS``) to coded rows.

    A pipeline is bound to one setting and date of service, and building one for a new date
    costs a worker a fraction of a second and about 100 MB (it keeps the newest 8). So rows
    that carry their own setting or date (``keyed``) are range-partitioned by setting, date
    and id: each task then holds one or two dates. Inside a task, rows of one setting and
    date are sorted next to each other.
    """
    count = _task_count(notes, partitions)
    if keyed:
        count = count or notes.rdd.getNumPartitions()
        notes = notes.repartitionByRange(count, "setting", "service_date", "note_id")
    elif count:
        notes = notes.repartition(count)
    notes = notes.select(*INPUT_COLUMNS).sortWithinPartitions("setting", "service_date")
    return notes.mapInPandas(functools.partial(code_batches, options), NOTE_SCHEMA)


def ship_packs(spark: SparkSession, data_dir: Path, model: Path | None) -> tuple[str, ...]:
    """Send the packs (and the model) to every executor with ``SparkContext.addFile``."""
    packs = sorted((data_dir / "packs").glob("*.sqlite"))
    if not packs:
        raise UsageError(f"no packs in {data_dir / 'packs'} to ship (medcoder data import)")
    names = []
    for path in [*packs, *([model] if model else [])]:
        spark.sparkContext.addFile(str(path))
        names.append(path.name)
    return tuple(names)


def _has_scheme(path: str) -> bool:
    return "://" in path or path.startswith(("dbfs:", "file:"))


def input_kind(path: str) -> str:
    """``parquet``, ``json`` (JSON Lines) or ``files`` (a folder of documents)."""
    suffix = Path(path.rstrip("/")).suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return TABLE_SUFFIXES[suffix]
    if _has_scheme(path):
        return "files"
    local = Path(path)
    if not local.exists():
        raise UsageError(f"{path}: no such file or directory")
    if local.is_dir():
        found = {p.suffix.lower() for p in local.iterdir() if p.is_file()}
        if ".parquet" in found:
            return "parquet"
        if found and found <= {".jsonl", ".ndjson"}:
            return "json"
    return "files"


def read_notes(
    spark: SparkSession, path: str, *, id_column: str = "id", text_column: str = "text"
) -> tuple[DataFrame, bool]:
    """The notes of INPUT as normalised input rows (``worker.INPUT_COLUMNS``), and whether
    the rows carry their own setting or date (``code_input``'s ``keyed``).

    A folder of documents is read as bytes (Spark's ``binaryFile`` source, so it may be on
    HDFS or object storage) and each file is read by medcoder's readers on the executor, as
    ``medcoder code FOLDER`` reads it; JSON Lines and Parquet give one note per row, with the
    optional columns ``setting``, ``date`` and ``encounter_id`` used when present.
    """
    from pyspark.sql import functions as F

    kind = input_kind(path)
    if kind == "files":
        pattern = r"(?i)\.(" + "|".join(DOCUMENT_SUFFIXES) + r")$"
        files = spark.read.format("binaryFile").load(path).filter(F.col("path").rlike(pattern))
        stem = F.regexp_extract(F.col("path"), r"([^/]*?)(\.[^./]*)?$", 1)
        rows = files.select(
            stem.alias("note_id"),
            F.lit(None).cast("string").alias("text"),
            F.col("content"),
            F.col("path"),
            F.lit(None).cast("string").alias("setting"),
            F.lit(None).cast("string").alias("service_date"),
            F.lit(None).cast("string").alias("encounter_id"),
        )
        return rows, False
    table = spark.read.parquet(path) if kind == "parquet" else spark.read.json(path)
    present = set(table.columns)
    optional = {name: name if name in present else None for name in ("setting", "date")}
    rows = note_rows(
        table,
        text=text_column,
        id=id_column,
        encounter_id="encounter_id" if "encounter_id" in present else None,
        **optional,
    )
    return rows, any(optional.values())


def write_parquet(df: DataFrame, output: str) -> None:
    """Write ``df`` to ``output`` so that a failed job leaves nothing half-written there.

    A local path is written beside itself and renamed into place when the job succeeded
    (an older output is replaced only then); a URI (``s3://``, ``hdfs://``, ``dbfs:``) is
    written by Spark's committer and must not exist yet.
    """
    if _has_scheme(output):
        df.write.mode("errorifexists").parquet(output)
        return
    target = Path(output).resolve()
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        df.write.parquet(str(staging))
        if target.exists():
            old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
