"""Dates of clinical values written in note text ("Na 126 on 03/02/2024 06:00").

Rules that compare draws over time (KDIGO: creatinine rise within 48 h) need each value's
date; a value takes the date attached to it, else its line's, else that of a date heading its
paragraph. Never the note's own date: a creatinine quoted in a progress note was not
necessarily drawn that day, and a wrong date is worse than none (the value is then listed as
excluded, "no date", where a rule needs one).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, datetime

# --- dates -----------------------------------------------------------------------------------
# Each pattern starts with a plain character class so the regex engine skips ahead quickly
# (an alternation with a lookbehind in front costs ~5x more on a note); parts are checked below.
_TIME = r"(?:(?:[ T]+|,\s*)(?:at\s+)?(?P<hh>[01]?\d|2[0-3]):(?P<mm>[0-5]\d)(?!\d))?"
_NUMERIC_DATE = re.compile(r"\d{1,4}(?:/\d{1,2}/\d{2,4}|-\d{1,2}-\d{1,2})(?![\d/])" + _TIME)
# Run on lower-cased text: a case-sensitive literal start is ~6x faster than (?i).
_MONTH_DATE = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?\s+(?P<md>\d{1,2}),?\s+"
    r"(?P<my>\d{4})(?![\d/])" + _TIME
)
_ATTACHED_DATE = re.compile(r"\s*[,(\[]?\s*(?:(?i:on|at|drawn|collected)\s+)?$")
_HEADING_BEFORE = re.compile(r"[ \t]*(?:[A-Za-z][A-Za-z ]{0,20}:?[ \t]*)?$")
_HEADING_AFTER = re.compile(r"[ \t]*[:\-]?[ \t]*$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _with_time(day: date, m: re.Match[str]) -> datetime | date:
    if m.group("hh") is None:
        return day
    return datetime(day.year, day.month, day.day, int(m.group("hh")), int(m.group("mm")))


def _numeric_date(text: str, m: re.Match[str]) -> datetime | date | None:
    if m.start() and text[m.start() - 1] in "0123456789/.":
        return None  # part of a longer number or ratio
    raw = m.group().split(" ")[0].split("T")[0].rstrip(",")
    try:
        if "/" in raw:
            month, day, year = (int(p) for p in raw.split("/"))
            if len(raw.split("/")[0]) > 2:
                return None
            year += 2000 if year < 100 else 0
        else:
            first, month, day = raw.split("-")
            if len(first) != 4:
                return None
            year = int(first)
            month, day = int(month), int(day)
        return _with_time(date(year, month, day), m)
    except ValueError:
        return None


def _month_date(text: str, m: re.Match[str]) -> datetime | date | None:
    word = m.group().split(None, 1)[0].rstrip(".").lower()
    if word[:3] not in _MONTHS or (m.start() and text[m.start() - 1].isalpha()):
        return None
    if len(word) > 3 and not any(f.startswith(word) for f in _MONTH_NAMES):
        return None
    try:
        day = date(int(m.group("my")), _MONTHS.index(word[:3]) + 1, int(m.group("md")))
    except ValueError:
        return None
    return _with_time(day, m)


_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "sept", "october", "november", "december",
)  # fmt: skip


def find_dates(text: str) -> list[tuple[int, int, datetime | date]]:
    """Dates (with a time when written ``06:00``) in ``text``, in order of position."""
    found = [
        (m.start(), m.end(), d)
        for m in _NUMERIC_DATE.finditer(text)
        if (d := _numeric_date(text, m))
    ]
    lower = text.lower()
    if len(lower) == len(text):  # offsets stay valid (no 'İ'-style expansion)
        found += [
            (m.start(), m.end(), d)
            for m in _MONTH_DATE.finditer(lower)
            if (d := _month_date(lower, m))
        ]
    return sorted(found, key=lambda f: f[0])


class DateIndex:
    """Dates of one text; a value takes the date attached to it, else the one its line (or a
    date-led line heading its paragraph) gives. Never the note's own date: a creatinine quoted
    in a progress note was not necessarily drawn that day."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found = find_dates(text)
        self.starts = [s for s, _, _ in self.found]

    def at(self, start: int, end: int) -> datetime | date | None:
        if not self.found:
            return None
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        i = bisect_right(self.starts, end)
        if i < len(self.found):  # "Na 126 (03/02/2024)", "Na 126 on 03/02/2024"
            s, _, d = self.found[i]
            if s < line_end and _ATTACHED_DATE.match(text[end:s]) and s - end <= 12:
                return d
        j = bisect_right(self.starts, start) - 1
        if j < 0:
            return None
        s, e, d = self.found[j]
        if s >= line_start:
            return d  # the nearest date before the value on its line
        # else a date heading the paragraph: "Collected 03/02/2024 06:00:" alone on its line
        date_line = text.rfind("\n", 0, s) + 1
        date_line_end = text.find("\n", s)
        heads = bool(
            _HEADING_BEFORE.match(text, date_line, s)
            and _HEADING_AFTER.match(text, e, date_line_end)
        )
        between = text[date_line_end:line_start]
        return d if heads and "\n\n" not in between.replace(" ", "") else None
