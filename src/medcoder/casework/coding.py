"""Codes of the episode: ICD-10-CM diagnoses and ICD-10-PCS procedures from the coding engine,
plus stated complications and poisonings.

Each record is coded once through :func:`code_record` (the one place casework calls the coding
engine, so it can follow the engine wherever it goes) with ICD-10-CM and, when a PCS pack is
installed, ICD-10-PCS: issue 9 point 3 asks for every diagnosis *and procedure* involved. Every
code is tied to the clinical events whose clause holds its evidence; coding the whole note once
gives the engine its section context (a "history of" section) that a lone clause would lose.

A case report is read as a statement of what happened, so only codes a coder would report are
kept: evidence asserted as present (ICD-10-CM guideline IV.H / II.H: no code from "possible",
"rule out" or a differential), never a court's sentence (the procedural history is not
coding evidence: no R99 from a ruling that mentions a death), and only complete codes (a
four-character PCS prefix or a CM category that needs more characters goes to the data-quality
list, not the code list). Complication and misadventure codes (K91.7-, T81.-, T88.-, Y62-Y69)
are added only where the record states the complication, and poisonings come from the Table
of Drugs (see ``poisoning.py``); both only if the code exists in the ICD-10-CM pack in force.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medcoder.casework.case import Case, Citation
from medcoder.casework.chronology import Chronology, DataQualityItem, Event
from medcoder.documents.model import Document
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.annotator import context_of

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse

log = logging.getLogger(__name__)

_SETTING = {
    "ED": "emergency",
    "IP": "inpatient",
    "ICU": "inpatient",
    "OR": "inpatient",
    "L&D": "inpatient",
}
# (pattern, codes): stated complication -> ICD-10-CM complication and external-cause codes.
_COMPLICATIONS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(
            r"\b(?:transect\w+|lacerat\w+|injur\w+|perforat\w+|puncture\w*)\b[^.;]{0,40}\b(?:bile duct|common duct|bowel|colon|intestin\w+|duodenum|stomach|esophag\w+|liver)\b"
            r"|\b(?:bile duct|bowel|colon|duodenal)\s+(?:injury|perforation|transection|laceration)\b",
            re.I,
        ),
        ("K91.71",),
    ),
    (
        re.compile(
            r"\b(?:retained|left in)\b[^.;]{0,30}\b(?:sponge|foreign body|instrument|needle|gauze)\b",
            re.I,
        ),
        ("T81.500A",),
    ),
    (
        re.compile(
            r"\b(?:surgical site infection|wound infection|infection (?:of|at) the (?:incision|wound))\b",
            re.I,
        ),
        ("T81.49XA",),
    ),
    (re.compile(r"\bwrong (?:site|side|level)\b", re.I), ("Y65.53",)),
    (re.compile(r"\bwrong (?:procedure|operation)\b", re.I), ("Y65.51",)),
    (re.compile(r"\b(?:wrong dose|overdose|(?:ten|10)-fold)\b", re.I), ("Y63.8",)),
    (
        re.compile(
            r"\b(?:never (?:given|administered)|not (?:given|administered)|missed dose)\b", re.I
        ),
        ("Y63.6",),
    ),
    (re.compile(r"\b(?:adverse (?:drug )?reaction|allergic reaction to)\b", re.I), ("T88.7XXA",)),
    (re.compile(r"\bfailure of sterile (?:technique|precautions)\b", re.I), ("Y62.0",)),
]
CM, PCS = "ICD-10-CM", "ICD-10-PCS"
# A clause that weighs a diagnosis rather than states it (guideline IV.H: outpatient; the
# inpatient exception II.H is for the discharge diagnosis, which a case narrative is not).
_DIFFERENTIAL = re.compile(
    r"\b(?:differential|rule out|ruled out|r/o|versus|vs\.?|possible|possibly|probable|"
    r"suspect\w*|likely|consider\w*|concern for|question of|cannot be excluded|"
    r"thought (?:it|the \w+|she|he) (?:was|had)|attributed to|ascribed to|"
    r"put (?:\w+ ){0,3}down to|risk of|(?:read|evaluated|examined|tested|screened|looked) for|"
    r"to (?:look|check|assess|evaluate|test|screen) for)\b",
    re.I,
)
_Y63 = re.compile(r"^Y63")
_KIND_ORDER = {"complication": 0, "poisoning": 0, "adverse_effect": 0, "diagnosis": 1,
               "procedure": 2, "external_cause": 3}  # fmt: skip


@dataclass
class CaseCode:
    """A code of the episode and the events (with citations) that support it."""

    system: str
    code: str
    description: str
    kind: str  # diagnosis, procedure, complication, poisoning, adverse_effect, external_cause
    events: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    score: float = 0.0
    guideline: str | None = None  # the rule that chose the code, where casework chose it

    def to_dict(self) -> dict[str, object]:
        return {
            "system": self.system,
            "code": self.code,
            "description": self.description,
            "kind": self.kind,
            "events": self.events,
            "citations": [c.to_dict() for c in self.citations],
            "score": round(self.score, 3),
            "guideline": self.guideline,
        }


def _events_by_document(chron: Chronology) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {}
    for event in (*chron.events, *chron.undated):
        out.setdefault(event.document, []).append(event)
    for events in out.values():
        events.sort(key=lambda e: e.citation.start)
    return out


def _event_at(events: list[Event], offset: int) -> Event | None:
    i = bisect_right([e.citation.start for e in events], offset) - 1
    if i >= 0 and events[i].citation.start <= offset < events[i].citation.end:
        return events[i]
    return None


def _setting(events: list[Event]) -> str:
    for event in events:
        if event.setting in _SETTING:
            return _SETTING[event.setting]
    return "outpatient"


def pcs_missing() -> str | None:
    """Why procedures cannot be coded (no ICD-10-PCS pack installed), or ``None`` if they can."""
    from medcoder.codesets import registry
    from medcoder.errors import PackNotFoundError

    try:
        registry.choose("icd10pcs", None, PCS)
    except PackNotFoundError as exc:
        return str(exc)
    return None


_WEIGHED_AFTER = re.compile(
    r"^[\s,]*(?:(?:as|was|were|is|are)\s+)?(?:an?\s+)?(?:possible|probable|suspected|considered|"
    r"likely|questioned|ruled out|in the differential)\b",
    re.I,
)


def _weighed(start: int, end: int, event: Event) -> bool:
    """Whether the words just before the evidence, or right after it, weigh the diagnosis
    instead of stating it ("read for an aortic dissection", "Marfan syndrome as a possible
    contributing condition", "the differential included lymphoma")."""
    text, offset = event.citation.quote, event.citation.start
    before = text[max(0, start - offset - 80) : max(0, start - offset)]
    after = text[end - offset : end - offset + 40]
    return bool(_DIFFERENTIAL.search(before) or _WEIGHED_AFTER.match(after))


def _is_name(words: str, event: Event) -> bool:
    """Evidence that is only capitalised words inside a sentence is a person's or a place's
    name ("nurse Ersheila Dawson"), not a diagnosis."""
    parts = words.split()
    at = event.citation.quote.find(words)
    return bool(parts) and all(p[:1].isupper() for p in parts) and at > 0


def code_record(  # noqa: ANN201 - medcoder.suggestions.CodingResult
    document: Document | AnnotatedDocument, setting: str, systems: tuple[str, ...]
):
    """The coding engine's result for one record: the single call casework makes to it."""
    from medcoder.coding.api import engine_for

    return engine_for(setting, None, None, systems).code(document)


class RecordAnnotations:
    """Each record of a case annotated once, for the chronology and the coding alike.

    With coding on, a record is annotated by the coding pipeline (its mentions and assertion
    parse); the chronology asks only its assertion parse, and the coding engine codes from the
    same annotated document. With coding off, only the assertion parse is built.
    """

    def __init__(self, coding: bool = True) -> None:
        self.coding = coding
        self._annotated: dict[int, AnnotatedDocument] = {}
        self._contexts: dict[int, ContextParse] = {}

    def annotated(self, document: Document) -> AnnotatedDocument:
        found = self._annotated.get(id(document))
        if found is None:
            from medcoder.coding.api import engine_for

            # Annotation does not depend on the setting, only on the ICD-10-CM pack in force.
            pipeline = engine_for("inpatient", None, None, (CM,))
            found = self._annotated[id(document)] = pipeline.annotate(document)
        return found

    def context(self, document: Document) -> ContextParse:
        """The record's assertion parse (:func:`medcoder.nlp.annotator.context_of`)."""
        if self.coding:
            return self.annotated(document).parse_context()
        found = self._contexts.get(id(document))
        if found is None:
            found = self._contexts[id(document)] = context_of(document)
        return found


def _complete(system: str, code: str) -> bool:
    """A code a coder could report: valid and complete in the pack the engine coded with (all
    seven PCS axes, a billable CM code)."""
    from medcoder.codesets.validation import validate_any

    if system == PCS and len(code.replace(".", "")) != 7:
        return False
    return validate_any(code, system=system).valid


def code_case(
    case: Case,
    chron: Chronology,
    *,
    engine: bool = True,
    annotated: RecordAnnotations | None = None,
) -> list[CaseCode]:
    """Codes tied to chronology events; ``engine=False`` adds only stated complications and
    poisonings.

    A missing ICD-10-PCS pack is recorded in ``chron.data_quality`` (kind
    ``procedures_not_coded``) when the file has procedure events, so a reviewer knows the
    code list lacks procedures instead of reading it as "no procedure was done".
    """
    by_doc = _events_by_document(chron)
    codes: dict[str, CaseCode] = {}
    if engine:
        missing = pcs_missing()
        systems = (CM,) if missing else (CM, PCS)
        if missing and any(e.type == "procedure" for e in chron.clinical()):
            chron.data_quality.append(
                DataQualityItem(
                    "procedures_not_coded",
                    f"procedures were not coded with ICD-10-PCS ({missing}); import the CMS "
                    "PCS files with `medcoder data import PATH/icd10pcs` and analyse again",
                    PCS,
                )
            )
        partial: dict[str, Event] = {}
        for document in case.documents:
            events = by_doc.get(document.id)
            if not events:
                continue  # another patient's record, court text, or a record without events
            record = annotated.annotated(document) if annotated else document
            result = code_record(record, _setting(events), systems)
            for suggestion in result.codes:
                kind = "procedure" if suggestion.system == PCS else "diagnosis"
                for evidence in suggestion.evidence:
                    event = _event_at(events, evidence.start)
                    if event is None or evidence.assertion != "present":
                        continue
                    if _weighed(evidence.start, evidence.end, event) or _is_name(
                        evidence.text, event
                    ):
                        continue
                    if not _complete(suggestion.system, suggestion.code):
                        partial.setdefault(f"{suggestion.code} ({suggestion.description})", event)
                        continue
                    entry = codes.setdefault(
                        suggestion.code,
                        CaseCode(
                            suggestion.system,
                            suggestion.code,
                            suggestion.description,
                            kind,
                            score=suggestion.score,
                        ),
                    )
                    if event.id not in entry.events:
                        entry.events.append(event.id)
                        entry.citations.append(event.citation)
            for query in (r for r in result.rejected if r.guideline == "A8"):
                # a procedure documented without an axis: a query, never a code (PCS A8)
                for evidence in query.evidence:
                    event = _event_at(events, evidence.start)
                    if event is not None:
                        partial.setdefault(f"{query.code} ({query.description})", event)
        for label, event in partial.items():
            chron.data_quality.append(
                DataQualityItem(
                    "incomplete_code",
                    f"{label} could not be coded to a complete, reportable code from this text; "
                    "a coder must add the missing characters",
                    event.document,
                    event.citation,
                )
            )
    _complications(chron, codes)
    _poisonings(chron, codes)
    return sorted(codes.values(), key=lambda c: (_KIND_ORDER.get(c.kind, 9), c.code))


def _poisonings(chron: Chronology, codes: dict[str, CaseCode]) -> None:
    """Table of Drugs codes for drugs given in error, overdoses and toxic effects."""
    from medcoder.casework.poisoning import HARM, drug_codes, drug_table, errored_drugs
    from medcoder.codesets import lookup

    events = chron.clinical()
    table = drug_table()
    if table is None:
        if any(HARM.search(e.text) for e in events):
            chron.data_quality.append(
                DataQualityItem(
                    "poisoning_not_coded",
                    "the records state a drug error or toxic effect, but no Table of Drugs is "
                    "installed; import the CDC index files with `medcoder data import PATH` "
                    "to code it",
                    "ICD-10-CM",
                )
            )
        return
    errored = errored_drugs([e.text for e in events])
    for event in events:
        for found in drug_codes(event.text, errored=errored, table=table):
            info = _lookup(lookup, found.code, event)
            if info is None:
                continue
            kind = "poisoning" if found.column == "accidental" else "adverse_effect"
            entry = codes.setdefault(
                found.code,
                CaseCode(CM, found.code, info.title, kind, score=0.7, guideline=found.guideline),
            )
            if event.id not in entry.events:
                entry.events.append(event.id)
                entry.citations.append(event.citation)
    if any(c.kind == "poisoning" for c in codes.values()):
        for code in [c for c in codes if _Y63.match(c)]:
            del codes[code]  # Y63 Excludes1: drug given or taken in error (T36-T50)


def _complications(chron: Chronology, codes: dict[str, CaseCode]) -> None:
    from medcoder.codesets import lookup

    for event in chron.clinical():
        for pattern, wanted in _COMPLICATIONS:
            if not pattern.search(event.text):
                continue
            for value in wanted:
                info = _lookup(lookup, value, event)
                if info is None:
                    continue
                kind = "external_cause" if value.startswith("Y") else "complication"
                entry = codes.setdefault(
                    value, CaseCode("ICD-10-CM", value, info.title, kind, score=0.6)
                )
                if event.id not in entry.events:
                    entry.events.append(event.id)
                    entry.citations.append(event.citation)


def _lookup(lookup, value: str, event: Event):  # noqa: ANN001, ANN202
    """The code in the pack in force on the event date, else in the default pack."""
    for on in (event.date, None):
        try:
            return lookup(value, on)
        except Exception:  # noqa: BLE001 - no pack for that date: try the default, never guess
            log.debug("no ICD-10-CM pack for %s on %s", value, on)
    return None
