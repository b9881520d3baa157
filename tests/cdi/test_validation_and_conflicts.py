"""Clinical-validation and conflicting-documentation queries (AHIMA/ACDIS 2022): a documented
diagnosis the record does not support, and a condition documented two incompatible ways."""

from __future__ import annotations

from cdi_cases import note

from medcoder.cdi import default_rules, find, lint_query


def _asked(text: str, rule_id: str, setting: str = "inpatient") -> list:
    found = find(note(text), setting, rules=[default_rules().by_id(rule_id)])
    for opportunity in found:
        query = opportunity.query
        assert lint_query(query.text, query_type=query.format) == []
    return found


SEPSIS_NORMAL_VITALS = (
    "VITAL SIGNS:  Temperature 98.4, pulse 78, respirations 16, blood pressure 128/76.,"
    "LABORATORY DATA: , White count 8.2.,ASSESSMENT: , Sepsis, start ceftriaxone."
)


def test_sepsis_documented_with_normal_vital_signs_is_a_clinical_validation_query():
    (opportunity,) = _asked(SEPSIS_NORMAL_VITALS, "sepsis_validation.v1")
    assert opportunity.reason == "clinical_validation"
    lines = " ".join(c.line for c in opportunity.query.clinical_indicators)
    assert "Sepsis" in lines and "Heart rate 78" in lines
    assert any(o.startswith("Sepsis ruled out") for o in opportunity.query.options)


def test_sepsis_with_two_sirs_criteria_is_not_questioned():
    text = SEPSIS_NORMAL_VITALS.replace("Temperature 98.4", "Temperature 102.4").replace(
        "pulse 78", "pulse 118"
    )
    assert _asked(text, "sepsis_validation.v1") == []


def test_sepsis_without_recorded_vital_signs_is_not_questioned():
    assert _asked("ASSESSMENT: , Sepsis, start ceftriaxone.", "sepsis_validation.v1") == []


MALNOURISHED = (
    "PHYSICAL EXAMINATION: , CONSTITUTIONAL:  The patient is well nourished, well developed.,"
    "ASSESSMENT: , 3.  Protein-calorie malnutrition."
)


def test_malnutrition_documented_on_a_well_nourished_patient_is_questioned():
    (opportunity,) = _asked(MALNOURISHED, "malnutrition_validation.v1")
    lines = " ".join(c.line for c in opportunity.query.clinical_indicators)
    assert "well nourished" in lines and "malnutrition" in lines


def test_malnutrition_with_supporting_findings_is_not_questioned():
    text = MALNOURISHED + "  20-pound weight loss over three months, poor oral intake."
    assert _asked(text, "malnutrition_validation.v1") == []


CONFLICT = "conflicting_documentation.v1"


def test_a_condition_affirmed_in_the_history_and_denied_in_the_review_of_systems_conflicts():
    text = (
        "PAST MEDICAL HISTORY: , Coronary artery disease, diabetes, CHF.,REVIEW OF SYSTEMS: , "
        "He denies chest pain, congestive heart failure, arrhythmia."
    )
    (opportunity,) = _asked(text, CONFLICT, "outpatient")
    assert opportunity.query.format == "open_ended"
    lines = [c.line for c in opportunity.query.clinical_indicators]
    assert any("past medical history" in line for line in lines)
    assert any("ros" in line and "denies" in line for line in lines)


def test_type_1_and_type_2_diabetes_in_one_record_conflict():
    text = "HPI: , A type 1 diabetic on an insulin pump.,ASSESSMENT: , 2.  Type 2 diabetes."
    assert [o.rule_id for o in _asked(text, CONFLICT)] == [CONFLICT]


def test_family_history_and_denials_do_not_conflict():
    text = (
        "PAST MEDICAL HISTORY: , She denies diabetes mellitus and heart disease.,"
        "FAMILY HISTORY: , Significant for type II diabetes on her mother's side and heart failure."
    )
    assert _asked(text, CONFLICT) == []
