"""CDI's one reading of a document's words: rule phrases with assertion, section and a quote.

A query may never be about a condition the patient does not have, so every phrase a rule
needs is found once and asserted by the pipeline's one assertion engine
(:class:`medcoder.nlp.context.ContextAnnotator`, medspaCy ConText with the section roles):
"no other evidence of infection" is negated, "if he needs any transfusion" hypothetical,
"Family history: diabetes" family. Consent and risk discussions
(:func:`medcoder.documents.sections.risk_discussions`) are cut into the section roles as
``risk`` ranges, so "the risks include bleeding, DVT, pulmonary embolism" is hypothetical too;
allergy lists ("ADHESIVE TAPE") are never the patient's conditions.

The document is segmented here when it has no sections yet (the coding engine does the same);
this is the seam where the pipeline's annotated document will be read instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from medcoder.documents.model import Document
from medcoder.documents.sections import risk_discussions, segment
from medcoder.nlp.context import RISK_ROLE, ContextAnnotator, overlay_roles

# Sections whose conditions are never the patient's own problem list.
NOT_THE_PATIENTS = frozenset({"allergies", "family_history"})
QUOTE_LIMIT = 200  # characters of a sentence quoted around a mention
_SPACE_RE = re.compile(r"[\s\-]+")
_PREFIXES = ("non-", "pre-", "anti-", "post-")  # "non-diabetic", "pre-diabetes" (lower-cased)
_NURSING_ROLE = re.compile(r"\b(?:nurs\w*|rn|lpn|wound|woc\w*)\b", re.IGNORECASE)
_NURSING_LABEL = re.compile(  # run on lower-cased text, like the phrase pattern
    r"(?:nursing|nurse|rn|wound care|wound nurse|woc ?nurse|wocn)"
    r"(?:[ \t]+(?:note|assessment|documentation|flowsheet|skin assessment))?[ \t]*:"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(eq=False)
class Mention:
    """A rule phrase found in text, asserted in its context.

    ``assertion`` is a :class:`medcoder.nlp.model.Assertion` value (``present``, ``negated``,
    ``hypothetical``...), or None until :func:`assert_mentions` decides it (only the mentions a
    rule actually weighs are asserted: the tokenising is most of the cost); ``section`` the
    section kind; ``sentence`` the sentence span; ``context`` the sentence (or a word-bounded
    window of it) for quoting.
    """

    keyword: str  # normalised form of the text matched
    start: int
    end: int
    document: str
    text: str
    context: str
    assertion: str | None = None
    section: str | None = None
    nursing: bool = False
    sentence: tuple[int, int] | None = None

    @property
    def patients(self) -> bool:
        """Not in an allergy list or family history: possibly a condition of the patient."""
        if self.assertion is None:
            raise ValueError(f"mention {self.text!r} was never asserted (assert_mentions)")
        return self.section not in NOT_THE_PATIENTS and self.assertion != "family"

    def counts(self, assertions: tuple[str, ...] | list[str] = ("present",)) -> bool:
        """Asserted as the criterion accepts, and the patient's own."""
        return self.patients and self.assertion in assertions


@lru_cache(maxsize=4096)
def normalise_phrase(text: str) -> str:
    """'Fluid-restriction ' -> 'fluid restriction': one spelling for rule keywords and text."""
    return _SPACE_RE.sub(" ", text.strip().lower())


def _trie_regex(words: list[str]) -> str:
    """A prefix-tree alternation: one character test per position instead of one per word.

    Python's ``re`` tries every branch of ``a|b|c`` at every position; factoring shared
    prefixes makes a 250-keyword rule set cost about what a handful of words would.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = []
        optional = "" in node
        for char in sorted(c for c in node if c):
            piece = r"[\s\-]+" if char == " " else re.escape(char)
            branches.append(piece + emit(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if optional else body

    return emit(trie)


@dataclass(frozen=True)
class Phrases:
    """The compiled keywords of a rule set: one prefix-tree regex, and the words that may
    begin a keyword, so the regex is tried only where such a word begins."""

    regex: re.Pattern[str]
    first_words: frozenset[str]

    def spans(self, lower: str) -> list[tuple[int, int]]:
        """Longest keyword matches in lower-cased ``lower`` that start at a word start."""
        out: list[tuple[int, int]] = []
        last_end = 0
        first = self.first_words
        for word in _WORD.finditer(lower):
            start = word.start()
            if start < last_end or word.group() not in first:
                continue
            m = self.regex.match(lower, start)
            if m:
                out.append((start, m.end()))
                last_end = m.end()
        return out


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=8)
def phrase_pattern(keywords: frozenset[str]) -> Phrases | None:
    """One prefix-tree pattern for every keyword of a rule set, compiled once per rule set.

    Greedy matching takes the longest keyword at a position ("IV antibiotics" over
    "antibiotics"); ``IndicatorSet.mentions_of`` still finds the shorter one inside it.
    """
    forms = sorted({normalise_phrase(k) for k in keywords if k.strip()})
    if not forms:
        return None
    # Case-sensitive over lower-cased text: ~3x faster than re.IGNORECASE on a note.
    first = frozenset(w.group() for f in forms if (w := _WORD.match(f)))
    return Phrases(re.compile(_trie_regex(forms) + r"(?![\w])"), first)


def quote(text: str, lo: int, hi: int, start: int, end: int, limit: int = QUOTE_LIMIT) -> str:
    """``text[lo:hi]`` around ``[start, end)``, cut to ``limit`` on word boundaries only.

    A quote that starts mid-word ("om keeping him comfortable") reads as a misquote; a cut
    moves to the next space and is marked with an ellipsis.
    """
    if hi - lo <= limit:
        return text[lo:hi].strip(" ,;\n\t")
    before = max(0, (limit - (end - start)) // 3)
    left = max(lo, start - before)
    right = min(hi, left + limit)
    if left > lo:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else start
    if right < hi:
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else end
    body = text[left:right].strip(" ,;\n\t")
    return ("..." if left > lo else "") + body + ("..." if right < hi else "")


def _nursing_spans(document: Document, lower: str) -> list[tuple[int, int]]:
    """Where nursing wrote: a nursing-authored document, or a labelled nursing block."""
    role = " ".join(filter(None, (document.author_role, document.kind)))
    if role and _NURSING_ROLE.search(role):
        return [(0, len(document.text))]
    text = document.text
    spans = []
    for m in _NURSING_LABEL.finditer(lower):
        if text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip():
            continue  # a label only where a line starts
        block_end = _BLANK_LINE.search(text, m.end())
        spans.append((m.start(), block_end.start() if block_end else len(text)))
    spans += [(s.start, s.end) for s in document.sections if _NURSING_ROLE.search(s.title or "")]
    return spans


@lru_cache(maxsize=1)
def _annotator() -> ContextAnnotator:
    return ContextAnnotator()


def assertion_roles(document: Document) -> list[tuple[int, int, str]]:
    """Section roles with the document's consent and risk discussions cut in as ``risk``
    (a whole "RISKS:" or "CONSENT:" section is one too)."""
    roles = [
        (s.start, s.end, RISK_ROLE if s.role == "consent" else s.role) for s in document.sections
    ]
    return overlay_roles(roles, risk_discussions(document.text, document.sentences))


def _sentence_of(document: Document, starts: list[int], start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``[start, end)``; the line when it lies in a header."""
    i = bisect_right(starts, start) - 1
    if i >= 0 and start < document.sentences[i].end:
        return document.sentences[i].start, max(document.sentences[i].end, end)
    text = document.text
    hi = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, hi if hi >= 0 else len(text)


def assert_mentions(document: Document, mentions: list[Mention]) -> None:
    """Set the assertion of ``mentions`` (all of ``document``) in one run of the engine."""
    pending = [m for m in mentions if m.assertion is None]
    if not pending:
        return
    spans = [(m.start, m.end) for m in pending]
    sentences = [m.sentence or (m.start, m.end) for m in pending]
    for m, assertion in zip(pending, _assertions(document, spans, sentences), strict=True):
        m.assertion = assertion


def _assertions(
    document: Document, spans: list[tuple[int, int]], sentences: list[tuple[int, int]]
) -> list[str]:
    """The shared engine's assertion of each span, run on the sentences that hold them only.

    ConText decides within a sentence, so the sentences joined by blank lines (each one a
    sentence of its own to the annotator) give the answers the whole note would, at a
    fraction of the tokenising; section roles and risk ranges are carried over.
    """
    text = document.text
    chosen = sorted(set(sentences))
    merged: list[tuple[int, int]] = []
    for lo, hi in chosen:
        if merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    pieces, bases, position = [], [], 0
    for lo, hi in merged:
        bases.append(position - lo)
        pieces.append(text[lo:hi])
        position += hi - lo + 2
    excerpt = "\n\n".join(pieces)
    lows = [lo for lo, _ in merged]

    def moved(offset: int) -> int:
        return offset + bases[bisect_right(lows, offset) - 1]

    roles = []
    for start, end, role in assertion_roles(document):
        for (lo, hi), base in zip(merged, bases, strict=True):
            a, b = max(start, lo), min(end, hi)
            if a < b:
                roles.append((a + base, b + base, role))
    results = _annotator().annotate(
        excerpt, [(moved(a), moved(a) + b - a) for a, b in spans], roles
    )
    return [r.assertion.value for r in results]


def read_mentions(document: Document, pattern: Phrases | None) -> list[Mention]:
    """Every match of ``pattern`` (see :func:`phrase_pattern`) with its sentence and quote;
    assertions are left for :func:`assert_mentions`."""
    if pattern is None:
        return []
    text = document.text
    lower = text.lower()
    if len(lower) != len(text):  # rare case-folding that changes length: ASCII-only lowering
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    found = []
    for start, end in pattern.spans(lower):
        before = lower[start - 1] if start else " "
        if before.isalnum() or before == "_" or lower.endswith(_PREFIXES, 0, start):
            continue  # inside a word ("xantibiotics") or a prefixed form ("non-diabetic")
        found.append((start, end))
    if not found:
        return []
    if not document.sections:
        segment(document)
    starts = [s.start for s in document.sentences]
    sentences = [_sentence_of(document, starts, start, end) for start, end in found]
    nursing = _nursing_spans(document, lower)
    section_starts = [s.start for s in document.sections]
    out = []
    for (start, end), span in zip(found, sentences, strict=True):
        i = bisect_right(section_starts, start) - 1
        section = document.sections[i] if i >= 0 and start < document.sections[i].end else None
        out.append(
            Mention(
                keyword=normalise_phrase(text[start:end]), start=start, end=end,
                document=document.id, text=text[start:end],
                context=quote(text, span[0], span[1], start, end),
                section=section.kind if section else None,
                nursing=any(s <= start < e for s, e in nursing), sentence=span,
            )
        )  # fmt: skip
    return out
