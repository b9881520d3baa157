"""A coder's reading of real-looking notes: diagnoses come from what the provider states, not
from every word that names a condition (guidelines I.B.4-5, III, IV.C-D, IV.J)."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in FY2026 tabular pack and the synthetic index."""


OFFICE = """CHIEF COMPLAINT

Follow-up of chronic problems.

HISTORY OF PRESENT ILLNESS

Mr. Ortiz is a 61-year-old male with a past medical history significant for hypertension and
type 2 diabetes who presents for follow up. He reports fatigue over the last month. He denies
chest pain.

CURRENT MEDICATIONS

Lisinopril 20 mg daily, metformin 500 mg twice daily.

ALLERGIES

ADHESIVE TAPE.

REVIEW OF SYSTEMS

• Constitutional: Reports fatigue.
• Cardiovascular: Denies chest pain or palpitations.
• Skin: Denies rash.

PHYSICAL EXAMINATION

• Skin: Warm, dry, and intact.
• Cardiovascular: Regular rate and rhythm. No murmurs.

ASSESSMENT AND PLAN

Mr. Ortiz is a 61-year-old male with a past medical history significant for hypertension and
type 2 diabetes, who presents today for follow up of his chronic problems.

Essential hypertension.
• Medical Reasoning: His blood pressure is well controlled on lisinopril.
• Medical Treatment: Continue lisinopril 20 mg daily.

Type 2 diabetes mellitus.
• Medical Reasoning: He reports fatigue. His last hemoglobin A1c was 7.1.
• Patient Education and Counseling: We discussed diet and exercise.

Patient Agreements: The patient understands and agrees with the recommended medical treatment plan.
"""


def _codes(text: str, setting: str = "outpatient") -> list[str]:
    return [c.code for c in medcoder.code(text, setting=setting, systems="icd10cm").codes]


def test_conditions_come_from_the_stated_problems_not_the_exam_ros_or_allergy_list() -> None:
    codes = _codes(OFFICE)
    assert set(codes) >= {"I10", "E11.9"}
    assert not any(c.startswith(("L85", "K66", "R53", "Z71")) for c in codes), codes


def test_the_first_stated_problem_is_first_listed_IV_G() -> None:
    assert _codes(OFFICE)[0] == "I10"


def test_symptoms_in_the_reasoning_under_a_problem_are_not_coded_I_B_5() -> None:
    result = medcoder.code(OFFICE, setting="outpatient", systems="icd10cm")
    fatigue = [r for r in result.rejected if r.code.startswith("R53")]
    assert fatigue and all(r.guideline in ("I.B.4", "I.B.5", "IV.C") for r in fatigue)


CONSENT_OP_NOTE = (
    "PREOPERATIVE DIAGNOSIS:, Right inguinal hernia.,POSTOPERATIVE DIAGNOSIS:, Right "
    "inguinal hernia.,PROCEDURE PERFORMED:, Right inguinal herniorrhaphy.,INDICATIONS:, The "
    "patient has a painful bulge in the right groin. The risks including bleeding, infection, "
    "deep venous thrombosis and pulmonary embolism were discussed and consent obtained.,"
    "ANESTHESIA:, General.,PROCEDURE IN DETAIL:, The patient was brought to the operating room "
    "and prepped and draped in the usual sterile fashion. Venous compression devices were "
    "placed."
)


def test_risks_read_out_for_consent_and_devices_are_not_conditions_IV_C() -> None:
    codes = _codes(CONSENT_OP_NOTE, "inpatient")
    assert codes and codes[0].startswith("K40")
    assert not any(c.startswith(("I26", "I82", "I87", "R58", "T81")) for c in codes), codes


DISCHARGE = """DISCHARGE SUMMARY

HISTORY OF PRESENT ILLNESS: This 74-year-old woman with hypertension, hyperlipidemia and
asthma was admitted with fever and productive cough.

PAST MEDICAL HISTORY: Hypertension. Hyperlipidemia. Asthma. Appendectomy at age 20.

DISCHARGE DIAGNOSES:
1. Community-acquired pneumonia.
2. Acute kidney injury, resolved with fluids.

HOSPITAL COURSE: She was treated with ceftriaxone and azithromycin.
"""


def test_inpatient_chronic_conditions_of_the_history_are_coded_III_B() -> None:
    codes = _codes(DISCHARGE, "inpatient")
    assert codes[0].startswith("J18")  # the first discharge diagnosis is principal
    assert {"I10", "E78.5"} <= set(codes)
    assert any(c.startswith("J45") for c in codes)
    assert not any(c.startswith("R50") for c in codes)  # fever explained by the pneumonia


def test_outpatient_history_without_a_stated_problem_is_not_coded() -> None:
    codes = _codes(DISCHARGE.replace("DISCHARGE SUMMARY", "CLINIC NOTE"), "outpatient")
    assert "E78.5" not in codes


def test_a_note_that_states_no_diagnosis_is_read_whole() -> None:
    letter = "Mrs. Diaz has had acute bronchitis for a week and is improving on rest and fluids."
    assert any(c.startswith("J20") for c in _codes(letter))


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("Right wrist Colles fracture.", "S52.531A"),
        ("Right medial epicondylitis.", "M77.01"),
        ("Left ankle sprain.", "S93.402A"),
        ("Osteoarthritis, right knee.", "M17.11"),
    ],
)
def test_laterality_documented_picks_the_side_code_I_B_13(statement: str, expected: str) -> None:
    result = medcoder.code(f"ASSESSMENT:\n{statement}\n", systems="icd10cm")
    found = {c.code: c for c in result.codes}
    assert expected in found, list(found)
    assert "I.B.13" in found[expected].guidelines


def test_laterality_of_a_statement_without_a_side_comes_from_its_preoperative_diagnosis() -> None:
    note = (
        "PREOPERATIVE DIAGNOSIS:, Rotator cuff tear, left.,POSTOPERATIVE DIAGNOSES:,1.  "
        "Sixty-percent rotator cuff tear, joint side.,ANESTHESIA:, General."
    )
    assert (
        _codes(note, "inpatient")[0].startswith("M75.1") and _codes(note, "inpatient")[0][-1] == "2"
    )


WORKUP_VISIT = """CHIEF COMPLAINT

Annual exam.

PHYSICAL EXAMINATION

• Cardiovascular: Regular rate. 2/6 systolic cardiac murmur at the left sternal border.

ASSESSMENT

1. Essential hypertension.

PLAN

Her hypertension is well controlled; continue lisinopril 10 mg daily. I am also going to
order an echocardiogram for further evaluation of the cardiac murmur heard on exam.
{extra}
"""


def test_a_sign_the_plan_works_up_is_coded_when_no_diagnosis_explains_it_IV_D() -> None:
    codes = _codes(WORKUP_VISIT.format(extra=""))
    assert "I10" in codes and "R01.1" in codes


def test_a_plan_that_evaluates_for_a_condition_does_not_code_it() -> None:
    # "to evaluate for" is a rule-out (IV.H): the plan names no condition of the patient
    extra = "Chest x-ray to evaluate for pneumonia. Monitor for signs of infection."
    codes = _codes(WORKUP_VISIT.format(extra=extra))
    assert not any(c.startswith(("J18", "A49", "B99")) for c in codes), codes


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        # no bilateral code: one code per side (I.B.13)
        ("Bilateral medial epicondylitis.", ["M77.01", "M77.02"]),
        # a bilateral code exists: it is the code ("bilateral upper limbs")
        ("Bilateral carpal tunnel syndrome.", ["G56.03"]),
    ],
)
def test_a_bilateral_condition_takes_each_side_where_no_bilateral_code_exists_I_B_13(
    statement: str, expected: list[str]
) -> None:
    assert _codes(f"ASSESSMENT:\n{statement}\n") == expected
