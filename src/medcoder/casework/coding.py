"""ICD-10-CM codes of the episode: diagnoses from the coding engine plus stated complications.

Each document is coded once with :func:`medcoder.code` and every code is tied to the events
whose clause holds its evidence; coding the whole note once gives the engine its section
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
from medcoder.casework.chronology import Chronology, Event

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


@dataclass
class CaseCode:
    """A code of the episode and the events (with citations) that support it."""

    system: str
    code: str
    description: str
    kind: str  # diagnosis, complication, external_cause
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


def code_case(case: Case, chron: Chronology, *, engine: bool = True) -> list[CaseCode]:
    """Codes tied to chronology events; ``engine=False`` adds only stated complications."""
    by_doc = _events_by_document(chron)
    codes: dict[str, CaseCode] = {}
    if engine:
        from medcoder.coding.api import code as run_code

        for document in case.documents:
            events = by_doc.get(document.id)
            if not events:
                continue  # another patient's record or a document without events
            result = run_code(document, setting=_setting(events))
            for suggestion in result.codes:
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
                            "diagnosis",
                            score=suggestion.score,
                        ),
                    )
                    if event.id not in entry.events:
                        entry.events.append(event.id)
                        entry.citations.append(event.citation)
    _complications(chron, codes)
    return sorted(
        codes.values(), key=lambda c: (c.kind != "complication", c.kind != "diagnosis", c.code)
    )


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
