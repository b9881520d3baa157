"""Reading MDM elements, time and patient status from synthetic notes."""

from __future__ import annotations

import pytest

from medcoder.errors import UsageError
from medcoder.services.em_extract import extract, level_note
from medcoder.services.em_level import Level

AP = "ASSESSMENT AND PLAN:\n"


def test_every_finding_cites_its_text_span():
    note = (
        "Established patient.\n"
        + AP
        + "1. Gout, stable chronic illness. Continue allopurinol 100 mg daily.\n"
    )
    found = extract(note)
    evidence = [*found.problems, *(e for _, e in found.risks), *found.status_evidence]
    assert evidence
    for item in evidence:
        assert note[item.span.start : item.span.end] == item.text


def test_problems_are_counted_per_numbered_assessment_item():
    note = (
        AP
        + "1. Hypertension, stable chronic illness.\n2. Hyperlipidemia, stable chronic illness.\n"
    )
    found = extract(note)
    assert [p.kind for p in found.problems] == ["stable_chronic", "stable_chronic"]
    assert found.mdm().problems.level == Level.MODERATE


def test_problem_outside_the_assessment_is_not_counted():
    note = "HPI: history of asthma exacerbation last year.\n" + AP + "1. Wart, self-limited.\n"
    assert [p.kind for p in extract(note).problems] == ["self_limited"]


def test_negated_exacerbation_does_not_raise_the_problem_level():
    found = extract(AP + "1. Asthma, stable chronic illness, without exacerbation.\n")
    assert [p.kind for p in found.problems] == ["stable_chronic"]


def test_note_without_assessment_is_read_whole_and_flagged():
    found = extract("Sore throat, acute uncomplicated illness.\n")
    assert [p.kind for p in found.problems] == ["acute_uncomplicated"]
    assert any("assessment" in flag for flag in found.needs_review)


def test_no_problem_wording_is_flagged():
    assert any("no problem" in f for f in extract(AP + "1. Follow up.\n").needs_review)


def test_a_test_ordered_and_reviewed_counts_once():
    found = extract("CBC ordered.\nReviewed results of CBC and TSH.\n")
    assert sorted(found.tests) == ["cbc", "thyroid"]


def test_test_names_without_an_order_or_review_cue_are_not_counted():
    assert not extract("Past CBC was normal per patient.\n").tests
    assert not extract("No labs ordered; CBC not needed.\n").tests


def test_external_notes_count_once_per_unique_source():
    note = (
        "Reviewed outside records from Hill Clinic.\nReviewed outside records from Hill Clinic.\n"
        "Reviewed external notes from Bay Hospital.\n"
    )
    assert sorted(extract(note).external_notes) == ["bay hospital", "hill clinic"]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("History obtained from the mother.", "independent_historian"),
        ("Chest x-ray independently interpreted by me.", "independent_interpretation"),
        ("Discussed management with Dr. Rivera.", "external_discussion"),
        ("Spoke with the consulting nephrologist.", "external_discussion"),
    ],
)
def test_data_categories_2_and_3_and_the_historian(sentence, kind):
    assert [e.kind for e in extract(sentence + "\n").data] == [kind]


def test_discussion_with_the_patient_is_not_an_external_discussion():
    assert not extract("Discussed the plan with the patient and her husband.\n").data


@pytest.mark.parametrize(
    ("sentence", "level"),
    [
        ("Decision regarding hospitalization.", Level.HIGH),
        ("Methotrexate is drug therapy requiring intensive monitoring for toxicity.", Level.HIGH),
        ("Decision for emergency major surgery.", Level.HIGH),
        ("Prescription drug management.", Level.MODERATE),
        ("Increase lisinopril 20 mg daily.", Level.MODERATE),
        ("Minor surgery with identified risk factors.", Level.MODERATE),
        ("Social determinants of health limit treatment.", Level.MODERATE),
        ("Over-the-counter ibuprofen.", Level.LOW),
        ("Start ibuprofen 400 mg as needed.", Level.LOW),
        ("Rest and fluids.", Level.STRAIGHTFORWARD),
    ],
)
def test_risk_phrases_map_to_the_ama_risk_levels(sentence, level):
    assert extract(sentence + "\n").mdm().risk.level == level


def test_negated_risk_is_ignored():
    assert extract("Admission not needed; no prescription drug management.\n").mdm().risk.level == (
        Level.STRAIGHTFORWARD
    )


@pytest.mark.parametrize(
    ("sentence", "minutes"),
    [
        ("I spent 45 minutes with the patient.", 45),
        ("Total time 32 min on the date of the encounter.", 32),
        ("Total practitioner time was 50 minutes.", 50),
        ("I spent a total of 1.5 hours today.", 90),
        ("25 minutes total time.", 25),
    ],
)
def test_total_time_phrases(sentence, minutes):
    assert extract(sentence + "\n").total_minutes == minutes


def test_the_same_time_said_twice_is_not_a_contradiction():
    found = extract("I spent 40 minutes. Total time 40 minutes.\n")
    assert found.total_minutes == 40
    assert not any("contradictory" in flag for flag in found.needs_review)


def test_contradictory_total_times_are_flagged_not_guessed():
    found = extract("I spent 45 minutes.\nTotal time 60 minutes.\n")
    assert found.total_minutes is None
    assert any("contradictory" in flag for flag in found.needs_review)


@pytest.mark.parametrize(
    ("sentence", "new"),
    [
        ("New patient visit.", True),
        ("Here to establish care.", True),
        ("Established patient.", False),
        ("Returns for follow-up.", False),
        ("Knee pain.", None),
    ],
)
def test_new_versus_established(sentence, new):
    assert extract(sentence + "\n").new_patient is new


def test_conflicting_patient_status_is_flagged():
    found = extract("New patient. Established patient.\n")
    assert found.new_patient is None and found.needs_review


def test_office_without_stated_status_is_leveled_as_established_and_flagged():
    result = level_note(AP + "1. Wart, self-limited.\n", "office")
    assert result.code == "99212"
    assert any("new vs established" in flag for flag in result.needs_review)


def test_unknown_setting_is_a_usage_error():
    with pytest.raises(UsageError):
        level_note("text", "inpatient")


def test_tests_in_family_history_are_not_counted():
    assert not extract("FAMILY HISTORY: Brother had a CT reviewed for stroke.\n").tests
