"""Absolute and relative dates in narrative records, resolved against a running anchor.

Malpractice chronologies are only as good as their dates, and records state them loosely:
"03/14/2021", "March 14, 2021", "14 Mar 2021", "on 3/14" (no year), "two days later",
"the following morning", "on postoperative day 2", "at 0300". A relative expression means
nothing without the date it is relative to, so resolution walks the text in order and
carries an anchor: each resolved date becomes the anchor for the next expression, a stated
operation date anchors "postoperative day N", an admission date anchors "hospital day N", and
the note's own date anchors "today" and "yesterday". Dates of birth are recognised and never
become anchors (a DOB in a header must not date the events below it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "several": 3, "few": 3,
}  # fmt: skip
_NUM = r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few)"
_UNIT_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_PART_OF_DAY = {"morning", "afternoon", "evening", "night"}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    (
        "mdy",
        re.compile(r"(?<![\d/.])(?P<m>\d{1,2})[/-](?P<d>\d{1,2})[/-](?P<y>\d{4}|\d{2})(?![\d/])"),
    ),
    (
        "month_day",
        re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4})\b)?", re.I),
    ),
    ("day_month", re.compile(r"\b(?P<d>\d{1,2})\s+" + _MONTH + r",?\s+(?P<y>\d{4})\b", re.I)),
    (
        "md_short",
        re.compile(
            r"(?:\b(?:on|dated|by|since|from|until|through|of)\s+|^[ \t]*)"
            r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![/\d])",
            re.I | re.M,
        ),
    ),
    (
        "pod",
        re.compile(
            r"\b(?:post-?\s?op(?:erative)?\s+day|POD)\s*#?\s*(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b",
            re.I,
        ),
    ),
    ("hospital_day", re.compile(r"\bhospital\s+day\s*#?\s*(?P<n>\d{1,2})\b", re.I)),
    (
        "offset",
        re.compile(
            _NUM + r"\s+(?P<unit>minute|hour|day|week|month|year)s?\s+"
            r"(?P<dir>later|afterwards?|thereafter|earlier|before|prior|after|following)"
            r"(?:\s+(?:the\s+|her\s+|his\s+)?(?P<ref>surgery|operation|procedure|admission|discharge))?\b",
            re.I,
        ),
    ),
    (
        "next",
        re.compile(
            r"\b(?:the\s+)?(?:following|next)\s+(?P<what>morning|day|afternoon|evening|night|week)\b",
            re.I,
        ),
    ),
    (
        "same",
        re.compile(
            r"\b(?:later\s+that|that|the\s+same|earlier\s+that)\s+(?P<what>morning|day|afternoon|evening|night)\b",
            re.I,
        ),
    ),
    (
        "deictic",
        re.compile(
            r"\b(?P<what>yesterday|today|tonight|overnight|this\s+(?:morning|afternoon|evening))\b",
            re.I,
        ),
    ),
]
_TIME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "clock",
        re.compile(
            r"(?:\b(?:at|@|approximately|about|around)\s+|(?<=\d{4})\s+|(?<=\d{2})\s+|\b)"
            r"(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)\s*(?P<ap>[ap]\.?m\.?)?(?![\d:])",
            re.I,
        ),
    ),
    (
        "military",
        re.compile(
            r"(?:\b(?:at|@|approximately|around)\s+(?P<h>[01]\d|2[0-3])(?P<mi>[0-5]\d)\b"
            r"(?!\s*(?:mg|mcg|ml|units?|cc|g\b|kg|mmhg|%))(?:\s*(?:hours|hrs|h)\b)?"
            r"|\b(?P<h2>[01]\d|2[0-3])(?P<mi2>[0-5]\d)\s*(?:hours|hrs)\b)",
            re.I,
        ),
    ),
    (
        "ampm",
        re.compile(
            r"\b(?:at|@|around|approximately)\s+(?P<h>1[0-2]|0?[1-9])\s*(?P<ap>[ap]\.?m\.?)(?!\w)",
            re.I,
        ),
    ),
]
_BIRTH_BEFORE = re.compile(r"(?:\bdob|birth|\bborn|d\.o\.b\.?)[\s:#.]*$", re.I)


@dataclass(frozen=True)
class DateMention:
    """One date or time expression, resolved or not.

    ``kind`` is ``absolute``, ``partial`` (day and month, year inferred), ``relative``,
    ``time`` or ``birth``; ``rule`` names the pattern, so a reviewer can see why a date was
    chosen; ``value`` is ``None`` when nothing anchored a relative expression.
    """

    start: int
    end: int
    text: str
    kind: str
    rule: str
    value: date | None = None
    time: time | None = None
    part_of_day: str | None = None


@dataclass
class DateContext:
    """The running anchors; one per patient timeline, carried across documents in order."""

    anchor: date | None = None
    anchor_time: time | None = None
    document_date: date | None = None
    surgery_date: date | None = None
    admission_date: date | None = None
    history: list[DateMention] = field(default_factory=list)

    def copy(self) -> DateContext:
        return replace(self, history=[])


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 1)


def _year(raw: str) -> int:
    year = int(raw)
    return year + (2000 if year < 50 else 1900) if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(m: re.Match[str]) -> int:
    return _MONTHS[m.group("mon").lower()[:3]]


def _absolute(rule: str, m: re.Match[str], ctx: DateContext) -> tuple[date | None, str]:
    if rule in ("iso", "mdy"):
        return _safe_date(_year(m.group("y")), int(m.group("m")), int(m.group("d"))), "absolute"
    if rule == "day_month":
        return _safe_date(int(m.group("y")), _month(m), int(m.group("d"))), "absolute"
    month = _month(m) if rule == "month_day" else int(m.group("m"))
    day = int(m.group("d"))
    if rule == "month_day" and m.group("y"):
        return _safe_date(int(m.group("y")), month, day), "absolute"
    base = ctx.anchor or ctx.document_date
    if base is None:
        return None, "partial"
    value = _safe_date(base.year, month, day)
    if value and (base - value).days > 180:  # "on 1/2" after a December anchor
        value = _safe_date(base.year + 1, month, day)
    return value, "partial"


def _relative(rule: str, m: re.Match[str], ctx: DateContext) -> tuple[date | None, str | None]:
    anchor = ctx.anchor
    if rule == "pod":
        base = ctx.surgery_date
        return (base + timedelta(days=_number(m.group("n"))) if base else None), None
    if rule == "hospital_day":
        base = ctx.admission_date
        return (base + timedelta(days=int(m.group("n")) - 1) if base else None), None
    if rule == "offset":
        ref = (m.group("ref") or "").lower()
        base = {
            "surgery": ctx.surgery_date, "operation": ctx.surgery_date,
            "procedure": ctx.surgery_date, "admission": ctx.admission_date,
        }.get(ref, anchor) if ref != "discharge" else anchor  # fmt: skip
        direction = m.group("dir").lower()
        if direction in ("after", "following") and not ref:
            return None, None  # "two days after the visit": the referent is unknown
        if base is None:
            return None, None
        days = _number(m.group("n")) * _UNIT_DAYS[m.group("unit").lower()]
        sign = -1 if direction in ("earlier", "before", "prior") else 1
        if days < 1:
            if ctx.anchor_time is None:
                return base, None
            moment = datetime.combine(base, ctx.anchor_time) + sign * timedelta(days=days)
            return moment.date(), None
        return base + sign * timedelta(days=round(days)), None
    what = m.group("what").lower()
    part = what.split()[-1] if what.split()[-1] in _PART_OF_DAY else None
    if rule == "next":
        if anchor is None:
            return None, part
        step = 7 if what == "week" else 1
        return anchor + timedelta(days=step), part
    if rule == "same":
        return anchor, part
    base = ctx.document_date or anchor  # deictic words are relative to the note's own date
    if base is None:
        return None, part
    if what == "yesterday":
        return base - timedelta(days=1), None
    if what == "tonight":
        return base, "night"
    if what == "overnight":
        return base, "night"
    return base, part


def _clock(rule: str, m: re.Match[str]) -> time | None:
    hour = m.group("h") if "h" in m.groupdict() else None
    minute = m.group("mi") if "mi" in m.groupdict() else "0"
    if rule == "military" and hour is None:
        hour, minute = m.group("h2"), m.group("mi2")
    if hour is None:
        return None
    h, mi = int(hour), int(minute or 0)
    ap = (m.groupdict().get("ap") or "").lower().replace(".", "")
    if ap == "pm" and h < 12:
        h += 12
    elif ap == "am" and h == 12:
        h = 0
    return time(h, mi)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _candidates(text: str, start: int, end: int) -> list[tuple[int, int, str, re.Match[str], bool]]:
    found: list[tuple[int, int, str, re.Match[str], bool]] = []
    for rule, pattern in _PATTERNS:
        for m in pattern.finditer(text, start, end):
            s = m.start("m") if rule == "md_short" else m.start()
            found.append((s, m.end(), rule, m, False))
    for rule, pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text, start, end):
            found.append((m.start(), m.end(), rule, m, True))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str, re.Match[str], bool]] = []
    for cand in found:
        if kept and cand[0] < kept[-1][1]:
            continue  # overlaps a longer or earlier match ("March 14, 2021" beats "14")
        kept.append(cand)
    return kept


def resolve(
    text: str, ctx: DateContext, start: int = 0, end: int | None = None
) -> list[DateMention]:
    """Every date/time expression in ``text[start:end]``, resolved in order; updates ``ctx``.

    Offsets are into ``text``. A relative expression with no anchor yields ``value=None``
    (reported as undated, never guessed).
    """
    end = len(text) if end is None else end
    mentions: list[DateMention] = []
    for s, e, rule, m, is_time in _candidates(text, start, end):
        raw = text[s:e]
        if is_time:
            clock = _clock(rule, m)
            if clock is None:
                continue
            if (
                ctx.anchor
                and ctx.anchor_time
                and _minutes(ctx.anchor_time) - _minutes(clock) > 12 * 60
            ):
                ctx.anchor += timedelta(days=1)  # 2300 then 0030: the clock passed midnight
                rule = f"{rule}+midnight"
            ctx.anchor_time = clock
            mentions.append(DateMention(s, e, raw, "time", rule, ctx.anchor, clock))
            continue
        if _BIRTH_BEFORE.search(text, max(0, s - 24), s):
            value, _ = (
                _absolute(rule, m, ctx)
                if rule in ("iso", "mdy", "month_day", "day_month")
                else (None, "")
            )
            mentions.append(DateMention(s, e, raw, "birth", rule, value))
            continue
        part: str | None = None
        if rule in ("iso", "mdy", "month_day", "day_month", "md_short"):
            value, kind = _absolute(rule, m, ctx)
        else:
            value, part = _relative(rule, m, ctx)
            kind = "relative"
        if value is not None:
            if value != ctx.anchor:
                ctx.anchor_time = None
            ctx.anchor = value
        mentions.append(DateMention(s, e, raw, kind, rule, value, None, part))
    ctx.history.extend(mentions)
    return mentions


def first_date(text: str) -> date | None:
    """The first absolute date in a header-sized text (no anchor needed), DOBs skipped."""
    for mention in resolve(text, DateContext()):
        if mention.kind == "absolute" and mention.value:
            return mention.value
    return None
