"""The error catalogue: every error declares its stable code, HTTP status and exit status once,
and both shells (the API, the command line) answer through those declarations."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import medcoder
from medcoder.errors import (
    InputError,
    MedcoderError,
    OutputFileError,
    SourceFileError,
    catalogue,
    file_error,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def every_error() -> list[type[MedcoderError]]:
    """The catalogue after importing every module of the package (so each one's errors load)."""
    for module in pkgutil.walk_packages(medcoder.__path__, "medcoder."):
        if module.name.endswith("__main__") or ".migrations" in module.name:
            continue
        importlib.import_module(module.name)
    return catalogue()


def test_every_error_declares_its_own_stable_code(every_error) -> None:
    missing = [cls.__qualname__ for cls in every_error if "code" not in cls.__dict__]
    assert missing == []
    codes = [cls.code for cls in every_error]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]+", c) for c in codes)


def test_statuses_follow_the_one_rule(every_error) -> None:
    for cls in every_error:
        assert 400 <= cls.http_status <= 599, cls
        # usage errors exit 2; input and domain errors exit 1 (README, docs/errors.md)
        assert cls.exit_code in (1, 2), cls


def test_the_errors_page_lists_the_whole_catalogue(every_error) -> None:
    rows = {}
    for line in (REPO / "docs" / "errors.md").read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[2].isdigit():
            rows[cells[0]] = (cells[1], int(cells[2]), int(cells[3]))
    declared = {cls.code: (cls.__name__, cls.http_status, cls.exit_code) for cls in every_error}
    assert rows == declared


def test_the_api_answers_a_new_error_with_its_declared_status_and_code() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from medcoder.server import errors as api_errors

    class PayerRefusedError(InputError):
        code = "test_payer_refused"
        http_status = 409

    app = FastAPI()
    api_errors.install(app)

    @app.get("/refuse")
    def refuse() -> None:
        raise PayerRefusedError("payer 87726 does not accept this plan", field="payer.id")

    response = TestClient(app).get("/refuse")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "test_payer_refused",
            "message": "payer 87726 does not accept this plan",
            "field": "payer.id",
        }
    }


def test_an_os_error_names_the_users_file_and_not_a_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "claim.837"
    try:
        (target.parent / "claim.837.tmp").write_text("x")
    except OSError as exc:
        error = file_error(exc, target, writing=True)
    assert isinstance(error, OutputFileError) and error.exit_code == 1
    assert str(error).startswith(str(target)) and ".tmp" not in str(error)
    assert "missing-folder does not exist" in str(error)
    try:
        (tmp_path / "absent.json").read_text()
    except OSError as exc:
        error = file_error(exc)
    assert isinstance(error, SourceFileError)
    assert str(error) == f"{tmp_path / 'absent.json'}: no such file or directory"
