"""Printing results: rich tables for people, JSON for programs."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def console():  # noqa: ANN201 - rich is imported lazily to keep start-up fast
    from rich.console import Console

    return Console(soft_wrap=False)


def print_json(data: Any) -> None:
    import sys

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def table(title: str | None, columns: list[str]):  # noqa: ANN201
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        t.add_column(col, overflow="fold")
    return t


def read_text(path: Path) -> str:
    """A UTF-8 text file the user named; any failure is the catalogue's file error, naming it."""
    from medcoder.errors import SourceFileError, file_error

    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, "not UTF-8 text (is it a binary file?)") from exc
    except OSError as exc:
        raise file_error(exc, path) from exc


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a file beside ``path`` and rename it into place, so that a failure
    leaves nothing half-written; errors name ``path``, never the temporary file."""
    import contextlib

    from medcoder.errors import file_error

    tmp = path.with_name(path.name + ".tmp")
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise file_error(exc, path, writing=True) from exc


def open_output(path: Path):  # noqa: ANN201 - a text file object
    """Open a file the user asked results to be written to; errors name it."""
    from medcoder.errors import file_error

    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise file_error(exc, path, writing=True) from exc
