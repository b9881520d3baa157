"""Store the ICD-10-CM index trees and tables in a compiled pack, and load them back fast.

The four files of the index family (disease index, external cause index, drug table,
neoplasm table) go into one pack, ``icd10cm-index-{fiscal year}``, in one table of terms:

* ``index_docs(kind, version, title, columns, first_id, last_id)``: one row per file kind;
  ``columns`` is the JSON object ``{column number: heading}`` of a table, ``first_id`` and
  ``last_id`` bound the kind's rows so loading reads a contiguous range with no sort;
* ``index_terms(id, parent_id, kind, level, title, nemod, codes, manif, see, see_also,
  see_cat, subcat, warning, cells)``: one row per letter (level -1), main term (0) or subterm
  (1-9), written in pre-order; list and dict columns are JSON and NULL when empty.

Loading is one SELECT ordered by id, hanging each term on its parent through a dict of child
lists, because the engine rebuilds the 80 000-term disease index at start-up.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_index import (
    KINDS,
    Index,
    IndexLetter,
    IndexTerm,
    index_from_root,
    kind_of_root,
    load_root,
)
from medcoder.codesets.icd10cm_tables import (
    CodeTable,
    DrugTable,
    NeoplasmTable,
    TableTerm,
    table_from_root,
)
from medcoder.codesets.periods import fiscal_year_period
from medcoder.errors import PackNotFoundError, SourceFileError

SCHEMA = """
CREATE TABLE IF NOT EXISTS index_docs (
    kind TEXT PRIMARY KEY, version TEXT NOT NULL, title TEXT NOT NULL, columns TEXT,
    first_id INTEGER NOT NULL, last_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS index_terms (
    id INTEGER PRIMARY KEY, parent_id INTEGER, kind TEXT NOT NULL, level INTEGER NOT NULL,
    title TEXT NOT NULL, nemod TEXT, codes TEXT, manif TEXT, see TEXT, see_also TEXT,
    see_cat TEXT, subcat TEXT, warning TEXT, cells TEXT
);
CREATE INDEX IF NOT EXISTS index_terms_kind_parent ON index_terms (kind, parent_id);
"""
# Letters are stored as rows of level -1 so that the letter sections survive a round trip.
LETTER_LEVEL = -1
TERM_COLUMNS = (
    "id, parent_id, level, title, nemod, codes, manif, see, see_also, see_cat, subcat, "
    "warning, cells"
)


def to_json(value: Any) -> str | None:
    """JSON for a list/dict column, NULL when empty (most rows: keeps loading fast)."""
    return json.dumps(value, ensure_ascii=False) if value else None


def store_document(
    conn: sqlite3.Connection,
    kind: str,
    version: str,
    title: str,
    letters: list[IndexLetter],
    row: Any,
    columns: dict[int, str] | None = None,
) -> None:
    """Write one tree in pre-order; ``row(term)`` gives the columns after ``title``."""
    conn.executescript(SCHEMA)
    conn.execute("DELETE FROM index_terms WHERE kind = ?", (kind,))
    first_id = next_id = conn.execute(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM index_terms"
    ).fetchone()[0]
    rows: list[tuple[Any, ...]] = []
    for letter in letters:
        letter_id = next_id
        next_id += 1
        rows.append((letter_id, None, kind, LETTER_LEVEL, letter.title) + (None,) * 9)
        stack = [(letter_id, t) for t in reversed(letter.main_terms)]
        while stack:
            parent_id, term = stack.pop()
            rows.append((next_id, parent_id, kind, term.level, term.title, *row(term)))
            stack.extend((next_id, sub) for sub in reversed(term.subterms))
            next_id += 1
    conn.executemany(
        "INSERT INTO index_terms (id, parent_id, kind, level, title, nemod, codes, manif, see, "
        "see_also, see_cat, subcat, warning, cells) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.execute(
        "INSERT OR REPLACE INTO index_docs VALUES (?, ?, ?, ?, ?, ?)",
        (
            kind,
            version,
            title,
            to_json({str(k): v for k, v in (columns or {}).items()}),
            first_id,
            next_id - 1,
        ),
    )


def load_document(
    conn: sqlite3.Connection, kind: str, make: Callable[[tuple[Any, ...]], Any]
) -> tuple[str, str, dict[int, str], list[IndexLetter]]:
    """Rebuild a stored tree with one SELECT over its id range; ``make(row)`` builds a term.

    Rows come in pre-order, so every parent exists before its children. The cyclic garbage
    collector is paused meanwhile: 80 000 new lists would trigger it dozens of times for
    nothing (the tree has no cycles), which costs more than the building itself.
    """
    try:
        doc = conn.execute(
            "SELECT version, title, columns, first_id, last_id FROM index_docs WHERE kind = ?",
            (kind,),
        ).fetchone()
    except sqlite3.OperationalError:
        doc = None
    if doc is None:
        raise PackNotFoundError("ICD-10-CM index", f"the pack holds no {kind} index or table")
    version, title, columns_json, first_id, last_id = doc
    columns = {int(k): v for k, v in json.loads(columns_json or "{}").items()}
    letters: list[IndexLetter] = []
    children: dict[int, list[Any]] = {}
    rows = conn.execute(
        f"SELECT {TERM_COLUMNS} FROM index_terms WHERE id BETWEEN ? AND ? ORDER BY id",
        (first_id, last_id),
    )
    collecting = gc.isenabled()
    gc.disable()
    try:
        for row in rows:
            if row[2] == LETTER_LEVEL:
                letter = IndexLetter(row[3])
                letters.append(letter)
                children[row[0]] = letter.main_terms
                continue
            term = make(row)
            children[row[1]].append(term)
            children[row[0]] = term.subterms
    finally:
        if collecting:
            gc.enable()
    return version, title, columns, letters


def json_list(text: str | None) -> list[str]:
    """Decode a stored list column; code lists (no escapes) are split without the JSON parser,
    which is the single largest cost of rebuilding the 80 000-term disease index."""
    if not text:
        return []
    if "\\" in text or text == "[]":
        return json.loads(text)
    return text[2:-2].split('", "')


def _index_row(term: IndexTerm) -> tuple[Any, ...]:
    return (
        to_json(term.nemod),
        to_json(term.codes),
        to_json(term.manif_codes),
        term.see,
        term.see_also,
        term.see_cat,
        term.see_subcat,
        term.warning,
        None,
    )


def _index_term_from_row(row: tuple[Any, ...]) -> IndexTerm:
    _, _, level, title, nemod, codes, manif, see, see_also, see_cat, subcat, warning, _ = row
    return IndexTerm(
        title,
        level,
        json.loads(nemod) if nemod else [],
        json_list(codes),
        json_list(manif),
        see,
        see_also,
        see_cat,
        subcat,
        warning,
        [],
    )


def write_index(conn: sqlite3.Connection, index: Index) -> None:
    """Store a parsed index in a pack opened with :func:`pack_store.pack_writer`."""
    store_document(conn, index.kind, index.version, index.title, index.letters, _index_row)


def read_index(conn: sqlite3.Connection, kind: str = "index") -> Index:
    """Rebuild the ``index`` or ``eindex`` tree from a pack (one query, no per-node SELECT)."""
    version, title, _, letters = load_document(conn, kind, _index_term_from_row)
    return Index(version=version, kind=kind, title=title, letters=letters)


def _table_row(term: TableTerm) -> tuple[Any, ...]:
    manif = [term.manif] if term.manif else None
    return (
        to_json(term.nemod),
        None,
        to_json(manif),
        term.see,
        term.see_also,
        None,
        None,
        None,
        to_json(term.cells),
    )


def _table_term_from_row(row: tuple[Any, ...]) -> TableTerm:
    _, _, level, title, nemod, _, manif, see, see_also, _, _, _, cells = row
    return TableTerm(
        title,
        level,
        json.loads(nemod) if nemod else [],
        see,
        see_also,
        json.loads(manif)[0] if manif else None,
        json.loads(cells) if cells else {},
        [],
    )


def write_table(conn: sqlite3.Connection, table: CodeTable) -> None:
    """Store a parsed table in a pack opened with :func:`pack_store.pack_writer`."""
    store_document(
        conn, table.kind, table.version, table.title, table.letters, _table_row, table.columns
    )


def _read(conn: sqlite3.Connection, kind: str, cls: type[CodeTable]) -> Any:
    version, title, columns, letters = load_document(conn, kind, _table_term_from_row)
    return cls(version=version, kind=kind, title=title, columns=columns, letters=letters)


def read_drug_table(conn: sqlite3.Connection) -> DrugTable:
    return _read(conn, "drug", DrugTable)


def read_neoplasm_table(conn: sqlite3.Connection) -> NeoplasmTable:
    return _read(conn, "neoplasm", NeoplasmTable)


def build_index_pack(paths: Sequence[str | Path], version: int | str) -> Path:
    """Compile any of the four index files of FY ``version`` into ``icd10cm-index-{version}``.

    Each file's kind comes from its content; two files of one kind, or a file of another
    fiscal year, are refused before anything is written.
    """
    found: dict[str, tuple[Path, Any]] = {}
    for raw in paths:
        path = Path(raw)
        root = load_root(path)
        kind = kind_of_root(root)
        if kind in found:
            raise SourceFileError(path, f"two {kind} files ({found[kind][0].name}); give one")
        doc: Index | CodeTable
        if kind in ("index", "eindex"):
            doc = index_from_root(root, kind)
        else:
            doc = table_from_root(root, kind)
        if doc.version and str(doc.version) != str(version):
            raise SourceFileError(path, f"file is FY{doc.version}, expected FY{version}")
        found[kind] = (path, doc)
    if not found:
        raise SourceFileError(".", "no ICD-10-CM index or table file given")
    kinds = [kind for kind in KINDS if kind in found]
    period = fiscal_year_period(int(version))
    meta = {
        "component": "icd10cm-index",
        "version": str(version),
        "effective_from": period.start.isoformat(),
        "effective_to": period.end.isoformat(),
        "source": ", ".join(found[kind][0].name for kind in kinds),
        "kinds": ",".join(kinds),
    }
    dest = pack_store.pack_path("icd10cm-index", version)
    with pack_store.pack_writer(dest, meta) as conn:
        for kind in kinds:
            stored = found[kind][1]
            if isinstance(stored, Index):
                write_index(conn, stored)
                write_index_search(conn, stored)
            else:
                write_table(conn, stored)
    return dest


def write_index_search(conn: sqlite3.Connection, index: Index) -> None:
    """Full-text search over every index path that leads to a code, as a coder reads it:
    ``Diabetes, type 2, with, chronic kidney disease`` -> E11.22 (``medcoder search``)."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS index_search USING fts5("
        "path, code UNINDEXED, kind UNINDEXED, tokenize='porter unicode61')"
    )
    rows = [
        (", ".join(titles), term.codes[0], index.kind)
        for titles, term in index.iter_terms()
        if term.codes
    ]
    conn.executemany("INSERT INTO index_search VALUES (?, ?, ?)", rows)
