"""Candidate standard-of-care issues, each with its supporting events and inflection point.

These are leads for the physician reviewer, not findings: each issue names the events that
raised it and the inflection point - the moment action should have occurred (the first
abnormal result nobody acted on, the operation a complication followed, the first
unanswered page). Rules read the chronology's events and flags, so every issue is as
traceable as the events beneath it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcoder.casework.chronology import Chronology, Event

_COMPLICATION = re.compile(
    r"\b(?:injur\w+|transect\w+|perforat\w+|lacerat\w+|leak|retained|hemorrhag\w+|bleeding|"
    r"infection|abscess|wrong (?:site|side|level)|dehiscen\w+|fistula|nerve damage)\b",
    re.I,
)
_SURGERY = re.compile(
    r"\b(?:\w+ectomy|\w+otomy|\w+oscopy|\w+plasty|surgery|operation|cesarean|c-section)\b", re.I
)
_MED_ERROR = re.compile(
    r"\b(?:wrong (?:dose|drug|medication|patient)|overdose|(?:ten|10)-fold|medication error|"
    r"administered in error|given in error|instead of|missed dose|despite (?:a|her|his) "
    r"(?:documented )?allergy|known allergy)\b",
    re.I,
)
_MONITOR = re.compile(
    r"\b(?:not monitored|unmonitored|no vital signs|vital signs (?:were )?not (?:taken|checked|recorded)|"
    r"found unresponsive|monitor\w* (?:was |were )?(?:not|discontinued|turned off)|not checked)\b",
    re.I,
)
_NO_ANSWER = re.compile(
    r"\b(?:did not respond|no response|not returned|did not come|did not call back|unable to reach|"
    r"left (?:a )?voicemail|not (?:informed|told|notified)|never (?:informed|told|notified)|"
    r"was not communicated|not relayed|did not return the (?:call|page)|"
    r"did not (?:report|notify|inform|tell|relay|pass on|communicate|reach|call)|"
    r"(?:was|were) (?:not|never) (?:reported|relayed|passed on|communicated|called)|"
    r"never (?:reported|reached|relayed)|failed to (?:report|notify|inform|communicate|relay|"
    r"call|tell|pass on)|no one (?:told|informed|notified|called)|not (?:reach|reaching) the)\b",
    re.I,
)
_CONSENT = re.compile(
    r"\bconsent\w*\b[^.;]{0,60}\b(?:not signed|unsigned|missing|not obtained|not documented|not informed)\b"
    r"|\b(?:without|no) (?:informed )?consent\b|\bnot (?:informed|told) of the risks?\b",
    re.I,
)
_NEWBORN = re.compile(r"\b(?:infant|neonat\w*|newborn|baby|child)\b", re.I)
_DISCHARGED = re.compile(r"\bdischarged\b", re.I)
_RETURN = re.compile(
    r"\b(?:returned|re-?presented|readmitted|collapsed|arrest|died|expired)\b", re.I
)


@dataclass
class Issue:
    """A candidate issue for the reviewer; ``inflection_point`` is an event id."""

    kind: str
    title: str
    events: list[str]
    inflection_point: str | None
    rationale: str
    confidence: float
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "title": self.title,
            "events": self.events,
            "inflection_point": self.inflection_point,
            "rationale": self.rationale,
            "confidence": self.confidence,
            "flags": self.flags,
        }


def _ordered(chron: Chronology, ids: list[str]) -> list[str]:
    rank = {e.id: i for i, e in enumerate(chron.timeline())}
    return sorted(dict.fromkeys(ids), key=lambda i: rank.get(i, len(rank)))


def _diagnosis_issues(chron: Chronology) -> list[Issue]:
    ids: list[str] = []
    flags: list[str] = []
    treatment_delay: list[str] = []
    for flag in chron.flags:
        if flag.kind == "result_not_acted_on":
            ids += flag.events
            flags.append(flag.message)
        elif flag.kind == "delay":
            action = chron.event(flag.events[-1])
            if action and action.type in ("procedure", "medication"):
                treatment_delay += flag.events
            else:
                ids += flag.events
            flags.append(flag.message)
    events = chron.events
    for i, event in enumerate(events):
        if "visit" not in event.types or not _DISCHARGED.search(event.text) or event.date is None:
            continue
        before = [e for e in events[:i] if e.abnormal and e.date == event.date]
        after = [
            e
            for e in events[i + 1 :]
            if e.date and 0 <= (e.date - event.date).days <= 14 and _RETURN.search(e.text)
        ]
        if before and after:
            ids += [before[0].id, event.id, after[0].id]
            flags.append("discharged after an abnormal finding, then returned or deteriorated")
    out: list[Issue] = []
    if ids:
        ordered = _ordered(chron, ids)
        out.append(
            Issue(
                "delayed_or_missed_diagnosis",
                "Delayed or missed diagnosis",
                ordered,
                ordered[0],
                "; ".join(dict.fromkeys(flags)),
                min(0.9, 0.5 + 0.1 * len(flags)),
                flags,
            )
        )
    if treatment_delay:
        ordered = _ordered(chron, treatment_delay)
        out.append(
            Issue(
                "delay_in_treatment",
                "Delay in treatment",
                ordered,
                ordered[0],
                "long interval between an abnormal finding and the treatment it called for",
                0.75,
            )
        )
    return out


def _surgical_issues(chron: Chronology) -> list[Issue]:
    events = chron.events
    for i, event in enumerate(events):
        if event.type != "procedure" or not _SURGERY.search(event.text) or event.date is None:
            continue
        later = [
            e
            for e in events[i:]
            if e.date
            and (e.date - event.date).days <= 30
            and _COMPLICATION.search(e.text)
            and not _NEWBORN.search(
                e.text
            )  # the infant's injury after a delivery is not a surgical complication
        ]
        if later:
            return [
                Issue(
                    "surgical_complication",
                    "Surgical complication",
                    [event.id, *[e.id for e in later]],
                    event.id,
                    f"complication stated within 30 days of the {_SURGERY.search(event.text).group(0)}",  # type: ignore[union-attr]
                    0.7,
                )
            ]
    return []


def _pattern_issue(
    chron: Chronology, kind: str, title: str, pattern: re.Pattern[str], why: str, confidence: float
) -> list[Issue]:
    hits: list[Event] = [e for e in (*chron.events, *chron.undated) if pattern.search(e.text)]
    if not hits:
        return []
    return [Issue(kind, title, [e.id for e in hits], hits[0].id, why, confidence)]


def _merge(issues: list[Issue], chron: Chronology) -> list[Issue]:
    """One issue per kind and title: the evidence of every rule that raised it, in time order,
    the inflection point of the most confident one."""
    merged: dict[tuple[str, str], Issue] = {}
    for issue in sorted(issues, key=lambda i: -i.confidence):
        key = (issue.kind, issue.title)
        if key not in merged:
            merged[key] = issue
            continue
        kept = merged[key]
        kept.events = _ordered(chron, kept.events + issue.events)
        kept.flags = list(dict.fromkeys(kept.flags + issue.flags))
        if issue.rationale not in kept.rationale:
            kept.rationale = f"{kept.rationale}; {issue.rationale}"
    return list(merged.values())


def find_issues(chron: Chronology) -> list[Issue]:
    """Every candidate issue the rules find, most confident first."""
    from medcoder.casework.issue_rules import RULES

    issues = [*_diagnosis_issues(chron), *_surgical_issues(chron)]
    for rule in RULES:
        issues += rule(chron)
    issues += _pattern_issue(
        chron,
        "medication_error",
        "Medication error",
        _MED_ERROR,
        "the record states a wrong drug, dose or route",
        0.7,
    )
    monitor = _pattern_issue(
        chron,
        "failure_to_monitor",
        "Failure to monitor",
        _MONITOR,
        "the record states monitoring was not done",
        0.6,
    )
    gaps = [f for f in chron.flags if f.kind == "gap_in_care"]
    if gaps and not monitor:
        ids = [i for f in gaps for i in f.events]
        monitor = [
            Issue(
                "failure_to_monitor",
                "Failure to monitor",
                ids,
                ids[0],
                "long gaps without documented assessment",
                0.4,
            )
        ]
    issues += monitor
    issues += _pattern_issue(
        chron,
        "communication_breakdown",
        "Communication breakdown",
        _NO_ANSWER,
        "a call, page or result did not reach or was not answered by the responsible person",
        0.7,
    )
    issues += _pattern_issue(
        chron,
        "consent",
        "Informed consent",
        _CONSENT,
        "the record questions the informed consent",
        0.6,
    )
    return sorted(_merge(issues, chron), key=lambda i: -i.confidence)
