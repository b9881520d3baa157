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
from medcoder.nlp.context import ContextAnnotator, overlay_roles

# Sections whose conditions are never the patient's own problem list.
NOT_THE_PATIENTS = frozenset({"allergies", "family_history"})
QUOTE_LIMIT = 200  # characters of a sentence quoted around a mention
_SPACE_RE = re.compile(r"[\s\-]+")
_PREFIXED = re.compile(r"(?i:(?:non|pre|anti|post)-)$")  # "non-diabetic", "pre-diabetes"
_NURSING_ROLE = re.compile(r"\b(?:nurs\w*|rn|lpn|wound|woc\w*)\b", re.IGNORECASE)
_NURSING_LABEL = re.compile(  # run on lower-cased text, like the phrase pattern
    r"(?:nursing|nurse|rn|wound care|wound nurse|woc ?nurse|wocn)"
    r"(?:[ \t]+(?:note|assessment|documentation|flowsheet|skin assessment))?[ \t]*:"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Mention:
    """A rule phrase found in text, asserted in its context.

    ``assertion`` is a :class:`medcoder.nlp.model.Assertion` value (``present``, ``negated``,
    ``hypothetical``...); ``section`` the section kind; ``sentence`` the sentence span;
    ``context`` the sentence (or a word-bounded window of it) for quoting.
    """

    keyword: str  # normalised form of the text matched
    start: int
    end: int
    document: str
    text: str
    context: str
    assertion: str = "present"
    section: str | None = None
    nursing: bool = False
    sentence: tuple[int, int] | None = None

    @property
    def patients(self) -> bool:
        """Not in an allergy list or family history: possibly a condition of the patient."""
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


@lru_cache(maxsize=8)
def phrase_pattern(keywords: frozenset[str]) -> re.Pattern[str] | None:
    """One prefix-tree pattern for every keyword of a rule set, compiled once per rule set.

    Greedy matching takes the longest keyword at a position ("IV antibiotics" over
    "antibiotics"); ``IndicatorSet.mentions_of`` still finds the shorter one inside it.
    """
    forms = sorted({normalise_phrase(k) for k in keywords if k.strip()})
    if not forms:
        return None
    # Case-sensitive over lower-cased text: ~3x faster than re.IGNORECASE on a note. The word
    # boundary before a match is checked by the caller (a leading \b costs as much again).
    return re.compile(_trie_regex(forms) + r"(?![\w])")


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
    """Section roles with the document's consent and risk discussions cut in as ``risk``."""
    roles = [(s.start, s.end, s.role) for s in document.sections]
    return overlay_roles(roles, risk_discussions(document.text, document.sentences))


def read_mentions(document: Document, pattern: re.Pattern[str] | None) -> list[Mention]:
    """Every match of ``pattern`` (see :func:`phrase_pattern`) with its assertion and quote."""
    if pattern is None:
        return []
    text = document.text
    lower = text.lower()
    if len(lower) != len(text):  # rare case-folding that changes length: match the original
        lower, pattern = text, re.compile(pattern.pattern, re.IGNORECASE)
    found = []
    for m in pattern.finditer(lower):
        before = lower[m.start() - 1] if m.start() else " "
        if before.isalnum() or before == "_" or _PREFIXED.search(lower, 0, m.start()):
            continue  # inside a word ("xantibiotics") or a prefixed form ("non-diabetic")
        found.append((m.start(), m.end()))
    if not found:
        return []
    if not document.sections:
        segment(document)
    results = _annotator().annotate(text, found, assertion_roles(document))
    nursing = _nursing_spans(document, lower)
    starts = [s.start for s in document.sentences]
    out = []
    for (start, end), result in zip(found, results, strict=True):
        i = bisect_right(starts, start) - 1
        sentence = document.sentences[i] if i >= 0 else None
        if sentence is None or start >= sentence.end:
            lo = max(text.rfind("\n", 0, start) + 1, 0)
            hi = text.find("\n", end)
            span = (lo, hi if hi >= 0 else len(text))
        else:
            span = (sentence.start, sentence.end)
        section = document.section_at(start)
        out.append(
            Mention(
                keyword=normalise_phrase(text[start:end]), start=start, end=end,
                document=document.id, text=text[start:end],
                context=quote(text, span[0], span[1], start, end),
                assertion=result.assertion.value, section=section.kind if section else None,
                nursing=any(s <= start < e for s, e in nursing), sentence=span,
            )
        )  # fmt: skip
    return out
