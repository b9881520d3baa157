"""The pure AMA E/M model: 2-of-3 MDM, data categories, time vs MDM, prolonged units, ED."""

from __future__ import annotations

import pytest

from medcoder.errors import UsageError
from medcoder.services.em_level import (
    ACUTE_SYSTEMIC,
    MDM,
    SELF_LIMITED,
    STABLE_CHRONIC,
    THREAT_TO_LIFE,
    DataLevel,
    Level,
    ProblemLevel,
    RiskLevel,
    level_emergency,
    level_office,
)

S, L, M, H = Level.STRAIGHTFORWARD, Level.LOW, Level.MODERATE, Level.HIGH


def mdm(problems: Level, data: DataLevel | Level, risk: Level) -> MDM:
    if isinstance(data, Level):
        data = {
            S: DataLevel(),
            L: DataLevel(unique_tests=2),
            M: DataLevel(unique_tests=3),
            H: DataLevel(unique_tests=3, independent_interpretation=True),
        }[data]
    return MDM(ProblemLevel(problems), data, RiskLevel(risk))


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ((H, S, S), S),
        ((H, H, S), H),
        ((S, M, H), M),
        ((L, H, M), M),
        ((L, L, H), L),
        ((M, M, M), M),
    ],
)
def test_mdm_level_is_met_or_exceeded_by_two_of_three(levels, expected):
    assert mdm(*levels).level == expected


class TestProblems:
    def test_one_self_limited_is_minimal_and_two_are_low(self):
        assert ProblemLevel.from_kinds([SELF_LIMITED]).level == S
        assert ProblemLevel.from_kinds([SELF_LIMITED, SELF_LIMITED]).level == L

    def test_one_stable_chronic_is_low_and_two_are_moderate(self):
        assert ProblemLevel.from_kinds([STABLE_CHRONIC]).level == L
        assert ProblemLevel.from_kinds([STABLE_CHRONIC, STABLE_CHRONIC]).level == M

    def test_single_kinds_decide_by_themselves(self):
        assert ProblemLevel.from_kinds([ACUTE_SYSTEMIC]).level == M
        assert ProblemLevel.from_kinds([SELF_LIMITED, THREAT_TO_LIFE]).level == H

    def test_no_problem_is_straightforward_and_unknown_kind_is_refused(self):
        assert ProblemLevel.from_kinds([]).level == S
        with pytest.raises(UsageError):
            ProblemLevel.from_kinds(["very sick"])


class TestDataCategories:
    def test_one_test_is_minimal(self):
        assert DataLevel(unique_tests=1).level == S

    def test_two_tests_or_documents_are_limited(self):
        assert DataLevel(unique_tests=1, external_notes=1).level == L

    def test_historian_alone_is_limited(self):
        assert DataLevel(independent_historian=True).level == L

    def test_category1_needs_three_items_counting_the_historian_for_moderate(self):
        assert DataLevel(unique_tests=2, independent_historian=True).level == M
        assert DataLevel(unique_tests=2).level == L

    def test_independent_interpretation_alone_is_moderate(self):
        assert DataLevel(independent_interpretation=True).level == M

    def test_external_discussion_alone_is_moderate(self):
        assert DataLevel(external_discussion=True).level == M

    def test_two_of_three_categories_are_extensive(self):
        assert DataLevel(independent_interpretation=True, external_discussion=True).level == H
        assert DataLevel(unique_tests=3, external_discussion=True).level == H
        assert DataLevel(unique_tests=2, external_discussion=True).level == M

    def test_negative_counts_are_refused(self):
        with pytest.raises(UsageError):
            DataLevel(unique_tests=-1)


class TestOfficeByMdmAndTime:
    @pytest.mark.parametrize(
        ("new", "level", "code"),
        [(True, S, "99202"), (True, H, "99205"), (False, S, "99212"), (False, M, "99214")],
    )
    def test_mdm_maps_to_the_code_family(self, new, level, code):
        result = level_office(new, mdm(level, level, level))
        assert (result.code, result.path) == (code, "mdm")

    @pytest.mark.parametrize(
        ("new", "minutes", "code"),
        [
            (True, 15, "99202"),
            (True, 29, "99202"),
            (True, 30, "99203"),
            (True, 45, "99204"),
            (True, 60, "99205"),
            (False, 10, "99212"),
            (False, 20, "99213"),
            (False, 30, "99214"),
            (False, 39, "99214"),
            (False, 40, "99215"),
        ],
    )
    def test_time_thresholds_must_be_met_or_exceeded(self, new, minutes, code):
        result = level_office(new, mdm(S, S, S), minutes)
        assert result.code == code

    def test_higher_of_mdm_and_time_wins(self):
        assert level_office(False, mdm(L, L, L), 35).path == "time"
        by_mdm = level_office(False, mdm(H, H, H), 35)
        assert (by_mdm.code, by_mdm.path) == ("99215", "mdm")

    def test_tie_goes_to_mdm_without_prolonged_units(self):
        result = level_office(True, mdm(M, M, M), 45)
        assert (result.code, result.path) == ("99204", "mdm")

    def test_tie_goes_to_time_when_time_earns_prolonged_units(self):
        result = level_office(False, mdm(H, H, H), 55)
        assert (result.code, result.path, result.prolonged_units) == ("99215", "time", 1)

    def test_time_below_the_lowest_threshold_leaves_mdm(self):
        result = level_office(False, mdm(S, S, S), 9)
        assert (result.code, result.path) == ("99212", "mdm")

    def test_99211_is_never_chosen_by_mdm_and_is_flagged(self):
        assert level_office(False, mdm(S, S, S)).code == "99212"
        result = level_office(False, None)
        assert result.code == "99211" and result.needs_review

    def test_new_patient_without_mdm_or_time_gets_no_code(self):
        result = level_office(True, None, 5)
        assert result.code is None and result.needs_review

    def test_bad_inputs_are_usage_errors(self):
        with pytest.raises(UsageError):
            level_office(True, None, 30, payer="medicaid")
        with pytest.raises(UsageError):
            level_office(True, None, 30, year=2020)
        with pytest.raises(UsageError):
            level_office(True, None, -1)


class TestProlonged:
    @pytest.mark.parametrize(
        ("new", "minutes", "units"),
        [
            (True, 74, 0),
            (True, 75, 1),
            (True, 89, 1),
            (True, 90, 2),
            (False, 54, 0),
            (False, 55, 1),
            (False, 69, 1),
            (False, 70, 2),
        ],
    )
    def test_99417_counts_full_15_minute_units_past_the_top_code(self, new, minutes, units):
        result = level_office(new, mdm(S, S, S), minutes)
        assert result.prolonged_units == units
        assert result.prolonged_code == ("99417" if units else None)

    @pytest.mark.parametrize(
        ("new", "minutes", "units"),
        [
            (True, 88, 0),
            (True, 89, 1),
            (True, 103, 1),
            (True, 104, 2),
            (False, 68, 0),
            (False, 69, 1),
            (False, 84, 2),
        ],
    )
    def test_g2212_for_medicare_starts_at_89_and_69_minutes(self, new, minutes, units):
        result = level_office(new, mdm(S, S, S), minutes, payer="medicare")
        assert result.prolonged_units == units
        assert result.prolonged_code == ("G2212" if units else None)

    def test_prolonged_needs_a_time_based_level(self):
        result = level_office(False, mdm(H, H, H), 30)
        assert result.path == "mdm" and result.prolonged_code is None


class TestEmergency:
    @pytest.mark.parametrize(
        ("level", "code"), [(S, "99282"), (L, "99283"), (M, "99284"), (H, "99285")]
    )
    def test_ed_level_is_mdm_only(self, level, code):
        result = level_emergency(mdm(level, level, level))
        assert (result.code, result.path) == (code, "mdm")

    def test_no_mdm_is_99281(self):
        assert level_emergency(None).code == "99281"

    def test_ed_uses_two_of_three(self):
        assert level_emergency(mdm(H, S, H)).code == "99285"
        assert level_emergency(mdm(H, S, L)).code == "99283"

    def test_ed_rules_before_2023_are_not_modelled(self):
        with pytest.raises(UsageError):
            level_emergency(None, year=2022)


def test_result_serialises_grid_and_explanation():
    data = level_office(True, mdm(M, L, M), 92, payer="medicare").to_dict()
    assert data["code"] == "99205" and data["path"] == "time"
    assert data["prolonged"] == {"code": "G2212", "units": 1}
    assert data["grid"]["data"]["level"] == "low"
    assert any("2 of 3" in line for line in data["explanation"])
