"""One Spark session (``local[2]``) for every Spark test: the JVM takes seconds to start.

Outside CI the Spark tests skip, with the reason, where PySpark or Java 17 is missing; in CI
(``MEDCODER_CI=1``, exported by ``.ci/run``, which installs both) a missing one fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest


def _why_no_spark() -> str | None:
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[spark]')"
    java = shutil.which("java")
    if java is None:
        return "no Java on PATH (apt-get install openjdk-17-jre-headless)"
    try:
        shown = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{java} -version failed: {exc}"
    found = re.search(r'version "(\d+)', shown.stderr + shown.stdout)
    if shown.returncode != 0 or found is None or int(found.group(1)) < 17:
        return f"Spark needs Java 17 or later; {java} says: {shown.stderr.strip()[:120]}"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    reason = _why_no_spark()
    if reason is not None:
        if os.environ.get("MEDCODER_CI"):
            pytest.fail(f"CI runs the Spark tests, but {reason}")
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("medcoder-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
