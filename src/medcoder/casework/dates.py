"""Dates in case records, as a chronology shows them.

The dates themselves are read by the one date parser, :mod:`medcoder.documents.dates` (absolute
and relative expressions, their precision, the running anchor); casework imports it from there
(the names below are that module's). What is the case's own is how a date is told to a
reviewer: never more precisely than the record states it.
"""

from __future__ import annotations

from datetime import date, time

from medcoder.documents.dates import (
    DateContext,
    DateMention,
    coarser,
    date_spans,
    first_date,
    resolve,
)

__all__ = [
    "DateContext", "DateMention", "coarser", "date_spans", "describe", "first_date", "resolve",
]  # fmt: skip


def describe(
    value: date | None,
    *,
    precision: str = "day",
    approximate: bool = False,
    clock: time | None = None,
    part_of_day: str | None = None,
    said: str | None = None,
) -> str:
    """A date as the record knows it: ``03/14/2021 03:15``, ``March 2016``, ``2007``,
    ``about July 2007``; ``undated`` (with the record's own words when it gave some)."""
    if value is None:
        return f"undated ({said})" if said else "undated"
    if precision == "year":
        out = str(value.year)
    elif precision == "month":
        out = value.strftime("%B %Y")
    else:
        out = value.strftime("%m/%d/%Y")
        if clock:
            out += " " + clock.strftime("%H:%M")
        elif part_of_day:
            out += f" ({part_of_day})"
    return f"about {out}" if approximate else out
