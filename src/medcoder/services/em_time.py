"""Total practitioner time from the way notes actually state it.

Office E/M may be chosen by the total time on the date of the encounter (AMA 2021 office
rules; 2023 for hospital and consultation codes), so the statement of time has to be found in
whatever words the author used: "I spent a total of 42 minutes", "Total time spent on the date
of the encounter: 42 minutes", "counseled extensively approximately 45 minutes", "30 minutes
face-to-face", "over 40 min", "an hour and a half", "Of this 40 minute visit 25 minutes ...",
"Time in 10:05, time out 10:45".

A note is full of other durations (tourniquet time, "ice for 20 minutes at a time", "antibiotics
within 30 minutes of incision", critical care time), so a duration counts only in a sentence
that speaks of the practitioner's time (spent, total time, face-to-face, counseling, the visit)
and never in a procedural one (time of the procedure, repair, tourniquet, bypass, critical
care). Within one sentence the total is the duration marked "total", else the largest ("Of this
40 minute visit 25 minutes were spent counseling" -> 40). Across sentences a statement of a
part ("more than half ... counseling") gives way to a statement of the whole; two different
wholes are a contradiction for a person to settle, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.documents.dates import clock_time
from medcoder.documents.model import Section, Span
from medcoder.documents.sections import sentences

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "a": 1, "an": 1,
}  # fmt: skip
_NUMBER = (
    r"(?:\d{1,3}(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|an?)"
)
_HOURS = r"(?:hours?|hrs?)\b"
_MINUTES = r"(?:minutes?|mins?)\b"
# "an hour and a half", "1 1/2 hours", "one and a half hours", "1 hour and 15 minutes",
# "1 hr 10 min", "45 minutes", "40-minute", "half an hour".
DURATION = re.compile(
    rf"\b(?:(?P<half_hour>half an? hour)"
    rf"|(?P<h>{_NUMBER})(?P<and_half> and a half| 1/2)?[ -]?{_HOURS}(?P<plus_half> and a half)?"
    rf"(?:,? (?:and )?(?P<hm>\d{{1,2}}|{_NUMBER})[ -]?{_MINUTES})?"
    rf"|(?P<m>{_NUMBER})(?:\s?(?:-|to)\s?(?P<m_hi>\d{{1,3}}))?[ -]?{_MINUTES})",
    re.I,
)
# Sentences that speak of the practitioner's own time with the patient or on the visit.
_EM_TIME = re.compile(
    r"\bspent\b|\btotal\b[^.;]{0,40}\btime\b|\btime spent\b|\bface[- ]to[- ]face\b|\bcounsel"
    r"|\bcoordinat\w* (?:of )?care\b|\bevaluation and management\b|\bspoke (?:with|to) (?:the )?"
    r"(?:patient|family|parents?)\b|\bin direct conversation\b|\b(?:visit|encounter)\b"
    r"|^\W*time\s*:",
    re.I,
)
# Durations of something else: a procedure, a device, critical care, a home instruction.
_NOT_EM_TIME = re.compile(
    r"\bduring (?:the |this )?(?:procedure|operation|surgery|repair|resection)\b"
    r"|\btime (?:for|of) (?:the |this )?(?:procedure|operation|surgery|repair|resection)\b"
    r"|\b(?:procedure|operation|surgery|repair|resection) (?:took|lasted)\b"
    r"|\b(?:procedure|procedural|operative|operating|surgical|repair|tourniquet|clamp|cross-clamp"
    r"|bypass|fluoro(?:scopy)?|ischemi[ac]|perfusion|lasering|laser|resection|anesthesia"
    r"|sedation|infusion|critical care|recovery|observation|arrest|cooling|wait(?:ing)?)"
    r" time\b|\bspent (?:\w+ ){0,2}(?:trying|attempting|waiting)\b|\bcritical care\b"
    r"|\bat a time\b|\b(?:times|twice) (?:a|per) day\b|\bevery\b",
    re.I,
)
_TOTAL = re.compile(r"\btotal\b|\bof (?:this|the|that) \S+[ -]minute (?:visit|encounter)\b", re.I)
_PART = re.compile(
    r"\b(?:greater|more) than (?:50 ?%|half)|\bof which\b|\bhalf of\b|\bmajority of\b", re.I
)
_CLOCK = re.compile(
    r"\btime in\s*:?\s*(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*(?P<p1>[ap]\.?m\.?)?[\s,;.]*"
    r"time out\s*:?\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*(?P<p2>[ap]\.?m\.?)?",
    re.I,
)


@dataclass(frozen=True)
class TimeStatement:
    """One sentence's statement of time: the minutes it gives and where it says so."""

    minutes: int
    span: Span
    text: str
    part: bool = False  # a share of the visit ("more than half ... counseling"), not the whole


@dataclass
class TimeFinding:
    """The total time a note documents, or why none is used."""

    minutes: int | None = None
    statements: list[TimeStatement] | None = None
    review: list[str] | None = None


def _number(word: str | None) -> float:
    if not word:
        return 0.0
    word = word.lower()
    if word[0].isdigit():
        return float(word)
    parts = re.split(r"[- ]", word)
    return float(sum(_WORDS.get(p, 0) for p in parts))


def minutes_of(m: re.Match[str]) -> int:
    """Minutes of one :data:`DURATION` match (a range counts at its lower end)."""
    if m.group("half_hour"):
        return 30
    if m.group("h"):
        hours = _number(m.group("h"))
        if m.group("and_half") or m.group("plus_half"):
            hours += 0.5
        return round(hours * 60 + _number(m.group("hm")))
    return round(_number(m.group("m")))


def _clock_minutes(m: re.Match[str]) -> int | None:
    time_in = clock_time(int(m.group("h1")), int(m.group("m1")), m.group("p1"))
    time_out = clock_time(int(m.group("h2")), int(m.group("m2")), m.group("p2"))
    if time_in is None or time_out is None:
        return None  # no such time ("10:75")
    start = time_in.hour * 60 + time_in.minute
    end = time_out.hour * 60 + time_out.minute
    if end < start and not m.group("p2"):
        end += 12 * 60  # 11:50 -> 12:20 without a.m./p.m.
    return end - start if 0 < end - start <= 8 * 60 else None


def _sentence_statement(text: str, start: int, end: int) -> TimeStatement | None:
    sentence = text[start:end]
    if not _EM_TIME.search(sentence) or _NOT_EM_TIME.search(sentence):
        return None
    found = [(m, minutes_of(m)) for m in DURATION.finditer(sentence)]
    found = [(m, n) for m, n in found if n > 0]
    if not found:
        return None
    totals = [
        (m, n) for m, n in found if _TOTAL.search(sentence[max(0, m.start() - 40) : m.end() + 15])
    ]
    m, minutes = max(totals or found, key=lambda pair: pair[1])
    part = bool(_PART.search(sentence)) and not totals and len(found) == 1
    return TimeStatement(minutes, Span(start + m.start(), start + m.end()), m.group(0), part)


def find_time(text: str, sections: list[Section]) -> TimeFinding:
    """The total time a note documents (see the module docstring for the rules)."""
    statements: list[TimeStatement] = []
    for m in _CLOCK.finditer(text):
        minutes = _clock_minutes(m)
        if minutes:
            statements.append(TimeStatement(minutes, Span(m.start(), m.end()), m.group(0)))
    for sentence in sentences(text, sections):
        if sentence.section == "family_history":
            continue
        found = _sentence_statement(text, sentence.start, sentence.end)
        if found and all(
            not (s.span.start < found.span.end and found.span.start < s.span.end)
            for s in statements
        ):
            statements.append(found)
    wholes = [s for s in statements if not s.part] or statements
    values = sorted({s.minutes for s in wholes})
    result = TimeFinding(statements=statements, review=[])
    if len(values) == 1:
        result.minutes = values[0]
    elif len(values) > 1:
        listed = ", ".join(str(v) for v in values)
        result.review = [
            f"contradictory total times ({listed} minutes): time not used; the level is by MDM "
            "until the note states one total time for the date"
        ]
    if re.search(r"\bcritical care time\b", text, re.I):
        result.review.append(
            "critical care time is documented: critical care (99291/99292) is not leveled here "
            "and that time is not counted as visit time"
        )
    return result
