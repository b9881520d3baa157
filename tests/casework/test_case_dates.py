"""Date resolution: absolute forms, year inference, relative expressions and their anchors."""

from datetime import date, time

import pytest

from medcoder.casework.dates import DateContext, first_date, resolve


def _values(
    text: str, ctx: DateContext | None = None
) -> list[tuple[str, date | None, time | None]]:
    return [(m.kind, m.value, m.time) for m in resolve(text, ctx or DateContext())]


@pytest.mark.parametrize(
    "text",
    [
        "Seen 03/14/2021.",
        "Seen March 14, 2021.",
        "Seen 14 Mar 2021.",
        "Seen 2021-03-14.",
        "Seen Mar. 14th, 2021.",
    ],
)
def test_absolute_forms_resolve_to_the_same_day(text: str) -> None:
    assert _values(text)[0][:2] == ("absolute", date(2021, 3, 14))


def test_date_without_year_takes_the_anchor_year_and_rolls_over_new_year() -> None:
    assert _values("on 3/14", DateContext(anchor=date(2021, 3, 1)))[0][1] == date(2021, 3, 14)
    assert _values("on 1/2", DateContext(anchor=date(2021, 12, 30)))[0][1] == date(2022, 1, 2)


def test_relative_expressions_follow_the_running_anchor() -> None:
    ctx = DateContext()
    text = "Seen March 14, 2021. Two days later worse. The following morning febrile. Later that evening paged."
    got = [(m.text, m.value, m.part_of_day) for m in resolve(text, ctx)]
    assert got == [
        ("March 14, 2021", date(2021, 3, 14), None),
        ("Two days later", date(2021, 3, 16), None),
        ("The following morning", date(2021, 3, 17), "morning"),
        ("Later that evening", date(2021, 3, 17), "evening"),
    ]


def test_postoperative_and_hospital_days_use_their_own_anchors() -> None:
    ctx = DateContext(
        anchor=date(2022, 6, 9), surgery_date=date(2022, 6, 2), admission_date=date(2022, 6, 1)
    )
    assert _values("on postoperative day 2", ctx)[0][1] == date(2022, 6, 4)
    assert _values("POD #3", ctx)[0][1] == date(2022, 6, 5)
    assert _values("hospital day 3", ctx)[0][1] == date(2022, 6, 3)


def test_times_attach_to_the_anchor_and_cross_midnight() -> None:
    ctx = DateContext(anchor=date(2017, 9, 3))
    got = _values("At 2300 called. At 0030 persisted. at 3:15 pm seen. 1530 hours.", ctx)
    assert got[0] == ("time", date(2017, 9, 3), time(23, 0))
    assert got[1] == ("time", date(2017, 9, 4), time(0, 30))
    assert got[2][2] == time(15, 15)


def test_doses_scores_and_blood_pressures_are_not_dates_or_times() -> None:
    assert (
        _values(
            "gave morphine at 100 mg, pain 5/10, BP 120/80", DateContext(anchor=date(2021, 1, 1))
        )
        == []
    )


def test_relative_date_without_anchor_is_left_unresolved_not_guessed() -> None:
    assert _values("Two days later he returned.") == [("relative", None, None)]
    assert _values("on postoperative day 2") == [("relative", None, None)]


def test_date_of_birth_never_becomes_the_anchor() -> None:
    ctx = DateContext()
    mentions = resolve("DOB: 02/11/1961", ctx)
    assert mentions[0].kind == "birth" and ctx.anchor is None
    assert first_date("DOB: 02/11/1961 seen 03/14/2021") == date(2021, 3, 14)


def _mentions(text: str, ctx: DateContext | None = None):  # noqa: ANN202
    return resolve(text, ctx or DateContext())


def test_month_year_season_and_year_keep_the_precision_the_record_gives() -> None:
    got = [
        (m.text, m.value, m.precision, m.approximate)
        for m in _mentions(
            "In August 1987 a chest film was taken. She was seen again in 1988, in the summer "
            "of 1988 and in early 1989, and died in March 1989."
        )
    ]
    assert got == [
        ("August 1987", date(1987, 8, 1), "month", False),
        ("in 1988", date(1988, 1, 1), "year", False),
        ("the summer of 1988", date(1988, 7, 15), "month", True),
        ("in early 1989", date(1989, 2, 1), "year", True),
        ("March 1989", date(1989, 3, 1), "month", False),
    ]


def test_a_count_from_a_month_is_known_to_the_month_and_an_estimate_is_approximate() -> None:
    mentions = _mentions(
        "In August 1987 the film was read as normal. About fifteen months later a biopsy was "
        "done. Two days later she was admitted."
    )
    later, admitted = mentions[1], mentions[2]
    assert (later.value, later.precision, later.approximate) == (date(1988, 11, 1), "month", True)
    assert (admitted.value, admitted.precision) == (date(1988, 11, 3), "month")


def test_an_offset_from_a_named_event_keeps_the_event_it_counts_from() -> None:
    unresolved = _mentions("Two days after the colonoscopy she had fever.")[0]
    assert (unresolved.value, unresolved.ref, unresolved.offset_days) == (None, "colonoscopy", 2.0)
    ctx = DateContext(anchor=date(2020, 5, 9), surgery_date=date(2020, 5, 1))
    after_surgery = _mentions("Two days after surgery she had fever.", ctx)[0]
    assert (after_surgery.value, after_surgery.ref) == (date(2020, 5, 3), "surgery")
    right_after = _mentions("Right after the procedure she reported pain.")[0]
    assert (right_after.ref, right_after.offset_days, right_after.approximate) == (
        "procedure",
        0.0,
        False,
    )
    span = _mentions("After twenty-five minutes in recovery she was discharged.")[0]
    assert span.ref == "recovery" and span.offset_days == pytest.approx(25 / 1440)


def test_about_makes_a_date_approximate_but_on_or_about_does_not() -> None:
    assert _mentions("Seen about May 5, 1990.")[0].approximate
    assert not _mentions("Seen on or about May 5, 1990.")[0].approximate


def test_a_date_is_described_no_more_precisely_than_the_record_states_it() -> None:
    from medcoder.casework.dates import describe

    assert describe(date(2016, 3, 1), precision="month") == "March 2016"
    assert describe(date(2007, 7, 15), precision="month", approximate=True) == "about July 2007"
    assert describe(date(1988, 1, 1), precision="year") == "1988"
    assert describe(date(2021, 3, 14), clock=time(3, 15)) == "03/14/2021 03:15"
    assert describe(None, said="About twelve hours later") == "undated (About twelve hours later)"


def test_a_resolution_that_keeps_the_anchor_leaves_it_for_the_next_sentence() -> None:
    ctx = DateContext(anchor=date(1990, 3, 10))
    resolve("Pain began on March 2, 1990.", ctx, move_anchor=False)
    assert ctx.anchor == date(1990, 3, 10)
    assert resolve("The next day an enema was given.", ctx)[0].value == date(1990, 3, 11)


def test_exactly_keeps_the_anchor_precision_of_a_count_in_years() -> None:
    ctx = DateContext(anchor=date(2004, 4, 26))
    exact = _mentions("Exactly one year later he returned.", ctx)[0]
    assert (exact.value, exact.precision) == (date(2005, 4, 26), "day")
    ctx = DateContext(anchor=date(2004, 4, 26))
    loose = _mentions("One year later he returned.", ctx)[0]
    assert (loose.value, loose.precision) == (date(2005, 4, 26), "year")
