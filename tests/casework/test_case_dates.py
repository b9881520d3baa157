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
