"""The diagnosis coding engine: documents in, ICD-10-CM codes out, each one explained.

A pipeline of small steps, each with one job (the spaCy habit)::

    segment -> match concepts -> assertion context -> setting rules -> conventions -> rank

1. *segment*: sections and sentences (``documents.sections``);
2. *match*: vocabulary phrases (index paths, titles, inclusion terms, abbreviations) found in
   each sentence, most specific first (``nlp.matcher``);
3. *context*: is each mention present, negated, uncertain, historical, family, hypothetical
   (``nlp.context``), with the section's role taken into account;
4. *setting*: the profile of the setting decides what each assertion means
   (``coding.settings``: outpatient never codes uncertain diagnoses, inpatient does, ...);
5. *conventions*: combination codes, Excludes1, integral symptoms (``coding.conventions``);
6. *rank*: a confidence per code, re-weighted by a trained model when one is given.

Every candidate that does not survive is kept in ``CodingResult.rejected`` with its reason.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from medcoder.codesets.icd10cm_pack import ICD10CMPack, display
from medcoder.coding.settings import Action, Profile, profile
from medcoder.coding.suggestion import CodeSuggestion, CodingResult, Evidence, Rejected
from medcoder.documents.model import Document, Encounter
from medcoder.documents.sections import segment
from medcoder.nlp.matcher import ConceptMatcher, Match, bare_words
from medcoder.nlp.model import Assertion

# Code sets whose version warnings the engine writes; the HCPCS and CPT coders say their own.
_WARNS_HERE = frozenset({"ICD-10-CM", "ICD-10-CM index", "ICD-10-PCS"})
SOURCE_CONFIDENCE = {"index": 0.8, "title": 0.75, "inclusion": 0.7, "lexicon": 0.7, "learned": 0.6}
ASSERTION_FACTOR = {
    Assertion.PRESENT: 1.0,
    Assertion.POSSIBLE: 0.7,
    Assertion.HISTORICAL: 0.8,
}
MAX_TEXT = 5_000_000  # characters; longer texts are refused (split the document)


@dataclass
class Candidate:
    """One mention's code before the setting and conventions have spoken."""

    code: str  # key
    match: Match
    assertion: Assertion
    section: str | None
    section_role: str | None
    document: str
    trigger: str | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)


class CodingEngine:
    """Codes documents and encounters for one setting.

    The constructor stores settings only; packs, vocabulary and the assertion rules are loaded
    on first use and shared by every document coded afterwards.
    """

    def __init__(
        self,
        *,
        setting: str = "outpatient",
        model: object | None = None,
        on: date | None = None,
        systems: tuple[str, ...] = ("ICD-10-CM",),
    ) -> None:
        self.setting = setting
        self.profile: Profile = profile(setting)
        self.model = model
        self.on = on
        self.systems = systems

    @cached_property
    def pack(self) -> ICD10CMPack:
        """The ICD-10-CM tabular for the date of service: in force, else the nearest."""
        from medcoder.codesets import registry

        pack, self._tabular = registry.icd10cm_resolved(self.on)
        return pack

    @cached_property
    def code_sets(self) -> tuple[dict[str, str], tuple[str, ...]]:
        """The version of each code set this engine codes with, and a warning for each one
        that is not the version in force on the date of service (or, with no date given,
        each one of another year than the ICD-10-CM tabular)."""
        from medcoder.codesets import registry
        from medcoder.nlp.index_vocabulary import index_pack_for

        self.pack  # noqa: B018 - resolves the tabular
        chosen = [self._tabular]
        index = index_pack_for(self.pack)
        if index is not None:
            chosen.append(
                registry.Resolution(index, self.on, self.on is None or self.on in index.period)
            )
        wanted = {"ICD-10-PCS": "icd10pcs", "HCPCS": "hcpcs", "CPT": "cpt"}
        for system in self.systems:
            component = wanted.get(system)
            if component and registry.list_packs(component):
                chosen.append(registry.resolve(component, self.on, system))
        versions = {c.system: c.label for c in chosen}
        warnings = [w for c in chosen if c.system in _WARNS_HERE and (w := c.warning)]
        if self.on is None:
            fiscal = {c.system: c.info.version for c in chosen if c.system in _WARNS_HERE}
            others = {s: v for s, v in fiscal.items() if v != fiscal["ICD-10-CM"]}
            if others:
                listing = ", ".join(f"{s} FY{v}" for s, v in others.items())
                warnings.append(
                    f"no date of service given: coded with the newest installed code sets, "
                    f"ICD-10-CM FY{fiscal['ICD-10-CM']} with {listing} (give --date to use "
                    "the ones in force on the date)"
                )
        return versions, tuple(warnings)

    @cached_property
    def matcher(self) -> ConceptMatcher:
        from medcoder.coding.vocabulary_cache import load_vocabulary
        from medcoder.nlp.lexicon import Lexicon

        return ConceptMatcher(load_vocabulary(self.pack), lexicon=Lexicon.load(), bare=bare_words())

    @cached_property
    def procedures(self):  # noqa: ANN201 - the ICD-10-PCS engine, when a PCS pack is installed
        from medcoder.procedures import PcsEngine

        # Abstraction (registries, case review, CodiEsp) reports a procedure documented without
        # its approach at body-part level (4 characters); billing settings keep the longest
        # valid prefix and flag it for a query.
        prefix = 4 if self.setting == "abstraction" else None
        setting = self.setting if self.setting != "outpatient" else "inpatient"
        return PcsEngine(setting, on=self.on, prefix_length=prefix)

    @cached_property
    def context(self):  # noqa: ANN201 - medspaCy-backed annotator, imported lazily
        from medcoder.nlp.context import ContextAnnotator

        return ContextAnnotator()

    # -- pipeline steps ---------------------------------------------------------------------

    def candidates(self, document: Document) -> list[Candidate]:
        """Steps 1-3: every vocabulary match with its assertion."""
        if not document.sections:
            segment(document)
        spans = [(s.start, s.end) for s in document.sentences]
        matches = self.matcher.match(document.text, spans)
        roles = [(s.start, s.end, s.role) for s in document.sections]
        results = self.context.annotate(document.text, [(m.start, m.end) for m in matches], roles)
        out = []
        starts = [s.start for s in document.sections]
        for match, ctx in zip(matches, results, strict=True):
            i = bisect_right(starts, match.start) - 1
            section = document.sections[i] if i >= 0 else None
            # The entry's own code, then codes the index pairs with it (manifestations, I.A.13).
            for code in (match.entry.code, *match.entry.also):
                out.append(
                    Candidate(
                        code=code,
                        match=match,
                        assertion=ctx.assertion,
                        section=section.kind if section else None,
                        section_role=section.role if section else None,
                        document=document.id,
                        trigger=ctx.trigger,
                    )
                )
        return out

    def code_document(self, document: Document) -> CodingResult:
        return self._code([document], document.id)

    def code_encounter(self, encounter: Encounter) -> CodingResult:
        return self._code(encounter.documents, encounter.id)

    def _code(self, documents: list[Document], name: str) -> CodingResult:
        from medcoder.coding.conventions import apply_conventions

        result = CodingResult(document=name, setting=self.profile.name)
        versions, notes = self.code_sets
        result.code_sets = dict(versions)
        result.warnings.extend(notes)
        kept: list[Candidate] = []
        all_candidates: list[Candidate] = []
        for document in documents:
            if len(document.text) > MAX_TEXT:
                from medcoder.errors import DocumentError

                raise DocumentError(
                    document.id,
                    f"text of {len(document.text):,} characters is over the limit of "
                    f"{MAX_TEXT:,}; split the document",
                )
            result.warnings.extend(document.warnings)
            for cand in self.candidates(document):
                all_candidates.append(cand)
                if self._is_misplaced_encounter_code(cand):
                    result.rejected.append(
                        Rejected(
                            display(cand.code),
                            self.pack.title(cand.code) or "",
                            "an 'encounter for' code states the reason for the visit; "
                            "it is taken from the chief complaint or reason for visit only",
                            "I.C.21.c",
                            [self._evidence(cand, documents)],
                        )
                    )
                    continue
                action = self.profile.actions.get(cand.assertion, Action.CODE)
                learned = self.model.keeps(cand) if self.model is not None else None
                if learned is not None:
                    action = Action.CODE if learned else Action.DROP
                if action is Action.CODE:
                    kept.append(cand)
                    continue
                reason, guideline = self.profile.reasons.get(
                    cand.assertion, ("not coded in this setting", None)
                )
                if learned is False:
                    reason, guideline = (
                        "the trained model says this organisation does not code it",
                        None,
                    )
                result.rejected.append(
                    Rejected(
                        display(cand.code),
                        self.pack.title(cand.code) or "",
                        reason,
                        guideline,
                        [self._evidence(cand, documents)],
                    )
                )
        suggestions = self._aggregate(kept, documents)
        suggestions, rejected = apply_conventions(
            suggestions, self.pack, self.profile, result.warnings
        )
        result.rejected.extend(rejected)
        if self.model is not None:
            suggestions = self.model.rescore(
                suggestions, documents, all_candidates, pack=self.pack, rejected=result.rejected
            )
        suggestions.sort(key=lambda s: (-s.score, s.code))
        if suggestions and self.profile.name in ("inpatient", "outpatient"):
            suggestions = self._sequence(suggestions, documents)
        if "ICD-10-PCS" in self.systems:
            suggestions.extend(self._code_procedures(documents, result))
        services = tuple(s for s in ("CPT", "HCPCS") if s in self.systems)
        if services:
            suggestions.extend(self._code_services(documents, result, services))
        result.codes = suggestions
        result.rejected = _merge_rejected(result.rejected)
        return result

    def _sequence(
        self, suggestions: list[CodeSuggestion], documents: list[Document]
    ) -> list[CodeSuggestion]:
        """Principal (inpatient, UHDDS, with POA) or first-listed (outpatient, IV.G) first;
        an etiology whose "use additional code" note names it goes before it (I.A.13)."""
        from medcoder.coding.inpatient import assign_poa, choose_principal, etiology_first

        inpatient = self.profile.sequencing == "principal"
        if inpatient:
            assign_poa(suggestions, {d.id: d.text for d in documents})
        first = choose_principal(suggestions)
        if first is None:
            return suggestions
        first = etiology_first(
            first, suggestions, lambda code: self.pack.notes(code, kinds=("useAdditionalCode",))
        )
        if not inpatient:
            first.principal = False  # "principal" is an inpatient (UHDDS) term
        suggestions.remove(first)
        return [first, *suggestions]

    def _code_services(
        self, documents: list[Document], result: CodingResult, systems: tuple[str, ...]
    ) -> list[CodeSuggestion]:
        """E/M level (MDM grid or time), CPT procedures from a licensed file, HCPCS drugs."""
        from medcoder.services.service_codes import service_codes

        setting = {"abstraction": "outpatient"}.get(self.setting, self.setting)
        out: list[CodeSuggestion] = []
        for document in documents:
            found = service_codes(document, setting=setting, on=self.on, systems=systems)
            out.extend(found.codes)
            result.warnings.extend(found.warnings)
        return out

    def _code_procedures(
        self, documents: list[Document], result: CodingResult
    ) -> list[CodeSuggestion]:
        """ICD-10-PCS codes built axis by axis; incomplete documentation becomes a warning
        naming the missing axis (it feeds physician queries)."""
        out: list[CodeSuggestion] = []
        for document in documents:
            pcs = self.procedures.analyze(document)
            result.rejected.extend(pcs.rejected)  # procedures folded into another (B3.2)
            for built in pcs.incomplete:
                result.warnings.append(
                    f"procedure documentation incomplete: {built.reported()} — {built.missing} "
                    "not documented"
                )
            learned = getattr(self.model, "pcs_predict", None)
            if learned is None:
                out.extend(pcs.codes)
                continue
            from medcoder.procedures.pcs_model import as_suggestions

            # house forms keep the evidence and axis table of the engine code they re-express
            house = getattr(self.model, "pcs_", None)
            out.extend(as_suggestions(learned(document, pcs), pcs, house))
        return out

    # -- helpers ----------------------------------------------------------------------------

    REASON_SECTIONS = frozenset({"chief_complaint", "reason_for_visit", "indications"})

    def _is_misplaced_encounter_code(self, cand: Candidate) -> bool:
        title = self.pack.title(cand.code) or ""
        return title.startswith("Encounter for") and cand.section not in self.REASON_SECTIONS

    def _evidence(self, cand: Candidate, documents: list[Document]) -> Evidence:
        doc = (
            documents[0]
            if len(documents) == 1
            else next(d for d in documents if d.id == cand.document)
        )
        m = cand.match
        return Evidence(
            document=cand.document,
            start=m.start,
            end=m.end,
            text=doc.text[m.start : m.end],
            section=cand.section,
            assertion=cand.assertion.value,
            page=doc.page_at(m.start),
            sentence=(m.sentence_start, m.sentence_end),
        )

    def _aggregate(self, kept: list[Candidate], documents: list[Document]) -> list[CodeSuggestion]:
        by_code: dict[str, list[Candidate]] = defaultdict(list)
        for cand in kept:
            by_code[cand.code].append(cand)
        out = []
        for key, cands in by_code.items():
            miss = 1.0
            for cand in cands:
                base = SOURCE_CONFIDENCE.get(cand.match.entry.source, 0.6)
                cand.confidence = base * ASSERTION_FACTOR.get(cand.assertion, 0.6)
                miss *= 1.0 - cand.confidence
            entry = cands[0].match.entry
            out.append(
                CodeSuggestion(
                    system="ICD-10-CM",
                    code=display(key),
                    description=self.pack.title(key) or "",
                    score=1.0 - miss,
                    evidence=[self._evidence(c, documents) for c in cands],
                    path=[f"{entry.source}: {entry.text}"],
                    guidelines=["I.B.1"] if entry.source == "index" else [],
                )
            )
        return out


def _merge_rejected(rejected: list[Rejected]) -> list[Rejected]:
    """One entry per code and reason, with the evidence of every mention behind it: "not
    coded: negated" once with its three mentions reads better than three identical lines."""
    merged: dict[tuple[str, str], Rejected] = {}
    for item in rejected:
        key = (item.code, item.reason)
        if key not in merged:
            merged[key] = item
            continue
        seen = {(e.document, e.start, e.end) for e in merged[key].evidence}
        merged[key].evidence.extend(
            e for e in item.evidence if (e.document, e.start, e.end) not in seen
        )
    return list(merged.values())
