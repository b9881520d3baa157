"""ICD-10-PCS coding of operative notes, procedure notes and hospital courses.

Per sentence: find procedure words (index main terms and note aliases), drop the ones said
not to have happened (negated, planned: they are not procedures of this stay), walk the index
from the word to a code prefix using the body words around it, choose the root operation by
its definition where the index offers several (Excision or Resection, Drainage or
Extirpation), and complete the code axis by axis with :class:`PcsBuilder`. Constructions that
stop short are reported as their valid prefix and kept, with the missing axis, in
:attr:`PcsResult.incomplete` for physician queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from medcoder.codesets.icd10pcs import PcsData
from medcoder.documents.model import Document, Sentence, Setting
from medcoder.documents.sections import segment
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.annotator import context_of
from medcoder.nlp.model import Assertion
from medcoder.procedures.pcs_axes import axis_account
from medcoder.procedures.pcs_builder import PcsBuilder, PcsConstruction
from medcoder.procedures.pcs_cues import NoteCues
from medcoder.procedures.pcs_items import ItemCoder, ProcedureSpan
from medcoder.procedures.pcs_mentions import MentionFinder, PcsMention
from medcoder.procedures.pcs_queries import (
    NOT_SIGNIFICANT,
    PcsQuery,
    drop_integral_inspections,
    query_for,
    significant,
)
from medcoder.procedures.pcs_route import IndexRoute
from medcoder.procedures.pcs_sources import ProcedureSources, read_sources
from medcoder.procedures.pcs_statement import split_statement
from medcoder.procedures.pcs_vocabulary import (
    PcsVocabulary,
    phrase,
)
from medcoder.suggestions import CodeSuggestion, Evidence, Rejected

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse

SYSTEM = "ICD-10-PCS"
WINDOW = 6  # tokens either side of a procedure word that may name its body part or approach
_NOT_DONE = re.compile(
    r"\b(?:not\s+(?:been\s+)?(?:performed|done|carried\s+out|undergone|possible|feasible)"
    r"|declined|refused|deferred|cancel+ed|contraindicated|no\s+indication)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:plan(?:s|ned)?\s+(?:to|for)|scheduled\s+for|will\s+(?:be|undergo)|to\s+be\s+"
    r"(?:performed|done)|recommended|candidate\s+for|consider(?:ed|ing)?|awaiting|pending)\b",
    re.IGNORECASE,
)
# Records of a stay also talk about what may be done: options, consent and risk discussions,
# conditions ("if not she would require tracheostomy"), follow-up plans.
_DISCUSSED = re.compile(
    r"\b(?:plan\s+(?:was|is)|will\s+(?:need|require)|(?:would|may|might|could)\s+(?:\w+\s+)?"
    r"(?:require|need|undergo|benefit)|options?\s+(?:of|such\s+as|were|was|include)|discussed"
    r"|consent(?:ed)?\s+for|risks?\s+of|if\s+(?:not|needed|necessary)"
    r"|recommendations?\s+(?:\w+\s+)?for|follow\s*up\s+(?:\w+\s+){0,8}?for)\b",
    re.IGNORECASE,
)
# A procedure of an earlier encounter: "a TURP 10 years ago", "in 2015", "previously" around
# it, or "history of", "status post" just before it.
_PAST = re.compile(
    r"\b(?:\d+|a|one|two|three|four|five|several|many)\s+(?:years?|months?|weeks?|days?)\s+ago"
    r"|\bin\s+(?:19|20)\d\d\b|\bpreviously\b|\bprior\s+to\s+(?:this\s+)?admission"
    r"|\bin\s+the\s+past\b|\byears\s+ago\b",
    re.IGNORECASE,
)
_PAST_BEFORE = re.compile(
    r"\b(?:history\s+of|status\s+post|s/p|prior|previous)\b[^.;]{0,25}$", re.IGNORECASE
)
_DROP = {Assertion.NEGATED, Assertion.HYPOTHETICAL, Assertion.RULED_OUT, Assertion.FAMILY}


@dataclass
class PcsResult:
    """Codes of one document, the procedures to query, and the constructions left
    incomplete (in the abstraction setting these are reported as prefixes)."""

    document: str
    codes: list[CodeSuggestion]
    incomplete: list[PcsConstruction]
    mentions: list[PcsMention]
    rejected: list[Rejected] = field(default_factory=list)
    queries: list[PcsQuery] = field(default_factory=list)
    kind: str = ""  # what the document is for procedure coding (pcs_sources)


def load_pcs(on: date | None = None) -> PcsData:
    """The PCS pack in force on ``on`` (the newest when ``None``; the nearest installed when
    none is in force: the coding result names the year used), read once per process."""
    return _load(on)


@lru_cache(maxsize=4)
def _load(on: date | None) -> PcsData:
    from medcoder.codesets import pack_store, registry
    from medcoder.codesets.icd10pcs import read_pcs

    info = registry.resolve("icd10pcs", on, SYSTEM).info
    return read_pcs(pack_store.open_pack(info.path))


class PcsEngine:
    """Procedure coder: ``PcsEngine(setting="inpatient").code_document(document)``.

    ``prefix_length`` cuts incomplete constructions to that many characters when reported
    (4 gives CodiEsp's body-part prefixes); ``None`` reports the longest valid prefix.
    Historical procedures are coded only in the ``abstraction`` setting, which codes every
    procedure a case report mentions.
    """

    def __init__(
        self,
        setting: str | Setting = Setting.INPATIENT,
        *,
        data: PcsData | None = None,
        on: date | None = None,
        prefix_length: int | None = None,
        min_prefix: int = 4,
    ) -> None:
        self.setting = Setting(setting)
        self.data = data if data is not None else load_pcs(on)
        self.vocabulary = PcsVocabulary.build(self.data)
        self.builder = PcsBuilder(self.data.tables)
        self.route = IndexRoute(self.data, self.vocabulary, self.builder)
        self.finder = MentionFinder(self.vocabulary, self.route)
        self.items = ItemCoder(self.vocabulary, self.route, self.builder, self.finder)
        self.prefix_length = prefix_length
        self.min_prefix = min_prefix

    def code_document(self, document: Document) -> list[CodeSuggestion]:
        """Suggested PCS codes (complete codes and reported prefixes), best first."""
        return self.analyze(document).codes

    def analyze(self, document: Document, annotated: AnnotatedDocument | None = None) -> PcsResult:
        """Codes and queries of one document.

        Abstraction (registries, CodiEsp) codes every procedure a case report mentions and
        reports a construction missing an axis as its prefix. Billing settings code what the
        document records as performed in this encounter (:mod:`pcs_sources`): complete,
        significant procedures only; the rest become queries (A8).
        """
        if not document.sentences:
            segment(document)
        context = context_of(document, annotated)  # the assertion engine's parse of the note
        if self.setting == Setting.ABSTRACTION:
            spans = [(s.start, s.end) for s in document.sentences]
            mentions = self.finder.find(document.text, spans)
            self._assert(document, context, mentions)
            return self._collect(document, mentions, "abstraction")
        sources = read_sources(document)
        if sources.codes_nothing:
            return PcsResult(document.id, [], [], [], kind=sources.kind)
        mentions = self._performed(document, context, sources)
        return self._collect(document, mentions, sources.kind)

    def _performed(
        self, document: Document, context: ContextParse, sources: ProcedureSources
    ) -> list[PcsMention]:
        """Procedures of the statement, then those the description, course or text adds."""
        text = document.text
        cues = NoteCues.read(document, sources)
        mentions: list[PcsMention] = []
        for a, b in sources.statement:
            for item in split_statement(text[a:b], a):
                span = ProcedureSpan(item.start, item.end, item.context, item.borrowed, item=True)
                for mention in self.items.code(text, span, cues):
                    mention.source = "statement"
                    mentions.append(mention)
        scanned: list[PcsMention] = []
        for source, spans in (("description", sources.body), ("course", sources.course)):
            for sentence in _sentences_in(document, spans):
                where = (sentence.start, sentence.end)
                span = ProcedureSpan(*where, where, description=source == "description")
                for mention in self.items.code(text, span, cues):
                    mention.source = source
                    if source == "description" and sources.statement:
                        # The statement names the procedures; the description adds only a
                        # biopsy taken before a definitive procedure (B3.4b).
                        mention.constructions = [
                            c for c in mention.constructions if c.code[6:7] == "X"
                        ]
                        mention.queries = []
                    if mention.constructions or mention.queries:
                        scanned.append(mention)
        self._assert(document, context, scanned, record=True)
        return mentions + scanned

    def _collect(self, document: Document, mentions: list[PcsMention], kind: str) -> PcsResult:
        billing = kind != "abstraction"
        best: dict[str, CodeSuggestion] = {}
        incomplete: list[PcsConstruction] = []
        rejected: list[Rejected] = []
        queries: dict[tuple[str, str], PcsQuery] = {}
        # Specific procedure words first, generic verbs after: a verb that only restates a
        # procedure already found is folded into it (B3.2), never coded a second time.
        for generic in (False, True):
            for mention in mentions:
                if mention.generic is not generic:
                    continue
                if mention.assertion != "present" and not self._keeps(mention.assertion):
                    continue
                for question in mention.queries if billing else ():
                    queries.setdefault(
                        ("", question),
                        PcsQuery(
                            mention.text, question, evidence=[self._evidence(document, mention)]
                        ),
                    )
                for item in mention.constructions:
                    if billing and not significant(item.code):
                        if item.complete:
                            rejected.append(self._not_significant(document, mention, item))
                        continue
                    if len(item.code) < self.min_prefix and not (billing and item.code):
                        if not item.complete:
                            incomplete.append(item)
                        continue
                    suggestion = self._suggest(document, mention, item)
                    old = best.get(suggestion.code)
                    if old is None and generic:
                        old = _same_procedure(suggestion, best.values())
                        if old is not None:
                            old.path.append(
                                f"B3.2: {mention.text!r} ({suggestion.code}) describes the same "
                                f"procedure on the same body part: coded once"
                            )
                            rejected.append(_folded(suggestion, old))
                            old.evidence += suggestion.evidence
                            continue  # no query either: the procedure is already coded
                    if not item.complete:
                        incomplete.append(item)
                        if billing:  # A8: a code missing an axis is a query, never a code
                            query = query_for(item, mention.text, suggestion.evidence[0])
                            queries.setdefault((item.code, query.question), query)
                            continue
                    if old is None:
                        best[suggestion.code] = suggestion
                    else:  # same code twice: coded once (B3.2 codes distinct body parts)
                        old.evidence += suggestion.evidence
                        old.score = max(old.score, suggestion.score)
        codes = sorted(best.values(), key=lambda s: -s.score)
        if billing:
            codes, integral = drop_integral_inspections(codes)
            rejected += [_integral(c) for c in integral]
        found = list(queries.values())
        return PcsResult(document.id, codes, incomplete, mentions, rejected, found, kind)

    def _keeps(self, assertion: str) -> bool:
        return assertion == Assertion.HISTORICAL and self.setting == Setting.ABSTRACTION

    # -- assertion and output -------------------------------------------------------------

    def _assert(
        self,
        document: Document,
        context: ContextParse,
        mentions: list[PcsMention],
        *,
        record: bool = False,
    ) -> None:
        """Negated and planned procedures are not coded; history only when abstracting.

        ``record``: the mentions come from a stay's record, where options, risks, consent
        and follow-up plans are discussed as well (never in the abstraction setting).
        """
        if not mentions:
            return
        results = context.assertions([(m.start, m.end) for m in mentions])
        text = document.text
        for mention, result in zip(mentions, results, strict=True):
            after = text[mention.end : mention.sentence[1]]
            before = text[mention.sentence[0] : mention.start]
            assertion = result.assertion
            if assertion == Assertion.NEGATED and result.trigger_end is not None:
                gap = text[result.trigger_end : mention.start]
                if result.trigger_end <= mention.start and len(phrase(gap)) > 1:
                    assertion = Assertion.PRESENT  # "no metastasis in the CT": CT was done
            if _NOT_DONE.search(after[:60]) or _NOT_DONE.search(before[-40:]):
                assertion = Assertion.NEGATED
            elif record and (
                _PAST.search(after[:60])
                or _PAST.search(before[-60:])
                or _PAST_BEFORE.search(before)
            ):
                assertion = Assertion.HISTORICAL
            elif (
                _PLANNED.search(before[-50:])
                or _PLANNED.search(after[:30])
                or (record and (_DISCUSSED.search(before[-120:]) or _DISCUSSED.search(after[:30])))
            ):
                assertion = Assertion.HYPOTHETICAL
            if assertion in _DROP:
                mention.assertion = str(assertion)
            elif assertion == Assertion.HISTORICAL:
                mention.assertion = "historical"

    def _evidence(self, document: Document, mention: PcsMention) -> Evidence:
        section = document.section_at(mention.start)
        return Evidence(
            document.id,
            mention.start,
            mention.end,
            mention.text,
            section.kind if section else None,
            mention.assertion,
            document.page_at(mention.start),
            mention.sentence,
        )

    def _not_significant(
        self, document: Document, mention: PcsMention, item: PcsConstruction
    ) -> Rejected:
        title = self.data.tables.describe(item.code).title
        evidence = [self._evidence(document, mention)]
        return Rejected(item.code, title, NOT_SIGNIFICANT, "UHDDS", evidence)

    def _suggest(
        self, document: Document, mention: PcsMention, item: PcsConstruction
    ) -> CodeSuggestion:
        code = item.reported(self.prefix_length)
        tables = self.data.tables
        if item.complete:
            description = tables.describe(code).title
            score = 0.9
        else:
            labels = [tables.tables[code[:3]].labels[2]] if len(code) >= 3 else []
            if len(code) >= 4:
                labels.append(tables.values_for(code[:3]).get(code[3], ""))
            description = ", ".join(x for x in labels if x) + f" (incomplete: {item.missing})"
            score = 0.6
        if mention.assertion == "historical":
            score *= 0.6
        evidence = self._evidence(document, mention)
        path = list(item.notes)
        if not item.complete:
            path.append(f"missing axis: {item.missing}; choices: {sorted(item.choices)}")
        suggestion = CodeSuggestion(
            SYSTEM, code, description, score, [evidence], path, sorted(set(item.guidelines))
        )
        suggestion.explanation = axis_account(item, tables, code).to_dict()
        return suggestion


_TAKING_OUT = frozenset("BCDT")  # Excision, Extirpation, Extraction, Resection


def _same_procedure(
    suggestion: CodeSuggestion, kept: Iterable[CodeSuggestion]
) -> CodeSuggestion | None:
    """A kept code for the same act as a generic verb's code, or None (B3.2).

    B3.2 codes a root operation more than once only for distinct body parts or distinct
    objectives. A verb such as "removed" whose code takes something out of the same body
    part (section, body system and body part equal) as a specific procedure word describes
    that procedure again. A biopsy followed by a definitive procedure is two procedures
    (B3.4b), so a diagnostic code is never folded.
    """
    code = suggestion.code
    if len(code) < 4 or code[0] != "0" or code[2] not in _TAKING_OUT or code[6:7] == "X":
        return None
    for other in kept:
        c = other.code
        same_part = len(c) >= 4 and (c[0], c[1], c[3]) == (code[0], code[1], code[3])
        if same_part and c[2] in _TAKING_OUT:
            return other
    return None


def _integral(inspection: CodeSuggestion) -> Rejected:
    return Rejected(
        inspection.code,
        inspection.description,
        "inspection performed to achieve the objective of another procedure of the episode: "
        "not coded separately",
        "B3.11a",
        list(inspection.evidence),
    )


def _sentences_in(document: Document, spans: list[tuple[int, int]]) -> list[Sentence]:
    return [s for s in document.sentences if any(a <= s.start < b for a, b in spans)]


def _folded(suggestion: CodeSuggestion, into: CodeSuggestion) -> Rejected:
    return Rejected(
        suggestion.code,
        suggestion.description,
        f"same procedure as {into.code} (same body part, one objective): coded once",
        "B3.2",
        list(suggestion.evidence),
    )
