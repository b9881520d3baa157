"""Run a coding job end to end for the command line: session, packs, job, summary.

``medcoder code INPUT --spark MASTER -o OUT.parquet`` and ``medcoder batch FOLDER --spark
MASTER -o OUT.parquet`` call :func:`open_session` and :func:`run_job`; the summary they print
(rows, errors, codes, notes per second) is read back from the Parquet that was written, so it
counts exactly what a query of the output will see.
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from medcoder.errors import MedcoderError
from medcoder.spark.notes import CodingOptions

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ERRORS_SHOWN = 5


def require_pyspark() -> None:
    """An error naming the fix when the optional Spark dependencies are missing."""
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise MedcoderError(
            f"--spark needs PySpark, pandas and pyarrow ({exc.name} is missing): "
            "pip install 'medcoder[spark]' (and Java 17)"
        ) from None


def is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


def open_session(master: str, app_name: str) -> tuple[SparkSession, bool]:
    """The SparkSession to run on, and whether this process started it (and stops it).

    An active session (a notebook, ``spark-submit`` running this code, a test) is used as it
    is; otherwise one is started for ``master``. A local master runs its Python workers with
    this interpreter, so they import the same medcoder.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.showConsoleProgress", "false")
    )
    if is_local(master):
        builder = builder.config("spark.pyspark.python", sys.executable)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the JVM's reasons are many; say which step failed
        raise MedcoderError(
            f"could not start Spark with master {master!r} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}); is Java 17 installed?"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True


def coding_options(
    spark: SparkSession,
    *,
    master: str,
    data_dir: Path,
    packs: str | None,
    model: Path | None,
    **fields: object,
) -> CodingOptions:
    """Options whose packs every executor can reach: read in place (``--packs``, or a local
    master reading this machine's data folder), or shipped with ``SparkContext.addFile``."""
    from medcoder.spark.job import ship_packs

    if packs is not None or is_local(master):
        return CodingOptions(
            data_dir=packs or str(data_dir), model=str(model) if model else None, **fields
        )
    shipped = ship_packs(spark, data_dir, model)
    return CodingOptions(shipped=shipped, model=model.name if model else None, **fields)


@dataclass
class Summary:
    """What a job wrote: counted from the output itself."""

    rows: int
    errors: int
    codes: int
    seconds: float
    output: str
    first_errors: list[tuple[str, str, str]] = field(default_factory=list)

    def line(self, noun: str) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        return (
            f"{self.rows} {noun}: {self.rows - self.errors} done, {self.errors} errors, "
            f"{self.codes} codes; {rate:.1f} {noun}/s ({self.seconds:.1f} s); "
            f"output: {self.output}"
        )


def run_job(
    spark: SparkSession,
    result: DataFrame,
    output: str,
    *,
    label: str,
    id_column: str,
    codes_column: str,
    error_status: str,
) -> Summary:
    """Write ``result`` to ``output`` with progress, then count what was written."""
    from pyspark.sql import functions as F

    from medcoder.spark.job import BATCH_NOTES, write_parquet
    from medcoder.spark.progress import JobProgress

    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH_NOTES))
    started = time.perf_counter()
    with JobProgress(spark.sparkContext, f"medcoder-{uuid.uuid4().hex[:8]}", label):
        write_parquet(result, output)
    seconds = time.perf_counter() - started
    written = spark.read.parquet(output)
    counts = written.agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum(F.when(F.col("status") == error_status, 1).otherwise(0)).alias("errors"),
        F.sum(F.size(codes_column)).alias("codes"),
    ).first()
    errors = int(counts["errors"] or 0)
    first = []
    if errors:
        first = [
            (str(r[0]), str(r[1]), str(r[2]))
            for r in written.filter(F.col("status") == error_status)
            .select(id_column, "error_code", "error_message")
            .orderBy(id_column)
            .limit(ERRORS_SHOWN)
            .collect()
        ]
    return Summary(
        rows=int(counts["rows"] or 0),
        errors=errors,
        codes=int(counts["codes"] or 0),
        seconds=seconds,
        output=output,
        first_errors=first,
    )
