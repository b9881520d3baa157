"""History, status and encounter-reason Z codes (I.C.21.c.3-4, I.C.21.c.8, I.C.21.c.13, IV.P)."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index."""


def _codes(text: str, setting: str = "outpatient") -> list[str]:
    return [c.code for c in medcoder.code(text, setting=setting, systems="icd10cm").codes]


def test_history_of_a_condition_is_its_personal_history_code_I_C_21_c_4() -> None:
    note = "ASSESSMENT AND PLAN\n\n1. History of kidney stones. Strain urine if pain recurs.\n"
    assert _codes(note) == ["Z87.442"]


def test_history_of_cancer_in_the_past_history_of_a_stay_is_z85_not_the_cancer() -> None:
    note = (
        "PAST MEDICAL HISTORY:, History of breast cancer, treated 2015.,DISCHARGE DIAGNOSES:,"
        "1. Community-acquired pneumonia."
    )
    codes = _codes(note, "inpatient")
    assert "Z85.3" in codes and not any(c.startswith("C50") for c in codes)


def test_status_post_a_procedure_is_its_status_code_I_C_21_c_3() -> None:
    assert _codes("ASSESSMENT:\nStatus post CABG in 2019, stable.\n", "inpatient") == ["Z95.1"]


def test_a_coronary_stent_in_the_past_history_is_the_angioplasty_implant_status() -> None:
    note = (
        "PAST MEDICAL HISTORY: , Coronary stenting.  History of high blood pressure.,"
        "DISCHARGE DIAGNOSES:,1.  Community-acquired pneumonia."
    )
    assert "Z95.5" in _codes(note, "inpatient")  # Status, angioplasty, coronary, with implant


def test_a_procedure_named_without_a_status_cue_is_not_a_status() -> None:
    note = "ASSESSMENT:\nCoronary artery bypass graft recommended by cardiology.\n"
    assert "Z95.1" not in _codes(note, "inpatient")


def test_family_history_is_coded_as_family_history_not_the_relatives_condition() -> None:
    note = (
        "FAMILY HISTORY:\nMother with a history of breast cancer.\n\n"
        "ASSESSMENT:\nAcute bronchitis.\n"
    )
    codes = _codes(note)
    assert not any(c.startswith("C50") for c in codes)


FOLLOW_UP = """CHIEF COMPLAINT

Follow-up.

ASSESSMENT AND PLAN

1. Essential hypertension. Continue lisinopril.
"""


def test_follow_up_z09_is_not_reported_beside_a_managed_condition_I_C_21_c_8() -> None:
    codes = _codes(FOLLOW_UP)
    assert codes == ["I10"]


ANNUAL = """CHIEF COMPLAINT

Annual physical exam.

HISTORY OF PRESENT ILLNESS

Mr. Cho is a 55-year-old man here for his annual exam. He has hypertension.

ASSESSMENT AND PLAN

1. Essential hypertension. Continue amlodipine.
"""


def test_a_routine_exam_is_first_listed_with_abnormal_findings_when_conditions_are_coded() -> None:
    codes = _codes(ANNUAL)
    assert codes[0] == "Z00.01" and "I10" in codes


def test_a_routine_exam_without_findings_is_z00_00() -> None:
    note = "CHIEF COMPLAINT\n\nAnnual physical.\n\nASSESSMENT\n\nHealthy adult, 40-year-old.\n"
    assert _codes(note)[0] == "Z00.00"


def test_a_chronic_condition_stated_as_history_in_the_assessment_is_current_III_B() -> None:
    # "history of" a chronic disease says the patient has it; a past acute illness is history
    note = (
        "ASSESSMENT:,1.  History of COPD and CHF, both stable on current inhalers and "
        "diuretics.,2.  History of pneumonia in 2019."
    )
    codes = [c.code for c in medcoder.code(note, setting="outpatient", systems="icd10cm").codes]
    assert {"J44.9", "I50.9"} <= set(codes)
    assert not any(c.startswith("J18") for c in codes), codes


def test_an_earlier_routine_physical_told_in_the_history_is_not_this_visits_reason_IV_P() -> None:
    note = (
        "HISTORY OF PRESENT ILLNESS\n\nMr. Ward is a 60-year-old male who presents today "
        "following a positive hepatitis C antibody test. He was sent to obtain the test as part "
        "of a routine physical last month.\n\nASSESSMENT\n\nHepatitis C.\n"
    )
    codes = _codes(note)
    assert codes and not any(c.startswith("Z00") for c in codes), codes
