"""Clinical indicators collected from documents: measurements, treatments, phrases, dates.

AHIMA/ACDIS 2022 requires clinical indicators in every query (provider observations,
diagnostic findings, treatments), cited so the provider can find them. Each indicator keeps
its value, unit, date and the source span it came from. A value medcoder cannot trust (no
unit, impossible, see ``LabResult.excluded_reason``) is never an indicator; it is kept as an
:class:`ExcludedValue` with its reason so the CDI specialist sees what was left out and why.

Rule phrases (treatments, documented conditions) are read by :mod:`medcoder.cdi.mentions`,
asserted by the pipeline's one assertion engine; values are read by :mod:`medcoder.nlp.labs`;
dates by the one date parser, :mod:`medcoder.documents.dates` (an annotated document's
``dates``).

Rules that compare draws over time (KDIGO: creatinine rise within 48 h) need each value's
date; a value takes the date attached to it, else its line's, else that of a date heading its
paragraph. Never the note's own date: a creatinine quoted in a progress note was not
necessarily drawn that day, and a wrong date is worse than none (the value is then listed as
excluded, "no date", where a rule needs one).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from medcoder.cdi.mentions import (
    PhraseHit,
    assert_mentions,
    normalise_phrase,
    phrase_pattern,
    read_mentions,
)
from medcoder.documents.dates import DateSpan, find_dates
from medcoder.documents.model import Document, LabResult
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.annotator import context_of
from medcoder.nlp.labs import find_lab_values, normalize_result

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse


@dataclass(frozen=True)
class Indicator:
    """One clinical indicator with its source: a value, a treatment or a documented phrase.

    ``kind`` is ``lab``, ``vital``, ``treatment``, ``phrase``, ``documented`` (a condition as
    the provider wrote it), ``code`` or ``timing``; ``name`` the analyte (``sodium``), the rule
    keyword matched (``fluid restriction``) or the code; ``text`` the source span as written;
    ``context`` the sentence around a phrase, for citing it in a query; ``section`` the
    section kind it was found in.
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
    section: str | None = None

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


@dataclass
class IndicatorSet:
    """Everything the rules may cite, from one document or every document of an encounter."""

    measurements: dict[str, list[Indicator]] = field(default_factory=dict)
    excluded: list[ExcludedValue] = field(default_factory=list)
    mentions: list[PhraseHit] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # document id -> text
    documents: dict[str, Document] = field(default_factory=dict, repr=False)
    # document id -> its assertion parse (the annotated document's, or built on first need)
    contexts: dict[str, ContextParse] = field(default_factory=dict, repr=False)
    _by_words: dict[str, list[PhraseHit]] | None = field(default=None, repr=False)

    def values(self, analyte: str) -> list[Indicator]:
        return self.measurements.get(analyte, [])

    def excluded_for(self, analytes: Iterable[str]) -> list[ExcludedValue]:
        wanted = set(analytes)
        return [e for e in self.excluded if e.name in wanted]

    def mentions_of(self, keywords: Iterable[str], *, asserted: bool = True) -> list[PhraseHit]:
        """Mentions whose matched text holds one of ``keywords`` as whole words, asserted by
        the shared engine unless ``asserted`` is False (words that date an onset are words
        whatever their assertion).

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
        found = sorted(hits.values(), key=lambda m: (m.document, m.start))
        if asserted:
            for document_id in {m.document for m in found if m.assertion is None}:
                pending = [m for m in found if m.document == document_id]
                document = self.documents[document_id]
                context = self.contexts.get(document_id)
                if context is None:
                    context = self.contexts[document_id] = context_of(document)
                assert_mentions(document, pending, context)
        return found


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


# --- dates of values ------------------------------------------------------------------------
_ATTACHED_DATE = re.compile(r"\s*[,(\[]?\s*(?:(?i:on|at|drawn|collected)\s+)?$")
_HEADING_BEFORE = re.compile(r"[ \t]*(?:[A-Za-z][A-Za-z ]{0,20}:?[ \t]*)?$")
_HEADING_AFTER = re.compile(r"[ \t]*[:\-]?[ \t]*$")


class DateIndex:
    """Dates of one text; a value takes the date attached to it, else the one its line (or a
    date-led line heading its paragraph) gives. Never the note's own date: a creatinine quoted
    in a progress note was not necessarily drawn that day. ``found``: the text's dates where
    already read (an annotated document's ``dates``), else read here by the same parser."""

    def __init__(self, text: str, found: list[DateSpan] | None = None) -> None:
        self.text = text
        self.found = find_dates(text) if found is None else found
        self.starts = [s for s, _, _ in self.found]

    def at(self, start: int, end: int) -> datetime | date | None:
        if not self.found:
            return None
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        i = bisect_right(self.starts, end)
        if i < len(self.found):  # "Na 126 (03/02/2024)", "Na 126 on 03/02/2024"
            s, _, d = self.found[i]
            if s < line_end and _ATTACHED_DATE.match(text[end:s]) and s - end <= 12:
                return d
        j = bisect_right(self.starts, start) - 1
        if j < 0:
            return None
        s, e, d = self.found[j]
        if s >= line_start:
            return d  # the nearest date before the value on its line
        # else a date heading the paragraph: "Collected 03/02/2024 06:00:" alone on its line
        date_line = text.rfind("\n", 0, s) + 1
        date_line_end = text.find("\n", s)
        heads = bool(
            _HEADING_BEFORE.match(text, date_line, s)
            and _HEADING_AFTER.match(text, e, date_line_end)
        )
        between = text[date_line_end:line_start]
        return d if heads and "\n\n" not in between.replace(" ", "") else None


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
    documents: Document | AnnotatedDocument | Iterable[Document | AnnotatedDocument],
    *,
    keywords: frozenset[str] = frozenset(),
) -> IndicatorSet:
    """Measurements (usable or excluded with reason) and keyword mentions of ``documents``.

    An annotated document lends its assertion parse and dates its values by the dates it
    has read (``dates``); a plain document's dates are read here, by the same parser.
    """
    if isinstance(documents, Document | AnnotatedDocument):
        documents = [documents]
    pattern = phrase_pattern(keywords)
    out = IndicatorSet()
    for document in documents:
        annotated = document if isinstance(document, AnnotatedDocument) else None
        if annotated is not None:
            out.contexts[annotated.id] = annotated.parse_context()
            document = annotated.document
        out.texts[document.id] = document.text
        out.documents[document.id] = document
        dates: DateIndex | None = None  # built only for a note with values to date
        for r in _results(document):
            observed = r.observed_at
            if observed is None and r.start is not None and r.end is not None:
                found = annotated.dates if annotated is not None else None
                dates = dates or DateIndex(document.text, found)
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
        out.mentions.extend(read_mentions(document, pattern))
    return out
