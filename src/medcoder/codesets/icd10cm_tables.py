"""ICD-10-CM Table of Drugs and Chemicals and Neoplasm Table.

Both tables are index trees whose entries carry a row of codes instead of one code: the
column is chosen by a fact the term cannot express (poisoning intent, adverse effect or
underdosing; neoplasm behaviour). Column names come from the file's ``<indexHeading>`` so a
year that renames a heading is read correctly; lookups accept the heading or a distinctive
word of it (``accidental``, ``adverse``, ``secondary``, ``in situ``).

Cells are kept as published, including the trailing dash of a code that needs more characters
(``C34.9-``: laterality); cells that hold only ``-`` or ``--`` (no code) are left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcoder.codesets.icd10cm_index import (
    IndexLetter,
    TermTree,
    content_text,
    kind_of_root,
    load_root,
    norm,
    split_reference,
    title_and_nemods,
    walk_segments,
)
from medcoder.errors import SourceFileError, UsageError

_SEE_LIMIT = 4  # see -> see chains in the tables are one or two long


@dataclass(slots=True)
class TableTerm:
    """A substance or neoplasm site with its row of codes (column heading -> code)."""

    title: str
    level: int = 0
    nemod: list[str] = field(default_factory=list)
    see: str | None = None
    see_also: str | None = None
    manif: str | None = None  # a note such as "ventral surface of tongue and floor of mouth"
    cells: dict[str, str] = field(default_factory=dict)
    subterms: list[TableTerm] = field(default_factory=list)


@dataclass(slots=True)
class TableWalk:
    """Terms followed for a lookup and the words that matched nothing."""

    path: list[TableTerm]
    unmatched: list[str]

    @property
    def complete(self) -> bool:
        return bool(self.path) and not self.unmatched


@dataclass
class CodeTable(TermTree):
    """Common part of the two tables: headings and lookups by path and column."""

    version: str
    kind: str
    title: str = ""
    columns: dict[int, str] = field(default_factory=dict)  # column number -> heading
    letters: list[IndexLetter] = field(default_factory=list)
    _by_name: tuple[dict[str, Any], dict[str, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def code_columns(self) -> list[str]:
        """Headings of the code columns (the first column names the row)."""
        return [self.columns[n] for n in sorted(self.columns) if n > 1]

    def column(self, name: str) -> str:
        """The heading ``name`` means: the heading itself or a word only it contains."""
        key = norm(name)
        headings = self.code_columns
        for heading in headings:
            if norm(heading) == key:
                return heading
        hits = [h for h in headings if key in norm(h)]
        if len(hits) == 1:
            return hits[0]
        problem = "matches " + ", ".join(hits) if hits else "matches no column"
        raise UsageError(f"{self.kind} table column {name!r} {problem}; columns: {headings}")

    def find(self, path: str | Sequence[str]) -> TableWalk:
        """Walk ``"Alcohol, beverage"`` or ``["Alcohol", "beverage"]`` from the main terms."""
        terms, unmatched = self.resolve(_segments(path))
        return TableWalk(terms, unmatched)

    def _follow_see(self, walk: TableWalk, column: str) -> TableWalk:
        for _ in range(_SEE_LIMIT):
            last = walk.path[-1]
            if column in last.cells or not last.see:
                break
            target = self._see_target(last.see)
            if not target.complete:
                break
            walk = TableWalk([*walk.path, *target.path], walk.unmatched)
        return walk

    def _see_target(self, see: str) -> TableWalk:
        return self.find(see)

    def _cell(self, walk: TableWalk, column: str, strict: bool) -> str | None:
        if not walk.path or (strict and walk.unmatched):
            return None
        heading = self.column(column)
        walk = self._follow_see(walk, heading)
        return walk.path[-1].cells.get(heading)


@dataclass
class DrugTable(CodeTable):
    """Table of Drugs and Chemicals: substance -> poisoning, adverse effect, underdosing."""

    def code_for(
        self, substance: str | Sequence[str], column: str, *, strict: bool = True
    ) -> str | None:
        """Code in ``column`` for ``substance`` (``see`` references followed).

        ``strict`` (the default) answers None when part of the name matched no entry, rather
        than the code of the less specific entry that did match.
        """
        return self._cell(self.find(substance), column, strict)


@dataclass
class NeoplasmTable(CodeTable):
    """Neoplasm Table: anatomical site -> code per behaviour (malignant primary ... unspecified).

    The table is one main term, ``Neoplasm, neoplastic``, whose subterms are the sites; site
    paths are given without it (``"lung"``, ``["lung", "azygos lobe"]``).
    """

    @property
    def root(self) -> TableTerm | None:
        terms = self.main_terms
        return terms[0] if terms else None

    def find(self, path: str | Sequence[str]) -> TableWalk:
        root = self.root
        if root is None:
            return TableWalk([], _segments(path))
        segments = _segments(path)
        while segments and norm(segments[0]) in ("neoplasm", "neoplastic"):
            segments = segments[1:]
        terms, unmatched = walk_segments(root.subterms, segments)
        return TableWalk([root, *terms], unmatched)

    def code_for(
        self, site_path: str | Sequence[str], behavior: str, *, strict: bool = True
    ) -> str | None:
        """Code for a neoplasm of ``behavior`` at ``site_path`` (``see`` references followed)."""
        return self._cell(self.find(site_path), behavior, strict)


def _segments(path: str | Sequence[str]) -> list[str]:
    if isinstance(path, str):
        return split_reference(path)
    return [seg for part in path for seg in split_reference(part)]


# --------------------------------------------------------------------------- parsing


def parse_table(path: str | Path) -> DrugTable | NeoplasmTable:
    """Parse the drug or the neoplasm table XML (recognised by its column headings)."""
    root = load_root(path)
    kind = kind_of_root(root)
    if kind not in ("drug", "neoplasm"):
        raise SourceFileError(path, f"this is the {kind} alphabetic index, not a table")
    return table_from_root(root, kind)


def parse_drug_table(path: str | Path) -> DrugTable:
    table = parse_table(path)
    if not isinstance(table, DrugTable):
        raise SourceFileError(path, "this is the neoplasm table, not the drug table")
    return table


def parse_neoplasm_table(path: str | Path) -> NeoplasmTable:
    table = parse_table(path)
    if not isinstance(table, NeoplasmTable):
        raise SourceFileError(path, "this is the drug table, not the neoplasm table")
    return table


def table_from_root(root: ET.Element, kind: str) -> DrugTable | NeoplasmTable:
    columns: dict[int, str] = {}
    for head in root.iterfind("indexHeading/head"):
        col = _col(head)
        if col is not None:
            columns[col] = content_text(head)
    letters = []
    for letter in root.iter("letter"):
        main_terms = [_table_term(mt, 0, columns) for mt in letter.iterfind("mainTerm")]
        letters.append(IndexLetter(content_text(letter.find("title")), main_terms))
    cls = DrugTable if kind == "drug" else NeoplasmTable
    return cls(
        version=content_text(root.find("version")),
        kind=kind,
        title=content_text(root.find("title")),
        columns=columns,
        letters=letters,
    )


def _col(elem: ET.Element) -> int | None:
    try:
        return int(elem.get("col", ""))
    except ValueError:
        return None


def _table_term(elem: ET.Element, level: int, columns: dict[int, str]) -> TableTerm:
    term = TableTerm("", level)
    for child in elem:
        tag = child.tag
        if tag == "cell":
            value = content_text(child)
            col = _col(child)
            if col is not None and value.strip("-"):
                term.cells[columns.get(col, f"column {col}")] = value
        elif tag == "term":
            term.subterms.append(_table_term(child, level + 1, columns))
        elif tag == "title" and not term.title:
            term.title, term.nemod = title_and_nemods(child)
        elif tag == "see":
            term.see = term.see or content_text(child)
        elif tag == "seeAlso":
            term.see_also = term.see_also or content_text(child)
        elif tag == "manif":
            term.manif = content_text(child)
    return term
