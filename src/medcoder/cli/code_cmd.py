"""``medcoder parse`` (registered once the document layer is in)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
