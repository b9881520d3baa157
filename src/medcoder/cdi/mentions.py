"""CDI's one reading of a document's words: rule phrases with assertion, section and a quote.

A query may never be about a condition the patient does not have, so every phrase a rule
needs is found once and asserted by the pipeline's one assertion engine
(medspaCy ConText with the section roles, ``nlp.context``), on the document's one parse:
"no other evidence of infection" is negated, "if he needs any transfusion" hypothetical,
"Family history: diabetes" family. Consent and risk discussions
(:func:`medcoder.nlp.annotator.assertion_roles`) are ``risk`` ranges there, so "the risks include bleeding, DVT, pulmonary embolism" is hypothetical too;
allergy lists ("ADHESIVE TAPE") are never the patient's conditions.

Given the pipeline's annotated document, CDI reads its assertion parse; a bare document gets
one built the same way (:func:`medcoder.nlp.annotator.context_of`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from medcoder.documents.model import Document
from medcoder.documents.sections import segment
from medcoder.nlp.annotator import context_of

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse

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
class PhraseHit:
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


def _sentence_of(document: Document, starts: list[int], start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``[start, end)``; the line when it lies in a header."""
    i = bisect_right(starts, start) - 1
    if i >= 0 and start < document.sentences[i].end:
        return document.sentences[i].start, max(document.sentences[i].end, end)
    text = document.text
    hi = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, hi if hi >= 0 else len(text)


def assert_mentions(
    document: Document, mentions: list[PhraseHit], context: ContextParse | None = None
) -> None:
    """Set the assertion of ``mentions`` (all of ``document``) in one run of the engine, on
    the document's one assertion parse (``context``: the annotated document's when given)."""
    pending = [m for m in mentions if m.assertion is None]
    if not pending:
        return
    results = (context or context_of(document)).assertions([(m.start, m.end) for m in pending])
    for m, result in zip(pending, results, strict=True):
        m.assertion = result.assertion.value


def read_mentions(document: Document, pattern: Phrases | None) -> list[PhraseHit]:
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
            PhraseHit(
                keyword=normalise_phrase(text[start:end]), start=start, end=end,
                document=document.id, text=text[start:end],
                context=quote(text, span[0], span[1], start, end),
                section=section.kind if section else None,
                nursing=any(s <= start < e for s, e in nursing), sentence=span,
            )
        )  # fmt: skip
    return out
