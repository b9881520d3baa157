"""ICD-10-PCS knowledge pack: tables, index and definitions of one fiscal year in SQLite.

Parsing lives in :mod:`icd10pcs_tables`, :mod:`icd10pcs_index` and
:mod:`icd10pcs_definitions`; this module stores what they parse and reads it back. Rows are
stored value by value (not as a list of all codes) because the tables are what the procedure
engine walks; the expanded code list is stored too (``pcs_code``) so that other tools can test
validity with one SQL query.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from medcoder.codesets import pack_store
from medcoder.codesets.icd10pcs_definitions import (
    DeviceAggregate,
    PcsDefinitions,
    PcsTerm,
    parse_definitions,
)
from medcoder.codesets.icd10pcs_index import PcsIndex, PcsIndexTerm, PcsReference, parse_index
from medcoder.codesets.icd10pcs_tables import (
    PcsDescription,
    PcsRow,
    PcsTable,
    PcsTables,
    parse_tables,
)
from medcoder.codesets.periods import fiscal_year_period
from medcoder.errors import SourceFileError

__all__ = [
    "PcsData",
    "PcsDefinitions",
    "PcsDescription",
    "PcsIndex",
    "PcsTables",
    "build_pcs_pack",
    "parse_definitions",
    "parse_index",
    "parse_tables",
    "read_pcs",
    "write_pcs",
]

SCHEMA = """
CREATE TABLE pcs_table (
    table_key TEXT PRIMARY KEY, section_label TEXT NOT NULL, body_system_label TEXT NOT NULL,
    operation_label TEXT NOT NULL, definition TEXT NOT NULL, titles TEXT NOT NULL);
CREATE TABLE pcs_row_value (
    table_key TEXT NOT NULL, row_no INTEGER NOT NULL, pos INTEGER NOT NULL,
    seq INTEGER NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL,
    PRIMARY KEY (table_key, row_no, pos, seq)) WITHOUT ROWID;
CREATE TABLE pcs_code (code TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE pcs_index (
    id INTEGER PRIMARY KEY, parent INTEGER, level INTEGER NOT NULL, title TEXT NOT NULL,
    code TEXT, ref_kind TEXT, ref_target TEXT, ref_code TEXT);
CREATE INDEX pcs_index_title ON pcs_index (title COLLATE NOCASE) WHERE level = 0;
CREATE TABLE pcs_definition (
    section TEXT NOT NULL, section_title TEXT NOT NULL, pos INTEGER NOT NULL,
    axis_title TEXT NOT NULL, term_no INTEGER NOT NULL, titles TEXT NOT NULL,
    definition TEXT NOT NULL, explanation TEXT NOT NULL, includes TEXT NOT NULL,
    PRIMARY KEY (section, pos, term_no));
CREATE TABLE pcs_device_aggregate (
    device TEXT NOT NULL, operation TEXT NOT NULL, body_systems TEXT NOT NULL,
    parent_value TEXT NOT NULL, parent TEXT NOT NULL);
"""
_SEP = "\x1f"  # unit separator: joins lists of titles, never occurs in CMS text


@dataclass
class PcsData:
    tables: PcsTables
    index: PcsIndex | None = None
    definitions: PcsDefinitions | None = None


def write_pcs(
    conn: sqlite3.Connection,
    tables: PcsTables,
    index: PcsIndex | None = None,
    definitions: PcsDefinitions | None = None,
) -> None:
    """Store parsed PCS files in a pack opened with :func:`pack_store.pack_writer`."""
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT INTO pcs_table VALUES (?, ?, ?, ?, ?, ?)",
        [(t.key, *t.labels, t.definition, _SEP.join(t.titles)) for t in tables.tables.values()],
    )
    conn.executemany(
        "INSERT INTO pcs_row_value VALUES (?, ?, ?, ?, ?, ?)",
        (
            (table.key, row_no, pos, seq, value, label)
            for table in tables.tables.values()
            for row_no, row in enumerate(table.rows)
            for pos, axis in enumerate(row.axes, start=4)
            for seq, (value, label) in enumerate(axis.items())
        ),
    )
    conn.executemany(
        "INSERT INTO pcs_code VALUES (?)", ((c,) for c in sorted(tables.valid_codes()))
    )
    if index is not None:
        conn.executemany(
            "INSERT INTO pcs_index VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _index_rows(index)
        )
    if definitions is not None:
        conn.executemany(
            "INSERT INTO pcs_definition VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    code,
                    title,
                    pos,
                    axis_title,
                    no,
                    _SEP.join(t.titles),
                    t.definition,
                    t.explanation,
                    _SEP.join(t.includes),
                )
                for code, (title, axes) in definitions.sections.items()
                for pos, (axis_title, terms) in axes.items()
                for no, t in enumerate(terms)
            ),
        )
        conn.executemany(
            "INSERT INTO pcs_device_aggregate VALUES (?, ?, ?, ?, ?)",
            (
                (a.device, a.operation, _SEP.join(a.body_systems), a.parent_value, a.parent)
                for a in definitions.aggregates
            ),
        )
    conn.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [
            ("pcs_version", tables.version),
            ("pcs_codes", str(tables.count())),
            ("pcs_has_index", str(int(index is not None))),
            ("pcs_has_definitions", str(int(definitions is not None))),
        ],
    )


def _index_rows(index: PcsIndex) -> list[tuple]:
    rows: list[tuple] = []

    def add(term: PcsIndexTerm, parent: int | None) -> None:
        ref = term.reference
        rows.append(
            (
                len(rows) + 1,
                parent,
                term.level,
                term.title,
                term.code,
                ref.kind if ref else None,
                ref.target if ref else None,
                ref.code if ref else None,
            )
        )
        own = len(rows)
        for child in term.children:
            add(child, own)

    for term in index.terms:
        add(term, None)
    return rows


def read_pcs(conn: sqlite3.Connection, *, index: bool = True, definitions: bool = True) -> PcsData:
    """Rebuild the parsed objects from a pack (the tables alone take about 0.1 s)."""
    meta = pack_store.read_meta(conn)
    version = meta.get("pcs_version", meta.get("version", ""))
    row_values: dict[str, list[tuple[dict[str, str], ...]]] = {}
    current: tuple[str, int] | None = None
    axes: tuple[dict[str, str], ...] = ()
    for key, row_no, pos, value, label in conn.execute(
        "SELECT table_key, row_no, pos, value, label FROM pcs_row_value ORDER BY table_key, "
        "row_no, pos, seq"
    ):
        if current != (key, row_no):
            current = (key, row_no)
            axes = ({}, {}, {}, {})
            row_values.setdefault(key, []).append(axes)
        axes[pos - 4][value] = label
    tables = {}
    for key, section, body_system, operation, definition, titles in conn.execute(
        "SELECT * FROM pcs_table"
    ):
        rows = tuple(PcsRow(a) for a in row_values.get(key, []))  # type: ignore[arg-type]
        tables[key] = PcsTable(
            key, (section, body_system, operation), tuple(titles.split(_SEP)), definition, rows
        )
    data = PcsData(PcsTables(version=version, tables=tables))
    if index and meta.get("pcs_has_index") == "1":
        data.index = _read_index(conn, version)
    if definitions and meta.get("pcs_has_definitions") == "1":
        data.definitions = _read_definitions(conn, version)
    return data


def _read_index(conn: sqlite3.Connection, version: str) -> PcsIndex:
    by_id: dict[int, PcsIndexTerm] = {}
    roots: list[PcsIndexTerm] = []
    for row_id, parent, level, title, code, kind, target, ref_code in conn.execute(
        "SELECT * FROM pcs_index ORDER BY id"
    ):
        ref = PcsReference(kind, target, ref_code) if kind else None
        term = PcsIndexTerm(title=title, level=level, code=code, reference=ref)
        by_id[row_id] = term
        (roots if parent is None else by_id[parent].children).append(term)
    return PcsIndex(version=version, terms=roots)


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(_SEP)) if text else ()


def _read_definitions(conn: sqlite3.Connection, version: str) -> PcsDefinitions:
    sections: dict[str, tuple[str, dict[int, tuple[str, list[PcsTerm]]]]] = {}
    for (
        section,
        s_title,
        pos,
        a_title,
        _no,
        titles,
        definition,
        explanation,
        includes,
    ) in conn.execute("SELECT * FROM pcs_definition ORDER BY section, pos, term_no"):
        axes = sections.setdefault(section, (s_title, {}))[1]
        axes.setdefault(pos, (a_title, []))[1].append(
            PcsTerm(_split(titles), definition, explanation, _split(includes))
        )
    aggregates = [
        DeviceAggregate(device, operation, _split(systems), value, parent)
        for device, operation, systems, value, parent in conn.execute(
            "SELECT * FROM pcs_device_aggregate"
        )
    ]
    return PcsDefinitions(version=version, sections=sections, aggregates=aggregates)


_ROOTS = {
    "ICD10PCS.tabular": "tables",
    "ICD10PCS.index": "index",
    "ICD10PCS.definitions": "definitions",
}


def _kind_of(path: Path) -> str:
    try:
        head = path.open("rb").read(2048).decode("utf-8", "replace")
    except OSError as exc:
        raise SourceFileError(path, f"cannot read ({exc.strerror})") from exc
    for root, kind in _ROOTS.items():
        if f"<{root}" in head:
            return kind
    raise SourceFileError(
        path,
        "not an ICD-10-PCS tables, index or definitions XML (expected root element "
        "<ICD10PCS.tabular>, <ICD10PCS.index> or <ICD10PCS.definitions>)",
    )


def build_pcs_pack(paths: list[Path] | Path, version: int | str) -> Path:
    """Compile the FY ``version`` PCS files (tables required; index, definitions optional)."""
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    found: dict[str, Path] = {}
    for path in paths:
        if not path.is_file():
            raise SourceFileError(path, "file not found")
        kind = _kind_of(path)
        if kind in found:
            raise SourceFileError(path, f"two PCS {kind} files ({found[kind].name}); give one")
        found[kind] = path
    if "tables" not in found:
        raise SourceFileError(paths[0], "no ICD-10-PCS tables XML among the files given")
    tables = parse_tables(found["tables"])
    index = parse_index(found["index"]) if "index" in found else None
    definitions = parse_definitions(found["definitions"]) if "definitions" in found else None
    for parsed, path in (
        (tables, found["tables"]),
        (index, found.get("index")),
        (definitions, found.get("definitions")),
    ):
        if parsed is not None and str(parsed.version) != str(version):
            raise SourceFileError(path, f"file is FY{parsed.version}, expected FY{version}")
    period = fiscal_year_period(int(version))
    meta = {
        "component": "icd10pcs",
        "version": str(version),
        "effective_from": period.start.isoformat(),
        "effective_to": period.end.isoformat(),
        "source": ", ".join(p.name for p in found.values()),
    }
    dest = pack_store.pack_path("icd10pcs", version)
    with pack_store.pack_writer(dest, meta) as conn:
        write_pcs(conn, tables, index, definitions)
    return dest
