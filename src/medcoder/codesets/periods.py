"""Effective periods of code sets.

ICD-10-CM and ICD-10-PCS fiscal years start on 1 October of the previous calendar year
(FY2026 = 2025-10-01 .. 2026-09-30), with an April update; HCPCS Level II is quarterly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def fiscal_year_of(day: date) -> int:
    """Federal fiscal year that contains ``day``."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_period(year: int) -> Period:
    """The whole fiscal year ``year`` (1 October of year-1 to 30 September of year)."""
    return Period(date(year - 1, 10, 1), date(year, 9, 30))


def april_update_period(year: int) -> Period:
    """The April update of fiscal year ``year`` (1 April to 30 September)."""
    return Period(date(year, 4, 1), date(year, 9, 30))


def quarter_period(year: int, quarter: int) -> Period:
    """A calendar quarter (HCPCS Level II is published quarterly)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, got {quarter}")
    start_month = 3 * (quarter - 1) + 1
    end = (
        date(year, 12, 31)
        if quarter == 4
        else date(year, start_month + 3, 1).fromordinal(
            date(year, start_month + 3, 1).toordinal() - 1
        )
    )
    return Period(date(year, start_month, 1), end)


def parse_date(text: str) -> date:
    """Parse an ISO date (YYYY-MM-DD) with a message a user can act on."""
    from medcoder.errors import UsageError

    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UsageError(f"invalid date {text!r}: expected YYYY-MM-DD, e.g. 2026-03-02") from exc
