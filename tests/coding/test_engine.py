"""The coding engine on small synthetic notes, one convention per test (guideline cited)."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder
from medcoder.errors import UsageError


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """Every engine test runs on the built-in FY2026 pack."""


def codes(text: str, setting: str = "outpatient") -> list[str]:
    return [c.code for c in medcoder.code(text, setting=setting, systems="icd10cm").codes]


def test_present_condition_is_coded_with_its_evidence() -> None:
    text = "ASSESSMENT:\nAcute appendicitis."
    result = medcoder.code(text, setting="outpatient")
    first = result.codes[0]
    assert first.code.startswith("K35")
    span = first.evidence[0]
    assert text[span.start : span.end].lower() == span.text.lower()
    assert span.section == "assessment"


def test_negated_condition_is_not_coded_and_says_why() -> None:
    result = medcoder.code("The patient denies chest pain. No evidence of pneumonia.")
    assert not any(c.code.startswith(("R07", "J18")) for c in result.codes)
    assert any("negates" in r.reason for r in result.rejected)


def test_uncertain_diagnosis_not_coded_in_outpatient_IV_H() -> None:
    assert not any(c.startswith("J18") for c in codes("Probable pneumonia.", "outpatient"))


def test_uncertain_diagnosis_coded_as_established_in_inpatient_II_H() -> None:
    assert any(c.startswith("J18") for c in codes("Probable pneumonia.", "inpatient"))


def test_family_history_is_not_the_patients_condition() -> None:
    text = "FAMILY HISTORY:\nMother had breast cancer.\n\nASSESSMENT:\nAcute bronchitis."
    found = codes(text)
    assert not any(c.startswith("C50") for c in found)
    assert any(c.startswith("J20") for c in found)


def test_hypertension_with_ckd_is_a_combination_code_I_C_9_a_2() -> None:
    found = codes("ASSESSMENT:\n1. Hypertension.\n2. Chronic kidney disease stage 3a.")
    assert "I12.9" in found and "N18.31" in found and "I10" not in found


def test_hypertension_with_heart_failure_is_I11_0_I_C_9_a_1() -> None:
    found = codes("ASSESSMENT:\n1. Hypertension.\n2. Chronic diastolic heart failure.")
    assert "I11.0" in found and "I50.32" in found and "I10" not in found


def test_hypertension_heart_failure_and_ckd_is_I13_0_I_C_9_a_3() -> None:
    found = codes(
        "ASSESSMENT:\n1. Hypertension.\n2. Chronic systolic heart failure.\n"
        "3. Chronic kidney disease stage 4."
    )
    assert "I13.0" in found and "I10" not in found and "I11.0" not in found


def test_diabetes_with_ckd_is_presumed_linked_I_A_15() -> None:
    found = codes("ASSESSMENT:\n1. Type 2 diabetes mellitus.\n2. Chronic kidney disease stage 2.")
    assert "E11.22" in found and "N18.2" in found and "E11.9" not in found


def test_excludes1_keeps_the_more_specific_code_I_A_12_a() -> None:
    result = medcoder.code(
        "ASSESSMENT:\nType 1 diabetes mellitus with diabetic nephropathy. Diabetes."
    )
    found = [c.code for c in result.codes]
    assert "E10.21" in found
    assert not any(c.startswith("E11") for c in found)


def test_integral_symptom_dropped_in_outpatient_I_B_5() -> None:
    text = "ASSESSMENT:\nAcute appendicitis with abdominal pain."
    found = codes(text, "outpatient")
    assert any(c.startswith("K35") for c in found)
    assert not any(c.startswith("R10") for c in found)


def test_symptoms_kept_in_abstraction() -> None:
    text = "ASSESSMENT:\nAcute appendicitis with abdominal pain."
    assert any(c.startswith("R10") for c in codes(text, "abstraction"))


def test_history_is_coded_in_abstraction_only() -> None:
    text = "PAST MEDICAL HISTORY:\nPeptic ulcer disease.\n\nASSESSMENT:\nAcute bronchitis."
    assert not any(c.startswith("K27") for c in codes(text, "outpatient"))
    assert any(c.startswith("K27") for c in codes(text, "abstraction"))


def test_abbreviations_are_read_as_their_expansion() -> None:
    assert "I10" in codes("ASSESSMENT:\nHTN, well controlled.")


def test_empty_and_non_clinical_text_give_no_codes() -> None:
    assert codes("") == []
    assert codes("The quarterly meeting moved to Thursday afternoon.") == []


def test_unknown_setting_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="setting"):
        medcoder.code("Hypertension.", setting="ambulatory")


def test_scores_are_confidences_between_zero_and_one() -> None:
    result = medcoder.code("ASSESSMENT:\nHypertension. Hyperlipidemia. Acute bronchitis.")
    assert result.codes and all(0.0 <= c.score <= 1.0 for c in result.codes)


def test_every_reported_code_is_billable_in_the_pack() -> None:
    from medcoder.codesets import registry

    pack = registry.icd10cm()
    result = medcoder.code(
        Path(__file__).parents[2].joinpath("examples/discharge_summary.txt").read_text()
    )
    assert result.codes and all(pack.is_billable(c.code) for c in result.codes)


def test_hypertension_with_diabetic_ckd_is_I12_I_C_9_a_2() -> None:
    found = codes(
        "ASSESSMENT:\n1. Type 2 diabetes mellitus with diabetic chronic kidney disease.\n"
        "2. Essential hypertension."
    )
    assert "E11.22" in found and "I12.9" in found and "I10" not in found


def test_inpatient_principal_is_first_final_diagnosis_not_a_symptom_II() -> None:
    text = (
        "CHIEF COMPLAINT:\nShortness of breath.\n\nHOSPITAL COURSE:\nShe developed a urinary "
        "tract infection on hospital day 3.\n\nDISCHARGE DIAGNOSES:\n1. Acute bronchitis.\n"
        "2. Hyperlipidemia.\n"
    )
    result = medcoder.code(text, setting="inpatient")
    first = result.codes[0]
    assert first.principal and first.code.startswith("J20")
    assert not any(c.principal for c in result.codes[1:])


def test_poa_from_where_the_condition_is_documented_appendix_I() -> None:
    text = (
        "HISTORY OF PRESENT ILLNESS:\nAdmitted with acute bronchitis.\n\nHOSPITAL COURSE:\n"
        "She developed acute appendicitis on hospital day 3.\n\nDISCHARGE DIAGNOSES:\n"
        "1. Acute bronchitis.\n2. Hyperlipidemia.\n3. Acute kidney failure.\n"
    )
    poa = {c.code[:3]: c.poa for c in medcoder.code(text, setting="inpatient").codes}
    assert poa["J20"] == "Y" and poa["K35"] == "N"
    # Appendix I: a chronic condition is "Y" even when first stated at discharge; an acute one
    # stated only there, with nothing on when it began, is "U"
    assert poa["E78"] == "Y" and poa["N17"] == "U"


def test_combination_code_with_use_additional_code_is_sequenced_first_I_C_9_a_3() -> None:
    text = (
        "DISCHARGE DIAGNOSES:\n1. Chronic systolic heart failure.\n2. Hypertension.\n"
        "3. Chronic kidney disease stage 4.\n"
    )
    result = medcoder.code(text, setting="inpatient")
    assert result.codes[0].code == "I13.0" and result.codes[0].principal


def test_see_main_term_with_subterms_is_a_synonym_I_A_16() -> None:
    """ "Cholelithiasis" says *see* "Calculus, gallbladder" and has subterms of its own: the
    documented "acute cholecystitis with cholelithiasis" follows Calculus, gallbladder, with
    cholecystitis, acute (K80.00), not the NOS inclusion under K80.10."""
    assert codes("Acute cholecystitis with cholelithiasis.", "inpatient") == ["K80.00"]


def test_bare_procedure_word_is_not_a_condition() -> None:
    """ "Under general anesthesia" names the procedure; loss of sensation (R20.0) needs more
    than the bare word (nlp/data/bare_terms.tsv), which still counts inside a longer phrase."""
    assert "R20.0" not in codes("Surgery was performed under general anesthesia.")
    assert "R20.0" in codes("Sensory anesthesia of the left foot.")


def test_unspecified_code_yields_to_specific_code_of_its_category_I_B_18() -> None:
    """ "Heart failure" in the history and "acute on chronic diastolic heart failure" in the
    assessment are one condition: I50.33 alone in billing; abstraction keeps each mention."""
    text = "HPI: Heart failure.\nAssessment: Acute on chronic diastolic heart failure.\n"
    billed = codes(text, "inpatient")
    assert "I50.33" in billed
    assert "I50.9" not in billed
    assert {"I50.33", "I50.9"} <= set(codes(text, "abstraction"))


def test_an_admission_h_and_p_states_what_was_present_on_arrival_appendix_I() -> None:
    note = (
        "HISTORY AND PHYSICAL,CHIEF COMPLAINT:, Chest pain.,HISTORY OF PRESENT ILLNESS:, A "
        "64-year-old man presents with two hours of chest pressure. ECG with ST depressions in "
        "V4-V6; troponin rising.,PHYSICAL EXAM:, Diaphoretic.,ASSESSMENT AND PLAN:,1.  Non-ST "
        "elevation myocardial infarction. Heparin drip, cardiology consult.,2.  Acute kidney "
        "failure, hold metformin."
    )
    result = medcoder.code(note, setting="inpatient", systems="icd10cm")
    poa = {c.code[:3]: c.poa for c in result.codes}
    assert poa["I21"] == "Y" and poa["N17"] == "Y"
    assert not any(c.code.startswith("F32") for c in result.codes)  # ST depression is the ECG


def test_a_poa_the_provider_states_is_the_indicator_appendix_I() -> None:
    note = (
        "DISCHARGE DIAGNOSES:\n1. Acute kidney failure, present on admission.\n"
        "2. Acute bronchitis, not present on admission.\n"
    )
    poa = {c.code[:3]: c.poa for c in medcoder.code(note, setting="inpatient").codes}
    assert poa["N17"] == "Y" and poa["J20"] == "N"


def test_what_an_operation_treated_was_present_before_it_appendix_I() -> None:
    note = (
        "PREOPERATIVE DIAGNOSIS:, Symptomatic cholelithiasis.,POSTOPERATIVE DIAGNOSIS:, Acute "
        "cholecystitis with cholelithiasis.,PROCEDURE PERFORMED:, Laparoscopic cholecystectomy."
        ",COMPLICATIONS:, None."
    )
    result = medcoder.code(note, setting="inpatient", systems="icd10cm")
    assert [(c.code, c.poa) for c in result.codes] == [("K80.00", "Y")]


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        (
            "DISCHARGE DIAGNOSES:\n1. Chronic kidney disease stage 3b.\n2. Stage 3 CKD.\n",
            "N18.32",
            "N18.30",
        ),
        (
            "HPI: Heart failure with preserved ejection fraction.\n"
            "DISCHARGE DIAGNOSES:\n1. Acute on chronic diastolic heart failure.\n",
            "I50.33",
            "I50.30",
        ),
    ],
)
def test_a_code_leaving_more_axes_unspecified_yields_to_its_specific_sibling_I_B_18(
    text: str, kept: str, dropped: str
) -> None:
    billed = codes(text, "inpatient")
    assert kept in billed and dropped not in billed


def test_two_conditions_of_one_category_are_not_one_less_specified_I_B_18() -> None:
    text = "POSTOPERATIVE DIAGNOSES:\n1. Uterine fibroid.\n2. Cystocele.\n3. Rectocele.\n"
    billed = codes(text, "inpatient")
    assert {"N81.10", "N81.6"} <= set(billed)


@pytest.mark.parametrize(("colles", "both"), [("Left", False), ("Right", True)])
def test_an_unspecified_fracture_yields_to_the_specific_one_of_the_same_side_I_B_18(
    colles: str, both: bool
) -> None:
    text = (
        f"IMPRESSION:\n1. {colles} Colles' fracture.\n"
        "2. Fracture of the lower end of the left radius.\n"
    )
    billed = codes(text, "outpatient")
    assert ("S52.502A" in billed) is both, billed


def test_a_code_rejected_twice_for_one_reason_is_listed_once_with_both_mentions() -> None:
    result = medcoder.code("No pneumonia.\nLater: no evidence of pneumonia.", setting="outpatient")
    rejected = [r for r in result.rejected if r.code.startswith("J18")]
    assert len(rejected) == 1
    assert len(rejected[0].evidence) == 2
