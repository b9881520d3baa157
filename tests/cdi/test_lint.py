"""The query linter: compliant queries pass; payment words, leading phrasing, yes/no for a new
diagnosis, missing Other/Clinically undetermined, and missing indicators are flagged."""

from __future__ import annotations

import pytest

from medcoder.cdi import lint_query

INDICATORS = (
    "Clinical indicators:\n"
    '- Sodium 126 mmol/L on 2024-03-02 (document note-1: "Na 126 mmol/L")\n'
    '- Treatment documented: "fluid restriction 1.5 L" (document note-1)\n\n'
)
OPEN = INDICATORS + "Please clarify the diagnosis, if any, that these findings represent.\n"
CHOICE = (
    INDICATORS + "Please clarify which of the following these findings represent:\n"
    "[ ] Hyponatremia\n[ ] SIADH\n[ ] Other (please specify): ____\n[ ] Clinically undetermined\n"
)
POA = (
    'Clinical indicators:\n- Documented diagnosis: "urinary tract infection" (document note-1)\n\n'
    'Was the condition documented as "urinary tract infection" present at the time of inpatient '
    "admission?\n[ ] Yes\n[ ] No\n[ ] Other (please specify)\n[ ] Clinically undetermined\n"
)


def _rules(text: str, **kwargs) -> list[str]:
    return [f.rule_id for f in lint_query(text, **kwargs)]


@pytest.mark.parametrize("text", [OPEN, CHOICE, POA], ids=["open", "choice", "poa-yes-no"])
def test_compliant_queries_pass(text):
    assert lint_query(text) == []


@pytest.mark.parametrize(
    "words",
    ["the DRG", "an MCC", "a CC", "reimbursement", "payment", "quality scores", "SOI/ROM",
     "the case mix index", "risk adjustment", "a PSI"],
)  # fmt: skip
def test_payment_and_quality_words_are_flagged(words):
    text = OPEN + f"Clarifying this affects {words}.\n"
    findings = lint_query(text)
    assert {f.rule_id for f in findings} == {"financial-language"}
    assert findings[0].severity == "error"
    assert text[findings[0].span.start : findings[0].span.end] in words


@pytest.mark.parametrize(
    "phrase",
    [
        "Please document hyponatremia.",
        "Please add the diagnosis of hyponatremia.",
        "Would you agree that the patient has hyponatremia?",
        "It appears the patient has hyponatremia.",
        "Consider documenting hyponatremia.",
        "The patient meets criteria for sepsis.",
        "These values support a diagnosis of sepsis.",
    ],
)
def test_leading_phrasing_is_flagged(phrase):
    assert "leading-phrase" in _rules(INDICATORS + phrase + "\n")


def test_yes_no_question_for_a_new_diagnosis_is_flagged():
    text = (
        INDICATORS
        + "Does the patient have hyponatremia?\n[ ] Yes\n[ ] No\n[ ] Other\n[ ] Clinically undetermined\n"
    )
    assert _rules(text) == ["yes-no-new-diagnosis"]
    assert _rules(text, query_type="yes_no") == ["yes-no-new-diagnosis"]


def test_yes_no_question_substantiating_a_documented_diagnosis_passes():
    text = (
        INDICATORS
        + "Does the patient have hyponatremia?\n[ ] Yes\n[ ] No\n[ ] Other\n[ ] Clinically undetermined\n"
    )
    record = "ED physician note: hyponatremia, start fluid restriction."
    assert _rules(text, record=record) == []


def test_yes_no_cause_and_effect_passes():
    text = (
        INDICATORS
        + "Is the hyponatremia due to the documented thiazide use?\n[ ] Yes\n[ ] No\n[ ] Other\n[ ] Clinically undetermined\n"
    )
    assert _rules(text) == []


def test_multiple_choice_without_other_and_undetermined_is_flagged():
    text = INDICATORS + "Which applies?\n[ ] Hyponatremia\n[ ] SIADH\n"
    assert _rules(text) == ["options-missing-other", "options-missing-undetermined"]
    text_other_only = text + "[ ] Other (please specify)\n"
    assert _rules(text_other_only) == ["options-missing-undetermined"]


def test_multiple_choice_declared_without_options_is_flagged():
    assert "options-missing-other" in _rules(OPEN, query_type="multiple_choice")


def test_query_without_clinical_indicators_is_flagged():
    text = "Please clarify the diagnosis, if any, being treated.\n"
    assert _rules(text) == ["no-clinical-indicators"]
    assert _rules("Clinical indicators:\n\nPlease clarify the diagnosis.\n") == [
        "no-clinical-indicators"
    ]


def test_record_quotes_on_indicator_lines_are_not_the_query_authors_words():
    text = OPEN.replace('"fluid restriction 1.5 L"', '"CC: low sodium, please document intake"')
    assert lint_query(text) == []
    assert "financial-language" in _rules(text + "CC impact noted.\n")


def test_unknown_query_type_is_refused():
    with pytest.raises(ValueError, match="query_type"):
        lint_query(OPEN, query_type="true_false")


def test_findings_serialise_with_span_and_message():
    (finding,) = lint_query(OPEN + "This affects the DRG.\n")
    data = finding.to_dict()
    assert data["rule"] == "financial-language" and data["end"] > data["start"]
    assert "DRG" in data["message"]


# --- issue 19: what real queries taught the linter ---------------------------------------------
def test_asking_for_the_response_in_the_record_is_not_leading():
    assert lint_query(CHOICE + "Please document your response in the medical record.\n") == []
    assert "leading-phrase" in _rules(INDICATORS + "Please document acute blood loss anemia.\n")


@pytest.mark.parametrize(
    "line",
    [
        '- Intake and output: "2400 CC of urine over the shift" (document note-1)\n',
        "Output was 2400 CC over the shift.\n",
        "CC: Dr. Patel, attending\n",
        "Given 5 cc of lidocaine.\n",
    ],
    ids=["quoted-volume", "volume", "carbon-copy", "lowercase-volume"],
)
def test_a_volume_or_a_carbon_copy_is_not_financial_language(line):
    assert lint_query(OPEN + line) == []


def test_meets_sepsis_criteria_and_can_you_confirm_are_leading():
    text = INDICATORS + "The patient meets Sepsis-2 criteria. Can you confirm sepsis?\n"
    findings = [(f.rule_id, text[f.span.start : f.span.end]) for f in lint_query(text)]
    assert ("leading-phrase", "meets Sepsis-2 criteria") in findings
    assert ("leading-phrase", "Can you confirm") in findings


@pytest.mark.parametrize(
    "words", ["the case weight", "our hospital rankings", "the relative weight"]
)
def test_case_weight_and_rankings_are_financial_or_impact_language(words):
    assert "financial-language" in _rules(OPEN + f"Clarifying this improves {words}.\n")


def test_a_free_text_yes_or_no_question_is_a_yes_no_query():
    text = INDICATORS + "Does the patient have acute respiratory failure? Yes or no.\n"
    assert _rules(text) == [
        "options-missing-other",
        "options-missing-undetermined",
        "yes-no-new-diagnosis",
    ]
