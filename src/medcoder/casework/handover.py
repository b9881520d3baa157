"""The synopsis a claims examiner hands on: who, what and when, the injury, the alleged
deviation, and the outcome, each sentence a cited statement of the records.

A synopsis is read by people who decide money and reputations, so it is neutral: it says what
the records state and where ("the record states", "the records name"), quotes rather than
paraphrases, and leaves every judgment to the physician reviewer. The claim's own allegations
are quoted from the procedural history; the issues the analysis raises are worded as questions
the records raise, never as findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from medcoder.casework.case import Case, Citation
from medcoder.casework.chronology import Chronology, Event
from medcoder.casework.extract import header_info
from medcoder.casework.issues import Issue

_AGE = re.compile(
    r"\b(?:\d{1,3}|[a-z]+-?[a-z]*)[- ]years?[- ]old(?: (?:woman|man|male|female|girl|boy|"
    r"patient|child|infant))?\b|\bthen \d{1,3} years old\b|\baged? \d{1,3}\b|"
    r"\b\d{1,3} years of age\b|\b(?:\w+-)?\w+ weeks pregnant\b",
    re.I,
)
_NAME = r"(?:[A-Z]\.\s*)*[A-Z][\w'-]+(?:\s+(?:[A-Z]\.\s*)*[A-Z][\w'-]+){0,2}"
_CLINICIAN = re.compile(
    r"\bDr\.\s+" + _NAME + r"|\bNurse\s+" + _NAME + r"|\b(?:nurse|radiologist|surgeon|physician|"
    r"obstetrician|pharmacist|technologist|midwife|anesthesiologist|resident|paramedic)s?,\s+"
    + _NAME,
)
_FACILITY = re.compile(
    r"\b(?:[A-Z][\w'.-]*\s+){0,6}(?:Hospital|Medical Center|Medical Centre|Clinic|Infirmary|"
    r"Health System|Health Center|Nursing Home|Care Center)(?:\s+of\s+(?:[A-Z][\w'-]*\s*){1,4})?",
)
_ALLEGED = re.compile(
    r"\b(?:alleg\w+|claim(?:ed|s|ing)? that|contend\w*|assert\w*|complaint|sued\b.*\bfor\b)",
    re.I,
)
_OUTCOME = re.compile(
    r"\b(?:died|expired|pronounced dead|death|permanent\w*|paraly\w+|brain (?:damage|injury)|"
    r"colostomy|toxicity|remains|lifelong|disab\w+|injur(?:y|ies))\b",
    re.I,
)
MAX_QUOTE = 240

Statementer = Callable[[str, list[Citation]], object]


def quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rstrip() + "\u2026"


def _header_citation(case: Case, key: str) -> Citation | None:
    for document in case.documents:
        fields = header_info(document).fields
        if key in fields:
            value, start, end = fields[key]
            return Citation(document.id, start, end, value, document.page_at(start))
    return None


def _first_mentions(pattern: re.Pattern[str], events: list[Event]) -> list[tuple[str, Event]]:
    seen: dict[str, tuple[str, Event]] = {}
    for event in events:
        for m in pattern.finditer(event.text):
            name = " ".join(m.group(0).split())
            key = name.lower().split()[-1]  # "Dr. Kauffman" is "Dr. Clint Kauffman"
            if key not in seen or len(name) > len(seen[key][0]):
                seen[key] = (name, event)  # the fullest form, cited where it is written
    return list(seen.values())


def who(case: Case, chron: Chronology, state: Statementer) -> list:
    """The patient, as the records name and describe them; the clinicians and facilities."""
    out = []
    events = chron.timeline()
    patient = _header_citation(case, "name")
    if patient is not None:
        out.append(state(f'The records name the patient "{patient.quote}".', [patient]))
    age = next(((m, e) for e in events if (m := _AGE.search(e.text))), None)
    if age is not None:
        m, event = age
        out.append(state(f'The record describes the patient as "{m.group(0)}".', [event.citation]))
    clinicians = _first_mentions(_CLINICIAN, events)
    if clinicians:
        names = "; ".join(f'"{name}"' for name, _ in clinicians)
        cites = list({e.id: e.citation for _, e in clinicians}.values())
        out.append(state(f"Clinicians named in the records: {names}.", cites))
    facilities = _first_mentions(_FACILITY, events)
    if facilities:
        names = "; ".join(f'"{name}"' for name, _ in facilities)
        cites = list({e.id: e.citation for _, e in facilities}.values())
        out.append(state(f"Facilities named in the records: {names}.", cites))
    return out


def alleged_deviation(chron: Chronology, issues: list[Issue], state: Statementer, when) -> list:  # noqa: ANN001
    """What the claim alleges (quoted from the procedural history), then the questions the
    records themselves raise (the candidate issues, each with its evidence)."""
    out = []
    for event in chron.procedural:
        if _ALLEGED.search(event.text):
            out.append(
                state(f'The procedural history states: "{quote(event.text)}".', [event.citation])
            )
    for issue in issues:
        point = chron.event(issue.inflection_point or "")
        cites = [e.citation for i in issue.events if (e := chron.event(i))]
        if point is None or not cites:
            continue
        out.append(
            state(
                f"{issue.title} ({issue.rationale}); inflection point {when(point)}: "
                f'"{quote(point.text)}".',
                cites,
            )
        )
    return out


def outcome(chron: Chronology, state: Statementer, when) -> list:  # noqa: ANN001
    """The latest outcome the clinical records state, and where the claim stands."""
    out = []
    outcomes = [e for e in chron.timeline() if e.type == "outcome" and _OUTCOME.search(e.text)]
    if outcomes:
        last = outcomes[-1]
        out.append(
            state(f'Latest outcome stated, {when(last)}: "{quote(last.text)}".', [last.citation])
        )
    if chron.procedural:
        dated = [e for e in chron.procedural if e.date is not None]
        last = dated[-1] if dated else chron.procedural[-1]
        out.append(
            state(f'Procedural posture, {when(last)}: "{quote(last.text)}".', [last.citation])
        )
    return out
