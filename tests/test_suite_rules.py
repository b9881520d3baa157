"""The test suite runs anywhere: named skips outside CI for what a machine lacks, failures in CI
for the same, and test modules that never import a folder's conftest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("MEDCODER_CI", "MEDCODER_CHROMIUM")}
    clean.pop("MEDCODER_TEST_POSTGRES_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**clean, **env},
        timeout=300,
    )


def test_no_test_module_imports_a_conftest() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in TESTS.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+conftest\b", path.read_text(), re.M)
    ]
    assert offenders == []


def test_module_names_are_unique_across_test_folders() -> None:
    # Test folders are not packages: pytest imports each module by its file name alone.
    names = Counter(p.name for p in TESTS.rglob("*.py") if p.name != "conftest.py")
    assert [n for n, count in names.items() if count > 1] == []


def test_a_missing_browser_skips_with_its_reason_outside_ci() -> None:
    done = _pytest("tests/ui/test_ui_queries_browser.py", "-rs", MEDCODER_CHROMIUM="/nonexistent")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
    assert "chromium not found at /nonexistent" in done.stdout


def test_a_missing_browser_fails_in_ci() -> None:
    done = _pytest(
        "tests/ui/test_ui_queries_browser.py", MEDCODER_CHROMIUM="/nonexistent", MEDCODER_CI="1"
    )
    assert done.returncode == 1
    assert "chromium not found at /nonexistent" in done.stdout and "MEDCODER_CI" in done.stdout


def test_postgresql_tests_skip_outside_ci_and_fail_in_ci() -> None:
    target = ("tests/store/test_token_lookup.py", "-k", "postgresql", "-rs")
    local = _pytest(*target)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "skipped" in local.stdout and "PostgreSQL not configured" in local.stdout
    ci = _pytest(*target, MEDCODER_CI="1")
    assert ci.returncode == 1 and "PostgreSQL not configured" in ci.stdout
