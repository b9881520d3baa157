"""Fixtures of the case-work tests: the case folders and their expected rows (the case names
and the row reader are in casework_cases.py, which test modules import)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def casework_dir(fixtures: Path) -> Path:
    return fixtures / "casework"


@pytest.fixture(scope="session")
def expected(casework_dir: Path):  # noqa: ANN201
    def load(name: str) -> list[dict[str, object]]:
        return json.loads((casework_dir / "expected" / f"{name}.json").read_text())

    return load
