"""Specificity queries: a condition documented without what its code needs is asked about,
with the documentation and any supporting indicators cited; a specific one is never asked.

The notes are invented, written the way transcriptions read (flattened headings, med lists).
"""

from __future__ import annotations

import pytest
from cdi_cases import note

from medcoder.cdi import default_rules, find, lint_query


def _asked(text: str, rule_id: str, setting: str = "inpatient") -> list:
    rules = [default_rules().by_id(rule_id)]
    found = find(note(text), setting, rules=rules)
    for opportunity in found:
        query = opportunity.query
        assert lint_query(query.text, query_type=query.format) == []
    return found


HF = "heart_failure_specificity.v2"


def test_heart_failure_without_type_or_acuity_is_asked_without_bnp_or_ef():
    text = (
        "PAST MEDICAL HISTORY: , Significant for end-stage renal disease on dialysis, "
        "hypertension, congestive heart failure, diabetes, and hyperlipidemia.,MEDICATIONS:, "
        "Novolin, lisinopril, furosemide, Tums, labetalol."
    )
    (opportunity,) = _asked(text, HF)
    assert opportunity.missing == ["type", "acuity"]
    lines = [c.line for c in opportunity.query.clinical_indicators]
    assert any("congestive heart failure" in line for line in lines)
    assert any("furosemide" in line and line.startswith("Treatment") for line in lines)
    assert "without its type and acuity" in opportunity.query.question


def test_chf_exacerbation_gives_the_acuity_and_asks_only_the_type():
    (opportunity,) = _asked("HPI: Presented with a CHF exacerbation, given IV Lasix.", HF)
    assert opportunity.missing == ["type"]


@pytest.mark.parametrize(
    "text",
    [
        "ASSESSMENT: , Acute on chronic systolic congestive heart failure.",
        "ASSESSMENT: , Heart failure, diastolic, chronic, stable.",
        "PMH: chronic HFrEF.,PLAN: , Continue carvedilol for CHF.",
    ],
)
def test_heart_failure_with_type_and_acuity_is_not_asked(text):
    assert _asked(text, HF) == []


def test_the_chronic_of_another_condition_in_a_list_does_not_specify_heart_failure():
    text = "PAST MEDICAL HISTORY: , Diabetes, chronic kidney disease, CHF, hyperlipidemia."
    (opportunity,) = _asked(text, HF)
    assert opportunity.missing == ["type", "acuity"]


ANEMIA = "anemia_specificity.v1"


def test_documented_unspecified_anemia_with_low_hemoglobin_and_transfusion_is_asked():
    text = (
        "EMERGENCY DEPARTMENT TESTING: , CBC was done, which had a hemoglobin of 7.7 and "
        "hematocrit of 22.6.,EMERGENCY DEPARTMENT COURSE: , The patient was transfused 2 units "
        "of packed red blood cells.,DIAGNOSES,1.  HEMATURIA.,2.  SIGNIFICANT ANEMIA."
    )
    (opportunity,) = _asked(text, ANEMIA, "emergency")
    lines = " ".join(c.line for c in opportunity.query.clinical_indicators)
    assert "Hemoglobin 7.7 g/dL" in lines and "transfused" in lines and "ANEMIA" in lines
    assert "Acute blood loss anemia" in opportunity.query.options


def test_anemia_with_its_cause_or_without_any_indicator_is_not_asked():
    assert _asked("IMPRESSION: , Acute blood loss anemia, Hgb 7.1, transfused.", ANEMIA) == []
    assert _asked("IMPRESSION: , Anemia of chronic kidney disease. Hgb 9.1.", ANEMIA) == []
    assert _asked("IMPRESSION/PLAN: , 4.  Anemia.  CBC will be rechecked.", ANEMIA) == []


def test_anemia_with_bleeding_documented_is_asked_without_a_value():
    text = "PREOPERATIVE DIAGNOSES:,1.  Severe menometrorrhagia.,2.  Anemia.,3.  Fibroid uterus."
    assert [o.rule_id for o in _asked(text, ANEMIA)] == [ANEMIA]


RESP = "respiratory_failure_specificity.v1"


def test_ventilator_dependent_respiratory_failure_is_asked_for_acuity_and_type():
    text = (
        "PREOPERATIVE DIAGNOSES:,1.  Ventilator-dependent respiratory failure.,2.  Multiple "
        "strokes.,INDICATIONS:,  He required ventilator assistance and was transported to the ICU."
    )
    (opportunity,) = _asked(text, RESP)
    assert opportunity.missing == ["acuity", "type"]
    assert opportunity.topic == "respiratory_failure"


def test_acute_hypoxic_respiratory_failure_is_not_asked():
    assert _asked("ASSESSMENT: , Acute hypoxic respiratory failure, on BiPAP.", RESP) == []


def test_respiratory_failure_is_not_asked_in_an_office_note():
    assert _asked("PMH: , Respiratory failure in 2019.", RESP, "outpatient") == []


DM = "diabetes_type.v1"


@pytest.mark.parametrize(
    "text",
    [
        "PAST MEDICAL HISTORY: , He has sleep apnea and snoring.  He is a diabetic, on medication.",
        "PAST MEDICAL HISTORY: , Significant for diabetes, hypertension, asthma.,MEDICATIONS: , "
        "Prevacid, Humulin, Proventil.",
        "INDICATIONS:,  This is a 62-year-old male diabetic with urinary retention.",
    ],
)
def test_diabetes_without_its_type_is_asked(text):
    (opportunity,) = _asked(text, DM)
    assert opportunity.missing == ["type"]


@pytest.mark.parametrize(
    "text",
    [
        "She is a type 2 diabetic, with poorly controlled blood sugars at times.",
        "PMH: Diabetes mellitus type II, on metformin.",
        "ASSESSMENT: Central diabetes insipidus after pituitary surgery.",
        "She is non-diabetic.  No history of diabetes.",
        "FAMILY HISTORY: , Obesity, heart disease, and diabetes.",
        "Denies liver disease, kidney disease, diabetes mellitus, thyroid disease.",
    ],
)
def test_diabetes_with_its_type_or_not_the_patients_is_not_asked(text):
    assert _asked(text, DM) == []


OBESITY = "obesity_bmi.v2"


def test_overweight_with_a_bmi_of_51_is_a_query_not_a_block():
    text = (
        "HISTORY OF PRESENT ILLNESS: , He is 344 pounds.  He has a BMI of 51.  He has been "
        "overweight for ten years.  He is pursuing surgical weight loss."
    )
    (opportunity,) = _asked(text, OBESITY, "outpatient")
    options = opportunity.query.options
    assert "Obesity, class 3 (severe or morbid obesity)" in options
    assert not any(o.startswith("Obesity, class 1") for o in options)


def test_a_documented_obesity_class_is_not_asked():
    assert _asked("She is morbidly obese with a BMI of 51.", OBESITY) == []
    assert _asked("ASSESSMENT: , Obesity class 2, BMI 37.", OBESITY) == []


MALNUTRITION = "malnutrition_severity.v1"


def test_history_of_protein_calorie_malnutrition_on_tpn_is_asked():
    text = (
        "INDICATIONS:,  The patient is dependent on parenteral nutrition secondary to dysphagia "
        "and also has history of protein-calorie malnutrition and needs to receive total "
        "parenteral nutrition and therefore needs central venous access."
    )
    (opportunity,) = _asked(text, MALNUTRITION)
    assert opportunity.missing == ["severity"]


def test_malnutrition_with_severity_or_without_nutrition_evidence_is_not_asked():
    assert _asked("ASSESSMENT: Severe protein-calorie malnutrition, on TPN.", MALNUTRITION) == []
    assert _asked("PMH: History of malnutrition as a child.", MALNUTRITION) == []


def test_urosepsis_is_always_asked_because_it_has_no_code():
    text = (
        "BRIEF HISTORY:  ,The patient is a 53-year-old female who presented with Enterococcus "
        "urosepsis.  She was admitted for IV antibiotics."
    )
    (opportunity,) = _asked(text, "urosepsis.v1")
    assert opportunity.topic == "sepsis"
    assert "Urinary tract infection without sepsis" in opportunity.query.options


def test_possible_urosepsis_on_an_inpatient_record_is_asked():
    text = "Due to elevated white count of 39,000 and possible early signs of urosepsis, IV Zosyn."
    assert [o.rule_id for o in _asked(text, "urosepsis.v1")] == ["urosepsis.v1"]


def test_sepsis_without_a_source_is_asked_and_with_one_is_not():
    (opportunity,) = _asked(
        "ASSESSMENT: , Sepsis.  Blood cultures drawn, on vancomycin.", "sepsis_source.v1"
    )
    assert opportunity.query.format == "open_ended"
    assert _asked("ASSESSMENT: , Sepsis due to E. coli pyelonephritis.", "sepsis_source.v1") == []


def test_sepsis_with_organ_dysfunction_values_asks_for_the_link():
    text = "ASSESSMENT: , Sepsis due to pneumonia.  Lactate 4.2 mmol/L.  BP 82/40."
    assert [o.rule_id for o in _asked(text, "sepsis_organ_dysfunction.v1")] == [
        "sepsis_organ_dysfunction.v1"
    ]
    assert _asked(text + " Septic shock, on norepinephrine.", "sepsis_organ_dysfunction.v1") == []


CKD = "ckd_stage.v2"


def test_chronic_renal_failure_on_dialysis_is_asked_for_the_stage():
    text = (
        "PREOPERATIVE DIAGNOSES:,1.  Thrombosed left forearm loop graft.,2.  Chronic renal "
        "failure.,INDICATIONS: , She was not able to have her hemodialysis as routine."
    )
    (opportunity,) = _asked(text, CKD, "outpatient")
    assert opportunity.missing == ["stage"]


@pytest.mark.parametrize(
    "text",
    ["PMH: CKD stage 3b.", "PMH: End-stage renal disease on dialysis.", "PMH: ESRD, on HD."],
)
def test_staged_kidney_disease_is_not_asked(text):
    assert _asked(text, CKD) == []


PRESSURE = "pressure_injury_specificity.v1"


def test_pressure_injury_without_stage_is_asked_and_a_decubitus_position_is_not():
    (opportunity,) = _asked("ASSESSMENT: , Sacral decubitus ulcer, wound care consulted.", PRESSURE)
    assert opportunity.query.format == "open_ended"
    assert _asked("The patient was placed in the left lateral decubitus position.", PRESSURE) == []
    assert _asked("PREOPERATIVE DIAGNOSIS:,  Stage IV necrotic sacral decubitus.", PRESSURE) == []


def test_one_markedly_low_sodium_with_fluid_restriction_is_asked():
    text = "LABS: , Sodium 126.,PLAN: , Fluid restriction 1.2 L/day."
    assert [o.rule_id for o in _asked(text, "hyponatremia.v2")] == ["hyponatremia.v2"]
    assert _asked("LABS: , Sodium 133.,PLAN: , Fluid restriction.", "hyponatremia.v2") == []


def test_a_markedly_raised_creatinine_without_a_kidney_diagnosis_is_asked():
    text = (
        "LABORATORY EXAM:,  Creatinine of 2.38 with BUN of 42 mg/dL.,IMPRESSION:,  Bladder cancer."
    )
    assert [o.rule_id for o in _asked(text, "renal_function.v1")] == ["renal_function.v1"]
    known = "PMH: End-stage renal disease on dialysis.\n" + text
    assert _asked(known, "renal_function.v1") == []


def test_insulin_without_a_diabetes_diagnosis_is_asked():
    text = "HOME MEDICATIONS:,1.  Norvasc.,2.  Insulin 70/30.,3.  Prednisone."
    assert [o.rule_id for o in _asked(text, "diabetes_indicators.v1")] == ["diabetes_indicators.v1"]
    assert _asked("PMH: History of diabetes.\n" + text, "diabetes_indicators.v1") == []


def test_a_specific_code_drawn_from_the_unspecified_words_does_not_silence_the_query():
    """D50.0 matched from "anemia, gastrointestinal bleeding" documents no type of anemia."""
    from medcoder.suggestions import CodeSuggestion, CodingResult, Evidence

    text = "INDICATIONS:,  Performed for evaluation of anemia, gastrointestinal bleeding."
    document = note(text)
    start = text.index("anemia")
    evidence = Evidence(document.id, start, start + 34, text[start : start + 34], "indications")
    coded = CodingResult(
        document.id, "outpatient", [CodeSuggestion("ICD-10-CM", "D50.0", "", 0.9, [evidence])]
    )
    rules = [default_rules().by_id(ANEMIA)]
    assert [o.rule_id for o in find(document, "outpatient", coding=coded, rules=rules)] == [ANEMIA]
