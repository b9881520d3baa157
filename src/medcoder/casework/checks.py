"""Conflicts and gaps in a chronology: the things a claims reviewer is paid to find.

Each check is a plain rule over the dated events, written to be read by the physician who
has to agree or disagree with it: an abnormal result with no later action on the same topic,
an order with nothing showing it was carried out, a long interval between a finding and the
action it called for, late entries and addenda, one procedure or death given two dates, and
long stretches without documentation during a stay. "Same topic" is a shared word from the
topic lexicon below or a listed related action, so every link can be explained.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from medcoder.casework.chronology import DataQualityItem, Flag

if TYPE_CHECKING:
    from medcoder.casework.chronology import Chronology, Event

_TOPIC = re.compile(
    r"\b(?:troponin|ecg|ekg|st[- ]elevation|chest pain|ct|mri|x-ray|xray|radiograph|ultrasound|"
    r"culture|wbc|white (?:blood )?count|lactate|potassium|sodium|creatinine|glucose|hemoglobin|"
    r"bilirubin|fever|sepsis|fetal heart|decelerations?|tracing|back pain|weakness|numbness|"
    r"abscess|nodule|mass|bile|leak|bleeding|hemorrhage|perforation|oxygen saturation|"
    r"abdominal pain|biopsy|pathology|mammogram|stroke|headache)\b",
    re.I,
)
# Actions that answer a topic even when they do not repeat its word.
_RELATED: dict[str, tuple[str, ...]] = {
    "troponin": (
        "cardiolog",
        "heparin",
        "aspirin",
        "cath",
        "nitroglycerin",
        "stemi",
        "admit",
        "transfer",
    ),
    "ecg": ("cardiolog", "heparin", "aspirin", "cath", "stemi"),
    "ekg": ("cardiolog", "heparin", "aspirin", "cath", "stemi"),
    "chest pain": ("troponin", "ecg", "ekg", "cardiolog", "aspirin"),
    "fetal heart": ("cesarean", "c-section", "deliver", "obstetrician", "stopped"),
    "decelerations": ("cesarean", "c-section", "deliver", "obstetrician", "stopped"),
    "deceleration": ("cesarean", "c-section", "deliver", "obstetrician", "stopped"),
    "abscess": ("decompress", "drain", "antibiotic", "surgery"),
    "mri": ("decompress", "neurosurg", "surgery"),
    "tracing": ("cesarean", "c-section", "deliver", "obstetrician"),
    "fever": ("antibiotic", "culture", "ceftriaxone", "vancomycin", "sepsis", "ct", "surgeon"),
    "wbc": ("antibiotic", "culture", "ct", "surgeon"),
    "lactate": ("antibiotic", "fluid", "sepsis"),
    "sepsis": ("antibiotic", "ceftriaxone", "vancomycin", "fluid"),
    "back pain": ("mri", "neurosurg", "decompress"),
    "weakness": ("mri", "neurosurg", "decompress", "stroke"),
    "numbness": ("mri", "neurosurg", "decompress"),
    "bilirubin": ("ercp", "ct", "surgeon", "hida"),
    "abdominal pain": ("ct", "surgeon", "ercp", "ultrasound"),
    "bile": ("ercp", "drain", "surgeon", "return"),
    "leak": ("ercp", "drain", "surgeon", "return"),
    "nodule": ("biopsy", "ct", "referr", "follow"),
    "mass": ("biopsy", "ct", "referr", "follow"),
    "oxygen saturation": ("oxygen", "naloxone", "narcan", "rapid response"),
    "bleeding": ("transfus", "return", "surgeon"),
}
_ACTION_TYPES = {"order", "medication", "procedure", "communication"}
_FAILURE = re.compile(
    r"\b(?:not|never|no one|nobody|without|failed to|did not)\b[^.;]{0,40}?"
    r"\b(?:reviewed|acted|addressed|called|notified|communicated|followed|returned|performed|"
    r"done|given|administered|carried out|repeated|drawn|obtained|seen|informed|respond\w*)\b",
    re.I,
)
_SALIENT = re.compile(
    r"\b(?:\w+ectomy|\w+otomy|\w+oscopy|\w+plasty|cesarean|c-section|intubat\w+|died|expired|"
    r"death|pronounced|delivered|admitted|discharged)\b",
    re.I,
)
_SALIENT_SAME = {"died": "death", "expired": "death", "pronounced": "death", "death": "death"}


def _topics(text: str) -> set[str]:
    return {m.group(0).lower().replace("ekg", "ecg") for m in _TOPIC.finditer(text)}


# Hours within which an abnormal finding on a topic calls for action (else by setting).
_URGENT_HOURS = {"decelerations": 0.5, "deceleration": 0.5, "fetal heart": 0.5, "tracing": 0.5,
                 "troponin": 1.0, "ecg": 1.0, "st-elevation": 1.0, "st elevation": 1.0}  # fmt: skip


def _failure(text: str) -> bool:
    """An explicit statement that something was not done ("never drawn"); "not ... until" is a delay."""
    m = _FAILURE.search(text)
    return bool(m) and not re.match(r"\s+until\b", text[m.end() :])


def _answers(topics: set[str], action: Event) -> bool:
    text = action.text.lower()
    if _failure(text):
        return False  # "the result was never reviewed" is not an action on it
    for topic in topics:
        if any(word in text for word in _RELATED.get(topic, ())):
            return True
        if topic in text and not action.abnormal:  # "decelerations persisted" is no action
            return True
    return False


def _hours(a: Event, b: Event) -> float | None:
    """Hours between two events known to the day (a month or "about" tells no hours)."""
    if a.when is None or b.when is None:
        return None
    if a.dated_as != "day" or b.dated_as != "day":
        return None
    if a.time is None or b.time is None:
        return (b.date - a.date).days * 24.0  # type: ignore[operator]
    return (b.when - a.when).total_seconds() / 3600


def check_results_and_delays(
    chron: Chronology, delay_hours: float = 6.0, window_hours: float = 72.0
) -> None:
    """Abnormal results never acted on, and long waits between a finding and its action."""
    events = chron.events
    seen_topics: set[str] = set()
    for i, event in enumerate(events):
        if not event.abnormal or event.type not in ("result", "finding"):
            continue
        topics = _topics(event.text) - seen_topics
        if not topics:
            continue
        seen_topics |= topics  # the first abnormal finding on a topic starts the clock
        action = None
        for later in events[i + 1 :]:
            gap = _hours(event, later)
            if gap is not None and gap > window_hours:
                break
            if _ACTION_TYPES & set(later.types) and _answers(topics, later):
                action = later
                break
        explicit = _failure(event.text)
        if action is None and ("result" in event.types or explicit):
            chron.flags.append(
                Flag(
                    "result_not_acted_on",
                    f"abnormal {'/'.join(sorted(topics))} with no action on it in the "
                    f"following {window_hours:.0f} hours of the record",
                    [event.id],
                )
            )
        elif action is not None:
            gap = _hours(event, action)
            limit = delay_hours if event.setting in ("ED", "IP", "ICU", "L&D", "OR") else 24.0
            limit = min([limit, *(_URGENT_HOURS[t] for t in topics if t in _URGENT_HOURS)])
            if gap is not None and gap > limit:
                chron.flags.append(
                    Flag(
                        "delay",
                        f"{gap:.1f} hours from abnormal {'/'.join(sorted(topics))} to the first action on it",
                        [event.id, action.id],
                        hours=round(gap, 1),
                    )
                )


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z][a-z-]+", text.lower())}


def check_orders(chron: Chronology) -> None:
    """Orders with no later result, procedure or medication event naming what was ordered."""
    from medcoder.casework.extract import EVENT_LEXICON

    events = chron.events
    words = [_words(e.text) for e in events]
    failed = [_failure(e.text) for e in events]
    for i, event in enumerate(events):
        if "order" not in event.types:
            continue
        items = {
            m.group(0).lower().rstrip("s")
            for pattern in (_TOPIC, EVENT_LEXICON["result"])
            for m in pattern.finditer(event.text)
        } - {"result", "showed", "revealed", "lab", "diagnosis", "diagnosed", "found", "read"}
        items = {w for item in items for w in _words(item)}
        if not items:
            continue
        missing = sorted(
            item
            for item in items
            if failed[i]
            or any(failed[j] and item in words[j] for j in range(i + 1, len(events)))
            or not any(
                not failed[j]
                and ({"result", "procedure", "medication"} & set(events[j].types))
                and item in words[j]
                for j in range(i + 1, len(events))
            )
        )
        if missing:
            chron.flags.append(
                Flag(
                    "order_not_carried_out",
                    f"nothing in the record shows the ordered {', '.join(missing)} was carried out",
                    [event.id],
                )
            )


def check_late_entries(chron: Chronology) -> None:
    for event in (*chron.events, *chron.undated):
        if event.late_entry:
            chron.flags.append(Flag("late_entry", "late entry or addendum", [event.id]))


def check_contradictory_dates(chron: Chronology, max_days: int = 30) -> None:
    """One procedure or death stated with different dates in different documents."""
    by_key: dict[tuple[str, str], list[Event]] = {}
    for event in chron.events:
        if event.date_basis not in ("stated", "relative"):
            continue
        for m in _SALIENT.finditer(event.text):
            word = m.group(0).lower()
            by_key.setdefault((event.type, _SALIENT_SAME.get(word, word)), []).append(event)
    reported: set[frozenset[str]] = set()
    for (_, word), group in by_key.items():
        for a in group:
            for b in group:
                if a.document >= b.document or _overlap(a, b):
                    continue  # "in July 1992" and "on July 8, 1992" agree
                if abs((a.date - b.date).days) > max_days:  # type: ignore[operator]
                    continue
                pair = frozenset((a.id, b.id))
                if pair in reported:
                    continue
                reported.add(pair)
                message = f"'{word}' dated {a.date} in {a.document} but {b.date} in {b.document}"
                chron.flags.append(Flag("contradictory_dates", message, [a.id, b.id]))
                chron.data_quality.append(
                    DataQualityItem("contradictory_dates", message, a.document, a.citation)
                )
    death = min(
        (
            e.interval()[1]  # type: ignore[index]
            for e in chron.events
            if e.type == "outcome"
            and re.search(r"\b(?:died|expired|pronounced dead)\b", e.text, re.I)
        ),
        default=None,
    )
    if death:
        for event in chron.events:
            if (
                event.date
                and event.interval()[0] > death  # type: ignore[index]
                and not re.search(r"autops|death|died|expired|post-?mortem", event.text, re.I)
            ):
                message = f"event dated {event.date}, after the recorded death on {death}"
                chron.flags.append(Flag("contradictory_dates", message, [event.id]))
                chron.data_quality.append(
                    DataQualityItem("contradictory_dates", message, event.document, event.citation)
                )


def _overlap(a: Event, b: Event) -> bool:
    """Whether two dates can be the same day, given what each record knows of it."""
    first, second = a.interval(), b.interval()
    if first is None or second is None:
        return True
    return first[0] <= second[1] and second[0] <= first[1]


def check_gaps(chron: Chronology, gap_hours: float = 8.0) -> None:
    """Long stretches without documentation while the patient was in the ED or a unit."""
    timed = [e for e in chron.events if e.time and e.setting in ("ED", "IP", "ICU", "L&D")]
    for a, b in zip(timed, timed[1:], strict=False):
        if a.document != b.document or re.search(r"\bdischarged\b", a.text, re.I):
            continue  # a gap between two records or after discharge is not a gap in a stay
        gap = _hours(a, b)
        if gap is not None and gap_hours < gap < 72:
            chron.flags.append(
                Flag(
                    "gap_in_care",
                    f"{gap:.1f} hours with no documented event",
                    [a.id, b.id],
                    hours=round(gap, 1),
                )
            )


def run_checks(chron: Chronology) -> None:
    check_results_and_delays(chron)
    check_orders(chron)
    check_late_entries(chron)
    check_contradictory_dates(chron)
    check_gaps(chron)
