"""Guideline rules that add or link codes: tobacco (I.C.5.b), infectious agents (I.C.1.b),
"with" links through the Tabular's notes (I.A.15), integral symptoms (I.B.5), eponyms."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index."""


def _codes(text: str, setting: str = "inpatient") -> list[str]:
    return [c.code for c in medcoder.code(text, setting=setting, systems="icd10cm").codes]


@pytest.mark.parametrize(
    ("social", "expected"),
    [
        ("He smokes approximately 2 packs per day times greater than 40 years.", "F17.210"),
        ("Continues to smoke a couple of cigarettes a day.", "F17.210"),
        ("Chews tobacco daily.", "F17.220"),
        ("Former smoker, quit in 2010.", "Z87.891"),
        (
            "He previously smoked 2 packs a day for 20 years and was able to stop smoking "
            "approximately 4 years ago.",
            "Z87.891",
        ),
    ],
)
def test_tobacco_use_is_coded_by_product_and_status_I_C_5_b(social: str, expected: str) -> None:
    note = f"SOCIAL HISTORY:\n{social}\n\nASSESSMENT:\nAcute bronchitis.\n"
    assert expected in _codes(note, "outpatient")


@pytest.mark.parametrize(
    ("reasoning", "expected"),
    [
        ("He is currently smoking 1.5 packs per day.", "F17.210"),
        ("She chews tobacco daily, a can a week.", "F17.220"),
        ("He wants to quit.", "F17.200"),
    ],
)
def test_stated_nicotine_dependence_takes_the_product_the_record_names_I_C_5_b(
    reasoning: str, expected: str
) -> None:
    note = (
        "ASSESSMENT AND PLAN:\n1. Nicotine dependence.\n- Medical Reasoning: "
        f"{reasoning}\n- Medical Treatment: Nicotine patch 21 mg daily.\n"
    )
    tobacco = [c for c in _codes(note, "outpatient") if c.startswith("F17")]
    assert len(tobacco) == 1 and tobacco[0][:6] == expected[:6], tobacco  # the product axis


@pytest.mark.parametrize(
    "social", ["Denies tobacco, alcohol or drug use.", "Never smoker.", "Tobacco: none."]
)
def test_no_tobacco_code_when_the_history_denies_it(social: str) -> None:
    note = f"SOCIAL HISTORY:\n{social}\n\nASSESSMENT:\nAcute bronchitis.\n"
    assert not any(c.startswith(("F17", "Z87.891")) for c in _codes(note, "outpatient"))


def test_the_documented_organism_of_an_infection_is_added_I_C_1_b() -> None:
    note = (
        "CHIEF COMPLAINT:, Penile cellulitis.,HISTORY OF PRESENT ILLNESS:, Since being "
        "hospitalized, his cultures apparently have grown Staph but it is unknown yet whether "
        "it is methicillin-resistant.,IMPRESSION/PLAN:, Penile cellulitis, improving on "
        "clindamycin."
    )
    codes = _codes(note)
    assert codes[0] == "N48.22" and "B95.8" in codes


def test_no_organism_from_a_culture_still_to_rule_it_out() -> None:
    note = "IMPRESSION:\nPenile cellulitis. Rule out MRSA; cultures pending.\n"
    assert not any(c.startswith("B95") for c in _codes(note))


def test_bph_with_retention_is_the_with_code_and_its_named_symptom_I_A_15() -> None:
    note = (
        "BRIEF HISTORY:, The patient presented with urinary retention and pneumonia.,"
        "ASSESSMENT AND PLAN:,1.  Pneumonia.,2.  Retention.,3.  BPH."
    )
    codes = _codes(note)
    assert "N40.1" in codes and "R33.8" in codes and "N40.0" not in codes


def test_bph_stated_with_an_obstruction_its_note_names_in_words_is_the_with_code_I_A_15() -> None:
    note = (
        "HISTORY:, This 71-year-old male was admitted with enlarged prostate and voiding "
        "difficulty.,PROCEDURES:, Cystoscopy and transurethral resection of the prostate.,"
        "DISCHARGE DIAGNOSIS:, Enlarged prostate with benign bladder neck obstruction.,"
        "DISPOSITION:, Home with a Foley catheter."
    )
    codes = _codes(note)
    assert codes[0] == "N40.1" and "N13.8" in codes
    assert "N40.0" not in codes and "N32.0" not in codes


def test_bph_and_an_unrelated_obstruction_stay_apart() -> None:
    note = (
        "ASSESSMENT:,1.  Enlarged prostate, on tamsulosin.,2.  Bladder neck obstruction "
        "after a pelvic fracture, followed by urology."
    )
    codes = _codes(note, "outpatient")
    assert "N40.1" not in codes and "N13.8" not in codes


DIABETIC_FOOT = (
    "CHIEF COMPLAINT:, Right heel ulcer.,HISTORY OF PRESENT ILLNESS:, A 66-year-old man with "
    "type 2 diabetes on metformin presents with a sore on the back of the right heel for three "
    "weeks.,ASSESSMENT:,1.  Non-healing ulcer, right heel, fat layer exposed.,2.  Type 2 "
    "diabetes.{extra},PLAN:, Offloading shoe, wound care referral, recheck in two weeks."
)


def test_bph_with_a_symptom_in_the_past_history_of_a_stay_is_the_with_code_I_A_15() -> None:
    note = (
        "PAST MEDICAL HISTORY:, Hypertension.  Benign prostatic hyperplasia with nocturia.  "
        "Former smoker, quit 2005.,DISCHARGE DIAGNOSES:,1.  Community-acquired pneumonia."
    )
    codes = _codes(note)
    assert {"N40.1", "R35.1", "Z87.891"} <= set(codes)
    assert "N40.0" not in codes and not any(c.startswith("F17") for c in codes)


@pytest.mark.parametrize(
    ("vitals", "weight", "expected"),
    [
        ("BP 128/78, pulse 72, BMI 31.2.", "Obesity.", "Z68.31"),
        ("Weight 290 lb, body mass index 42.", "Morbid obesity.", "Z68.41"),
        ("BMI 31.2.", "Essential hypertension.", None),  # no weight diagnosis: no BMI code
    ],
)
def test_a_stated_adult_bmi_is_coded_with_its_weight_diagnosis_I_B_14(
    vitals: str, weight: str, expected: str | None
) -> None:
    note = (
        "SUBJECTIVE:, This 52-year-old man returns for follow-up.,OBJECTIVE:, "
        f"{vitals},ASSESSMENT:,1.  {weight},PLAN:, Diet and exercise counseling."
    )
    bmi = [c for c in _codes(note, "outpatient") if c.startswith("Z68")]
    assert bmi == ([expected] if expected else [])


def test_a_childs_bmi_value_gives_no_adult_code() -> None:
    note = "SUBJECTIVE:, 12-year-old boy.,OBJECTIVE:, BMI 31.,ASSESSMENT:,1.  Obesity."
    assert not any(c.startswith("Z68") for c in _codes(note, "outpatient"))


def test_diabetes_with_a_foot_ulcer_its_code_asks_to_identify_is_the_combination_I_C_4_a() -> None:
    codes = _codes(DIABETIC_FOOT.format(extra=""), "outpatient")
    assert "E11.621" in codes and "E11.9" not in codes
    assert any(c.startswith("L97.41") for c in codes)  # the ulcer's site, as E11.621 asks


def test_a_diabetes_complication_code_keeps_its_place_and_the_ulcer_is_added_I_C_4_a() -> None:
    codes = _codes(DIABETIC_FOOT.format(extra=" mellitus with hyperglycemia"), "outpatient")
    assert {"E11.65", "E11.621"} <= set(codes)


def test_a_symptom_routinely_part_of_the_stated_diagnosis_is_not_coded_I_B_5() -> None:
    note = "ASSESSMENT:,1.  Left flank pain.,2.  Left ureteral stone.,PLAN:, Lithotripsy."
    codes = _codes(note)
    assert any(c.startswith("N20") for c in codes) and "R10.9" not in codes


def test_an_eponym_names_its_disease_alone() -> None:
    assert _codes("PAST MEDICAL HISTORY:\nParkinson's.\n\nASSESSMENT:\nParkinson's.\n") == [
        "G20.A1"
    ]


def test_chronic_pain_gets_g89_29_beside_its_site_code_I_C_6_b_1() -> None:
    codes = _codes("ASSESSMENT AND PLAN\n\nChronic back pain. Continue gabapentin.\n", "outpatient")
    assert codes[0] == "M54.9" and "G89.29" in codes


def test_pain_not_called_chronic_gets_no_g89() -> None:
    assert "G89.29" not in _codes("ASSESSMENT:\nBack pain after lifting.\n", "outpatient")


def test_conditions_in_a_list_are_separate_not_the_index_combination() -> None:
    note = (
        "HISTORY OF PRESENT ILLNESS:\nShe has a history of hyperlipidemia, asthma, and type 2 "
        "diabetes.\n\nDISCHARGE DIAGNOSES:\n1. Pneumonia.\n"
    )
    codes = _codes(note)
    assert "E11.9" in codes and not any(c.startswith("E11.6") for c in codes)


def test_diabetes_without_complications_yields_to_a_diabetes_code_with_one_I_C_4_a() -> None:
    note = (
        "ASSESSMENT:\n1. Type 2 diabetes mellitus.\n2. Type 2 diabetes mellitus with "
        "hyperglycemia.\n"
    )
    codes = _codes(note, "outpatient")
    assert "E11.65" in codes and "E11.9" not in codes
