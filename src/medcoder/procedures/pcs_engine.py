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

from medcoder.codesets.icd10pcs import PcsData
from medcoder.coding.suggestion import CodeSuggestion, Evidence, Rejected
from medcoder.documents.model import Document, Setting
from medcoder.documents.sections import segment
from medcoder.nlp.context import ContextAnnotator
from medcoder.nlp.model import Assertion
from medcoder.procedures.pcs_axes import axis_account
from medcoder.procedures.pcs_builder import PcsBuilder, PcsConstruction
from medcoder.procedures.pcs_mentions import MentionFinder, PcsMention
from medcoder.procedures.pcs_route import IndexRoute
from medcoder.procedures.pcs_vocabulary import (
    PcsVocabulary,
    phrase,
)

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
_DROP = {Assertion.NEGATED, Assertion.HYPOTHETICAL, Assertion.RULED_OUT, Assertion.FAMILY}


@dataclass
class PcsResult:
    """Codes of one document plus the constructions documentation left incomplete."""

    document: str
    codes: list[CodeSuggestion]
    incomplete: list[PcsConstruction]
    mentions: list[PcsMention]
    rejected: list[Rejected] = field(default_factory=list)


def load_pcs(on: date | None = None) -> PcsData:
    """The PCS pack in force on ``on`` (the newest when ``None``), read once per process."""
    return _load(on)


@lru_cache(maxsize=4)
def _load(on: date | None) -> PcsData:
    from medcoder.codesets import pack_store, registry
    from medcoder.codesets.icd10pcs import read_pcs

    info = registry.choose("icd10pcs", on, SYSTEM)
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
        self.prefix_length = prefix_length
        self.min_prefix = min_prefix
        self.context = ContextAnnotator()

    def code_document(self, document: Document) -> list[CodeSuggestion]:
        """Suggested PCS codes (complete codes and reported prefixes), best first."""
        return self.analyze(document).codes

    def analyze(self, document: Document) -> PcsResult:
        if not document.sentences:
            segment(document)
        mentions = self.finder.find(document.text, [(s.start, s.end) for s in document.sentences])
        self._assert(document, mentions)
        best: dict[str, CodeSuggestion] = {}
        incomplete: list[PcsConstruction] = []
        rejected: list[Rejected] = []
        # Specific procedure words first, generic verbs after: a verb that only restates a
        # procedure already found is folded into it (B3.2), never coded a second time.
        for generic in (False, True):
            for mention in mentions:
                if mention.generic is not generic:
                    continue
                if mention.assertion != "present" and not self._keeps(mention.assertion):
                    continue
                for item in mention.constructions:
                    if not item.complete:
                        incomplete.append(item)
                    if len(item.code) < self.min_prefix:
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
                            if not item.complete:
                                incomplete.remove(item)
                    if old is None:
                        best[suggestion.code] = suggestion
                    else:  # same code twice: coded once (B3.2 codes distinct body parts)
                        old.evidence += suggestion.evidence
                        old.score = max(old.score, suggestion.score)
        codes = sorted(best.values(), key=lambda s: -s.score)
        return PcsResult(document.id, codes, incomplete, mentions, rejected)

    def _keeps(self, assertion: str) -> bool:
        return assertion == Assertion.HISTORICAL and self.setting == Setting.ABSTRACTION

    # -- assertion and output -------------------------------------------------------------

    def _assert(self, document: Document, mentions: list[PcsMention]) -> None:
        """Negated and planned procedures are not coded; history only when abstracting."""
        if not mentions:
            return
        roles = [(s.start, s.end, s.role) for s in document.sections]
        results = self.context.annotate(
            document.text, [(m.start, m.end) for m in mentions], roles or None
        )
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
            elif _PLANNED.search(before[-50:]) or _PLANNED.search(after[:30]):
                assertion = Assertion.HYPOTHETICAL
            if assertion in _DROP:
                mention.assertion = str(assertion)
            elif assertion == Assertion.HISTORICAL:
                mention.assertion = "historical"

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
        section = document.section_at(mention.start)
        evidence = Evidence(
            document.id,
            mention.start,
            mention.end,
            mention.text,
            section.kind if section else None,
            mention.assertion,
            document.page_at(mention.start),
            mention.sentence,
        )
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


def _folded(suggestion: CodeSuggestion, into: CodeSuggestion) -> Rejected:
    return Rejected(
        suggestion.code,
        suggestion.description,
        f"same procedure as {into.code} (same body part, one objective): coded once",
        "B3.2",
        list(suggestion.evidence),
    )
