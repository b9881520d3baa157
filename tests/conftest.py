"""Shared test fixtures.

Tests that read the public reference data find it at ``../shared/data`` (relative to the
repository root) or at ``$MEDCODER_SHARED_DATA``, and skip with a reason when it is absent.
Every test gets its own empty medcoder data directory so no test sees a user's packs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _shared_data_dir() -> Path:
    env = os.environ.get("MEDCODER_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = _shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"public reference data not found at {path} (set MEDCODER_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch, request) -> None:
    """Tests use a private data dir unless they ask for the session-wide built packs."""
    if "built_packs" in request.fixturenames:
        return
    monkeypatch.setenv("MEDCODER_DATA_DIR", str(tmp_path_factory.mktemp("medcoder-data")))


@pytest.fixture(scope="session")
def built_packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the built-in ICD-10-CM pack, built once for the whole session."""
    path = tmp_path_factory.mktemp("medcoder-packs")
    os.environ["MEDCODER_DATA_DIR"] = str(path)
    from medcoder.codesets import registry

    registry.ensure_default_packs()
    return path
