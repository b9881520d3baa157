"""Each shipped rule fires on its indicators and stays quiet without them, or when coded."""

from __future__ import annotations

import json

import pytest
from cdi_cases import CASES, Case, coding, note

from medcoder.cdi import default_rules, find_opportunities, lint_query
from medcoder.documents.model import Encounter, Setting

REQUIRED_RULES = {
    "hyponatremia.v2",
    "sepsis.v1",
    "obesity_bmi.v2",
    "anemia_type.v2",
    "aki.v1",
    "heart_failure_specificity.v2",
    "ckd_stage.v2",
    "pneumonia_organism.v1",
    "diabetes_specificity.v1",
    "pressure_injury_stage.v1",
    "poa_undetermined.v2",
}
BY_ID = {c.rule_id: c for c in CASES}


def _fired(text: str, case: Case, *coded, setting: str = "inpatient") -> list[str]:
    document = note(text, **case.doc_fields)
    result = coding(document, *coded) if coded else None
    rules = [default_rules().by_id(case.rule_id)]
    return [o.rule_id for o in find_opportunities(document, result, rules, setting=setting)]


def test_every_required_opportunity_ships_as_a_rule():
    assert {r.id for r in default_rules()} >= REQUIRED_RULES
    assert REQUIRED_RULES - {"poa_undetermined.v2"} == set(BY_ID)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_rule_fires_on_a_note_with_its_indicators(case: Case):
    assert _fired(case.fires, case, *case.coded) == [case.rule_id]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_rule_stays_quiet_without_its_indicators(case: Case):
    assert _fired(case.quiet, case, *case.coded) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_rule_stays_quiet_when_the_diagnosis_is_already_coded(case: Case):
    assert case.already_coded is not None
    assert _fired(case.fires, case, case.already_coded) == []


@pytest.mark.parametrize("case", [c for c in CASES if c.documented], ids=lambda c: c.rule_id)
def test_rule_stays_quiet_when_a_provider_documented_the_diagnosis(case: Case):
    text = case.fires.rstrip("\n") + "\n\n" + (case.documented or "")
    assert _fired(text, case, *case.coded) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_every_drafted_query_passes_the_linter(case: Case):
    document = note(case.fires)
    result = coding(document, *case.coded) if case.coded else None
    rules = [default_rules().by_id(case.rule_id)]
    (opportunity,) = find_opportunities(document, result, rules)
    query = opportunity.query
    assert query is not None
    assert lint_query(query.text, query_type=query.format) == []
    assert lint_query(query.text) == []  # also with the format detected from the text
    assert opportunity.indicators, "no opportunity without indicators"
    for indicator in opportunity.indicators:
        assert indicator.start is not None and indicator.end is not None
        assert document.text[indicator.start : indicator.end] == indicator.text or (
            indicator.kind == "code"
        )


def test_multiple_choice_queries_always_offer_other_and_clinically_undetermined():
    for case in CASES:
        document = note(case.fires)
        result = coding(document, *case.coded) if case.coded else None
        (opportunity,) = find_opportunities(document, result, [default_rules().by_id(case.rule_id)])
        query = opportunity.query
        if query.format != "open_ended":
            assert query.options[-2].startswith("Other")
            assert query.options[-1] == "Clinically undetermined"


def test_sepsis_needs_two_sirs_criteria_not_one():
    case = BY_ID["sepsis.v1"]
    text = "HR 118. Lactate 3.4 mmol/L. Started IV antibiotics for cellulitis."
    assert _fired(text, case) == []
    assert _fired(text + " RR 26.", case) == ["sepsis.v1"]


def test_temperature_high_and_low_count_as_one_sirs_criterion():
    case = BY_ID["sepsis.v1"]
    text = "T 38.9 C on arrival, later T 35.5 C. Started IV antibiotics."
    assert _fired(text, case) == []


def test_negated_treatment_is_no_indicator():
    case = BY_ID["hyponatremia.v2"]
    text = "Labs 03/01/2024: Na 128 mmol/L.\nLabs 03/02/2024: Na 126 mmol/L.\nNo fluid restriction."
    assert _fired(text, case) == []


def test_obesity_class_options_follow_the_bmi():
    rule = default_rules().by_id("obesity_bmi.v2")
    (severe,) = find_opportunities(note("BMI 41.9 kg/m2."), None, [rule])
    (moderate,) = find_opportunities(note("BMI 33.0 kg/m2."), None, [rule])
    assert [o for o in severe.query.options if o.startswith("Obesity")] == [
        "Obesity, class 3 (severe or morbid obesity)"
    ]
    assert [o for o in moderate.query.options if o.startswith("Obesity")] == ["Obesity, class 1"]


def test_ckd_stage_options_follow_the_egfr_values():
    rule = default_rules().by_id("ckd_stage.v2")
    text = "Assessment: CKD.\neGFR 38 mL/min/1.73m2 on 03/01/2024. eGFR 50 mL/min/1.73m2 on 03/05/2024."
    (opportunity,) = find_opportunities(note(text), None, [rule])
    stages = [o for o in opportunity.query.options if o.startswith("CKD stage")]
    assert stages == ["CKD stage 3a (moderate)", "CKD stage 3b (moderate)"]


def test_heart_failure_options_follow_the_ejection_fraction():
    rule = default_rules().by_id("heart_failure_specificity.v2")
    reduced = find_opportunities(note("CHF. LVEF 30%. BNP 900 pg/mL."), None, [rule])[0]
    preserved = find_opportunities(note("CHF. LVEF 60%. BNP 900 pg/mL."), None, [rule])[0]
    assert any("systolic" in o for o in reduced.query.options[:3])
    assert not any("diastolic (HFpEF)" in o for o in reduced.query.options)
    assert not any("systolic (HFrEF)" in o for o in preserved.query.options)


def test_heart_failure_fires_on_coded_unspecified_heart_failure():
    case = BY_ID["heart_failure_specificity.v2"]
    text = "Assessment: cardiac decompensation.\nBNP 1450 pg/mL."
    coded = ("I50.9", "cardiac decompensation", "assessment")
    assert _fired(text, case, coded) == [case.rule_id]


def test_a_heart_failure_code_read_from_unrelated_words_asks_nothing():
    """An engine's I50.9 from "heart bypass" documents no heart failure."""
    case = BY_ID["heart_failure_specificity.v2"]
    text = "Procedure: left heart bypass and cerebrospinal fluid drainage."
    assert _fired(text, case, ("I50.9", "heart bypass", "other")) == []


def test_pressure_injury_needs_nursing_documentation():
    case = BY_ID["pressure_injury_stage.v1"]
    provider_only = "Exam: stage 3 pressure injury to sacrum."
    assert _fired(provider_only, case) == []
    nursing_document = note("Skin: stage 2 pressure injury to left heel.", author_role="RN")
    rule = default_rules().by_id(case.rule_id)
    assert [o.rule_id for o in find_opportunities(nursing_document, None, [rule])] == [case.rule_id]


def test_rules_apply_only_in_their_settings():
    case = BY_ID["pressure_injury_stage.v1"]
    assert _fired(case.fires, case, setting="outpatient") == []


def test_encounter_indicators_are_collected_across_documents():
    rule = default_rules().by_id("hyponatremia.v2")
    labs = note("Na 128 mmol/L on 03/01/2024.\nNa 126 mmol/L on 03/02/2024.", doc_id="labs")
    plan = note("Plan: fluid restriction.", doc_id="progress")
    encounter = Encounter(id="enc-1", documents=[labs, plan])
    (opportunity,) = find_opportunities(encounter, None, [rule])
    assert {i.document for i in opportunity.indicators} == {"labs", "progress"}
    assert opportunity.query.encounter_id == "enc-1"


def test_opportunity_serialises_to_json():
    case = BY_ID["hyponatremia.v2"]
    (opportunity,) = find_opportunities(note(case.fires), None)
    data = json.loads(json.dumps(opportunity.to_dict()))
    assert data["rule"] == "hyponatremia.v2"
    assert data["indicators"][0]["date"] == "2024-03-01"
    assert data["query"]["clinical_indicators"]


def test_default_rules_find_several_opportunities_in_one_note():
    text = "\n".join(CASES[i].fires for i in range(5))
    found = {o.rule_id for o in find_opportunities(note(text), None)}
    assert {"hyponatremia.v2", "sepsis.v1", "obesity_bmi.v2", "anemia_type.v2", "aki.v1"} <= found


# --- POA -------------------------------------------------------------------------------------
POA_NOTE = (
    "CHIEF COMPLAINT: Shortness of breath.\n"
    "HOSPITAL COURSE: Urine culture from the Foley grew E. coli; treated for a urinary tract "
    "infection with ceftriaxone.\n"
    "Admitted with COPD exacerbation, improved on nebulizers and prednisone.\n"
    "On hospital day 3 the patient developed a pressure injury of the sacrum.\n"
)
POA_RULE = "poa_undetermined.v2"


def _poa(poa: str | None, *coded, setting: str = "inpatient", text: str = POA_NOTE) -> list:
    document = note(text)
    result = coding(document, *coded, poa=poa)
    rules = [default_rules().by_id(POA_RULE)]
    return [o.code for o in find_opportunities(document, result, rules, setting=setting)]


UTI = ("N39.0", "urinary tract infection", "hospital_course")


def test_poa_query_for_a_diagnosis_first_documented_in_the_hospital_course_without_onset():
    assert _poa(None, UTI) == ["N39.0"]
    assert _poa("U", UTI) == ["N39.0"]


def test_poa_query_is_yes_no_compliant_and_cites_the_timing_evidence():
    document = note(POA_NOTE)
    result = coding(document, UTI)
    (opportunity,) = find_opportunities(document, result, [default_rules().by_id(POA_RULE)])
    query = opportunity.query
    assert query.format == "yes_no"
    assert '"urinary tract infection"' in query.question
    assert lint_query(query.text) == []
    timing = [c.line for c in query.clinical_indicators if c.kind == "timing"]
    assert timing and "first documented in the hospital course" in timing[0]


def test_no_poa_query_when_the_onset_is_dated_either_way():
    assert _poa(None, ("J44.1", "COPD exacerbation", "hospital_course")) == []  # admitted with
    assert _poa(None, ("L89.150", "pressure injury of the sacrum", "hospital_course")) == []


def test_no_poa_query_for_a_diagnosis_known_at_admission():
    text = "HISTORY OF PRESENT ILLNESS: Dysuria for two days.\n" + POA_NOTE
    document = note(text)
    start = text.index("urinary tract infection")
    from medcoder.suggestions import CodeSuggestion, CodingResult, Evidence

    evidence = [
        Evidence(document.id, 0, 10, "Dysuria", section="hpi"),
        Evidence(document.id, start, start + 23, "urinary tract infection", "hospital_course"),
    ]
    result = CodingResult(
        document.id, "inpatient", [CodeSuggestion("ICD-10-CM", "N39.0", "", 0.9, evidence)]
    )
    rules = [default_rules().by_id(POA_RULE)]
    assert find_opportunities(document, result, rules) == []


def test_no_poa_query_outside_the_hospital_course():
    """A chief complaint, an operative finding or an ED course is not 'after admission'."""
    assert _poa(None, ("R06.02", "Shortness of breath", "chief_complaint")) == []
    assert _poa(None, ("N39.0", "urinary tract infection", "postoperative_diagnosis")) == []
    assert _poa(None, ("N39.0", "urinary tract infection", "ed_course")) == []


def test_no_poa_query_about_an_allergy_list_entry():
    text = "ALLERGIES: , PENICILLIN and ADHESIVE TAPE.,HOSPITAL COURSE: , Uneventful."
    coded = ("K66.0", "ADHESIVE", "allergies")
    assert _poa(None, coded, text=text) == []


def test_no_poa_query_outside_inpatient():
    assert _poa(None, UTI, setting="outpatient") == []
    assert _poa(None, UTI, setting="emergency") == []


@pytest.mark.parametrize("poa", [None, "", "U", "W", "u", "w"])
def test_poa_query_fires_when_poa_is_undetermined(poa):
    assert _poa(poa, UTI) == ["N39.0"]


@pytest.mark.parametrize("poa", ["Y", "N", "1"])
def test_poa_query_stays_quiet_when_the_engine_gave_a_poa(poa):
    assert _poa(poa, UTI) == []


@pytest.mark.parametrize(
    "code", ["Z79.4", "Z86.73", "V43.52XA", "W19.XXXA", "Y92.009", "Q21.1", "I25.2", "B91", "R50.9"]
)
def test_poa_query_stays_quiet_for_exempt_codes(code):
    assert _poa(None, (code, "urinary tract infection", "hospital_course")) == []


def test_poa_query_never_asks_about_a_procedure_code():
    document = note(POA_NOTE)
    result = coding(document, UTI)
    result.codes[0].system = "ICD-10-PCS"
    rules = [default_rules().by_id(POA_RULE)]
    assert find_opportunities(document, result, rules) == []


@pytest.mark.parametrize(("setting", "expected"), [("inpatient", ["N39.0"]), ("outpatient", [])])
def test_poa_query_follows_the_encounters_own_setting(setting, expected):
    document = note(POA_NOTE)
    result = coding(document, UTI)
    encounter = Encounter("enc-1", [document], Setting(setting))
    rules = [default_rules().by_id(POA_RULE)]
    assert [o.code for o in find_opportunities(encounter, result, rules)] == expected


def test_opportunities_read_the_coding_engines_result(built_packs):
    from medcoder.coding.engine import CodingEngine

    text = (
        "Assessment: CHF exacerbation. Pneumonia of the right lower lobe.\n"
        "Echo 03/01/2024: LVEF 30%. BNP 1450 pg/mL.\n"
        "Sputum culture grew Streptococcus pneumoniae."
    )
    document = note(text)
    result = CodingEngine(setting="inpatient").code_document(document)
    found = {o.rule_id for o in find_opportunities(document, result)}
    assert {"heart_failure_specificity.v2", "pneumonia_organism.v1"} <= found


def test_no_poa_query_for_a_mass_found_on_the_work_up():
    """A renal mass seen on the CT done for the presenting hematuria was there before."""
    text = (
        "HOSPITAL COURSE:, He had an ultrasound done of the cyst which showed a 2.1 x 2.7 cm "
        "mass arising from the right kidney.,DISCHARGE MEDICATIONS:, Colace."
    )
    assert (
        _poa(None, ("N28.89", "mass arising from the right kidney", "hospital_course"), text=text)
        == []
    )
