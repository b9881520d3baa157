"""Compiled knowledge packs on disk: one SQLite file per (component, version).

A pack is built once from the publisher's files (``medcoder data import``) and then opened
read-only by every process. Building writes into a temporary file beside the destination and
renames it into place only when everything succeeded, so an interrupted or failed import never
leaves a half-written pack behind.

File names: ``{component}-{version}.sqlite`` under :func:`packs_dir`, for example
``icd10cm-tabular-2026.sqlite`` or ``icd10cm-index-2025.sqlite``. Every pack has a ``meta``
table (key, value) with at least ``component``, ``version``, ``effective_from``,
``effective_to`` (ISO dates), ``source`` (the file it was built from) and ``built_at``.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from medcoder.errors import SourceFileError

PACK_FORMAT = "1"

META_SCHEMA = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


def data_dir() -> Path:
    """Where medcoder keeps compiled packs: ``$MEDCODER_DATA_DIR`` or the user data dir."""
    env = os.environ.get("MEDCODER_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("medcoder", appauthor=False))


def packs_dir() -> Path:
    return data_dir() / "packs"


def pack_path(component: str, version: str | int) -> Path:
    return packs_dir() / f"{component}-{version}.sqlite"


@contextmanager
def pack_writer(dest: Path, meta: Mapping[str, str]) -> Iterator[sqlite3.Connection]:
    """Open a new pack for writing; commit and rename it to ``dest`` on success.

    On any exception the temporary file is removed and ``dest`` is left as it was.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o644)  # packs are read by every user of the machine, like the publisher files
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(META_SCHEMA)
        full_meta = {"format": PACK_FORMAT, "built_at": datetime.now(UTC).isoformat()}
        full_meta.update(meta)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(full_meta.items()))
        yield conn
        conn.commit()
        conn.close()
        os.replace(tmp, dest)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise


def open_pack(path: Path) -> sqlite3.Connection:
    """Open a compiled pack read-only."""
    if not path.exists():
        raise SourceFileError(path, "pack file not found; build it with `medcoder data import`")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    return conn


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())
