"""Issues read from what the records say, not only from dated patterns.

A claims examiner finds most issues in a sentence: "the nurses did not report her pain", "a
laparotomy sponge had been left inside her", "she fell out of bed", "morphine prescribed for
another resident", "the radiologist read the scans as unremarkable ... the autopsy found an
aortic dissection". Each rule here names such a pattern in general terms (an object left in
the body, a fall, a drug error against the chart or the pharmacist, a procedure nobody planned,
a benign reading followed by a serious diagnosis, a time limit an order set and missed) and
returns an :class:`~medcoder.casework.issues.Issue` citing the events that show it. The rules
read the whole clinical chronology, dated or not: a narrative without a single calendar date
still states its issues.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from medcoder.casework.chronology import Chronology, Event
from medcoder.casework.issues import Issue
from medcoder.casework.medications import (
    REFERENCE,
    contradicts,
    exceeds,
    named_drugs,
    statements,
)

_RETAINED_ITEM = re.compile(
    r"\b(?:sponges?|lap(?:arotomy)? (?:pads?|sponges?)|gauze|needles?|instruments?|clamps?|"
    r"retractors?|guide ?wires?|catheter (?:fragment|tip)|drain fragment|towels?|"
    r"foreign (?:body|bodies|object)|surgical (?:item|object|material))\b",
    re.I,
)
_RETAINED_HOW = re.compile(
    r"\b(?:left (?:in|inside|behind)|retained|remained (?:in|inside)|was missing|were missing|"
    r"missing (?:sponge|instrument|needle)|count was (?:incorrect|off|wrong)|not removed|"
    r"found (?:a|an|the)? ?(?:\w+ )?(?:sponge|needle|instrument|foreign))\b",
    re.I,
)
_FALL = re.compile(
    r"\b(?:fell|fallen|falls? (?:from|out of|off|in|while|on|to)|slipped|tripped|"
    r"found (?:lying )?on the floor|was on the floor)\b(?!\s+(?:asleep|ill|silent|apart))",
    re.I,
)
_NOT_A_FALL = re.compile(
    r"\b(?:pressure|saturation|level|count|rate|temperature|hemoglobin|score|output|"
    r"glucose|sugar)s?\s+(?:had\s+)?fell\b",
    re.I,
)
_FALL_RISK = re.compile(
    r"\b(?:bed ?rails?|side ?rails?|cot sides|fall risk|risk of falls?|fall precautions|"
    r"restrain\w+|sitter|bed alarm|confus\w+|hallucinat\w+|sleep ?walk\w+|unsteady|assessed)\b",
    re.I,
)
_MED_ERROR = re.compile(
    r"\b(?:wrong (?:dose|drug|medication|patient|route)|overdose|(?:\d+|ten|two|five)-fold|"
    r"(?:ten|10|five|5) times the|medication error|(?:administered|given|dispensed) in error|"
    r"in error|by mistake|mistaken(?:ly)?|instead of|prescribed for (?:another|a different)|"
    r"(?:intended|meant|ordered) for (?:another|a different)|missed dose|"
    r"despite (?:a|her|his) (?:documented )?allergy|known allergy)\b",
    re.I,
)
_WRONG_DRUG = re.compile(
    r"wrong (?:drug|medication|patient)|instead of|allerg|(?:prescribed|intended|meant|ordered) "
    r"for (?:another|a different)",
    re.I,
)
_PHARMACIST_DOUBT = re.compile(
    r"\b(?:pharmacists?|pharmacy)\b.{0,80}?\b(?:question\w*|concern\w*|warn\w*|flag\w*|alert\w*|"
    r"call(?:ed)?|contact\w*|clarif\w*|asked|queried|doubt\w*|noticed)\b",
    re.I,
)
_OVERRIDDEN = re.compile(
    r"\b(?:confirmed|approved|insisted|overr(?:o|i)de\w*|continued|proceed\w*|filled|dispensed|"
    r"ignored|disregarded|told (?:her|him|them) to (?:fill|proceed|give|continue))\b",
    re.I,
)
_UNPLANNED = re.compile(
    r"\b(?:returned to the (?:operating room|or|operating theatre)|return(?:ed)? to surgery|"
    r"taken back to (?:surgery|the (?:operating room|or))|re-?operat\w+|re-?explor\w+|"
    r"(?:second|another|further|additional) (?:surgery|operation|procedure|laparotomy)|"
    r"emergency (?:surgery|operation|laparotomy|cesarean|c-section|exploration|"
    r"\w+ectomy|\w+otomy|\w+ostomy)|unplanned)\b",
    re.I,
)
_PROCEDURE = re.compile(
    r"\b(?:surgery|operation|\w+ectomy|\w+otomy|\w+oscopy|\w+plasty|\w+ostomy|cesarean|"
    r"c-section|procedure|biopsy|catheteri[sz]ation|injection)\b",
    re.I,
)
# A reading, a conclusion or a discharge that put an abnormal finding to rest.
_REASSURED = re.compile(
    r"\b(?:did not have|does not have|no (?:significant )?(?:mass|abnormalit\w+|evidence|"
    r"fracture|acute)|(?:read|interpreted|reported|called) (?:\w+ ){0,3}as (?:\w+ )?(?:normal|"
    r"negative|unremarkable|benign)|unremarkable|reassur\w+|(?:put|attributed|ascribed) "
    r"(?:\w+ ){0,3}(?:down )?to|thought (?:it|the \w+|she|he) (?:was|had)|(?:simple|benign) "
    r"cyst|no follow-up|not followed up|without (?:follow-up|further testing)|discharged)\b",
    re.I,
)
_DIAGNOSED = re.compile(
    r"\b(?:diagnosed with|diagnosis of (?!\w+ strain)|(?:showed|revealed|found|confirmed|"
    r"demonstrated|disclosed) (?:an? |the )?(?!no\b|normal\b|nothing\b))",
    re.I,
)
_SERIOUS = re.compile(
    r"\b(?:cancer|\w*carcinoma|\w*sarcoma|melanoma|malignan\w+|tumou?r|metasta\w+|lymphoma|"
    r"leuka?emia|perforat\w+|"
    r"dissection|aneurysm|abscess|infarct\w*|occlusion|fracture|hemorrhag\w+|bleed\w*|sepsis|"
    r"embol\w+|stroke|appendicitis|obstruction|torsion|leak|injury|rupture\w*)\b",
    re.I,
)
COMPLICATION_FOUND = re.compile(r"\b(?:perforat\w+|leak|tear|lacerat\w+|injury|bleed\w*)\b", re.I)
# An order that sets its own deadline: "within the hour", "within 30 minutes".
_DEADLINE = re.compile(
    r"\bwithin\s+(?:(?P<one>the|an|one)\s+hour|(?P<n>\d+|two|three|four|six|twelve|thirty|"
    r"fifteen|twenty|forty-five)\s+(?P<unit>minutes?|hours?))\b",
    re.I,
)
_DEADLINE_WORDS = {"two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12, "fifteen": 15,
                   "twenty": 20, "thirty": 30, "forty-five": 45}  # fmt: skip
_NOT_DONE_YET = re.compile(
    r"\b(?:prepared for|prepped for|scheduled|planned|ordered|awaiting|delayed|postponed)\b", re.I
)
_ORDERED_THING = re.compile(
    r"\b(?:cesarean(?: section)?|c-section|delivery|\w+ectomy|\w+otomy|\w+oscopy|surgery|"
    r"operation|transfusion|ct|mri|x-ray|ultrasound|scan|antibiotics?)",
    re.I,
)
_SAME_THING = {"cesarean": ("deliver", "cesarean", "c-section", "born"),
               "cesarean section": ("deliver", "cesarean", "c-section", "born"),
               "c-section": ("deliver", "cesarean", "c-section", "born"),
               "delivery": ("deliver", "born")}  # fmt: skip
_TREATMENT = re.compile(
    r"\b(?:cesarean|c-section|delivery|surgery|operation|\w+ectomy|\w+otomy|transfusion|"
    r"antibiotics?)\b",
    re.I,
)


def _ordered(chron: Chronology) -> list[Event]:
    """The clinical events in the order the record places them (time, then narrative)."""
    return chron.timeline()


_PERFORMED = re.compile(r"\b(?:underwent|performed|operated|had (?:a|an) \w+)\b", re.I)


def _index_procedure(before: list[Event]) -> Event | None:
    """The operation an event followed: the last one the record says was performed, else the
    last procedure it names."""
    procedures = [e for e in before if "procedure" in e.types and _PROCEDURE.search(e.text)]
    performed = [e for e in procedures if _PERFORMED.search(e.text)]
    return (performed or procedures or [None])[-1]


def retained_object(chron: Chronology) -> list[Issue]:
    """An item left in the body after a procedure (or a count that did not come out right)."""
    events = _ordered(chron)
    hits = [e for e in events if _RETAINED_ITEM.search(e.text) and _RETAINED_HOW.search(e.text)]
    if not hits:
        return []
    index = _index_procedure(events[: events.index(hits[0])])
    ids = ([index.id] if index else []) + [e.id for e in hits]
    return [
        Issue(
            "retained_object",
            "Retained surgical item",
            ids,
            (index or hits[0]).id,
            "the record states that a sponge, instrument or other item was left in the body"
            + (" after the procedure" if index else ""),
            0.9,
        )
    ]


def fall(chron: Chronology) -> list[Issue]:
    """A patient fall in care, with what the record says about the risk before it."""
    events = _ordered(chron)
    hits = [e for e in events if _FALL.search(e.text) and not _NOT_A_FALL.search(e.text)]
    if not hits:
        return []
    first = events.index(hits[0])
    risk = [e for e in events[:first] if _FALL_RISK.search(e.text)]
    ids = [e.id for e in risk] + [e.id for e in hits]
    why = "the record states a fall during care"
    if risk:
        why += "; the fall risk (assessment, bed rails, confusion) is documented before it"
    return [Issue("fall", "Patient fall", ids, (risk or hits)[0].id, why, 0.8)]


def medication_errors(chron: Chronology) -> list[Issue]:
    """A drug given or prescribed in error, a dose that contradicts the chart or the intended
    dose, and a pharmacist's question that was overridden."""
    events = _ordered(chron)
    out: list[Issue] = []
    stated = [
        e
        for e in events
        if _MED_ERROR.search(e.text) and ("medication" in e.types or statements(e.text))
    ]
    if stated:
        wrong = any(_WRONG_DRUG.search(e.text) for e in stated)
        out.append(
            Issue(
                "medication_error",
                "Medication error",
                [e.id for e in stated],
                stated[0].id,
                "the record states a drug given to the wrong patient or instead of another"
                if wrong
                else "the record states a wrong or excessive dose",
                0.85,
                ["wrong_drug" if wrong else "wrong_dose"],
            )
        )
    said = [
        (e, replace(s, reference=s.reference or listed)) if not s.action else (e, s)
        for e, listed, drug in _under_reference_heading(events)
        for s in statements(e.text, drug)
    ]
    conflicts: list[str] = []
    messages: list[str] = []
    for i, (event_a, a) in enumerate(said):
        for event_b, b in said[i + 1 :]:
            if not contradicts(a, b) or not (
                (a.reference and b.action) or (a.action and b.reference)
            ):
                continue
            conflicts += [event_a.id, event_b.id]
            messages.append(f"{a.drug}: {a.dose()} against {b.dose()}")
    above = [
        (event_b, b, a)
        for event_a, a in said
        for event_b, b in said
        if event_b is not event_a and exceeds(a, b) and (b.action or not b.reference)
    ]
    if above:
        event, given, limit = above[0]
        source = next(e for e, s in said if s is limit)
        out.append(
            Issue(
                "medication_error",
                "Dose above the stated maximum",
                list(dict.fromkeys([source.id, *(e.id for e, _, _ in above)])),
                event.id,
                f"{given.drug}: {'more than ' if given.over else ''}{given.dose()} given or "
                f"ordered against a stated maximum of {limit.dose()}",
                0.85,
                ["dose_above_maximum"],
            )
        )
    if conflicts:
        ids = list(dict.fromkeys(conflicts))
        out.append(
            Issue(
                "medication_error",
                "Dose contradicts the chart or the intended dose",
                ids,
                ids[0],
                "the dose ordered or given differs from the dose the record says was intended "
                "or charted (" + "; ".join(dict.fromkeys(messages)) + ")",
                0.85,
                ["dose_contradiction"],
            )
        )
    for i, event in enumerate(events):
        if not _PHARMACIST_DOUBT.search(event.text):
            continue
        later = [e for e in events[i:] if _OVERRIDDEN.search(e.text)][:1]
        if later:
            ids = list(dict.fromkeys([event.id, later[0].id]))
            out.append(
                Issue(
                    "medication_error",
                    "Pharmacist's warning overridden",
                    ids,
                    event.id,
                    "a pharmacist questioned the order and it went ahead",
                    0.8,
                    ["pharmacist_override"],
                )
            )
            break
    return out


# A capitalised drug name used as a noun ("the Toradol package insert"): remembered so a dose
# written after it without a name is read as that drug's.
_BRAND_WORDS = re.compile(
    r"\b(?:the|of|on|her|his)\s+([A-Z][a-z]{3,}[a-z]*)\s+(?:package|insert|label|dose|doses|dosing|order)\b"
)


def _under_reference_heading(events: list[Event]) -> list[tuple[Event, bool, str | None]]:
    """Each event; whether it is a line of a list whose heading says what should be ("Home
    medications:", "Medication list:"); and the drug its record named last before it (a
    dose written without a drug name is for that drug)."""
    out: list[tuple[Event, bool, str | None]] = []
    heading: dict[str, bool] = {}
    last_drug: dict[str, str] = {}
    for event in sorted(events, key=lambda e: e.sequence):
        text = event.text.rstrip()
        drug = last_drug.get(event.document)
        if text.endswith(":"):
            heading[event.document] = bool(REFERENCE.search(text))
            out.append((event, False, drug))
        else:
            out.append((event, heading.get(event.document, False), drug))
        named = [d for d, _ in named_drugs(text)] + _BRAND_WORDS.findall(text)
        if named:
            last_drug[event.document] = named[-1].lower()
    return out


def unplanned_procedures(chron: Chronology) -> list[Issue]:
    """A return to surgery or an emergency procedure after an earlier procedure."""
    events = _ordered(chron)
    for i, event in enumerate(events):
        if not _UNPLANNED.search(event.text):
            continue
        index = _index_procedure([e for e in events[:i] if not _UNPLANNED.search(e.text)])
        if index is None:
            continue
        return [
            Issue(
                "unplanned_procedure",
                "Unplanned return to surgery or unplanned procedure",
                [index.id, event.id],
                index.id,
                "an unplanned or emergency procedure followed an earlier procedure",
                0.65,
            )
        ]
    return []


def benign_then_serious(chron: Chronology) -> list[Issue]:
    """An abnormal complaint or finding put to rest (a benign reading, a reassurance, a
    discharge, no follow-up), then a serious diagnosis stated later in the record."""
    events = _ordered(chron)
    serious = [
        i for i, e in enumerate(events) if _DIAGNOSED.search(e.text) and _SERIOUS.search(e.text)
    ]
    for i, event in enumerate(events):
        if not serious or i >= serious[-1] or not _REASSURED.search(event.text):
            continue
        later = [events[j] for j in serious if j > i]
        found = [e for e in events[:i] if e.abnormal][:1]
        ids = [e.id for e in (*found, event, later[0])]
        complication = bool(COMPLICATION_FOUND.search(later[0].text)) and any(
            "procedure" in e.types for e in events[:i]
        )
        return [
            Issue(
                "delayed_or_missed_diagnosis",
                "Delayed or missed diagnosis",
                ids,
                ids[0],  # the finding that called for action, else its benign reading
                "a complaint or finding was attributed to a benign cause or not followed up "
                f"({_gap(event, later[0])}), then a serious condition was diagnosed",
                0.75,
                ["complication_not_recognised" if complication else "benign_then_serious"],
            )
        ]
    return []


def _gap(first: Event, second: Event) -> str:
    if first.date is None or second.date is None:
        return "the later diagnosis is undated or dated only relative to other events"
    days = (second.date - first.date).days
    if first.dated_as == "day" and second.dated_as == "day":
        if first.time and second.time:
            hours = (second.when - first.when).total_seconds() / 3600  # type: ignore[operator]
            return f"{hours:.1f} hours before the diagnosis"
        return f"{days} days before the diagnosis"
    return f"about {max(1, round(days / 30.4))} months before the diagnosis"


def missed_deadline(chron: Chronology) -> list[Issue]:
    """An order that set its own time limit ("within the hour") carried out after it."""
    events = _ordered(chron)
    for i, order in enumerate(events):
        limit = _DEADLINE.search(order.text)
        if not limit or order.time is None or order.date is None:
            continue
        minutes = _minutes(limit)
        things = {m.group(0).lower() for m in _ORDERED_THING.finditer(order.text)}
        words = {w for t in things for w in _SAME_THING.get(t, (t,))}
        done = next(
            (
                e
                for e in events[i + 1 :]
                if e.time is not None
                and e.date is not None
                and any(w in e.text.lower() for w in words)
                and not _NOT_DONE_YET.search(e.text)
            ),
            None,
        )
        if done is None:
            continue
        waited = datetime.combine(done.date, done.time) - datetime.combine(order.date, order.time)
        waited_min = waited.total_seconds() / 60
        if waited_min <= minutes:
            continue
        treatment = bool(_TREATMENT.search(" ".join(things)))
        return [
            Issue(
                "delay_in_treatment" if treatment else "delayed_or_missed_diagnosis",
                "Delay in treatment" if treatment else "Delay in diagnostic testing",
                [order.id, done.id],
                order.id,
                f"ordered to be done {limit.group(0)}, done {waited_min:.0f} minutes after the "
                "order",
                0.8,
                ["missed_deadline"],
            )
        ]
    return []


def _minutes(limit: re.Match[str]) -> float:
    if limit.group("one"):
        return 60.0
    raw = limit.group("n").lower()
    n = float(raw) if raw.isdigit() else _DEADLINE_WORDS[raw]
    return n * (60.0 if limit.group("unit").lower().startswith("hour") else 1.0)


RULES = (retained_object, fall, medication_errors, unplanned_procedures, benign_then_serious,
         missed_deadline)  # fmt: skip
