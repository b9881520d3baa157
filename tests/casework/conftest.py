"""Shared helpers for the case-work tests: fixture folders and the analysed reports."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest

CASES = ("ed_missed_mi", "lap_chole", "opinion_sea", "opinion_ob")


@pytest.fixture(scope="session")
def casework_dir(fixtures: Path) -> Path:
    return fixtures / "casework"


@pytest.fixture(scope="session")
def expected(casework_dir: Path):  # noqa: ANN201
    def load(name: str) -> list[dict[str, object]]:
        return json.loads((casework_dir / "expected" / f"{name}.json").read_text())

    return load


def parse_expected(row: dict[str, object]) -> tuple[date, time | None]:
    day = date.fromisoformat(str(row["date"]))
    clock = time.fromisoformat(str(row["time"])) if row.get("time") else None
    return day, clock
