"""Shared test fixtures.

Tests that read the public reference data find it at ``../shared/data`` (relative to the
repository root) or at ``$MEDCODER_SHARED_DATA``, and skip with a reason when it is absent.
Every test gets its own empty medcoder data directory so no test sees a user's packs.

Tests that need a service a machine may lack (Debian's chromium for the browser tests, a
PostgreSQL server) ask for it through :func:`unavailable`: on a developer's machine they skip
with the reason and the command that provides it; in CI (``$MEDCODER_CI=1``, set by
``.ci/run``) they fail instead, so CI can never pass by skipping them.

Test modules never import a ``conftest``: helpers they share live in modules of their own
(``tests/casework/casework_cases.py``, ``tests/ui/browser_support.py``); every test folder's
conftest is named ``conftest`` and only one of them can be imported under that name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CI_ENV = "MEDCODER_CI"


def in_ci() -> bool:
    """True under ``.ci/run`` (``MEDCODER_CI=1``): required services must be there."""
    return os.environ.get(CI_ENV, "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} (${CI_ENV} is set: CI runs every browser and PostgreSQL test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def unavailable() -> Callable[[str], NoReturn]:
    """``unavailable("chromium is missing ...")``: skip the test with that reason, or fail it
    in CI. For fixtures of other folders (tests/ui/conftest.py's browser)."""
    return _unavailable


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


@pytest.fixture(scope="session")
def built_packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the built-in ICD-10-CM tabular pack and a small synthetic index pack,
    built once for the whole session."""
    path = tmp_path_factory.mktemp("medcoder-packs")
    before = os.environ.get("MEDCODER_DATA_DIR")
    os.environ["MEDCODER_DATA_DIR"] = str(path)
    try:
        from medcoder.codesets import registry

        registry.ensure_default_packs()
        from medcoder.codesets.icd10cm_index import build_index_pack

        # A small synthetic index (and Table of Drugs) beside the built-in tabular, so the
        # engine walks an index.
        build_index_pack(
            [
                FIXTURES / "engine" / "engine_index_2025.xml",
                FIXTURES / "engine" / "engine_drug_2025.xml",
            ],
            2025,
        )
    finally:
        if before is None:
            os.environ.pop("MEDCODER_DATA_DIR", None)
        else:
            os.environ["MEDCODER_DATA_DIR"] = before
    return path


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch, request) -> None:
    """Each test sees its own empty data dir, or the session's built packs when it asks."""
    from medcoder.codesets import registry

    if "built_packs" in request.fixturenames:
        monkeypatch.setenv("MEDCODER_DATA_DIR", str(request.getfixturevalue("built_packs")))
    else:
        monkeypatch.setenv("MEDCODER_DATA_DIR", str(tmp_path_factory.mktemp("medcoder-data")))
    registry.clear_cache()


PG_ENV = "MEDCODER_TEST_POSTGRES_URL"


def _empty_postgres(url: str) -> Iterator[str]:
    """A database of its own for one test, dropped afterwards, so that several test runs can
    share one PostgreSQL server without emptying each other's tables."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from medcoder.store.database import normalize_url

    server = make_url(normalize_url(url))
    name = f"medcoder_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty workbench database: SQLite always, PostgreSQL when $MEDCODER_TEST_POSTGRES_URL
    is set (``eval "$(bash .ci/postgres.sh)"`` starts one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workbench.db'}"
        return
    url = os.environ.get(PG_ENV)
    if not url:
        _unavailable(
            f"PostgreSQL not configured: set ${PG_ENV} to run this test against PostgreSQL too "
            '(eval "$(bash .ci/postgres.sh)" starts a throwaway server)'
        )
    try:
        import psycopg  # noqa: F401 - the driver the URL names
    except ImportError:
        _unavailable("PostgreSQL tests need psycopg (pip install -e '.[dev]')")
    yield from _empty_postgres(url)
