"""The one date parser: absolute and relative dates in clinical and legal text, each with its
precision, resolved against a running anchor.

Every reader of dates uses this module: the header of a text note ("Date of service: Jan 5,
2024", :func:`parse_date`), the dates of lab values for CDI ("Na 126 on 03/02/2024 06:00",
:func:`find_dates`, also ``AnnotatedDocument.dates``) and the chronology of a malpractice case
(:func:`resolve`). Records state dates loosely: "03/14/2021", "3/14/21", "2021-03-14",
"March 14, 2021", "Mar. 14th, 2021", "14 Mar 2021", "on 3/14" (no year), "In August 1987", "in
the summer of 2007", "in 2005", "about fifteen months later", "two days after surgery", "the
following morning", "on postoperative day 2", "at 0300". A date that does not exist
("02/30/2024", "13/45/2020") is no date. A two-digit year is read in the century that puts it
nearest (``00``-``49`` in the 2000s, ``50``-``99`` in the 1900s). Every date carries its
*precision* (``day``, ``month`` or ``year``) and whether it is *approximate* ("about", "the
summer of", "several weeks later"): a reviewer must see "March 2016" where the record says
March 2016, never an invented March 1.

A relative expression means nothing without the date it is relative to, so resolution walks the
text in order and carries an anchor: each resolved date becomes the anchor for the next
expression (with its precision: a day counted from "March 2016" is still only known to the
month), a stated operation date anchors "postoperative day N", an admission date anchors
"hospital day N", and the note's own date anchors "today" and "yesterday". An expression that
names the event it counts from ("two days after the colonoscopy", "after twenty-five minutes in
recovery") keeps that reference (``ref``) and its offset, so the chronology can place it after
that event even when the event itself has no date. Dates of birth are recognised and never
become anchors (a DOB in a header must not date the events below it), nor dates of values.

Patterns that run over whole notes start with a plain character class (a digit, the first
letter of a month), checking what precedes it in a look-behind after that character: the regex
engine then skips ahead to candidates quickly instead of trying every position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# A month's name or abbreviation, not inside a word ("dismay 3" is no date); its first letter
# is a plain class, so patterns that start with a month skip ahead (see the module's notes).
_MONTH = (
    r"(?P<mon>[JjFfMmAaSsOoNnDd](?<![^\W\d_].)(?i:(?<=j)(?:an(?:uary)?|une?|uly?)"
    r"|(?<=f)eb(?:ruary)?|(?<=m)(?:ar(?:ch)?|ay)|(?<=a)(?:pr(?:il)?|ug(?:ust)?)"
    r"|(?<=s)ept?(?:ember)?|(?<=o)ct(?:ober)?|(?<=n)ov(?:ember)?|(?<=d)ec(?:ember)?))\.?"
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
    "several": 3, "few": 3, "a few": 3, "couple": 2, "a couple of": 2, "some": 3, "many": 5,
}  # fmt: skip
# Counts that are themselves estimates: the date they give is approximate.
_VAGUE_NUMBERS = {"several", "few", "a few", "couple", "a couple of", "some", "many"}
_WORD_NUMBER = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|"
    r"five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_NUM = (
    r"(?P<n>\d{1,3}(?:\.5)?|"
    + _WORD_NUMBER
    + r"|a\s+couple\s+of|a\s+few|an?|several|few|some|many)"
    r"(?P<half>\s+and\s+a\s+half)?"
)
_APPROX = r"(?:(?P<approx>about|approximately|around|roughly|nearly|almost|some|over|more\s+than|less\s+than|at\s+least|just\s+over|just\s+under)\s+|(?P<exact>exactly|precisely)\s+)?"
_UNIT_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
# The precision a count in this unit keeps: "three months later" is known to the month.
_UNIT_PRECISION = {"minute": "day", "hour": "day", "day": "day", "week": "day", "month": "month",
                   "year": "year"}  # fmt: skip
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
_PART_OF_DAY = {"morning", "afternoon", "evening", "night"}
# Events a relative date may count from ("two days after the colonoscopy").
_REF = (
    r"(?P<ref>surgery|operation|procedure|admission|discharge|delivery|birth|visit|appointment|"
    r"arrival|presentation|transfer|injection|infusion|dose|fall|injury|accident|biopsy|"
    r"transfusion|examination|exam|treatment|diagnosis|recovery|x-ray|scan|mammogram|"
    r"cesarean(?:\s+section)?|c-section|\w+ectomy|\w+otomy|\w+oscopy|\w+plasty|\w+ostomy)"
)
_SEASON_MONTH = {"spring": 4, "summer": 7, "fall": 10, "autumn": 10, "winter": 1}
_PART_OF_YEAR = {"early": 2, "mid": 7, "mid-": 7, "late": 11}
_YEAR = r"(?P<y>(?:1[89]|20)\d{2})"

# Dates written to the day: 2024-03-02, 03/02/2024 (or 03-02-2024, 3/2/24), March 2, 2024 (or
# "Mar. 2nd, 2024", "March 2" with the year left to the anchor) and 2 March 2024. A numeric
# date is not part of a longer number, ratio or decimal ("1.03/02/2024", "1/2/3/2024").
_DAY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?P<y>\d(?<![\d/.]\d)\d{3})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d/])")),
    (
        "mdy",
        re.compile(
            r"(?P<m>\d(?<![\d/.]\d)\d?)(?P<sep>[/-])(?P<d>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\d/])"
        ),
    ),
    (
        "month_day",
        re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?i:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4})\b)?"),
    ),
    ("day_month", re.compile(r"(?P<d>\d(?<!\w\d)\d?)\s+" + _MONTH + r",?\s+(?P<y>\d{4})\b")),
]
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    *_DAY_PATTERNS,
    (
        "season",
        re.compile(
            r"\b(?:the\s+)?(?:(?P<q>early|late|mid-?)\s*)?(?P<season>spring|summer|fall|autumn|winter)"
            r"\s+(?:of\s+)?" + _YEAR + r"\b",
            re.I,
        ),
    ),
    (
        "month_year",
        re.compile(
            r"\b(?:(?P<q>early|late|mid-?)\s*)?" + _MONTH + r",?\s+(?:of\s+)?" + _YEAR + r"\b", re.I
        ),
    ),
    (
        "year",
        re.compile(
            r"(?:\b(?:in|during|by|since|until|of|from|through|throughout|circa|around|about|before|after)\s+"
            r"(?:the\s+(?:year\s+)?)?(?:(?P<q>early|late|mid-?)\s*)?|\b(?P<q2>early|late|mid-)\s*)"
            + _YEAR
            # not a dose, nor the year of a date written in full ("since 2020-01-05")
            + r"\b(?![-/]\d)(?!\s*(?:mg|mcg|ml|units?|cc|g\b|kg|%|dollars))",
            re.I,
        ),
    ),
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
            r"\b" + _APPROX + _NUM + r"\s+(?P<unit>minute|hour|day|week|month|year)s?\s+"
            r"(?P<dir>later|afterwards?|thereafter|earlier|before|prior|after|following|ago)"
            r"(?:\s+(?:to\s+)?(?:the\s+|her\s+|his\s+|their\s+|this\s+|that\s+)?" + _REF + r")?\b",
            re.I,
        ),
    ),
    (
        "after_span",  # "after twenty-five minutes in recovery" ("within" sets a deadline)
        re.compile(
            r"\b(?P<dir>after)\s+"
            + _APPROX
            + _NUM
            + r"\s+(?P<unit>minute|hour|day|week|month|year)s?\b"
            r"(?:\s+(?:in|of)\s+(?:the\s+)?(?P<ref>recovery|labor|surgery|the\s+hospital))?",
            re.I,
        ),
    ),
    (
        "after_ref",  # "right after the procedure", "the day after surgery"
        re.compile(
            r"\b(?:(?P<how>right|immediately|shortly|soon|just|the\s+(?:day|morning|night|evening))\s+)?"
            r"(?P<dir>after|following|before)\s+(?:(?:the|her|his|their|this|that)\s+)?"
            r"(?:\w+\s+)?" + _REF + r"\b",
            re.I,
        ),
    ),
    (
        "next",
        re.compile(
            r"\b(?:the\s+)?(?:following|next)\s+(?P<what>morning|day|afternoon|evening|night|week|month|year)\b",
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
# A clock time (06:00, 6:00 pm, 18:00) and its half of the day.
_HOUR_MINUTE = r"(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)"
_MERIDIEM = r"(?P<ap>[ap]\.?m\.?)"
_TIME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "clock",
        re.compile(
            r"(?:\b(?:at|@|approximately|about|around)\s+|(?<=\d{4})\s+|(?<=\d{2})\s+|\b)"
            + _HOUR_MINUTE
            + r"\s*"
            + _MERIDIEM
            + r"?(?![\d:])",
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
            r"\b(?:at|@|around|approximately)\s+(?P<h>1[0-2]|0?[1-9])\s*" + _MERIDIEM + r"(?!\w)",
            re.I,
        ),
    ),
]
# The time of day written right after a date: "03/02/2024 06:00", "2024-03-02T06:00",
# "March 2, 2024, 6:00 pm", "03/02/2024 at 06:00".
_ATTACHED_TIME = re.compile(
    r"(?:[ T]+|,\s*)(?:(?i:at)\s+)?" + _HOUR_MINUTE + r"(?!\d)(?:\s*(?i:" + _MERIDIEM + r")(?!\w))?"
)
_BIRTH_BEFORE = re.compile(r"(?:\bdob|birth|\bborn|d\.o\.b\.?)[\s:#.]*$", re.I)


@dataclass(frozen=True)
class DateMention:
    """One date or time expression, resolved or not.

    ``kind`` is ``absolute``, ``partial`` (day and month, year inferred), ``relative``,
    ``time`` or ``birth``; ``rule`` names the pattern, so a reviewer can see why a date was
    chosen; ``value`` is ``None`` when nothing anchored a relative expression. ``precision``
    is what the record tells (``day``, ``month``, ``year``); ``value`` of a month is its first
    day and of a year its 1 January, only so that dates sort. ``approximate`` marks "about",
    "the summer of", "several weeks later". A relative expression keeps ``offset_days`` and,
    when it names the event it counts from, ``ref`` ("colonoscopy", "recovery", "surgery").
    """

    start: int
    end: int
    text: str
    kind: str
    rule: str
    value: date | None = None
    time: time | None = None
    part_of_day: str | None = None
    precision: str = "day"
    approximate: bool = False
    offset_days: float | None = None
    ref: str | None = None


@dataclass
class DateContext:
    """The running anchors; one per patient timeline, carried across documents in order."""

    anchor: date | None = None
    anchor_time: time | None = None
    document_date: date | None = None
    surgery_date: date | None = None
    admission_date: date | None = None
    history: list[DateMention] = field(default_factory=list)
    anchor_precision: str = "day"
    anchor_approximate: bool = False

    def copy(self) -> DateContext:
        return replace(self, history=[])


def coarser(a: str, b: str) -> str:
    """The less precise of two precisions (``day`` < ``month`` < ``year``)."""
    return a if _PRECISION_RANK.get(a, 0) >= _PRECISION_RANK.get(b, 0) else b


def _number(word: str) -> float:
    word = " ".join(word.lower().split())
    if word.replace(".", "", 1).isdigit():
        return float(word)
    if "-" in word:  # "twenty-five"
        tens, ones = word.split("-", 1)
        return _NUMBER_WORDS.get(tens, 0) + _NUMBER_WORDS.get(ones, 0)
    return _NUMBER_WORDS.get(word, 1)


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


def add_months(value: date, months: int) -> date:
    """``value`` moved by whole calendar months (the day kept where the month has it)."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    for day in (value.day, 30, 29, 28):
        moved = _safe_date(year, month + 1, day)
        if moved:
            return moved
    raise ValueError(value)  # pragma: no cover - day 28 exists in every month


def _absolute(rule: str, m: re.Match[str], ctx: DateContext) -> tuple[date | None, str, str, bool]:
    """``(value, kind, precision, approximate)`` of a date written in the text."""
    if rule in ("iso", "mdy"):
        value = _safe_date(_year(m.group("y")), int(m.group("m")), int(m.group("d")))
        return value, "absolute", "day", False
    if rule == "day_month":
        return _safe_date(int(m.group("y")), _month(m), int(m.group("d"))), "absolute", "day", False
    if rule == "season":
        month = _SEASON_MONTH[m.group("season").lower()]
        return _safe_date(int(m.group("y")), month, 15), "absolute", "month", True
    if rule == "month_year":
        return _safe_date(int(m.group("y")), _month(m), 1), "absolute", "month", False
    if rule == "year":
        part = (m.group("q") or m.group("q2") or "").lower()
        if part in _PART_OF_YEAR:  # "early 2009": about February
            return _safe_date(int(m.group("y")), _PART_OF_YEAR[part], 1), "absolute", "year", True
        return _safe_date(int(m.group("y")), 1, 1), "absolute", "year", False
    month = _month(m) if rule == "month_day" else int(m.group("m"))
    day = int(m.group("d"))
    if rule == "month_day" and m.group("y"):
        return _safe_date(int(m.group("y")), month, day), "absolute", "day", False
    base = ctx.anchor or ctx.document_date
    if base is None:
        return None, "partial", "day", False
    value = _safe_date(base.year, month, day)
    if value and (base - value).days > 180:  # "on 1/2" after a December anchor
        value = _safe_date(base.year + 1, month, day)
    return value, "partial", "day", False


@dataclass(frozen=True)
class _Relative:
    value: date | None
    part: str | None = None
    precision: str = "day"
    approximate: bool = False
    offset_days: float | None = None
    ref: str | None = None


def _shift(base: date, count: float, unit: str, sign: int) -> date:
    if unit == "month":
        return add_months(base, sign * round(count))
    if unit == "year":
        return add_months(base, sign * round(count * 12))
    return base + sign * timedelta(days=round(count * _UNIT_DAYS[unit]))


def _counted(rule: str, m: re.Match[str], ctx: DateContext) -> _Relative:
    """ "two days later", "about fifteen months after the biopsy", "after 25 minutes in recovery"."""
    raw_n = m.group("n")
    count = _number(raw_n) + (0.5 if m.group("half") else 0.0)
    unit = m.group("unit").lower()
    direction = m.group("dir").lower()
    ref = " ".join((m.group("ref") or "").lower().split()) or None
    approximate = bool(m.group("approx")) or " ".join(raw_n.lower().split()) in _VAGUE_NUMBERS
    approximate = approximate or bool(m.group("half"))
    sign = -1 if direction in ("earlier", "before", "prior", "ago") else 1
    days = sign * count * _UNIT_DAYS[unit]
    if ref in ("surgery", "operation") or (ref and ref.endswith(("ectomy", "otomy", "plasty"))):
        base = ctx.surgery_date
    elif ref == "admission":
        base = ctx.admission_date
    elif ref is None and rule == "offset" and direction in ("after", "following"):
        return _Relative(None, offset_days=days, approximate=approximate)  # "after the visit"
    elif ref is None or ref == "discharge":
        base = ctx.anchor
    else:
        base = None  # counted from a named event: the chronology finds that event
    # "exactly one year later" is known as well as its anchor; "one year later" to the year
    unit_precision = "day" if m.group("exact") else _UNIT_PRECISION[unit]
    precision = coarser(ctx.anchor_precision, unit_precision) if base else "day"
    approximate = approximate or (ctx.anchor_approximate if base is ctx.anchor else False)
    if base is None:
        return _Relative(None, None, precision, approximate, days, ref)
    if count * _UNIT_DAYS[unit] < 1:
        if ctx.anchor_time is None:
            return _Relative(base, None, precision, approximate, days, ref)
        moment = datetime.combine(base, ctx.anchor_time) + timedelta(days=days)
        return _Relative(moment.date(), None, precision, approximate, days, ref)
    return _Relative(_shift(base, count, unit, sign), None, precision, approximate, days, ref)


def _after_ref(m: re.Match[str], ctx: DateContext) -> _Relative:
    """ "right after the procedure", "the day after surgery", "following the delivery"."""
    how = " ".join((m.group("how") or "").lower().split())
    ref = " ".join(m.group("ref").lower().split())
    sign = -1 if m.group("dir").lower() == "before" else 1
    days = float(sign) if how.startswith("the ") else 0.0
    approximate = how in ("", "shortly", "soon")
    part = how.split()[-1] if how.startswith("the ") and how.split()[-1] in _PART_OF_DAY else None
    surgical = ref in ("surgery", "operation") or ref.endswith(("ectomy", "otomy", "plasty"))
    base = ctx.surgery_date if surgical else ctx.admission_date if ref == "admission" else None
    if base is None:
        return _Relative(None, part, "day", approximate, days, ref)
    return _Relative(base + timedelta(days=days), part, "day", approximate, days, ref)


def _relative(rule: str, m: re.Match[str], ctx: DateContext) -> _Relative:
    anchor = ctx.anchor
    if rule == "pod":
        base = ctx.surgery_date
        n = _number(m.group("n"))
        return _Relative(base + timedelta(days=n) if base else None, offset_days=n, ref="surgery")
    if rule == "hospital_day":
        base = ctx.admission_date
        n = int(m.group("n"))
        return _Relative(base + timedelta(days=n - 1) if base else None, offset_days=n - 1.0)
    if rule in ("offset", "after_span"):
        return _counted(rule, m, ctx)
    if rule == "after_ref":
        return _after_ref(m, ctx)
    what = m.group("what").lower()
    part = what.split()[-1] if what.split()[-1] in _PART_OF_DAY else None
    keep = (ctx.anchor_precision, ctx.anchor_approximate)
    if rule == "next":
        if what in ("month", "year"):
            unit = what
            value = add_months(anchor, 1 if unit == "month" else 12) if anchor else None
            return _Relative(
                value, None, coarser(keep[0], unit), keep[1], 30.0 if unit == "month" else 365.0
            )
        step = 7 if what == "week" else 1
        return _Relative(
            anchor + timedelta(days=step) if anchor else None, part, *keep, float(step)
        )
    if rule == "same":
        return _Relative(anchor, part, *keep, 0.0)
    base = ctx.document_date or anchor  # deictic words are relative to the note's own date
    if base is None:
        return _Relative(None, part)
    if what == "yesterday":
        return _Relative(base - timedelta(days=1), None, offset_days=-1.0)
    if what in ("tonight", "overnight"):
        return _Relative(base, "night", offset_days=0.0)
    return _Relative(base, part, offset_days=0.0)


def clock_time(hour: int, minute: int, meridiem: str | None = None) -> time | None:
    """The time of ``hour:minute`` with its ``am``/``pm`` (``"p.m."`` too), or ``None`` where
    no such time exists (25:00)."""
    ap = (meridiem or "").lower().replace(".", "")
    if ap == "pm" and hour < 12:
        hour += 12
    elif ap == "am" and hour == 12:
        hour = 0
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)


def _clock(rule: str, m: re.Match[str]) -> time | None:
    hour = m.group("h") if "h" in m.groupdict() else None
    minute = m.group("mi") if "mi" in m.groupdict() else "0"
    if rule == "military" and hour is None:
        hour, minute = m.group("h2"), m.group("mi2")
    if hour is None:
        return None
    return clock_time(int(hour), int(minute or 0), m.groupdict().get("ap"))


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _candidates(
    text: str,
    start: int,
    end: int,
    patterns: list[tuple[str, re.Pattern[str]]] = _PATTERNS,
    time_patterns: list[tuple[str, re.Pattern[str]]] = _TIME_PATTERNS,
) -> list[tuple[int, int, str, re.Match[str], bool]]:
    found: list[tuple[int, int, str, re.Match[str], bool]] = []
    for rule, pattern in patterns:
        for m in pattern.finditer(text, start, end):
            s = m.start("m") if rule == "md_short" else m.start()
            found.append((s, m.end(), rule, m, False))
    for rule, pattern in time_patterns:
        for m in pattern.finditer(text, start, end):
            found.append((m.start(), m.end(), rule, m, True))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str, re.Match[str], bool]] = []
    for cand in found:
        if kept and cand[0] < kept[-1][1]:
            continue  # overlaps a longer or earlier match ("March 14, 2021" beats "14")
        kept.append(cand)
    return kept


_ABSOLUTE_RULES = (
    "iso",
    "mdy",
    "month_day",
    "day_month",
    "md_short",
    "season",
    "month_year",
    "year",
)
_APPROX_BEFORE = re.compile(
    r"\b(?:(?<!\bor\s)about|approximately|around|circa|roughly|sometime\s+in|some\s+time\s+in)\s+$",
    re.I,
)


def date_spans(
    text: str, start: int = 0, end: int | None = None, *, times: bool = False
) -> list[tuple[int, int, str]]:
    """``(start, end, rule)`` of every date expression in ``text[start:end]``; clock times too
    (rule ``time``) when ``times``."""
    end = len(text) if end is None else end
    return [
        (s, e, "time" if is_time else rule)
        for s, e, rule, _, is_time in _candidates(text, start, end)
        if times or not is_time
    ]


def resolve(
    text: str,
    ctx: DateContext,
    start: int = 0,
    end: int | None = None,
    *,
    move_anchor: bool = True,
) -> list[DateMention]:
    """Every date/time expression in ``text[start:end]``, resolved in order; updates ``ctx``.

    Offsets are into ``text``. A relative expression with no anchor yields ``value=None``
    (reported as undated, never guessed). ``move_anchor=False`` resolves the expressions
    without making them the anchor of what follows: a symptom onset ("pain that began on
    March 2") dates its own sentence, not the admission events after it.
    """
    end = len(text) if end is None else end
    mentions: list[DateMention] = []
    saved = (ctx.anchor, ctx.anchor_time, ctx.anchor_precision, ctx.anchor_approximate)
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
            mentions.append(
                DateMention(
                    s, e, raw, "time", rule, ctx.anchor, clock, None,
                    ctx.anchor_precision, ctx.anchor_approximate,
                )
            )  # fmt: skip
            continue
        if _BIRTH_BEFORE.search(text, max(0, s - 24), s):
            value = _absolute(rule, m, ctx)[0] if rule in _ABSOLUTE_RULES[:4] else None
            mentions.append(DateMention(s, e, raw, "birth", rule, value))
            continue
        if rule in _ABSOLUTE_RULES:
            value, kind, precision, approximate = _absolute(rule, m, ctx)
            approximate = approximate or bool(_APPROX_BEFORE.search(text, max(0, s - 24), s))
            mention = DateMention(s, e, raw, kind, rule, value, None, None, precision, approximate)
        else:
            rel = _relative(rule, m, ctx)
            mention = DateMention(
                s, e, raw, "relative", rule, rel.value, None, rel.part, rel.precision,
                rel.approximate, rel.offset_days, rel.ref,
            )  # fmt: skip
        if mention.value is not None:
            if mention.value != ctx.anchor:
                ctx.anchor_time = None
            ctx.anchor = mention.value
            ctx.anchor_precision = mention.precision
            ctx.anchor_approximate = mention.approximate
        mentions.append(mention)
    if not move_anchor:
        ctx.anchor, ctx.anchor_time, ctx.anchor_precision, ctx.anchor_approximate = saved
    ctx.history.extend(mentions)
    return mentions


def first_date(text: str) -> date | None:
    """The first absolute date in a header-sized text (no anchor needed), DOBs skipped."""
    for mention in resolve(text, DateContext()):
        if mention.kind == "absolute" and mention.value:
            return mention.value
    return None


class DateSpan(NamedTuple):
    """A date written to the day, with its year, at ``text[start:end]``; ``value`` is a
    ``datetime`` when a clock time follows the date (the span then covers it)."""

    start: int
    end: int
    value: date


def find_dates(text: str) -> list[DateSpan]:
    """The dates written to the day in ``text``, in order, each with the clock time written
    right after it ("Na 126 on 03/02/2024 06:00").

    No anchor is used: a date without its year ("on 3/14", "March 14") is left out, as are
    dates that do not exist ("02/30/2024") and dates of birth, which date no event.
    """
    found: list[DateSpan] = []
    no_anchor = DateContext()
    for s, e, rule, m, _ in _candidates(text, 0, len(text), _DAY_PATTERNS, []):
        value, kind, _, _ = _absolute(rule, m, no_anchor)
        if value is None or kind != "absolute" or _BIRTH_BEFORE.search(text, max(0, s - 24), s):
            continue
        t = _ATTACHED_TIME.match(text, e)
        clock = clock_time(int(t.group("h")), int(t.group("mi")), t.group("ap")) if t else None
        if t and clock:
            value, e = datetime.combine(value, clock), t.end()
        found.append(DateSpan(s, e, value))
    return found


def parse_date(text: str) -> date | None:
    """The first date written to the day in ``text``, without its time: the value of a header
    field ("Date of service: Jan 5, 2024"); ``None`` when it holds none."""
    for found in find_dates(text):
        value = found.value
        return value.date() if isinstance(value, datetime) else value
    return None
