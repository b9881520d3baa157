"""Search the Alphabetic Index paths of the installed index pack (see ``search.py``)."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from functools import lru_cache
from pathlib import Path

from medcoder.codesets import pack_store
from medcoder.codesets.systems import code_key


@lru_cache(maxsize=4)
def _connection(path: Path) -> sqlite3.Connection | None:
    conn = pack_store.open_pack(path)
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'index_search'").fetchone()
    return conn if has_table else None


def search_index(
    text: str, *, limit: int = 20, on: date | None = None
) -> list[tuple[str, str, str, float]]:
    """``(code key, index path, 'index', score)`` best first; empty without an index pack."""
    from medcoder.codesets import registry

    packs = registry.list_packs("icd10cm-index")
    if on is not None:
        packs = [p for p in packs if p.period.start <= on] or packs
    if not packs:
        return []
    conn = _connection(packs[-1].path)
    if conn is None:  # built before index search existed: re-import to enable it
        return []
    terms = [t for t in re.findall(r"[A-Za-z0-9]+", text.lower()) if t]
    if not terms:
        return []
    query = " ".join(f'"{t}"*' if len(t) > 2 else f'"{t}"' for t in terms)
    rows = conn.execute(
        "SELECT path, code, bm25(index_search) FROM index_search WHERE index_search MATCH ? "
        "ORDER BY bm25(index_search) LIMIT ?",
        (query, limit),
    )
    # Index hits rank a little above title hits of the same strength: coders start there.
    return [(code_key(code.rstrip("-")), path, "index", -rank * 1.1) for path, code, rank in rows]
