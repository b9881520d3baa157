"""The named components of the coding pipeline (see :mod:`medcoder.coding.pipeline`).

Each class is one step with one job; :func:`default_components` lists them in order for a
request. A component reads what the earlier ones wrote into the
:class:`~medcoder.coding.pipeline.CodingState` and adds its own part.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from functools import cached_property

from medcoder.codesets.icd10cm_pack import display
from medcoder.codesets.systems import code_key
from medcoder.coding.candidates import Candidate, candidates_of
from medcoder.coding.pipeline import CodingState, Component
from medcoder.coding.request import CPT, HCPCS, ICD10PCS, CodingRequest
from medcoder.coding.settings import Action
from medcoder.documents.doctype import DocumentType
from medcoder.documents.model import Document, Setting
from medcoder.errors import DocumentError
from medcoder.nlp.model import Assertion
from medcoder.suggestions import CodeSuggestion, Evidence, Rejected

_NOT_THE_PATIENTS = frozenset(
    {Assertion.NEGATED, Assertion.RULED_OUT, Assertion.FAMILY, Assertion.HYPOTHETICAL}
)
_POSSESSIVE = re.compile(r"\w(?:'s|\u2019s|s'|s\u2019)(?!\w)")
MAX_TEXT = 5_000_000  # characters; longer texts are refused (split the document)
SOURCE_CONFIDENCE = {
    "index": 0.8,
    "see_also": 0.75,
    "title": 0.75,
    "inclusion": 0.7,
    "lexicon": 0.7,
    "learned": 0.6,
}
ASSERTION_FACTOR = {
    Assertion.PRESENT: 1.0,
    Assertion.POSSIBLE: 0.7,
    Assertion.HISTORICAL: 0.8,
}


def _possessive(state: CodingState, cand: Candidate) -> bool:
    document = next(d for d in state.documents if d.id == cand.document)
    return bool(_POSSESSIVE.search(document.text, cand.match.start, cand.match.end + 2))


def states_the_assertion(code: str, assertion: Assertion) -> bool:
    """History, status and family-history codes say what the assertion says: "history of
    kidney stones" is Z87.442 (I.C.21.c.4), "mother with breast cancer" Z80.3 — coded
    because of their assertion, not despite it."""
    key = code.replace(".", "").upper()
    if assertion is Assertion.HISTORICAL:
        return key.startswith(("Z85", "Z86", "Z87", "Z92", "Z95", "Z96", "Z98", "Z90", "Z89"))
    if assertion is Assertion.FAMILY:
        return key.startswith(("Z80", "Z81", "Z82", "Z83", "Z84"))
    return False


def evidence_of(cand: Candidate, documents: list[Document]) -> Evidence:
    """The words of the candidate's mention, cited."""
    doc = (
        documents[0] if len(documents) == 1 else next(d for d in documents if d.id == cand.document)
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


class Annotate:
    """Annotate each document once: type, sections, sentences, mentions with assertion."""

    name = "annotate"

    def __call__(self, state: CodingState) -> None:
        for document in state.documents:
            if len(document.text) > MAX_TEXT:
                raise DocumentError(
                    document.id,
                    f"text of {len(document.text):,} characters is over the limit of "
                    f"{MAX_TEXT:,}; split the document",
                )
            state.result.warnings.extend(document.warnings)
            annotated = state.given.get(document.id) or state.pipeline.annotate(document)
            state.annotated.append(annotated)
            state.candidates.extend(candidates_of(annotated))


class Diagnoses:
    """ICD-10-CM candidates the setting lets through, one suggestion per code."""

    name = "diagnoses"
    REASON_SECTIONS = frozenset({"chief_complaint", "reason_for_visit", "indications"})

    @cached_property
    def _chronic(self):  # noqa: ANN202 - callable(code) -> bool
        from medcoder.coding.chronic import is_chronic

        return is_chronic

    def __call__(self, state: CodingState) -> None:
        model = state.request.model
        pack, profile = state.pack, state.profile
        reading = None
        if state.request.setting is not Setting.ABSTRACTION:
            from medcoder.coding.drugs import treated_by
            from medcoder.coding.reading import Reading, states_a_diagnosis

            treated = {
                a.id: treated_by({m.drug_class for m in a.medications if m.current})
                for a in state.annotated
            }
            reading = Reading(state.request.setting, self._chronic, treated)
            annotated = {a.id: a for a in state.annotated}
            stated = {a.id: states_a_diagnosis(a) for a in state.annotated}
        unstated: list = []
        for cand in state.candidates:
            if cand.match.entry.source == "status" and cand.assertion is not Assertion.HISTORICAL:
                continue  # "bypass graft" is a status only as "s/p" or "history of" (I.C.21.c.3)
            if cand.match.entry.source == "eponym" and not _possessive(state, cand):
                continue  # an eponym alone names its disease only in the possessive
            if cand.match.entry.source == "see_also" and reading is None:
                continue  # the index's second look, for stated conditions (billing settings)
            if reading is not None and cand.assertion is Assertion.HISTORICAL:
                cand = self._as_history(cand, pack)
            chronic_history = False
            # What the words say (negated, family, hypothetical) speaks before where they are.
            if reading is not None and cand.assertion not in _NOT_THE_PATIENTS:
                verdict = reading.verdict(
                    cand,
                    annotated[cand.document],
                    stated[cand.document],
                    pack.title(cand.code) or "",
                )
                if not verdict.code:
                    unstated.append((cand, verdict))
                    continue
                # A chronic condition listed in the past history is current (III.B): the
                # history section made it "historical", the condition's nature says otherwise.
                # ("a history of diabetes" told in the history of the illness, or "history of
                # COPD" as an assessment item, is the same: the patient has the disease).
                chronic_history = (
                    cand.assertion is Assertion.HISTORICAL
                    and cand.mention is not None
                    and cand.mention.reading in ("history", "narrative", "diagnosis")
                    and self._chronic(cand.code)
                )
            if self._is_misplaced_encounter_code(cand, pack):
                state.reject(
                    Rejected(
                        display(cand.code),
                        pack.title(cand.code) or "",
                        "an 'encounter for' code states the reason for the visit; "
                        "it is taken from the chief complaint or reason for visit only",
                        "I.C.21.c",
                        [evidence_of(cand, state.documents)],
                    )
                )
                continue
            action = profile.actions.get(cand.assertion, Action.CODE)
            if chronic_history or states_the_assertion(cand.code, cand.assertion):
                action = Action.CODE
            learned = model.keeps(cand) if model is not None else None
            if learned is not None:
                action = Action.CODE if learned else Action.DROP
            if action is Action.CODE:
                state.kept.append(cand)
                continue
            reason, guideline = profile.reasons.get(
                cand.assertion, ("not coded in this setting", None)
            )
            if learned is False:
                reason, guideline = (
                    "the trained model says this organisation does not code it",
                    None,
                )
            state.reject(
                Rejected(
                    display(cand.code),
                    pack.title(cand.code) or "",
                    reason,
                    guideline,
                    [evidence_of(cand, state.documents)],
                )
            )
        state.diagnoses = self._aggregate(state)
        self._support(state, unstated)

    @staticmethod
    def _as_history(cand: Candidate, pack) -> Candidate:  # noqa: ANN001
        """A primary malignancy told as past is its Z85 personal history (I.C.2.d); a former
        smoker's nicotine dependence is its history, Z87.891 (I.C.5.b, I.C.21.c.4)."""
        from medcoder.coding.neoplasm_history import history_code

        key = code_key(cand.code)
        code = "Z87891" if key.startswith("F172") else history_code(pack, key)
        if code is None:
            return cand
        reasons = [*cand.reasons, f"I.C.2.d: {display(cand.code)} told as past -> {display(code)}"]
        return replace(cand, code=code, reasons=reasons)

    @staticmethod
    def _support(state: CodingState, unstated: list) -> None:  # noqa: ANN001
        """A mention the reading does not code on its own still supports the same code stated
        elsewhere ("admitted with acute bronchitis" in the history dates the stated
        bronchitis as present on admission); the others are rejected with the reason."""
        coded = {code_key(s.code): s for s in state.diagnoses}
        for cand, verdict in unstated:
            held = coded.get(cand.code)
            role = cand.mention.reading if cand.mention is not None else None
            if held is not None and role not in ("excluded", "family"):
                evidence = evidence_of(cand, state.documents)
                if evidence not in held.evidence:
                    held.evidence.append(evidence)
                continue
            state.reject(
                Rejected(
                    display(cand.code),
                    state.pack.title(cand.code) or "",
                    verdict.reason,
                    verdict.guideline,
                    [evidence_of(cand, state.documents)],
                )
            )

    def _is_misplaced_encounter_code(self, cand: Candidate, pack) -> bool:  # noqa: ANN001
        title = pack.title(cand.code) or ""
        return title.startswith("Encounter for") and cand.section not in self.REASON_SECTIONS

    @staticmethod
    def _aggregate(state: CodingState) -> list[CodeSuggestion]:
        by_code: dict[str, list[Candidate]] = defaultdict(list)
        for cand in state.kept:
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
                    description=state.pack.title(key) or "",
                    score=1.0 - miss,
                    evidence=[evidence_of(c, state.documents) for c in cands],
                    path=[f"{entry.source}: {entry.text}"],
                    guidelines=["I.B.1"] if entry.source in ("index", "see_also") else [],
                )
            )
        return out


class Guidelines:
    """The Official Guidelines' conventions: combination codes, Excludes1, unspecified codes
    that yield to specific ones, symptoms integral to a confirmed diagnosis."""

    name = "guidelines"

    def __call__(self, state: CodingState) -> None:
        from medcoder.coding.conventions import apply_conventions

        kept, rejected = apply_conventions(
            state.diagnoses, state.pack, state.profile, state.result.warnings
        )
        state.diagnoses = kept
        state.result.rejected.extend(rejected)
        if state.request.setting is Setting.ABSTRACTION:
            return  # abstraction reports each mention as documented (CodiEsp's coders)
        from medcoder.coding.guidelines import RULES, RuleContext

        context = RuleContext(
            state.diagnoses,
            state.annotated,
            state.pack,
            state.request.setting.value,
            state.result.rejected,
            state.result.warnings,
        )
        for rule in RULES:
            rule(context)
        state.diagnoses = context.suggestions


class Scoring:
    """Billing settings: each diagnosis scored by what a coder keeps of its kind (where it is
    stated, which rule added it), from ``data/score_tiers.tsv``; the score estimates the
    probability a coder keeps the code (calibrated on real notes)."""

    name = "scoring"

    def __call__(self, state: CodingState) -> None:
        if state.request.setting is Setting.ABSTRACTION:
            return  # abstraction keeps the engine's ranking scores (CodiEsp MAP)
        from medcoder.coding.scoring import score_of

        for suggestion in state.diagnoses:
            score, tier = score_of(
                suggestion, state.mentions_of(suggestion), state.request.setting.value
            )
            suggestion.score = score
            suggestion.path.append(f"score: {tier} ({score:.2f})")


class HouseModelRescoring:
    """A trained organisation model re-scores the diagnoses and keeps those over its threshold."""

    name = "house_model"

    def __call__(self, state: CodingState) -> None:
        model = state.request.model
        if model is None:
            return
        state.diagnoses = model.rescore(
            state.diagnoses,
            state.documents,
            state.candidates,
            pack=state.pack,
            rejected=state.result.rejected,
        )


class Sequencing:
    """Best first; then the principal (inpatient, UHDDS, with POA) or first-listed (IV.G)
    diagnosis first; an etiology whose "use additional code" note names it goes before it."""

    name = "sequencing"

    def __call__(self, state: CodingState) -> None:
        from medcoder.coding.inpatient import assign_poa, choose_principal, etiology_first

        suggestions = sorted(state.diagnoses, key=lambda s: (-s.score, s.code))
        if not suggestions or state.profile.name not in ("inpatient", "outpatient"):
            state.diagnoses = suggestions
            return
        inpatient = state.profile.sequencing == "principal"
        if inpatient:
            from medcoder.coding.chronic import is_chronic
            from medcoder.documents.doctype import DocumentType

            on_arrival = frozenset(
                a.id
                for a in state.annotated
                if a.type in (DocumentType.HISTORY_AND_PHYSICAL, DocumentType.ED_VISIT)
            )
            texts = {d.id: d.text for d in state.documents}
            assign_poa(suggestions, texts, is_chronic, on_arrival)
        routine = next((s for s in suggestions if s.code.startswith(("Z00.0", "Z00.1"))), None)
        if routine is not None and not inpatient:
            # A routine examination is the reason for the visit (I.C.21.c.13, IV.P).
            suggestions.remove(routine)
            state.diagnoses = [routine, *suggestions]
            return
        first = reason_for_the_service(state, suggestions)
        if first is None:
            order = {id(s): state.stated_order(s) for s in suggestions}
            first = choose_principal(
                suggestions, lambda s: order.get(id(s)), prefer_definitive=inpatient
            )
        if first is None:
            state.diagnoses = suggestions
            return
        first = etiology_first(
            first,
            suggestions,
            lambda code: state.pack.notes(code, kinds=("useAdditionalCode",)),
        )
        if not inpatient:
            first.principal = False  # "principal" is an inpatient (UHDDS) term
        suggestions.remove(first)
        state.diagnoses = [first, *suggestions]


# Documents whose service answers a stated request: the consultant is asked about the
# reason for consultation, the radiologist or the test reader about the indication.
_REASON_LED = {
    DocumentType.CONSULT: "IV.G",
    DocumentType.RADIOLOGY: "IV.K",
    DocumentType.TEST_REPORT: "IV.K",
}


def reason_for_the_service(
    state: CodingState, suggestions: list[CodeSuggestion]
) -> CodeSuggestion | None:
    """The first-listed diagnosis of a consultation or a test report: the reason the service
    was requested, when it is still coded.

    IV.G lists first the condition "chiefly responsible for the services provided"; for a
    consultation that is the question the consultant was asked (REASON FOR CONSULTATION, the
    chief complaint), not the first problem of an assessment that also reviews the patient's
    other conditions. IV.K: for a test, the reason for the test, with the confirmed diagnoses
    of the interpretation; a symptom the interpretation explains was already dropped as
    integral to it (I.B.5), and a diagnosis whose "use additional code" note names the reason
    goes before it (I.A.13, ``etiology_first``). None when the documents are not of these
    kinds or state no coded reason; the usual choice applies.
    """
    types = {a.type for a in state.annotated}
    guideline = _REASON_LED.get(next(iter(types))) if len(types) == 1 else None
    if guideline is None:
        return None
    from medcoder.coding.reading import is_symptom

    def reason_at(suggestion: CodeSuggestion) -> int | None:
        starts = [m.start for m in state.mentions_of(suggestion) if m.reading == "reason"]
        return min(starts) if starts else None

    reasons = [
        (at, s)
        for s in suggestions
        if s.system == "ICD-10-CM"
        and not s.code.startswith(("Z", "T"))
        and "in diseases classified elsewhere" not in s.description.lower()
        and (at := reason_at(s)) is not None
    ]
    if not reasons:
        return None
    # The reason as first stated; a definitive diagnosis before a symptom stated beside it.
    first = min(reasons, key=lambda pair: (is_symptom(pair[1].code), pair[0]))[1]
    first.principal = True
    first.guidelines.append(guideline)
    return first


class Procedures:
    """ICD-10-PCS codes built axis by axis; a procedure documented without an axis becomes a
    query (a warning naming the missing axis and its values), never a code (A8)."""

    name = "procedures"

    def __init__(self, request: CodingRequest) -> None:
        self.request = request

    @cached_property
    def engine(self):  # noqa: ANN201 - the ICD-10-PCS engine, when a PCS pack is installed

        setting = self.request.setting
        # Abstraction (registries, case review, CodiEsp) reports a procedure documented without
        # its approach at body-part level (4 characters); billing settings report complete
        # codes only and ask a query for the rest.
        prefix = 4 if setting is Setting.ABSTRACTION else None
        engine_setting = Setting.INPATIENT if setting is Setting.OUTPATIENT else setting
        return _pcs_engine(engine_setting, self.request.on, prefix)

    def __call__(self, state: CodingState) -> None:
        model = state.request.model
        for document, annotated in zip(state.documents, state.annotated, strict=True):
            pcs = self.engine.analyze(document, annotated)
            state.result.rejected.extend(pcs.rejected)  # procedures folded into another (B3.2)
            # A8: a procedure missing an axis is a query, shown apart from the codes (and
            # listed with the candidates not reported, with its evidence)
            state.result.warnings.extend(query.message for query in pcs.queries)
            state.result.rejected.extend(query.as_rejected() for query in pcs.queries)
            learned = getattr(model, "pcs_predict", None)
            if learned is None:
                state.procedures.extend(pcs.codes)
                continue
            from medcoder.procedures.pcs_model import as_suggestions

            # house forms keep the evidence and axis table of the engine code they re-express
            house = getattr(model, "pcs_", None)
            state.procedures.extend(as_suggestions(learned(document, pcs), pcs, house))


_PCS_ENGINES: dict[tuple, object] = {}


def _pcs_engine(setting: Setting, on, prefix: int | None):  # noqa: ANN001, ANN202
    """One ICD-10-PCS engine per setting, pack and prefix rule in the process: pipelines of
    different dates that use the same PCS pack share it."""
    from medcoder.codesets import registry
    from medcoder.procedures import PcsEngine

    pack = registry.resolve("icd10pcs", on, "ICD-10-PCS").info.path
    key = (setting, str(pack), prefix)
    engine = _PCS_ENGINES.get(key)
    if engine is None:
        if len(_PCS_ENGINES) >= 4:
            _PCS_ENGINES.pop(next(iter(_PCS_ENGINES)))
        engine = _PCS_ENGINES[key] = PcsEngine(setting, on=on, prefix_length=prefix)
    return engine


class Services:
    """E/M level (MDM grid or time), CPT procedures from a licensed file, HCPCS drugs."""

    name = "services"

    def __init__(self, request: CodingRequest) -> None:
        self.request = request
        self.systems = tuple(s for s in (CPT, HCPCS) if s in request.systems)

    def __call__(self, state: CodingState) -> None:
        from medcoder.services.service_codes import service_codes

        setting = {"abstraction": "outpatient"}.get(self.request.setting, self.request.setting)
        for document, annotated in zip(state.documents, state.annotated, strict=True):
            found = service_codes(
                document,
                setting=str(setting),
                on=self.request.on,
                systems=self.systems,
                annotated=annotated,
            )
            for code in found.codes:
                if code.evidence:
                    state.services.append(code)
                    continue
                # Every reported code cites the words that support it; a level with nothing
                # documented behind it is not reported.
                state.reject(
                    Rejected(
                        code.code,
                        code.description,
                        "no documentation in the note supports this service level",
                    )
                )
            state.result.warnings.extend(found.warnings)


def default_components(request: CodingRequest) -> list[Component]:
    """The components a request calls for, in order."""
    components: list[Component] = [
        Annotate(),
        Diagnoses(),
        Guidelines(),
        Scoring(),
        HouseModelRescoring(),
        Sequencing(),
    ]
    if ICD10PCS in request.systems:
        components.append(Procedures(request))
    if CPT in request.systems or HCPCS in request.systems:
        components.append(Services(request))
    return components
