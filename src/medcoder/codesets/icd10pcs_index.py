"""ICD-10-PCS Index: main terms -> subterms -> code prefixes, ``see`` and ``use`` references.

The index leads from a procedure word to a *table* or a code prefix, never to a full code as a
rule: ``Appendectomy -> see Resection, Appendix 0DTJ``. The coder (or the procedure engine)
then completes the code in the table. Entries carry one of:

* a code or prefix (``<code>``, ``<codes>``: 4 to 7 characters; ``<tab>``: a 3-character
  table);
* ``see`` another main term, often with a prefix (``see Excision, Gallbladder 0FB4``);
* ``use`` a PCS value instead of the anatomical or device term (``Abdominal aortic plexus ->
  use Abdominal Sympathetic Nerve``).

Subterm titles may be empty: ``Appendectomy`` has two untitled subterms that hold only
``see`` references.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.codesets.icd10pcs_tables import line_of, read_pcs_xml, text_of
from medcoder.errors import SourceFileError

_CODE_TAGS = ("code", "codes", "tab")


@dataclass(frozen=True)
class PcsReference:
    """A ``see`` or ``use`` reference: target text and the code prefix it names, if any."""

    kind: str  # "see" or "use"
    target: str
    code: str | None = None


@dataclass
class PcsIndexTerm:
    title: str
    level: int  # 0 for a main term
    code: str | None = None
    reference: PcsReference | None = None
    children: list[PcsIndexTerm] = field(default_factory=list)

    def walk(self) -> Iterator[PcsIndexTerm]:
        yield self
        for child in self.children:
            yield from child.walk()

    def code_prefixes(self) -> list[str]:
        """Every code or prefix under this term, its own and its references', in order."""
        found: list[str] = []
        for term in self.walk():
            for code in (term.code, term.reference.code if term.reference else None):
                if code and code not in found:
                    found.append(code)
        return found


@dataclass
class PcsIndex:
    version: str
    terms: list[PcsIndexTerm]
    _by_title: dict[str, list[PcsIndexTerm]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_title = {}
        for term in self.terms:
            self._by_title.setdefault(term.title.casefold(), []).append(term)

    def lookup(self, title: str) -> list[PcsIndexTerm]:
        """Main terms titled ``title`` (case-insensitive; a few titles occur twice)."""
        return list(self._by_title.get(" ".join(title.split()).casefold(), []))

    def code_prefixes(self, title: str) -> list[str]:
        """All code prefixes a main term leads to (``Appendectomy`` -> ``0DBJ``, ``0DTJ``)."""
        found: list[str] = []
        for term in self.lookup(title):
            found += [c for c in term.code_prefixes() if c not in found]
        return found

    def count(self) -> int:
        return sum(1 for term in self.terms for _ in term.walk())


def parse_index(path: str | Path) -> PcsIndex:
    """Parse ``icd10pcs_index_YYYY.xml``; raise :class:`SourceFileError` with file and line."""
    path = Path(path)
    root = read_pcs_xml(path, "ICD10PCS.index")
    version = text_of(root.find("version"))
    if not version:
        raise SourceFileError(path, "no <version> element", line=line_of(root))
    terms = [_parse_term(elem, 0, path) for elem in root.iter("mainTerm")]
    if not terms:
        raise SourceFileError(path, "no <mainTerm> found: the file is empty or truncated")
    return PcsIndex(version=version, terms=terms)


def _code_in(elem: ET.Element) -> str | None:
    for tag in _CODE_TAGS:
        child = elem.find(tag)
        if child is not None:
            return text_of(child).upper() or None
    return None


def _parse_term(elem: ET.Element, level: int, path: Path) -> PcsIndexTerm:
    title = text_of(elem.find("title"))
    if level == 0 and not title:
        raise SourceFileError(path, "<mainTerm> without <title>", line=line_of(elem))
    reference = None
    for kind in ("see", "use"):
        ref = elem.find(kind)
        if ref is not None:
            target = " ".join((ref.text or "").split())
            if not target:
                raise SourceFileError(path, f"empty <{kind}> under {title!r}", line=line_of(ref))
            reference = PcsReference(kind, target, _code_in(ref))
    term = PcsIndexTerm(title=title, level=level, code=_code_in(elem), reference=reference)
    term.children = [_parse_term(child, level + 1, path) for child in elem.findall("term")]
    if not (term.title or term.reference or term.code or term.children):
        raise SourceFileError(path, "empty index entry", line=line_of(elem))
    return term
