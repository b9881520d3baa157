"""ICD-10-CM Alphabetic Index and External Cause Index: parse them and walk them like a coder.

A coder starts in the Index, never in the Tabular List: main term (``Diabetes, diabetic``),
then subterms from general to specific (``type 2`` -> ``with`` -> ``chronic kidney disease``),
following ``see`` references, and only then verifies the code in the Tabular List. The engine
walks the same tree, so the file is kept as a tree of :class:`IndexTerm` rather than flattened
into a title -> code dictionary (which would lose the order and the cross-references).

The four publisher files (disease index, external cause index, drug table, neoplasm table)
share one schema family and, in the official release, one root element ``<ICD10CM.index>``;
their kind is recognised from the content (column headings, document title), never the file
name. The tables are modelled in :mod:`medcoder.codesets.icd10cm_tables`, which shares the XML
reading and name matching here; :mod:`medcoder.codesets.icd10cm_index_pack` stores all four
in a compiled pack.

Every element of the index XSD is kept: ``title`` with its ``nemod`` (non-essential
modifiers, kept without their parentheses), ``code``, ``manif`` (the bracketed manifestation
code printed after the etiology code), ``see``, ``seeAlso``, ``seecat``, ``subcat`` and
``warning``; addenda ``<diff>`` markup keeps the new and unchanged text and drops ``<old>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from medcoder.errors import SourceFileError

ROOT_TAGS = ("ICD10CM.index", "ICD10CM.eindex")
KINDS = ("index", "eindex", "drug", "neoplasm")
# Subterms a coder looks *through* when a condition is not listed directly under a term.
CONNECTORS = frozenset({"with", "without", "in", "due to", "following", "complicating"})


# --------------------------------------------------------------------------- XML reading


def load_root(path: str | Path) -> ET.Element:
    """Parse a publisher XML file with the C parser (the disease index is 6 MB).

    Errors become :class:`SourceFileError` with the line expat reports, so a truncated
    download is reported as "file:line: malformed XML", not as a traceback.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(path, "file not found")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        message = str(exc).split(":")[0]
        raise SourceFileError(path, f"malformed or truncated XML ({message})", line=line) from exc
    except OSError as exc:
        raise SourceFileError(path, f"cannot read ({exc.strerror})") from exc
    if root.tag not in ROOT_TAGS:
        raise SourceFileError(
            path,
            f"root element is <{root.tag}>, expected <ICD10CM.index> "
            "(an ICD-10-CM index, external cause index, drug or neoplasm table)",
            line=_root_line(path),
        )
    return root


def _root_line(path: Path) -> int | None:
    """Line of the root element; ElementTree forgets positions, the file head does not."""
    head = path.read_bytes()[:8192].decode("utf-8", "replace")
    head = re.sub(
        r"<\?.*?\?>|<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), head, flags=re.S
    )
    match = re.search(r"<[A-Za-z]", head)
    return head.count("\n", 0, match.start()) + 1 if match else None


def kind_of_root(root: ET.Element) -> str:
    """``index``, ``eindex``, ``drug`` or ``neoplasm`` from the document's own content.

    The official files all use ``<ICD10CM.index>``; the tables name their first column
    (``Substance``, ``Neoplasm``) and the external cause index says so in its title.
    """
    if root.tag == "ICD10CM.eindex":
        return "eindex"
    first_head = root.find("indexHeading/head")
    heading = content_text(first_head).lower() if first_head is not None else ""
    title = content_text(root.find("title")).lower()
    if "substance" in heading or "drug" in heading or "drug" in title:
        return "drug"
    if "neoplasm" in heading or "neoplasm" in title:
        return "neoplasm"
    if "external cause" in title:
        return "eindex"
    return "index"


def detect_kind(path: str | Path) -> str:
    """Kind of a publisher file, reading only its head (for importers sorting files)."""
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(path, "file not found")
    root: ET.Element | None = None
    try:
        for event, elem in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = ET.Element(elem.tag)
                if elem.tag not in ROOT_TAGS:
                    break
            elif event == "start" and elem.tag == "letter":
                break
            elif event == "end" and elem.tag in ("title", "indexHeading", "version"):
                root.append(elem)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceFileError(path, "malformed or truncated XML", line=line) from exc
    if root is None or root.tag not in ROOT_TAGS:
        tag = root.tag if root is not None else "nothing"
        raise SourceFileError(path, f"root element is <{tag}>, not an ICD-10-CM index file")
    return kind_of_root(root)


def content_text(elem: ET.Element | None) -> str:
    """Text of ``elem`` with whitespace collapsed and addenda ``<old>`` text left out."""
    if elem is None:
        return ""
    parts: list[str] = []
    _collect(elem, parts, None)
    return " ".join("".join(parts).split())


def title_and_nemods(elem: ET.Element) -> tuple[str, list[str]]:
    """Split a ``<title>`` into its essential words and its non-essential modifiers.

    ``Abandonment<nemod>(causing exposure) (with intent)</nemod> NEC`` gives
    ``("Abandonment NEC", ["causing exposure", "with intent"])``: the words after the
    modifiers belong to the title.
    """
    parts: list[str] = []
    nemods: list[str] = []
    _collect(elem, parts, nemods)
    return " ".join("".join(parts).split()), nemods


def _collect(elem: ET.Element, parts: list[str], nemods: list[str] | None) -> None:
    parts.append(elem.text or "")
    for child in elem:
        if child.tag == "nemod" and nemods is not None:
            nemods.extend(split_nemod(content_text(child)))
        elif child.tag != "old":
            _collect(child, parts, nemods)
        parts.append(child.tail or "")


def split_nemod(text: str) -> list[str]:
    """``(-astasia) (hysterical)`` -> ``["-astasia", "hysterical"]`` (nesting respected)."""
    items: list[str] = []
    buf: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            if depth == 0:
                items.append("".join(buf))
                buf = []
            else:
                buf.append(ch)
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                items.append("".join(buf))
                buf = []
            else:
                buf.append(ch)
        else:
            buf.append(ch)
    items.append("".join(buf))
    return [clean for item in items if (clean := " ".join(item.split()))]


# --------------------------------------------------------------------------- the tree


@dataclass(slots=True)
class IndexTerm:
    """A main term (level 0) or subterm (level 1-9) of the Index."""

    title: str
    level: int = 0
    nemod: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    manif_codes: list[str] = field(default_factory=list)
    see: str | None = None
    see_also: str | None = None
    see_cat: str | None = None
    see_subcat: str | None = None
    warning: str | None = None
    subterms: list[IndexTerm] = field(default_factory=list)


@dataclass(slots=True)
class IndexLetter:
    """A letter section (``A``, ``#``) of an index or table, holding its main terms."""

    title: str
    main_terms: list[Any] = field(default_factory=list)


class Named(Protocol):
    title: str
    subterms: list[Any]


T = TypeVar("T", bound=Named)


_QUALIFIERS = re.compile(r"\b(?:nec|nos)\b")


def norm(text: str) -> str:
    """Case- and spacing-insensitive form a typed name is compared in."""
    return " ".join(text.lower().split())


def _bare(key: str) -> str:
    """``arthropathy nec`` -> ``arthropathy``: NEC/NOS do not change which entry is meant."""
    return " ".join(_QUALIFIERS.sub(" ", key).split())


def match_child(terms: Sequence[T], phrase: str) -> T | None:
    """The entry among ``terms`` that ``phrase`` names: exact title, then without NEC/NOS,
    then one comma-separated variant of the title (``abdominal`` in ``abdomen, abdominal``)."""
    key = norm(phrase)
    bare = _bare(key)
    second: T | None = None
    third: T | None = None
    for term in terms:
        title = norm(term.title)
        if title == key:
            return term
        if second is None and _bare(title) == bare:
            second = term
        if third is None and "," in title and bare in (_bare(p) for p in title.split(",")):
            third = term
    return second or third


def step(terms: Sequence[T], phrase: str) -> list[T]:
    """One step down the tree, looking through connectors (``with``, ``in``) as coders do."""
    hit = match_child(terms, phrase)
    if hit is not None:
        return [hit]
    if norm(phrase) in CONNECTORS:
        return []
    for connector in terms:
        if norm(connector.title) in CONNECTORS:
            hit = match_child(connector.subterms, phrase)
            if hit is not None:
                return [connector, hit]
    return []


def walk_segments(terms: Sequence[T], segments: Sequence[str]) -> tuple[list[T], list[str]]:
    """Follow comma-separated ``segments`` down from ``terms``, longest phrase first.

    Titles contain commas themselves (``glomerulonephrosis, intracapillary``), so each step
    first tries the remaining segments joined, then shorter runs. Unmatched segments are
    returned, not guessed.
    """
    path: list[T] = []
    unmatched: list[str] = []
    level: Sequence[T] = terms
    i = 0
    while i < len(segments):
        for j in range(len(segments), i, -1):
            found = step(level, ", ".join(segments[i:j]))
            if found:
                path.extend(found)
                level = found[-1].subterms
                i = j
                break
        else:
            unmatched.append(segments[i])
            i += 1
    return path, unmatched


def split_reference(text: str) -> list[str]:
    """``Pain, abdominal`` -> ``["Pain", "abdominal"]`` (the form of see/seeAlso targets)."""
    return [part.strip() for part in text.split(",") if part.strip()]


class TermTree:
    """Main-term lookup and traversal shared by the Index and the two tables."""

    letters: list[IndexLetter]
    _by_name: tuple[dict[str, Any], dict[str, Any]] | None

    @property
    def main_terms(self) -> list[Any]:
        return [term for letter in self.letters for term in letter.main_terms]

    def main_term(self, name: str) -> Any | None:
        """Main term named ``name``: its full title, or one of its comma variants.

        ``abdomen`` and ``abdominal`` both find ``Abdomen, abdominal``; a full title always
        wins over another term's variant.
        """
        if self._by_name is None:
            exact: dict[str, Any] = {}
            alias: dict[str, Any] = {}
            later: list[tuple[str, Any]] = []
            for term in self.main_terms:
                title = norm(term.title)
                exact.setdefault(title, term)
                alias.setdefault(_bare(title), term)
                parts = [p.strip() for p in title.split(",") if p.strip()]
                if parts:
                    alias.setdefault(_bare(parts[0]), term)
                # "Insufficiency, insufficient" spells one word two ways: either finds it;
                # "Fracture, insufficiency" is a term and its qualifier: "insufficiency" must
                # not find it before "Insufficiency, insufficient" does.
                stem = parts[0][:4] if parts else ""
                if len(parts) > 1 and all(p[:4] == stem for p in parts):
                    later.extend((_bare(p), term) for p in parts[1:])
            for key, term in later:
                alias.setdefault(key, term)
            self._by_name = (exact, alias)
        exact, alias = self._by_name
        key = norm(name)
        return exact.get(key) or alias.get(_bare(key))

    def resolve(self, segments: Sequence[str]) -> tuple[list[Any], list[str]]:
        """Walk ``[main term, subterm, ...]`` where the main term may itself hold commas."""
        for j in range(len(segments), 0, -1):
            main = self.main_term(", ".join(segments[:j]))
            if main is not None:
                path, unmatched = walk_segments(main.subterms, segments[j:])
                return [main, *path], unmatched
        return [], list(segments)

    def iter_terms(self) -> Iterator[tuple[tuple[str, ...], Any]]:
        """Every ``(titles from the main term down, term)``, depth first, in file order."""
        stack: list[tuple[tuple[str, ...], Any]] = [
            ((t.title,), t)
            for letter in reversed(self.letters)
            for t in reversed(letter.main_terms)
        ]
        while stack:
            titles, term = stack.pop()
            yield titles, term
            stack.extend((titles + (sub.title,), sub) for sub in reversed(term.subterms))


@dataclass(slots=True)
class IndexWalk:
    """Where a walk ended: the terms followed, the most specific codes, what did not match."""

    path: list[IndexTerm]
    codes: list[str]
    manif_codes: list[str]
    unmatched: list[str]
    see: str | None = None  # an unresolved ``see`` at the end: the code is elsewhere

    @property
    def complete(self) -> bool:
        return bool(self.path) and not self.unmatched


@dataclass
class Index(TermTree):
    """The Index to Diseases and Injuries (``index``) or External Cause Index (``eindex``)."""

    version: str
    kind: str
    title: str = ""
    letters: list[IndexLetter] = field(default_factory=list)
    _by_name: tuple[dict[str, Any], dict[str, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def walk(self, main_term: str, *subterm_words: str, follow_see: bool = True) -> IndexWalk:
        """Walk like a coder: main term, then each subterm, looking through ``with``/``in``.

        A word that matches no subterm is skipped and reported in ``unmatched``. When a term
        holds only ``see`` and the reference resolves fully, the walk continues there. The
        codes are those of the deepest term on the path that has any.
        """
        main = self.main_term(main_term)
        if main is None:
            return IndexWalk([], [], [], [main_term, *subterm_words])
        path: list[IndexTerm] = [main]
        unmatched: list[str] = []
        for word in subterm_words:
            found = step(path[-1].subterms, word)
            if not found and follow_see and path[-1].see and not path[-1].subterms:
                target = self._follow(path[-1].see)
                if target:
                    path.extend(target)
                    found = step(path[-1].subterms, word)
            if found:
                path.extend(found)
            else:
                unmatched.append(word)
        return self._finish(path, unmatched, follow_see)

    def lookup(self, reference: str, *, follow_see: bool = True) -> IndexWalk:
        """Walk a comma-separated entry as printed: ``Diabetes, type 2, with, nephropathy``."""
        path, unmatched = self.resolve(split_reference(reference))
        if not path:
            return IndexWalk([], [], [], unmatched)
        return self._finish(path, unmatched, follow_see)

    def _follow(self, see: str) -> list[IndexTerm] | None:
        path, unmatched = self.resolve(split_reference(see))
        return path if path and not unmatched else None

    def _finish(self, path: list[IndexTerm], unmatched: list[str], follow: bool) -> IndexWalk:
        for _ in range(3):  # see -> see chains are short; a loop must not hang the engine
            last = path[-1]
            if last.codes or not (follow and last.see):
                break
            target = self._follow(last.see)
            if not target:
                break
            path = [*path, *target]
        for term in reversed(path):
            if term.codes:
                return IndexWalk(path, list(term.codes), list(term.manif_codes), unmatched)
        return IndexWalk(path, [], [], unmatched, see=path[-1].see)


# --------------------------------------------------------------------------- parsing


def parse_index(path: str | Path) -> Index:
    """Parse the disease index or the external cause index XML."""
    root = load_root(path)
    kind = kind_of_root(root)
    if kind not in ("index", "eindex"):
        raise SourceFileError(path, f"this is the {kind} table, not an alphabetic index")
    return index_from_root(root, kind)


def index_from_root(root: ET.Element, kind: str) -> Index:
    letters = []
    for letter in root.iter("letter"):
        title_el = letter.find("title")
        if title_el is None:
            title_el = letter.find("diff")
        letters.append(
            IndexLetter(
                content_text(title_el),
                [_index_term(mt, 0) for mt in letter.iterfind("mainTerm")],
            )
        )
    return Index(
        version=content_text(root.find("version")),
        kind=kind,
        title=content_text(root.find("title")),
        letters=letters,
    )


def _index_term(elem: ET.Element, level: int) -> IndexTerm:
    term = IndexTerm("", level)
    for child in elem:
        tag = child.tag
        if tag == "term":
            term.subterms.append(_index_term(child, level + 1))
        elif tag == "code":
            term.codes.append(content_text(child))
        elif tag == "manif":
            term.manif_codes.append(content_text(child))
        elif tag in ("title", "diff") and not term.title:
            term.title, term.nemod = title_and_nemods(child)
        elif tag == "see":
            term.see = term.see or content_text(child)
        elif tag == "seeAlso":
            term.see_also = term.see_also or content_text(child)
        elif tag == "seecat":
            term.see_cat = content_text(child)
        elif tag == "subcat":
            term.see_subcat = content_text(child)
        elif tag == "warning":
            term.warning = content_text(child)
    return term


def build_index_pack(paths: Sequence[str | Path], version: int | str) -> Path:
    """Compile index and table files into a pack; see :mod:`icd10cm_index_pack`."""
    from medcoder.codesets.icd10cm_index_pack import build_index_pack as build

    return build(paths, version)
