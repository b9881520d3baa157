"""ICD-10-CM Tabular List: parse CDC's official tabular XML.

The tabular list is a tree: chapter > section (a block like ``E08-E13``) > category > ...
Each node may carry instructional notes (includes, inclusion terms, Excludes1, Excludes2,
code first, use additional code, code also) and a 7th-character definition that applies to
every code beneath it (guideline I.A.5 and I.B.1.b: placeholder ``X`` pads codes shorter than
six characters before the 7th character is added).

The XML lists codes only up to six characters; codes that need a 7th character are expanded
here (``S72.001`` + ``A`` -> ``S72.001A``) so that validity becomes one lookup, as in CMS's
order file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.codesets.systems import code_key
from medcoder.errors import SourceFileError

NOTE_KINDS = (
    "includes",
    "inclusionTerm",
    "excludes1",
    "excludes2",
    "codeFirst",
    "useAdditionalCode",
    "codeAlso",
    "notes",
    "sevenChrNote",
)
"""Instructional note elements of the tabular XML, in the order the XSD lists them."""


@dataclass
class TabularNode:
    """One row of the tabular tree.

    ``kind`` is ``chapter``, ``section``, ``category`` (3 characters) or ``code`` (longer).
    ``key`` is the storage key (``E1122``; chapters ``CH4``; sections ``E08-E13``).
    ``requires_7th`` marks a code that has no children and still needs a 7th character.
    ``extension_of`` is set on generated 7-character codes: the 6-or-fewer-character code
    they extend (the placeholder-padded stem is ``key[:6]``).
    """

    key: str
    kind: str
    title: str
    parent: str | None
    depth: int
    chapter: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)
    seven_chr: dict[str, str] = field(default_factory=dict)
    billable: bool = False
    requires_7th: bool = False
    extension_of: str | None = None


@dataclass
class Tabular:
    version: str
    nodes: list[TabularNode]
    source: str = ""

    def by_key(self) -> dict[str, TabularNode]:
        return {node.key: node for node in self.nodes}


def _text(elem: ET.Element | None) -> str:
    if elem is None:
        return ""
    return " ".join("".join(elem.itertext()).split())


def _notes_of(elem: ET.Element) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []
    for kind in NOTE_KINDS:
        for holder in elem.findall(kind):
            for note in holder.findall("note"):
                text = _text(note)
                if text:
                    notes.append((kind, text))
    return notes


def _seven_chr(elem: ET.Element) -> dict[str, str]:
    holder = elem.find("sevenChrDef")
    if holder is None:
        return {}
    return {ext.get("char", "").upper(): _text(ext) for ext in holder.findall("extension")}


def parse_tabular(path: str | Path) -> Tabular:
    """Parse the CDC ICD-10-CM tabular XML (``icd10cm_tabular_YYYY.xml``).

    Raises :class:`SourceFileError` naming the file (and line, when the XML parser reports one)
    for a missing, truncated, malformed or foreign file.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(path, "file not found")
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceFileError(path, f"malformed XML ({exc.msg})", line=line) from exc
    root = tree.getroot()
    if root.tag != "ICD10CM.tabular":
        raise SourceFileError(
            path, f"root element is <{root.tag}>, expected <ICD10CM.tabular> (tabular list XML)"
        )
    version = _text(root.find("version"))
    if not version:
        raise SourceFileError(path, "no <version> element")
    nodes = list(_walk_chapters(root, path))
    if not any(n.kind == "category" for n in nodes):
        raise SourceFileError(path, "no categories found: the file is empty or truncated")
    return Tabular(version=version, nodes=nodes, source=path.name)


def _walk_chapters(root: ET.Element, path: Path) -> Iterator[TabularNode]:
    for chapter in root.findall("chapter"):
        number = _text(chapter.find("name"))
        ch_key = f"CH{number}"
        yield TabularNode(
            key=ch_key,
            kind="chapter",
            title=_text(chapter.find("desc")),
            parent=None,
            depth=0,
            chapter=number,
            notes=_notes_of(chapter),
        )
        for section in chapter.findall("section"):
            sec_key = section.get("id") or _text(section.find("desc"))
            if "-" not in sec_key:  # a block of one category (B10) must not collide with it
                sec_key = f"{sec_key}-{sec_key}"
            yield TabularNode(
                key=sec_key,
                kind="section",
                title=_text(section.find("desc")),
                parent=ch_key,
                depth=1,
                chapter=number,
                notes=_notes_of(section),
            )
            for diag in section.findall("diag"):
                yield from _walk_diag(diag, sec_key, 2, number, {}, path)


def _walk_diag(
    diag: ET.Element,
    parent: str,
    depth: int,
    chapter: str,
    inherited_7th: dict[str, str],
    path: Path,
) -> Iterator[TabularNode]:
    name = _text(diag.find("name"))
    if not name:
        raise SourceFileError(path, f"<diag> without <name> under {parent}")
    key = code_key(name)
    own_7th = _seven_chr(diag)
    seven = own_7th or inherited_7th
    children = diag.findall("diag")
    node = TabularNode(
        key=key,
        kind="category" if len(key) == 3 else "code",
        title=_text(diag.find("desc")),
        parent=parent,
        depth=depth,
        chapter=chapter,
        notes=_notes_of(diag),
        seven_chr=own_7th,
    )
    if children:
        yield node
        for child in children:
            yield from _walk_diag(child, key, depth + 1, chapter, seven, path)
        return
    if not seven:
        node.billable = True
        yield node
        return
    node.requires_7th = True
    yield node
    stem = key.ljust(6, "X")
    for char, meaning in seven.items():
        yield TabularNode(
            key=stem + char,
            kind="code",
            title=f"{node.title}, {meaning}",
            parent=key,
            depth=depth + 1,
            chapter=chapter,
            billable=True,
            extension_of=key,
        )


_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_REF = re.compile(rf"\b({_CODE})(?:\s*-\s*({_CODE})\b|\.?-)?")


_WITH_SUFFIX = re.compile(
    rf"\b({_CODE})\s*-\s*({_CODE}),?\s+with\s+((?:\.[0-9A-Z]{{1,4}}(?:\s*,\s*|\s+and\s+)?)+)"
)


def note_references(text: str) -> list[tuple[str, str]]:
    """Code ranges a note points at, as ``(first_key, last_key)`` pairs.

    ``"type 1 diabetes mellitus (E10.-)"`` -> ``[("E10", "E10")]``;
    ``"(N18.1-N18.6)"`` -> ``[("N181", "N186")]``. A dash after a code (``E10.-``) means the
    whole subtree; prefixes are compared as strings by the callers. ``"(E08-E13 with .42)"``
    names the one subcategory ``.42`` of each category in the range, not the whole range
    (and ``"(F10-F19, with .17, .27, .97)"`` three subcategories of each).
    """
    refs: list[tuple[str, str]] = []
    for match in _WITH_SUFFIX.finditer(text):
        first, last = code_key(match.group(1)), code_key(match.group(2))
        suffixes = re.findall(r"\.([0-9A-Z]{1,4})", match.group(3))
        same_letter = len(first) == len(last) == 3 and first[0] == last[0]
        if same_letter and first[1:].isdigit() and last[1:].isdigit():
            for n in range(int(first[1:]), int(last[1:]) + 1):
                for suffix in suffixes:
                    key = f"{first[0]}{n:02d}{suffix}"
                    refs.append((key, key))
        text = text.replace(match.group(0), " ")
    for match in _REF.finditer(text):
        first = code_key(match.group(1))
        last = code_key(match.group(2)) if match.group(2) else first
        refs.append((first, last))
    return refs


def key_in_range(key: str, first: str, last: str) -> bool:
    """Whether ``key`` falls within the range ``first..last`` (prefix semantics)."""
    return first <= key[: len(first)] and key[: len(last)] <= last
