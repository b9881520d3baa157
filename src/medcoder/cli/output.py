"""Printing results: rich tables for people, JSON for programs."""

from __future__ import annotations

import json
from enum import StrEnum
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
