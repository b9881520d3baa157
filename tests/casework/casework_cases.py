"""The case folders under tests/fixtures/casework and how their expected rows are read.

A module of its own (not the folder's conftest) so that test modules can import it whichever
folders pytest collects together.
"""

from __future__ import annotations

from datetime import date, time

CASES = ("ed_missed_mi", "lap_chole", "opinion_sea", "opinion_ob")


def parse_expected(row: dict[str, object]) -> tuple[date, time | None]:
    day = date.fromisoformat(str(row["date"]))
    clock = time.fromisoformat(str(row["time"])) if row.get("time") else None
    return day, clock
