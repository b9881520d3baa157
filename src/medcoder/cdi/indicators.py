"""Clinical indicators collected from documents: measurements, treatments, phrases, dates.

AHIMA/ACDIS 2022 requires clinical indicators in every query (provider observations,
diagnostic findings, treatments), cited so the provider can find them. Each indicator keeps
its value, unit, date and the source span it came from. A value medcoder cannot trust (no
unit, impossible, see ``LabResult.excluded_reason``) is never an indicator; it is kept as an
:class:`ExcludedValue` with its reason so the CDI specialist sees what was left out and why.

Everything here is regular expressions compiled once per process (or once per rule set for
the phrase matcher), so collecting indicators stays a small fraction of coding time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from medcoder.cdi._dates import DateIndex
from medcoder.documents.model import Document, LabResult
from medcoder.nlp.labs import find_lab_values, normalize_result


@dataclass(frozen=True)
class Indicator:
    """One clinical indicator with its source: a value, a treatment or a documented phrase.

    ``kind`` is ``lab``, ``vital``, ``treatment``, ``phrase`` or ``code``; ``name`` the analyte
    (``sodium``), the rule keyword matched (``fluid restriction``) or the code; ``text`` the
    source span as written; ``context`` the clause around a phrase, for citing it in a query.
    """

    kind: str
    name: str
    text: str
    document: str
    start: int | None = None
    end: int | None = None
    value: float | None = None
    unit: str | None = None
    observed_at: datetime | date | None = None
    context: str | None = None
    nursing: bool = False

    @property
    def draw_key(self) -> tuple[object, ...]:
        """Identity of a draw: a dated value once per date, an undated one once per span.

        A copied-forward line ("Na 126 on 03/02/2024" in two notes) is one draw, not two.
        """
        if self.observed_at is not None:
            return (self.name, self.observed_at, self.value)
        return (self.name, self.document, self.start)


@dataclass(frozen=True)
class ExcludedValue:
    """A measurement that must not serve as an indicator, with the reason."""

    name: str
    text: str
    reason: str
    document: str
    value: float | None = None
    unit: str | None = None
    start: int | None = None
    end: int | None = None
    observed_at: datetime | date | None = None


@dataclass(frozen=True)
class Mention:
    """A rule keyword found in text; ``negated`` covers 'no', 'denies', 'held', 'history of'."""

    keyword: str  # normalised form of the text matched
    start: int
    end: int
    document: str
    text: str
    context: str
    negated: bool
    nursing: bool


@dataclass
class IndicatorSet:
    """Everything the rules may cite, from one document or every document of an encounter."""

    measurements: dict[str, list[Indicator]] = field(default_factory=dict)
    excluded: list[ExcludedValue] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # document id -> text
    _by_words: dict[str, list[Mention]] | None = field(default=None, repr=False)

    def values(self, analyte: str) -> list[Indicator]:
        return self.measurements.get(analyte, [])

    def excluded_for(self, analytes: Iterable[str]) -> list[ExcludedValue]:
        wanted = set(analytes)
        return [e for e in self.excluded if e.name in wanted]

    def mentions_of(self, keywords: Iterable[str]) -> list[Mention]:
        """Mentions whose matched text holds one of ``keywords`` as whole words.

        "IV antibiotics" was matched as one mention; it is found for "antibiotics" too, via an
        index of every run of whole words in each matched text (built once per set).
        """
        if not self.mentions:
            return []
        if self._by_words is None:
            self._by_words = {}
            for m in self.mentions:
                words = m.keyword.split(" ")
                runs = {
                    " ".join(words[i:j])
                    for i in range(len(words))
                    for j in range(i + 1, len(words) + 1)
                }
                for run in runs:
                    self._by_words.setdefault(run, []).append(m)
        hits = {id(m): m for k in keywords for m in self._by_words.get(normalise_phrase(k), ())}
        return sorted(hits.values(), key=lambda m: (m.document, m.start))


VITALS = frozenset({"temperature", "heart_rate", "resp_rate", "spo2", "sbp", "dbp", "bmi"})

# --- ejection fraction (echo text, not a lab) ------------------------------------------------
_EF_RE = re.compile(
    r"(?<![\w])(?:LVEF|EF|(?i:ejection fraction))(?:\s*(?i:of|is|was|estimated at|=|:|~|approximately))*"
    r"\s*(?P<low>\d{1,3})(?:\s*(?:-|to)\s*(?P<high>\d{1,3}))?\s*%"
)


def _ejection_fractions(document: Document) -> list[LabResult]:
    out: list[LabResult] = []
    if "%" not in document.text:
        return out  # every ejection fraction is written with a percent sign
    for m in _EF_RE.finditer(document.text):
        low = float(m.group("low"))
        value = (low + float(m.group("high"))) / 2 if m.group("high") else low
        reason = None if 5 <= value <= 90 else f"implausible ejection fraction {value:g} %"
        out.append(
            LabResult(
                "ejection_fraction", value, "%", raw_text=m.group(), start=m.start(),
                end=m.end(), normalized_value=value, normalized_unit="%", excluded_reason=reason,
            )
        )  # fmt: skip
    return out


# --- phrases and negation --------------------------------------------------------------------
_SPACE_RE = re.compile(r"[\s\-]+")
_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|denies|denied|without|negative for|free of|ruled out|rule out|r/o|"
    r"held|holding|declined|refused|discontinued|stopped|history of|h/o|hx of|prior|previous|"
    r"resolved|if|should|consider)\b(?:\W+\w+){0,3}\W*$",
    re.IGNORECASE,
)
_NEGATION_AFTER = re.compile(
    r"^\W*(?:(?:was|were|is|has been|have been)\s+)?(?:ruled out|not (?:given|indicated|needed|"
    r"started|required|present)|declined|refused|held|discontinued|unlikely|negative)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[;\n]|\.(?!\d)|\bbut\b")  # on lower-cased text
_NURSING_ROLE = re.compile(r"\b(?:nurs\w*|rn|lpn|wound|woc\w*)\b", re.IGNORECASE)
_NURSING_LABEL = re.compile(  # run on lower-cased text, like the phrase pattern
    r"(?:nursing|nurse|rn|wound care|wound nurse|woc ?nurse|wocn)"
    r"(?:[ \t]+(?:note|assessment|documentation|flowsheet|skin assessment))?[ \t]*:"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


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


def _clause(text: str, breaks: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The clause around ``[start, end)``: from the break before to the break after (<= 160)."""
    i = bisect_right(breaks, (start, -1)) - 1
    left = breaks[i][1] if i >= 0 and breaks[i][1] <= start else 0
    left = max(left, start - 160)
    j = bisect_right(breaks, (end, -1))
    right = breaks[j][0] if j < len(breaks) else len(text)
    return left, min(right, end + 160)


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


def _mentions(document: Document, pattern: re.Pattern[str] | None) -> list[Mention]:
    if pattern is None:
        return []
    text = document.text
    lower = text.lower()
    if len(lower) != len(text):  # rare case-folding that changes length: match the original
        lower, pattern = text, re.compile(pattern.pattern, re.IGNORECASE)
    nursing = _nursing_spans(document, lower)
    out: list[Mention] = []
    breaks: list[tuple[int, int]] | None = None
    for m in pattern.finditer(lower):
        if m.start() and (lower[m.start() - 1].isalnum() or lower[m.start() - 1] == "_"):
            continue  # inside a word ("xantibiotics")
        if breaks is None:  # only texts with a keyword pay for the clause scan
            breaks = [b.span() for b in _CLAUSE_BREAK.finditer(lower)]
        left, right = _clause(text, breaks, m.start(), m.end())
        scope = max(left, text.rfind(",", left, m.start()) + 1)  # "no fever, on antibiotics"
        negated = bool(
            _NEGATION_BEFORE.search(text, scope, m.start())
            or _NEGATION_AFTER.match(text[m.end() : right])
        )
        out.append(
            Mention(
                keyword=normalise_phrase(m.group()), start=m.start(), end=m.end(),
                document=document.id, text=text[m.start() : m.end()],
                context=text[left:right].strip(),
                negated=negated, nursing=any(s <= m.start() < e for s, e in nursing),
            )
        )  # fmt: skip
    return out


# --- collection ------------------------------------------------------------------------------
def _results(document: Document) -> list[LabResult]:
    """Structured results first (they carry dates), then text findings not overlapping them."""
    structured = [normalize_result(r) for r in document.results]
    taken = [(r.start, r.end) for r in structured if r.start is not None and r.end is not None]
    found = find_lab_values(document.text) + _ejection_fractions(document)
    for r in found:
        if any(r.start is not None and s <= r.start < e for s, e in taken):  # type: ignore[operator]
            continue
        structured.append(r)
    return structured


def collect_indicators(
    documents: Document | Iterable[Document], *, keywords: frozenset[str] = frozenset()
) -> IndicatorSet:
    """Measurements (usable or excluded with reason) and keyword mentions of ``documents``."""
    if isinstance(documents, Document):
        documents = [documents]
    pattern = phrase_pattern(keywords)
    out = IndicatorSet()
    for document in documents:
        out.texts[document.id] = document.text
        dates = DateIndex(document.text)
        for r in _results(document):
            observed = r.observed_at
            if observed is None and r.start is not None and r.end is not None:
                observed = dates.at(r.start, r.end)
            shown = "" if r.value is None else f"{r.value:g}"
            text = r.raw_text or " ".join(filter(None, (r.name, shown, r.unit)))
            if r.excluded_reason or r.normalized_value is None:
                out.excluded.append(
                    ExcludedValue(
                        r.name, text, r.excluded_reason or "no usable value", document.id,
                        r.value, r.unit, r.start, r.end, observed,
                    )
                )  # fmt: skip
                continue
            out.measurements.setdefault(r.name, []).append(
                Indicator(
                    "vital" if r.name in VITALS else "lab", r.name, text, document.id, r.start,
                    r.end, r.normalized_value, r.normalized_unit, observed,
                )
            )  # fmt: skip
        out.mentions.extend(_mentions(document, pattern))
    return out
