"""Split a procedure statement into the procedures it names.

Statements list procedures in a few ways: numbered (``1. Arthroscopic subacromial
decompression.,2. Repair of rotator cuff.``, also run together as transcriptions flatten line
breaks into commas), coordinated (``Right shockwave lithotripsy, cystoscopy, and stent removal
x2``; ``Cystourethroscopy and transurethral resection of prostate``) and nested with *with*
(``Upper endoscopy with removal of food impaction``: the endoscopy is the way in, the removal
the objective). Each procedure becomes an :class:`Item` whose own words are searched for the
procedure, with a wider *context* (the whole coordinated piece, with-clauses included) read
for side, approach and device.

A shared complement is distributed: in ``resection and fulguration of bladder tumors`` the
resection is of the bladder tumors too (never to a word that names its own body part, such
as ``cystoscopy``). Fixed pairs that name one procedure (``incision and
drainage``, ``dilation and curettage``) are never split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBERED = re.compile(r"(?:^|(?<=[\s,.;:]))\(?\d{1,2}[.)](?=\s|,)")
_PIECES = re.compile(r"\s*;\s*|,\s*(?:and|&)\s+|\s*,\s*|\s+(?:and|&|as well as|plus)\s+", re.I)
_SENTENCE = re.compile(r"\.\s+(?=[A-Z])|\.,|\n+")
_WITH = re.compile(r"\s+(?:with|w/|followed by|including)\s+", re.I)
_FUSED = re.compile(
    r"\b(?:incision\s+and\s+drainage|dilat(?:at)?ion\s+and\s+curettage|d\s*&\s*c"
    r"|i\s*&\s*d|ligation\s+and\s+(?:stripping|division)|tonsillectomy\s+and\s+adenoidectomy"
    r"|salpingo-?\s*oophorectomy)\b",
    re.I,
)
_SIDE_ONLY = re.compile(r"(?:on\s+the\s+)?(?:right|left|bilateral(?:ly)?)(?:\s+side)?", re.I)
# Procedure words that name their body part themselves (cystoscopy, appendectomy).
_COMPLETE = re.compile(
    r"(?:scopy|ectomy|otomy|ostomy|plasty|pexy|rrhaphy|centesis|graphy|gram)\W*$", re.I
)
# A coordination ending in a procedure noun shares it ("hernia and hydrocele repair").
_HEAD = re.compile(
    r"\b(repair|excision|resection|removal|release|biopsy|biopsies|reduction|drainage"
    r"|fulguration|cauterization|destruction|dilation|dilatation)\W*$",
    re.I,
)
_PROCEDURE_WORD = re.compile(
    r"(?:scopy|ectomy|otomy|ostomy|plasty|pexy|rrhaphy|centesis|graphy|tripsy|paxy)\b"
    r"|\b(?:repair|excision|resection|removal|release|biopsy|biopsies|reduction|drainage"
    r"|insertion|placement|dilation|dilatation|fulguration|ligation|closure|injection)\b",
    re.I,
)
_OF_TAIL = re.compile(r"\s+of\s+.+$", re.I)
_TRAILING = " \t\n,.;:"


@dataclass(frozen=True)
class Item:
    """One named procedure: its own words ``[start, end)`` and its context span."""

    start: int
    end: int
    context: tuple[int, int]
    borrowed: str = ""  # a shared complement taken from a later coordinated item

    def text(self, source: str) -> str:
        return source[self.start : self.end] + self.borrowed


def split_statement(text: str, offset: int = 0) -> list[Item]:
    """The procedures of the statement ``text`` (offsets shifted by ``offset``)."""
    items: list[Item] = []
    for a, b in _lines(text):
        group: list[Item] = []
        for pa, pb in _pieces(text, a, b):
            group += _with_items(text, pa, pb, offset)
        _share_complement(text, group, offset)
        items += group
    return items


def _numbered(text: str) -> list[tuple[int, int]]:
    marks = [m for m in _NUMBERED.finditer(text)]
    if len(marks) < 2 and not (marks and marks[0].start() <= 2):
        return [_trim(text, 0, len(text))]
    spans = []
    if text[: marks[0].start()].strip(_TRAILING):
        spans.append(_trim(text, 0, marks[0].start()))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        spans.append(_trim(text, m.end(), end))
    return [s for s in spans if s[0] < s[1]]


def _lines(text: str) -> list[tuple[int, int]]:
    """Numbered items, and within them sentences and lines."""
    out = []
    for a, b in _numbered(text):
        start = a
        for m in _SENTENCE.finditer(text, a, b):
            out.append(_trim(text, start, m.start()))
            start = m.end()
        out.append(_trim(text, start, b))
    return [s for s in out if s[0] < s[1]]


def _pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Coordinated pieces of ``text[a:b]``; fused pairs stay whole."""
    protected = [(m.start(), m.end()) for m in _FUSED.finditer(text, a, b)]
    cuts = [
        m
        for m in _PIECES.finditer(text, a, b)
        if not any(p0 <= m.start() < p1 for p0, p1 in protected)
    ]
    out = []
    start = a
    for m in cuts:
        out.append(_trim(text, start, m.start()))
        start = m.end()
    out.append(_trim(text, start, b))
    pieces: list[tuple[int, int]] = []
    for a0, b0 in (s for s in out if s[0] < s[1]):
        if pieces and _SIDE_ONLY.fullmatch(text[a0:b0]):
            pieces[-1] = (pieces[-1][0], b0)  # "Thoracentesis, left": the side of the one before
        else:
            pieces.append((a0, b0))
    return pieces


def _with_items(text: str, a: int, b: int, offset: int) -> list[Item]:
    context = (a + offset, b + offset)
    cuts = list(_WITH.finditer(text, a, b))
    if not cuts:
        return [Item(a + offset, b + offset, context)]
    out = []
    start = a
    for m in cuts:
        out.append(Item(start + offset, m.start() + offset, context))
        start = m.end()
    out.append(Item(start + offset, b + offset, context))
    return out


def _share_complement(text: str, items: list[Item], offset: int) -> None:
    """Give bare items of one coordination the ``of ...`` complement of the last item, or
    its head: "bilateral inguinal hernia and hydrocele repair" repairs both."""
    if len(items) < 2:
        return
    last = next(i for i in items if i.context == items[-1].context)  # not its with-clause
    _share_site(text, items, last, offset)
    head = _HEAD.search(text[last.start - offset : last.end - offset])
    if head is not None:
        for i, item in enumerate(items[:-1]):
            own = text[item.start - offset : item.end - offset]
            if item.context != last.context and not _PROCEDURE_WORD.search(own):
                items[i] = Item(item.start, item.end, item.context, f" {head.group(1)}")
        return
    tail = _OF_TAIL.search(text[last.start - offset : last.end - offset])
    if tail is None:
        return
    for i, item in enumerate(items[:-1]):
        words = text[item.start - offset : item.end - offset].split()
        if item.context == last.context or " of " in f" {' '.join(words)} " or len(words) > 2:
            continue
        if _COMPLETE.search(words[-1]):
            continue  # "cystoscopy" names its body part already
        items[i] = Item(item.start, item.end, item.context, tail.group(0))


def _share_site(text: str, items: list[Item], last: Item, offset: int) -> None:
    """A bare operation noun ending a coordination is done where the item before it is:
    "bladder biopsy and fulguration" fulgurates the bladder."""
    own = text[last.start - offset : last.end - offset].split()
    if len(own) != 1 or not _HEAD.search(own[0]) or last.borrowed:
        return
    before = [i for i in items if i.context != last.context]
    if not before:
        return
    words = text[before[-1].start - offset : before[-1].end - offset].split()
    if len(words) >= 2 and _HEAD.search(words[-1]):
        i = items.index(last)
        items[i] = Item(last.start, last.end, last.context, " of " + " ".join(words[:-1]))


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _TRAILING:
        a += 1
    while b > a and text[b - 1] in _TRAILING:
        b -= 1
    return a, b
