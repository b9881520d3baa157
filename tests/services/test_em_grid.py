"""The E/M account ``medcoder explain`` prints: MDM grid, 2-of-3 result, time, patient status.

The AMA 2021/2023 MDM table (docs/domain.md §4): three elements, data in three categories,
the level met or exceeded by 2 of 3; office levels may be chosen by total time instead
(2024+ thresholds), ED levels never; prolonged services only with a time-based level.
"""

from __future__ import annotations

from medcoder.services.em_grid import em_account
from medcoder.services.em_level import (
    MDM,
    DataLevel,
    Level,
    ProblemLevel,
    RiskLevel,
    level_emergency,
    level_office,
)
from medcoder.services.service_codes import service_codes


def _mdm() -> MDM:
    return MDM(
        ProblemLevel(Level.MODERATE, ("problem:chronic_exacerbation: 'worsening' [10:19]",)),
        DataLevel(unique_tests=2, independent_historian=True, external_discussion=True),
        RiskLevel(Level.LOW, ("risk:otc: 'ibuprofen' [40:49]",)),
    )


def _rows(account: dict) -> dict[str, dict]:
    return {row["element"]: row for row in account["grid"]}


def test_grid_shows_each_element_and_the_three_data_categories() -> None:
    account = em_account(level_office(False, _mdm()))
    rows = _rows(account)
    assert rows["Problems addressed"]["level"] == "moderate"
    assert "“worsening”" in rows["Problems addressed"]["shows"]
    category1 = rows["Data, category 1: tests, documents, independent historian"]
    assert category1["level"] == "met (3+ items)"  # 2 tests + the historian = 3 items
    assert "independent historian: yes" in category1["shows"]
    assert rows["Data, category 2: independent interpretation of a test"]["level"] == "not met"
    category3 = "Data, category 3: discussion of management with an external physician/QHP"
    assert rows[category3]["level"] == "met"
    assert rows["Data reviewed and analysed"]["level"] == "high"  # 2 of 3 categories
    assert rows["Risk of patient management"]["level"] == "low"


def test_grid_states_the_2_of_3_result() -> None:
    account = em_account(level_office(False, _mdm()))
    result = _rows(account)["MDM (2 of 3)"]
    assert result["level"] == "moderate"  # moderate, high, low: the middle one
    assert "2 of the 3" in result["shows"]
    assert account["decided_by"] == "mdm" and account["code"] == "99214"
    assert account["patient"] == "established"


def test_time_thresholds_are_shown_when_time_decided() -> None:
    account = em_account(level_office(True, _mdm(), total_minutes=62))
    assert account["decided_by"] == "time" and account["code"] == "99205"
    assert account["patient"] == "new"
    time = account["time"]
    assert time["decided"] and time["met"] == "99205" and time["total_minutes"] == 62
    assert time["thresholds"] == {"99202": 15, "99203": 30, "99204": 45, "99205": 60}


def test_prolonged_service_names_its_start_and_units() -> None:
    account = em_account(level_office(False, None, total_minutes=85, payer="medicare"), "medicare")
    assert account["prolonged"]["code"] == "G2212"
    assert account["prolonged"]["from_minutes"] == 69
    assert account["prolonged"]["units"] == 2  # 69-83 and 84-98 minutes: full units only


def test_emergency_account_says_time_never_selects_the_level() -> None:
    account = em_account(level_emergency(_mdm()))
    assert account["code"] == "99284"
    assert "MDM only" in account["time"]["note"]


def test_em_suggestion_carries_the_grid_for_explain() -> None:
    note = (
        "Established patient.\nAssessment: type 2 diabetes, worsening.\n"
        "Reviewed HbA1c and BMP.\nPrescription drug management.\n"
    )
    result = service_codes(note, setting="outpatient", systems=["CPT"])
    (em,) = [c for c in result.codes if c.code.startswith("992")]
    assert em.explanation["kind"] == "em-grid"
    assert em.explanation["code"] == em.code
    assert {"Problems addressed", "Risk of patient management", "MDM (2 of 3)"} <= set(
        _rows(em.explanation)
    )
    assert em.to_dict(explain=True)["explanation"] == em.explanation
    assert "explanation" not in em.to_dict()
