"""The README's examples run: every command of its table has an example line under
"## Examples", and every line of that block runs on the files under examples/ as a new user
would run it (from a folder of their own, through the `medcoder` command), with the exit
status the line states (0 unless it says `# exit status N`)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

# Lines that fail today for a reason another branch fixes; each must still fail (so that the
# entry is removed as soon as it passes) and must still be in the README.
PENDING: dict[str, str] = {}


def example_lines() -> list[tuple[str, str]]:
    """(command, annotation) for each line of the bash block of the "## Examples" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Examples", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README's Examples section has no ```bash block"
    lines = []
    for raw in block.group(1).splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        command, _, note = raw.partition("   # ")
        lines.append((command.strip(), note.strip()))
    return lines


def _groups() -> set[str]:
    from medcoder.cli import _register, app

    _register()
    return {group.name for group in app.registered_groups if group.name}


def _command_of(words: list[str], groups: set[str]) -> str:
    """``["medcoder", "data", "import", "--cpt", ...]`` -> ``data import``."""
    first = words[words.index("medcoder") + 1]
    if first in groups:
        return f"{first} {words[words.index('medcoder') + 2]}"
    return first


def table_commands(groups: set[str]) -> set[str]:
    found = set()
    for row in README.read_text(encoding="utf-8").splitlines():
        if not row.startswith("| `medcoder "):
            continue
        first_cell = row.split(" | ")[0]
        for command in re.findall(r"`(medcoder [^`]+)`", first_cell):
            found.add(_command_of(command.split(), groups))
    return found


def test_every_command_of_the_table_has_an_example_line() -> None:
    groups = _groups()
    documented = table_commands(groups)
    examples = set()
    for command, _ in example_lines():
        invoked = command.split("|")[-1]  # the medcoder part of a pipeline
        examples.add(_command_of(shlex.split(invoked), groups))
    assert documented - examples == set(), "commands of the table without an example"
    assert examples - documented == set(), "examples of commands the table does not list"
    stale = set(PENDING) - {command for command, _ in example_lines()}
    assert stale == set(), "PENDING lists lines that are no longer in the README"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(command: str, cwd: Path, env: dict[str, str]) -> str | None:
    """Start a server line on a free port, open the address it prints, stop it. None if all
    went well, else what went wrong."""
    import httpx

    command = re.sub(r"--port \d+", f"--port {_free_port()}", command)
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        address = None
        deadline = time.monotonic() + 120
        while address is None and time.monotonic() < deadline and process.poll() is None:
            line = process.stderr.readline()
            found = re.search(r"workbench on (http://\S+)", line)
            address = found.group(1) if found else None
        if address is None:
            return f"no address printed (exit {process.poll()})"
        for _ in range(100):
            try:
                page = httpx.get(address, follow_redirects=True, timeout=10)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            return f"{address} did not answer"
        if page.status_code != 200 or 'name="password"' not in page.text:
            return f"{address} answered {page.status_code}, not the login page"
        return None
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


@pytest.mark.skipif(shutil.which("bash") is None, reason="the README's lines are bash")
def test_every_example_line_runs(built_packs: Path, tmp_path: Path) -> None:
    home = tmp_path / "user"
    home.mkdir()
    shutil.copytree(REPO / "examples", home / "examples")
    data = tmp_path / "data"
    shutil.copytree(built_packs, data)  # the built-in pack, compiled once per test session
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "medcoder").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m medcoder "$@"\n')
    (shim / "medcoder").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
        "MEDCODER_DATA_DIR": str(data),
    }
    failures, passing_pending = [], []
    for command, note in example_lines():
        if "needs the internet" in note:
            continue
        if "runs until Ctrl-C" in note:
            problem = _serve(command, home, env)
            if problem:
                failures.append(f"{command}\n    {problem}")
            continue
        wanted = int(m.group(1)) if (m := re.search(r"exit status (\d+)", note)) else 0
        done = subprocess.run(
            ["bash", "-c", command], cwd=home, env=env, capture_output=True, text=True, timeout=600
        )
        outputs = re.findall(r"(?:-o|--output) (\S+)", command)
        missing = [o for o in outputs if not (home / o).exists()]
        ok = done.returncode == wanted and not missing
        if command in PENDING:
            if ok:
                passing_pending.append(command)
            continue
        if not ok:
            tail = (done.stderr.strip().splitlines() or ["(no stderr)"])[-1]
            failures.append(
                f"{command}\n    exit {done.returncode} (wanted {wanted}); "
                f"missing outputs {missing}; {tail}"
            )
    assert failures == [], "\n".join(failures)
    assert passing_pending == [], "these now pass: remove them from PENDING"
