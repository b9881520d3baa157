"""Codes of the episode: ICD-10-CM diagnoses and ICD-10-PCS procedures from the coding engine,
plus stated complications.

Each document is coded once with the :class:`~medcoder.coding.engine.CodingEngine` (systems
ICD-10-CM and, when a PCS pack is installed, ICD-10-PCS: issue 9 point 3 asks for every
diagnosis *and procedure* involved) and every code is tied to the events whose clause holds
its evidence. Without a PCS pack the procedures stay uncoded and the case's data-quality
section says so, rather than the analysis failing; coding the whole note once gives the engine its section
context (a "history of" section) that a lone clause would lose, and it is many times faster
than coding thousands of clauses one by one. Complication and misadventure codes
(K91.7-, T81.-, T88.-, Y62-Y69) are added only where the record states the complication, and
only if the code exists in the ICD-10-CM pack in force.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from medcoder.casework.case import Case, Citation
from medcoder.casework.chronology import Chronology, DataQualityItem, Event

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
_KIND_ORDER = {"complication": 0, "diagnosis": 1, "procedure": 2, "external_cause": 3}


@dataclass
class CaseCode:
    """A code of the episode and the events (with citations) that support it."""

    system: str
    code: str
    description: str
    kind: str  # diagnosis, procedure, complication, external_cause
    events: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    score: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "system": self.system,
            "code": self.code,
            "description": self.description,
            "kind": self.kind,
            "events": self.events,
            "citations": [c.to_dict() for c in self.citations],
            "score": round(self.score, 3),
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


def code_case(case: Case, chron: Chronology, *, engine: bool = True) -> list[CaseCode]:
    """Codes tied to chronology events; ``engine=False`` adds only stated complications.

    A missing ICD-10-PCS pack is recorded in ``chron.data_quality`` (kind
    ``procedures_not_coded``) when the file has procedure events, so a reviewer knows the
    code list lacks procedures instead of reading it as "no procedure was done".
    """
    by_doc = _events_by_document(chron)
    codes: dict[str, CaseCode] = {}
    if engine:
        from medcoder.coding.api import engine_for

        missing = pcs_missing()
        systems = (CM,) if missing else (CM, PCS)
        if missing and any(e.type == "procedure" for e in chron.events):
            chron.data_quality.append(
                DataQualityItem(
                    "procedures_not_coded",
                    f"procedures were not coded with ICD-10-PCS ({missing}); import the CMS "
                    "PCS files with `medcoder data import PATH/icd10pcs` and analyse again",
                    PCS,
                )
            )
        for document in case.documents:
            events = by_doc.get(document.id)
            if not events:
                continue  # another patient's record or a document without events
            result = engine_for(_setting(events), None, None, systems).code_document(document)
            for suggestion in result.codes:
                kind = "procedure" if suggestion.system == PCS else "diagnosis"
                for evidence in suggestion.evidence:
                    event = _event_at(events, evidence.start)
                    if event is None or evidence.assertion not in ("present", "possible"):
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
    _complications(chron, codes)
    return sorted(codes.values(), key=lambda c: (_KIND_ORDER.get(c.kind, 9), c.code))


def _complications(chron: Chronology, codes: dict[str, CaseCode]) -> None:
    from medcoder.codesets import lookup

    for event in chron.events:
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
