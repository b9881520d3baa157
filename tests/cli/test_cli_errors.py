"""One rule for every command's errors (the error catalogue): a one-line message naming the
file, exit status 1 for input and domain errors and 2 for usage errors, no Python exception
text, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENCOUNTER = REPO / "examples" / "encounter.json"


def run(*args: str, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEDCODER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "medcoder", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin if stdin is not None else "",
        cwd=REPO,
        timeout=300,
    )


def _one_line_error(done: subprocess.CompletedProcess, status: int, *names: str) -> str:
    assert done.returncode == status, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    for name in names:
        assert name in lines[0]
    assert "Traceback" not in done.stderr and "Decode" not in done.stderr
    return lines[0]


def test_a_binary_encounter_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    binary = tmp_path / "scan.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 20)
    line = _one_line_error(run("claim", str(binary), data_dir=tmp_path), 1, str(binary))
    assert "not UTF-8 text" in line


def test_an_output_in_a_missing_folder_names_the_file_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "claim.837"
    done = run("claim", str(ENCOUNTER), "-o", str(target), data_dir=tmp_path)
    line = _one_line_error(done, 1, str(target), "does not exist")
    assert ".tmp" not in line and not target.parent.exists()


def test_a_case_path_that_does_not_exist_is_refused_before_any_report(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    missing = tmp_path / "nope"
    done = run("case", "analyze", str(missing), "-o", str(report), data_dir=tmp_path)
    _one_line_error(done, 1, str(missing), "no such file")
    assert not report.exists()


def test_a_missing_file_exits_1_in_every_command_that_reads_one(tmp_path: Path) -> None:
    missing = str(tmp_path / "absent.txt")
    for args in (
        ("parse", missing),
        ("scrub", missing),
        ("query", "lint", missing),
        ("provider", "lookup", "1234567893", "--offline", missing),
    ):
        _one_line_error(run(*args, data_dir=tmp_path), 1, missing)


def test_user_add_without_a_terminal_says_how_to_give_the_password(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bench.db'}"
    line = _one_line_error(
        run("user", "add", "cora", "--role", "coder", "--db", db, data_dir=tmp_path), 2
    )
    assert "--password-stdin" in line
    done = run(
        "user", "add", "cora", "--role", "coder", "--password-stdin", "--db", db,
        data_dir=tmp_path, stdin="a-long-enough-passphrase\n",
    )  # fmt: skip
    assert done.returncode == 0 and "created user cora (coder)" in done.stdout


def test_the_address_serve_prints_opens_the_workbench_pages(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from medcoder.server import create_app

    app = create_app(f"sqlite:///{tmp_path / 'bench.db'}", secret="test-secret")
    try:
        client = TestClient(app, base_url="http://localhost")
        first = client.get("/", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/ui/"
        page = client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert 'name="password"' in page.text  # the login page, not a JSON 404
    finally:
        app.state.workbench.db.dispose()
