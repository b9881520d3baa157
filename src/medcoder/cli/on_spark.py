"""The ``--spark MASTER`` path of ``medcoder code`` and ``medcoder batch``.

Kept apart from the commands themselves: the single-process paths never import it, and it
imports ``medcoder.spark`` (and through it PySpark) only when ``--spark`` is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from medcoder.errors import UsageError


def _output(output: Path | None) -> str:
    if output is None:
        raise UsageError("--spark writes Parquet: give --output OUT.parquet")
    return str(output)


def _report(summary, noun: str, id_column: str) -> None:  # noqa: ANN001
    for doc_id, code, message in summary.first_errors:
        typer.echo(f"Error: {doc_id}: {code}: {message}", err=True)
    if summary.errors > len(summary.first_errors):
        typer.echo(
            f"... and {summary.errors - len(summary.first_errors)} more; the output lists "
            f"each one (status, error_code, error_message by {id_column})",
            err=True,
        )
    typer.echo(summary.line(noun))


def code_on_spark(
    paths: list[Path],
    *,
    master: str,
    output: Path | None,
    request,  # noqa: ANN001 - coding.request.CodingRequest: the options, checked
    explicit_systems: bool,
    model: Path | None,
    packs: str | None,
    queries: bool,
    partitions: int | None,
    id_column: str,
    text_column: str,
) -> None:
    """Code INPUT on Spark into OUT.parquet (one row per note); exit 1 when a note failed.

    ``request`` carries the default setting and date of service (a row may name its own) and
    the systems; without ``--systems`` (``explicit_systems`` false) each row's setting
    reports its default systems, as ``medcoder code --setting`` would.
    """
    from medcoder.spark.run import require_pyspark

    if len(paths) != 1:
        raise UsageError("--spark takes one INPUT: a folder of documents, JSONL or Parquet")
    target = _output(output)
    require_pyspark()
    from medcoder.codesets import registry
    from medcoder.codesets.pack_store import data_dir
    from medcoder.spark.job import code_input, read_notes
    from medcoder.spark.run import coding_options, open_session, run_job

    if model is not None and not model.is_file():
        raise UsageError(f"--model {model}: no such file")
    registry.ensure_default_packs()  # built once here, not by every worker at once
    for note in request.resolve().notes:
        typer.echo(f"note: {note}", err=True)
    spark, started = open_session(master, "medcoder code")
    try:
        notes, keyed = read_notes(
            spark, str(paths[0]), id_column=id_column, text_column=text_column
        )
        options = coding_options(
            spark,
            master=master,
            data_dir=data_dir(),
            packs=packs,
            model=model,
            setting=request.setting.value,
            on=request.on,
            systems=request.systems if explicit_systems else None,
            queries=queries,
        )
        coded = code_input(notes, options, partitions, keyed=keyed)
        summary = run_job(
            spark,
            coded,
            target,
            label="coding notes",
            id_column="note_id",
            codes_column="codes",
            error_status="error",
        )
    finally:
        if started:
            spark.stop()
    _report(summary, "notes", "note_id")
    if summary.errors:
        sys.exit(1)


def batch_on_spark(
    folder: Path,
    *,
    master: str,
    output: Path | None,
    kind: str,
    policy: Path | None,
    validate: bool,
    submitter,  # noqa: ANN001 - claims.submission.Submitter, from the batch's options
    partitions: int | None,
) -> None:
    """Scrub, group and write claims for a folder of encounters on Spark into OUT.parquet.

    Control numbers are taken here, one per file in sorted order, and the claims written are
    logged in the data directory's store after the job, as ``medcoder batch`` does.
    """
    from medcoder.spark.run import require_pyspark

    target = _output(output)
    files = sorted(folder.glob("*.json"))
    if not files:
        raise UsageError(f"{folder}: no encounter .json files")
    require_pyspark()
    from medcoder.claims.control_numbers import ControlNumbers
    from medcoder.codesets import registry
    from medcoder.codesets.pack_store import data_dir
    from medcoder.spark.claims import batch_claims
    from medcoder.spark.run import open_session, run_job

    submitter.check()
    registry.ensure_default_packs()
    store = ControlNumbers()
    numbers = store.take(submitter.sender_id, len(files))
    spark, started = open_session(master, "medcoder batch")
    try:
        cores = spark.sparkContext.defaultParallelism
        claims = batch_claims(
            spark,
            files,
            numbers,
            data_dir=str(data_dir()),
            kind=kind,
            submitter=submitter,
            policy=str(policy) if policy else None,
            validate=validate,
            partitions=partitions or min(len(files), cores * 4),
        )
        summary = run_job(
            spark,
            claims,
            target,
            label="claims",
            id_column="file",
            codes_column="diagnoses",
            error_status="failed",
        )
        sent = (
            spark.read.parquet(target)
            .filter("status = 'written'")
            .select("control_number", "encounter_id")
            .collect()
        )
    finally:
        if started:
            spark.stop()
    store.record(
        submitter.sender_id,
        [(int(r[0]), str(r[1])) for r in sent],
        kind=kind,
        usage=submitter.usage.upper(),
    )
    _report(summary, "encounters", "file")
    if summary.errors:
        sys.exit(1)
