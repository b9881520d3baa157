"""Medicare Code Editor age and sex conflicts (MCE-AGE-*, MCE-SEX-*)."""

from __future__ import annotations

from medcoder.edits import mce
from medcoder.edits.findings import Severity
from medcoder.edits.mce import MceConfig


def _enc(make, code: str, birth: str, sex: str = "F", **kw):  # noqa: ANN001, ANN202
    return make(diagnoses=[{"code": code}], patient={"birth_date": birth, "sex": sex}, **kw)


def test_newborn_code_on_an_adult_is_a_deny(make, run) -> None:
    found = run(mce.age_newborn, _enc(make, "Z38.00", "1986-01-01"))
    assert found and found[0].rule_id == "MCE-AGE-001" and found[0].severity is Severity.DENY
    assert found[0].details["age"] == 40


def test_newborn_code_on_a_newborn_passes(make, run) -> None:
    assert run(mce.age_newborn, _enc(make, "Z38.00", "2026-01-14")) == []


def test_pediatric_code_on_an_adult_is_a_deny(make, run) -> None:
    assert run(mce.age_pediatric, _enc(make, "Z00.129", "1990-01-01"))[0].rule_id == "MCE-AGE-002"


def test_pediatric_code_on_a_child_passes(make, run) -> None:
    assert run(mce.age_pediatric, _enc(make, "Z00.129", "2020-01-01")) == []


def test_maternity_code_on_a_70_year_old_is_a_deny(make, run) -> None:
    assert run(mce.age_maternity, _enc(make, "O80", "1955-01-01"))[0].rule_id == "MCE-AGE-003"


def test_maternity_code_in_range_passes(make, run) -> None:
    assert run(mce.age_maternity, _enc(make, "Z3A.30", "1995-01-01")) == []


def test_maternity_age_range_is_configurable(make, run) -> None:
    enc = _enc(make, "O80", "2015-06-01")  # 10 years old
    assert run(mce.age_maternity, enc) == []
    assert run(mce.age_maternity, enc, mce=MceConfig(maternity_ages=(12, 55)))


def test_adult_code_on_a_child_is_a_deny(make, run) -> None:
    assert run(mce.age_adult, _enc(make, "Z00.00", "2016-01-01"))[0].rule_id == "MCE-AGE-004"


def test_adult_code_on_an_adult_passes(make, run) -> None:
    assert run(mce.age_adult, _enc(make, "Z00.00", "1980-01-01")) == []


def test_female_only_code_on_a_male_is_a_warning(make, run) -> None:
    found = run(mce.sex_female_only, _enc(make, "O80", "1990-01-01", "M"))
    assert found and found[0].rule_id == "MCE-SEX-001" and found[0].severity is Severity.WARN


def test_female_only_code_on_a_female_passes(make, run) -> None:
    assert run(mce.sex_female_only, _enc(make, "O80", "1990-01-01", "F")) == []


def test_sex_edits_can_be_switched_off_and_waived_by_kx(make, run) -> None:
    enc = _enc(make, "O80", "1990-01-01", "M")
    assert run(mce.sex_female_only, enc, mce=MceConfig(sex_edits=False)) == []
    kx = [{"code": "99213", "charge": "1", "dx_pointers": [1], "modifiers": ["KX"]}]
    assert run(mce.sex_female_only, _enc(make, "O80", "1990-01-01", "M", lines=kx)) == []
    cc45 = _enc(make, "O80", "1990-01-01", "M", condition_codes=["45"])
    assert run(mce.sex_female_only, cc45) == []


def test_male_only_code_on_a_female_is_a_warning(make, run) -> None:
    assert (
        run(mce.sex_male_only, _enc(make, "N40.0", "1950-01-01", "F"))[0].rule_id == "MCE-SEX-002"
    )


def test_male_only_code_on_a_male_or_unknown_sex_passes(make, run) -> None:
    assert run(mce.sex_male_only, _enc(make, "N40.0", "1950-01-01", "M")) == []
    assert run(mce.sex_male_only, _enc(make, "N40.0", "1950-01-01", "U")) == []


def test_prefix_table_matches_by_category_and_subcategory() -> None:
    table = mce.PrefixTable(["O", "Z331", "N40"])
    assert table.match("O80") == "O" and table.match("Z3310") == "Z331"
    assert table.match("Z3320") is None
    assert table.match("N400") == "N40" and table.match("N39") is None
