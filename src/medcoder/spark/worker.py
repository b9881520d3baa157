"""What runs in each Spark Python worker: Arrow batches of notes in, batches of rows out.

``mapInPandas`` hands a worker process an iterator of pandas DataFrames (Arrow record batches
converted); :func:`code_batches` codes each row with :func:`medcoder.spark.notes.code_note`
and yields one DataFrame of output rows per input batch. The engine is built once per worker
process and kept while Spark reuses the process (``spark.python.worker.reuse``, on by
default), so packs, vocabulary and assertion rules load once, not once per batch or task.

Packs come either from a folder every executor can read (``CodingOptions.data_dir``) or from
files the driver shipped with ``SparkContext.addFile``; shipped packs are linked into a
private data folder of the worker (its vocabulary cache is built there on first use).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from medcoder.spark.notes import NOTE_COLUMNS, CodingOptions, NoteInput, code_note

if TYPE_CHECKING:
    import pandas as pd

#: Input columns every batch carries (``medcoder.spark.job`` selects them, nulls when absent).
INPUT_COLUMNS = ("note_id", "text", "content", "path", "setting", "service_date", "encounter_id")

_state: dict[str, object] = {"data_dir": None, "shipped": {}}


def _shipped_folder(names: tuple[str, ...]) -> str:
    """A data folder for this process whose ``packs/`` links to the shipped pack files."""
    cache: dict = _state["shipped"]  # type: ignore[assignment]
    if names not in cache:
        from pyspark import SparkFiles

        folder = Path(tempfile.mkdtemp(prefix="medcoder-data-"))
        (folder / "packs").mkdir()
        for name in names:
            if name.endswith(".sqlite"):
                (folder / "packs" / name).symlink_to(SparkFiles.get(name))
        cache[names] = str(folder)
    return cache[names]


def use_data_dir(folder: str) -> None:
    """Point this process's registry at ``folder`` (a reused worker may be handed another).

    medspaCy is imported the way the command line imports it (``cli._lean_imports``: without
    PyRuSH, QuickUMLS and their scipy/nltk imports, which medcoder never uses): a worker then
    holds about 150 MB instead of 320 MB with the engine loaded, and starts seconds sooner.
    """
    if folder != _state["data_dir"]:
        from medcoder.cli._lean_imports import import_medspacy_lean
        from medcoder.codesets import registry

        import_medspacy_lean()
        os.environ["MEDCODER_DATA_DIR"] = folder
        registry.clear_cache()
        _state["data_dir"] = folder


def prepare(options: CodingOptions) -> CodingOptions:
    """Point this process at the job's packs and resolve a shipped model's path."""
    use_data_dir(options.data_dir or _shipped_folder(options.shipped))
    if options.model is not None and options.model in options.shipped:
        from pyspark import SparkFiles

        return dataclasses.replace(options, model=SparkFiles.get(options.model))
    return options


def _value(value: object) -> object:
    """pandas gives NaN or NaT for some nulls; the row functions expect None."""
    if value is None:
        return None
    try:
        if value != value:  # NaN, NaT
            return None
    except (TypeError, ValueError):
        pass
    return value


def note_of(record: dict[str, object]) -> NoteInput:
    values = {name: _value(record.get(name)) for name in INPUT_COLUMNS}
    return NoteInput(**values)  # type: ignore[arg-type]


def code_batches(options: CodingOptions, batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The ``mapInPandas`` function (bind ``options`` with ``functools.partial``)."""
    import pandas as pd

    options = prepare(options)
    for batch in batches:
        rows: list[dict[str, object]] = []
        for record in batch.to_dict("records"):
            rows.extend(code_note(note_of(record), options))
        yield pd.DataFrame(rows, columns=NOTE_COLUMNS)
