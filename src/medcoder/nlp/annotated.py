"""The annotated document: what every later stage reads, computed once per document.

Diagnoses, procedures, services, CDI and casework all need the same facts about a note — its
type, its sections and their roles, its sentences, the concepts it mentions with their
assertion (present, negated, uncertain, historical, family, hypothetical), laterality and
site, its lab values and its dates. :class:`AnnotatedDocument` holds them; :class:`~medcoder.nlp.
annotator.Annotator` builds it. No stage re-annotates the text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from medcoder.documents.dates import DateSpan, find_dates
from medcoder.documents.doctype import DocumentType
from medcoder.documents.model import Document, LabResult, Section, Sentence
from medcoder.nlp.medications import MedicationMention
from medcoder.nlp.model import Assertion, Mention
from medcoder.nlp.statements import Statement

if TYPE_CHECKING:  # the assertion engine loads spaCy; importing the document must not
    from medcoder.nlp.context import ContextParse, ContextResult


@dataclass
class AnnotatedDocument:
    """A document with its type, sections, sentences and concept mentions.

    ``mentions`` are sorted by position; each carries its vocabulary match (``match``: the
    entry, covered words and sentence) and its candidate codes (``codes``: the entry's own code,
    then codes the index pairs with it).
    """

    document: Document
    type: DocumentType = DocumentType.UNKNOWN
    type_clues: tuple[str, ...] = ()
    mentions: list[Mention] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    described: set[int] = field(default_factory=set, repr=False)  # mentions with attributes read
    # The note as the assertion engine reads it (tokens, sentences, roles), kept so later
    # stages ask it about their own spans instead of tokenising the note again.
    context: ContextParse | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.document.id

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def sections(self) -> list[Section]:
        return self.document.sections

    @property
    def sentences(self) -> list[Sentence]:
        return self.document.sentences

    @cached_property
    def _section_starts(self) -> list[int]:
        return [s.start for s in self.document.sections]

    def section_at(self, offset: int) -> Section | None:
        """The section holding ``offset`` (a bisect over the sorted sections)."""
        i = bisect_right(self._section_starts, offset) - 1
        if i >= 0 and offset < self.document.sections[i].end:
            return self.document.sections[i]
        return None

    @cached_property
    def _statement_starts(self) -> list[int]:
        return [s.start for s in self.statements]

    def statement_at(self, offset: int) -> Statement | None:
        """The statement holding ``offset`` (statements are sorted and do not overlap)."""
        i = bisect_right(self._statement_starts, offset) - 1
        if i >= 0 and offset < self.statements[i].end:
            return self.statements[i]
        return None

    def diagnosis_statements(self) -> list[Statement]:
        return [s for s in self.statements if s.role == "diagnosis"]

    def sections_of(self, *kinds: str) -> list[Section]:
        return [s for s in self.document.sections if s.kind in kinds]

    def mentions_in(self, section: Section) -> list[Mention]:
        return [m for m in self.mentions if section.start <= m.start < section.end]

    def assertions(self, spans: list[tuple[int, int]]) -> list[ContextResult]:
        """The assertion of each ``(start, end)`` span of the text, from the same engine, the
        same sentences and the same section roles as the document's own mentions."""
        return self.parse_context().assertions(spans)

    def parse_context(self) -> ContextParse:
        """The assertion engine's parse of the note (built by the annotator; here when the
        document was annotated without one)."""
        if self.context is None:
            from medcoder.nlp.annotator import context_of

            self.context = context_of(self.document)
        return self.context

    def present(self) -> list[Mention]:
        return [m for m in self.mentions if m.assertion is Assertion.PRESENT]

    @cached_property
    def medications(self) -> list[MedicationMention]:
        """Drugs the note names, with their class and whether they are current; read on
        first use."""
        from medcoder.nlp.medications import find_medications

        return find_medications(self.document)

    @cached_property
    def results(self) -> list[LabResult]:
        """Lab and vital values: structured results (HL7/FHIR) normalised, then values
        written in the text; read on first use (coding does not need them, CDI does)."""
        from medcoder.nlp.mentions import document_results

        return document_results(self.document)

    @cached_property
    def dates(self) -> list[DateSpan]:
        """Dates written to the day in the text, ``(start, end, value)`` in order, each with the
        clock time written after it (a ``datetime``), by the one date parser
        (:func:`medcoder.documents.dates.find_dates`: no date of birth, no date that does not
        exist); read on first use (CDI dates its values by them)."""
        return find_dates(self.document.text)
