"""The compiled ICD-10-CM tabular pack and the object that answers questions about it.

Built once from the tabular XML into SQLite (``icd10cm-tabular-YYYY.sqlite``). Reading is
lazy: a lookup runs one indexed query, so ``medcoder lookup`` starts fast; the first call to
:meth:`ICD10CMPack.validate` loads every key with its flags into a dict, after which
validation is a dict lookup (millions per second).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_tabular import Tabular, key_in_range, note_references
from medcoder.codesets.periods import Period, fiscal_year_period
from medcoder.codesets.systems import CodeSystem, code_key, icd10cm_display

COMPONENT = "icd10cm-tabular"

BILLABLE = 1
REQUIRES_7TH = 2
HEADER = 4

SCHEMA = """
CREATE TABLE codes (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, parent TEXT,
    depth INTEGER NOT NULL, chapter TEXT, flags INTEGER NOT NULL, extension_of TEXT
) WITHOUT ROWID;
CREATE INDEX codes_parent ON codes(parent);
CREATE TABLE notes (key TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX notes_key ON notes(key);
CREATE TABLE seven_chr (key TEXT NOT NULL, char TEXT NOT NULL, meaning TEXT NOT NULL);
CREATE VIRTUAL TABLE search USING fts5(key UNINDEXED, text, source UNINDEXED, tokenize='porter unicode61');
"""


def write_tabular(conn: sqlite3.Connection, tabular: Tabular) -> None:
    """Store a parsed tabular list in an open pack (see :func:`pack_store.pack_writer`)."""
    conn.executescript(SCHEMA)
    has_children = {n.parent for n in tabular.nodes if n.parent and n.extension_of is None}
    rows, notes, seven, search = [], [], [], []
    for node in tabular.nodes:
        flags = (BILLABLE if node.billable else 0) | (REQUIRES_7TH if node.requires_7th else 0)
        if node.key in has_children:
            flags |= HEADER
        rows.append(
            (
                node.key,
                node.kind,
                node.title,
                node.parent,
                node.depth,
                node.chapter,
                flags,
                node.extension_of,
            )
        )
        notes.extend((node.key, i, kind, text) for i, (kind, text) in enumerate(node.notes))
        seven.extend((node.key, char, meaning) for char, meaning in node.seven_chr.items())
        if node.kind in ("category", "code") and node.extension_of is None:
            search.append((node.key, node.title, "title"))
            search.extend(
                (node.key, text, "inclusion")
                for kind, text in node.notes
                if kind == "inclusionTerm"
            )
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO notes VALUES (?,?,?,?)", notes)
    conn.executemany("INSERT INTO seven_chr VALUES (?,?,?)", seven)
    conn.executemany("INSERT INTO search VALUES (?,?,?)", search)


def build_tabular_pack(tabular: Tabular, *, period: Period | None = None, note: str = "") -> Path:
    """Compile ``tabular`` into the pack directory; returns the pack's path."""
    year = int(tabular.version)
    period = period or fiscal_year_period(year)
    dest = pack_store.pack_path(COMPONENT, year)
    meta = {
        "component": COMPONENT,
        "system": CodeSystem.ICD10CM.value,
        "version": str(year),
        "effective_from": period.start.isoformat(),
        "effective_to": period.end.isoformat(),
        "source": tabular.source,
        "note": note,
    }
    with pack_store.pack_writer(dest, meta) as conn:
        write_tabular(conn, tabular)
    return dest


@dataclass(frozen=True)
class Note:
    kind: str  # includes, inclusionTerm, excludes1, excludes2, codeFirst, useAdditionalCode, ...
    text: str
    from_code: str  # display form of the code (or block/chapter) the note is written under

    @property
    def references(self) -> list[tuple[str, str]]:
        return note_references(self.text)


@dataclass
class CodeInfo:
    """What a coder reads at a tabular entry."""

    code: str  # display form
    key: str
    kind: str
    title: str
    billable: bool
    requires_7th: bool
    parent: str | None
    chapter: str | None
    notes: list[Note] = field(default_factory=list)  # own and inherited, nearest first
    seven_chr: dict[str, str] = field(default_factory=dict)  # in force for this code
    children: list[tuple[str, str]] = field(default_factory=list)  # (display, title)
    ancestors: list[tuple[str, str]] = field(default_factory=list)  # nearest first


def display(key: str) -> str:
    """Display form for any tabular key (chapters and blocks keep their own form)."""
    if key.startswith("CH") or "-" in key:
        return key
    return icd10cm_display(key)


class ICD10CMPack:
    """One fiscal year of the ICD-10-CM tabular list, compiled.

    Construct with the pack path; nothing is read until asked.
    """

    system = CodeSystem.ICD10CM

    def __init__(self, path: Path) -> None:
        self.path = path
        # Packs are read-only: notes and Excludes1 ranges are memoised per code, since the
        # conventions ask about the same codes for every pair of suggestions.
        self._notes_memo: dict[str, list[Note]] = {}
        self._excludes1_memo: dict[str, list[tuple[Note, list[tuple[str, str]]]]] = {}

    @cached_property
    def _conn(self) -> sqlite3.Connection:
        return pack_store.open_pack(self.path)

    @cached_property
    def meta(self) -> dict[str, str]:
        return pack_store.read_meta(self._conn)

    @cached_property
    def version(self) -> int:
        return int(self.meta["version"])

    @property
    def period(self) -> Period:
        return Period(
            date.fromisoformat(self.meta["effective_from"]),
            date.fromisoformat(self.meta["effective_to"]),
        )

    @cached_property
    def flags(self) -> dict[str, int]:
        """Every code key (categories and codes) with its flag bits."""
        return dict(
            self._conn.execute("SELECT key, flags FROM codes WHERE kind IN ('category','code')")
        )

    def __contains__(self, code: str) -> bool:
        return code_key(code) in self.flags

    def is_billable(self, code: str) -> bool:
        """Valid for reporting: a complete code (guideline I.B.1: use the full code)."""
        return self.flags.get(code_key(code), 0) & BILLABLE == BILLABLE

    def billable_keys(self) -> Iterable[str]:
        return (k for k, f in self.flags.items() if f & BILLABLE)

    @cached_property
    def titles(self) -> dict[str, str]:
        """Every code's title, loaded once for bulk work (validation, coding)."""
        return dict(self._conn.execute("SELECT key, title FROM codes"))

    def title(self, code: str) -> str | None:
        key = code_key(code)
        if "titles" in self.__dict__:
            return self.titles.get(key)
        memo = self.__dict__.setdefault("_title_memo", {})
        if key not in memo:
            # coding asks for the same few hundred titles note after note
            row = self._conn.execute("SELECT title FROM codes WHERE key=?", (key,)).fetchone()
            memo[key] = row[0] if row else None
        return memo[key]

    def _row(self, key: str) -> tuple | None:
        return self._conn.execute(
            "SELECT key, kind, title, parent, chapter, flags, extension_of FROM codes WHERE key=?",
            (key,),
        ).fetchone()

    def ancestors(self, code: str) -> list[str]:
        """Keys from the parent up to the chapter, nearest first."""
        out: list[str] = []
        key = code_key(code)
        row = self._row(key)
        while row and row[3]:
            out.append(row[3])
            row = self._row(row[3])
        return out

    def children(self, code: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT key FROM codes WHERE parent=? ORDER BY key", (code_key(code),)
        )
        return [r[0] for r in rows]

    def notes(self, code: str, kinds: Iterable[str] | None = None) -> list[Note]:
        """Instructional notes in force at ``code``: its own, then each ancestor's.

        Notes at a category apply to every code beneath it (guideline I.A.12-13), so a
        question about ``E11.22`` also answers with the Excludes1 note of ``E11``.
        """
        wanted = set(kinds) if kinds else None
        own = code_key(code)
        notes = self._notes_memo.get(own)
        if notes is None:
            notes = []
            for key in [own, *self.ancestors(own)]:
                for kind, text in self._conn.execute(
                    "SELECT kind, text FROM notes WHERE key=? ORDER BY seq", (key,)
                ):
                    notes.append(Note(kind, text, display(key)))
            self._notes_memo[own] = notes
        return [n for n in notes if wanted is None or n.kind in wanted]

    def seven_chr(self, code: str) -> dict[str, str]:
        """The 7th-character definitions in force for ``code`` (nearest definition wins)."""
        for key in [code_key(code), *self.ancestors(code)]:
            rows = self._conn.execute("SELECT char, meaning FROM seven_chr WHERE key=?", (key,))
            found = dict(rows.fetchall())
            if found:
                return found
        return {}

    def lookup(self, code: str) -> CodeInfo | None:
        key = code_key(code)
        row = self._row(key)
        if row is None:
            return None
        key, kind, title, parent, chapter, flags, extension_of = row
        ancestors = self.ancestors(key)
        return CodeInfo(
            code=display(key),
            key=key,
            kind=kind,
            title=title,
            billable=bool(flags & BILLABLE),
            requires_7th=bool(flags & REQUIRES_7TH),
            parent=display(parent) if parent else None,
            chapter=chapter,
            notes=self.notes(key),
            seven_chr=self.seven_chr(key) if (flags & REQUIRES_7TH or extension_of) else {},
            children=[(display(k), self.title(k) or "") for k in self.children(key)],
            ancestors=[(display(k), self.title(k) or "") for k in ancestors],
        )

    def excludes1_conflict(self, code_a: str, code_b: str) -> Note | None:
        """The Excludes1 note that forbids reporting ``code_a`` with ``code_b``, if any.

        Checked both ways, with notes inherited from ancestors (guideline I.A.12.a).
        """
        a, b = code_key(code_a), code_key(code_b)
        for x, y in ((a, b), (b, a)):
            ranges = self._excludes1_memo.get(x)
            if ranges is None:
                ranges = [(n, n.references) for n in self.notes(x, kinds=("excludes1",))]
                self._excludes1_memo[x] = ranges
            for note, references in ranges:
                if any(key_in_range(y, first, last) for first, last in references):
                    return note
        return None

    def search_titles(self, query: str, limit: int = 20) -> list[tuple[str, str, str, float]]:
        """Full-text search over titles and inclusion terms: (key, text, source, rank)."""
        terms = [t for t in re.findall(r"[A-Za-z0-9]+", query.lower()) if t]
        if not terms:
            return []
        fts = " ".join(f'"{t}"*' if len(t) > 2 else f'"{t}"' for t in terms)
        rows = self._conn.execute(
            "SELECT key, text, source, bm25(search) FROM search WHERE search MATCH ? "
            "ORDER BY bm25(search) LIMIT ?",
            (fts, limit),
        )
        return [(k, t, s, float(r)) for k, t, s, r in rows]
