"""The one date parser (``medcoder.documents.dates``): absolute dates with their clock time,
relative expressions, header dates, and text that only looks like a date.

Where the three parsers it replaces disagreed, the tests below say which reading was kept (a
two-digit year, a time with "pm", "5 Jan 2024", "7-8/10", a date of birth)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from medcoder.documents.dates import (
    DateContext,
    clock_time,
    date_spans,
    find_dates,
    first_date,
    parse_date,
    resolve,
)
from medcoder.documents.text_reader import read_text


def _values(text: str) -> list[date]:
    return [found.value for found in find_dates(text)]


# --- absolute dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Na 126 mmol/L on 03/02/2024.",
        "Na 126 mmol/L on 3/2/2024.",
        "Na 126 mmol/L on 3/2/24.",
        "Na 126 mmol/L on 03-02-2024.",
        "Na 126 mmol/L on 2024-03-02.",
        "Na 126 mmol/L on March 2, 2024.",
        "Na 126 mmol/L on Mar. 2nd, 2024.",
        "Na 126 mmol/L on MARCH 2 2024.",
        "Na 126 mmol/L on 2 March 2024.",
        "Na 126 mmol/L on 2 Mar, 2024.",
    ],
)
def test_every_common_way_of_writing_a_day_gives_the_same_date(text: str) -> None:
    assert _values(text) == [date(2024, 3, 2)]


def test_a_clock_time_written_after_a_date_is_part_of_it() -> None:
    text = (
        "Na 126 on 03/02/2024 06:00. K 5.9 (2024-03-02T07:45). Cr 1.4 on March 2, 2024, "
        "at 08:10. Glucose 212 on 03/03/2024 at 11:05."
    )
    found = find_dates(text)
    assert [f.value for f in found] == [
        datetime(2024, 3, 2, 6, 0),
        datetime(2024, 3, 2, 7, 45),
        datetime(2024, 3, 2, 8, 10),
        datetime(2024, 3, 3, 11, 5),
    ]
    assert text[found[0].start : found[0].end] == "03/02/2024 06:00"


def test_a_time_marked_pm_after_a_date_is_read_on_the_24_hour_clock() -> None:
    # The CDI reader used to take "6:15" and drop the "pm"; the case reader honoured it.
    assert _values("K 5.9 drawn 03/02/2024 6:15 pm, repeat 03/03/2024 12:05 a.m.") == [
        datetime(2024, 3, 2, 18, 15),
        datetime(2024, 3, 3, 0, 5),
    ]


def test_a_two_digit_year_is_read_in_the_nearest_century() -> None:
    # The CDI reader put every two-digit year in the 2000s ("2/11/92" was 2092).
    assert _values("Cr 1.1 mg/dL on 2/11/92; Cr 1.3 mg/dL on 3/2/24.") == [
        date(1992, 2, 11),
        date(2024, 3, 2),
    ]


def test_a_three_digit_year_is_no_date() -> None:
    assert _values("Hgb 9.1 on 3/2/202") == []


@pytest.mark.parametrize(
    "text",
    [
        "Na 126 on 02/30/2024",
        "Na 126 on 13/45/2020",
        "Na 126 on 00/00/0000",
        "Na 126 on 2024-13-02",
        "Na 126 on February 29, 2023",
        "Na 126 on April 31, 2020",
        "Na 126 on Dec 32, 2020",
    ],
)
def test_a_date_that_does_not_exist_is_no_date_and_no_error(text: str) -> None:
    assert find_dates(text) == []
    assert parse_date(text) is None
    assert first_date(text) is None
    assert [m.value for m in resolve(text, DateContext())] == [None]


def test_february_29_exists_in_a_leap_year() -> None:
    assert _values("Na 126 on February 29, 2024") == [date(2024, 2, 29)]


def test_a_pain_score_a_blood_pressure_or_a_ratio_is_not_a_date() -> None:
    # "7-8/10" was read as July 8, 2010 by the case reader (mixed separators).
    text = "Pain 7-8/10, BP 120/80, strength 4/5, I:E 1/2/3/2024, titer 1.03/02/2024, 3/2-2024."
    assert find_dates(text) == []
    assert date_spans(text) == []


def test_a_month_name_inside_a_word_is_no_date() -> None:
    assert _values("Seen by Dr. Dismay 3, 2020 and Dr. Summar 5, 2021.") == []


def test_the_year_of_a_date_written_in_full_is_not_read_as_a_year_alone() -> None:
    (mention,) = resolve("Diabetic since 2020-01-05.", DateContext())
    assert (mention.rule, mention.value, mention.precision) == ("iso", date(2020, 1, 5), "day")


def test_a_date_of_birth_is_recognised_and_dates_nothing() -> None:
    text = "DOB: 02/11/1961\nNa 126 on 03/02/2024"
    assert _values(text) == [date(2024, 3, 2)]
    assert resolve(text, DateContext())[0].kind == "birth"
    assert first_date(text) == date(2024, 3, 2)


def test_a_date_without_its_year_is_dated_only_by_an_anchor() -> None:
    assert find_dates("Na 126 on 3/14 and March 15") == []
    ctx = DateContext(anchor=date(2024, 3, 1))
    assert [m.value for m in resolve("Na 126 on 3/14", ctx)] == [date(2024, 3, 14)]


# --- relative expressions and times ---------------------------------------------------------


def test_postoperative_day_counts_from_the_operation_and_offsets_from_the_anchor() -> None:
    text = (
        "Admitted 2/14/2023 with abdominal pain. On POD 2 she was febrile. "
        "Two days later the drain was removed."
    )
    ctx = DateContext(surgery_date=date(2023, 2, 15))
    got = [(m.text, m.kind, m.value) for m in resolve(text, ctx)]
    assert got == [
        ("2/14/2023", "absolute", date(2023, 2, 14)),
        ("POD 2", "relative", date(2023, 2, 17)),
        ("Two days later", "relative", date(2023, 2, 19)),
    ]


def test_a_clock_time_takes_its_half_of_the_day() -> None:
    assert clock_time(6, 15, "pm") == time(18, 15)
    assert clock_time(12, 5, "a.m.") == time(0, 5)
    assert clock_time(12, 5, "P.M.") == time(12, 5)
    assert clock_time(18, 0) == time(18, 0)
    assert clock_time(25, 0) is None and clock_time(10, 75) is None


# --- header dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Date of service: Jan 5, 2024", date(2024, 1, 5)),
        ("Date of Service: 01/05/2024 14:20", date(2024, 1, 5)),
        ("Date of service: 1/5/24", date(2024, 1, 5)),  # two-digit year: was no date
        ("Visit date: 2024-01-05", date(2024, 1, 5)),
        ("Date: 5 January 2024", date(2024, 1, 5)),  # day first: was no date
        ("Date of service: Jan 5, 2024 (printed 02/01/2024)", date(2024, 1, 5)),  # the first
        ("Date of service: 02/30/2024", None),
        ("Date of service: pending", None),
    ],
)
def test_the_note_date_is_the_first_date_on_its_labelled_header_line(
    line: str, expected: date | None
) -> None:
    document = read_text(f"PROGRESS NOTE\n{line}\n\nAssessment: stable.\n".encode(), name="n.txt")
    assert document.created == expected
