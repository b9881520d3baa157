"""Spark stays an optional extra: the core never imports it, and ``--spark`` is explained.

No Spark session here: these run without Java.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "medcoder"
IMPORTS_PYSPARK = re.compile(r"^\s*(from|import)\s+pyspark\b", re.M)


def test_only_the_spark_package_imports_pyspark() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in SRC.rglob("*.py")
        if IMPORTS_PYSPARK.search(path.read_text(encoding="utf-8"))
        and SRC / "spark" not in path.parents
    ]
    assert offenders == []


def test_coding_a_note_loads_no_pyspark(tmp_path: Path) -> None:
    """``medcoder code`` and ``import medcoder.spark`` leave PySpark unimported."""
    note = tmp_path / "note.txt"
    note.write_text("ASSESSMENT: Acute appendicitis.\n", encoding="utf-8")
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write("
        "'LOADED:' + ','.join(m for m in ('pyspark', 'pandas', 'pyarrow') if m in sys.modules)))\n"
        "import medcoder.spark\n"
        "from medcoder.cli import main\n"
        f"sys.argv = ['medcoder', 'code', {str(note)!r}, '--format', 'json']\n"
        "main()\n"
    )
    env = {**os.environ, "MEDCODER_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.rstrip().endswith("LOADED:")


def test_spark_options_are_refused_with_the_fix(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("ASSESSMENT: Acute appendicitis.\n", encoding="utf-8")
    env = {**os.environ, "MEDCODER_DATA_DIR": str(tmp_path / "data")}

    def medcoder(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "medcoder", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    no_output = medcoder("code", str(note), "--spark", "local[2]")
    assert no_output.returncode == 2 and "--output OUT.parquet" in no_output.stderr
    two_inputs = medcoder("code", str(note), str(note), "--spark", "local[2]", "-o", "x.parquet")
    assert two_inputs.returncode == 2 and "one INPUT" in two_inputs.stderr
    alone = medcoder("code", str(note), "--queries")
    assert alone.returncode == 2 and "--spark" in alone.stderr


def test_every_output_column_is_documented() -> None:
    from medcoder.spark.claims import CLAIM_FIELDS
    from medcoder.spark.notes import NOTE_FIELDS

    documented = set(re.findall(r"^\| `(\w+)` \|", (REPO / "docs" / "spark.md").read_text(), re.M))
    assert {name for name, _ in (*NOTE_FIELDS, *CLAIM_FIELDS)} <= documented
