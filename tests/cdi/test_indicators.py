"""Indicators carry value, unit, date and span; untrusted values are excluded with a reason."""

from __future__ import annotations

from datetime import date, datetime

from cdi_cases import note

from medcoder.cdi import collect_indicators, default_rules, find, find_opportunities
from medcoder.documents.dates import DateSpan, find_dates
from medcoder.documents.model import LabResult
from medcoder.nlp.annotated import AnnotatedDocument


def test_lab_value_carries_unit_date_and_source_span():
    document = note("Labs 03/01/2024: Na 128 mmol/L, K 4.1 mmol/L.")
    (sodium,) = collect_indicators(document).values("sodium")
    assert (sodium.value, sodium.unit, sodium.observed_at) == (128.0, "mmol/L", date(2024, 3, 1))
    assert document.text[sodium.start : sodium.end] == sodium.text == "Na 128 mmol/L"


def test_date_attached_after_a_value_wins_over_the_line_date():
    document = note("03/01/2024: Cr 0.9 mg/dL (03/02/2024 06:30)")
    (creatinine,) = collect_indicators(document).values("creatinine")
    assert creatinine.observed_at == datetime(2024, 3, 2, 6, 30)


def test_a_date_heading_its_paragraph_dates_the_values_below():
    text = "03/02/2024 06:00\nNa 126 mmol/L\nCr 1.4 mg/dL\n\nNa 131 mmol/L"
    values = collect_indicators(note(text)).values("sodium")
    assert [v.observed_at for v in values] == [datetime(2024, 3, 2, 6, 0), None]


def test_a_date_of_birth_heading_the_labs_never_dates_them():
    (sodium,) = collect_indicators(note("DOB: 02/11/1961\nNa 126 mmol/L")).values("sodium")
    assert sodium.observed_at is None


def test_a_draw_time_marked_pm_is_read_on_the_24_hour_clock():
    (potassium,) = collect_indicators(note("K 5.9 mmol/L (03/02/2024 6:15 pm)")).values("potassium")
    assert potassium.observed_at == datetime(2024, 3, 2, 18, 15)


def test_an_annotated_document_dates_its_values_by_the_dates_it_has_read():
    text = "Na 128 mmol/L on 03/01/2024.\nNa 126 mmol/L on 03/02/2024.\nPlan: fluid restriction."
    annotated = AnnotatedDocument(note(text))
    assert [d.value for d in annotated.dates] == [date(2024, 3, 1), date(2024, 3, 2)]
    # CDI reads the annotated document's dates, never the text again: dates set on it are used
    annotated.dates = [DateSpan(s, e, date(2023, 1, 1)) for s, e, _ in annotated.dates]
    (opportunity,) = find(annotated, rules=[default_rules().by_id("hyponatremia.v2")])
    sodium = [i for i in opportunity.indicators if i.name == "sodium"]
    assert [i.observed_at for i in sodium] == [date(2023, 1, 1), date(2023, 1, 1)]
    assert [i.value for i in sodium] == [128.0, 126.0]


def test_dates_in_common_note_forms_are_found_and_ratios_are_not():
    found = [
        d for _, _, d in find_dates("on 3/1/2024, 2024-03-02 and March 3, 2024; BP 120/80, 4/5")
    ]
    assert found == [date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)]


def test_value_without_unit_is_excluded_with_reason():
    found = collect_indicators(note("Creatinine 15 on 03/01/2024."))
    assert found.values("creatinine") == []
    (excluded,) = found.excluded
    assert (excluded.name, excluded.reason, excluded.text) == (
        "creatinine",
        "no unit",
        "Creatinine 15",
    )


def test_impossible_value_is_excluded_and_listed_on_the_opportunity():
    text = (
        "Labs 03/01/2024: Na 128 mmol/L.\nLabs 03/02/2024: Na 126 mmol/L.\n"
        "Sodium 1260 (transcription error).\nPlan: fluid restriction."
    )
    (opportunity,) = find_opportunities(
        note(text), None, [default_rules().by_id("hyponatremia.v2")]
    )
    assert [i.value for i in opportunity.indicators if i.name == "sodium"] == [128.0, 126.0]
    (excluded,) = opportunity.excluded
    assert excluded.value == 1260 and "implausible sodium" in excluded.reason


def test_only_impossible_values_raise_no_opportunity():
    text = "Sodium 1260 on 03/01/2024. Sodium 1250 on 03/02/2024. Plan: fluid restriction."
    assert find_opportunities(note(text), None, [default_rules().by_id("hyponatremia.v2")]) == []


def test_undated_value_is_excluded_where_the_rule_compares_dates():
    text = (
        "Cr 0.9 mg/dL on 03/01/2024 08:00.\nCr 1.4 mg/dL on 03/02/2024 08:00.\n"
        "Repeat Cr 1.3 mg/dL, time not recorded."
    )
    (opportunity,) = find_opportunities(note(text), None, [default_rules().by_id("aki.v1")])
    assert [i.value for i in opportunity.indicators] == [0.9, 1.4]
    (excluded,) = opportunity.excluded
    assert excluded.value == 1.3 and excluded.reason.startswith("no date")


def test_undated_creatinine_rise_below_the_ratio_raises_no_aki_query():
    """0.3 mg/dL within 48 h needs dates; without them only the 1.5x baseline rule can apply."""
    rule = default_rules().by_id("aki.v1")
    assert find_opportunities(note("Cr 1.0 mg/dL -> 1.35 mg/dL."), None, [rule]) == []
    assert find_opportunities(note("Cr 1.0 mg/dL -> 1.6 mg/dL."), None, [rule]) != []


def test_aki_rise_outside_48_hours_does_not_count():
    text = "Cr 0.9 mg/dL on 03/01/2024 08:00.\nCr 1.25 mg/dL on 03/05/2024 08:00."
    assert find_opportunities(note(text), None, [default_rules().by_id("aki.v1")]) == []


def test_structured_results_are_normalised_and_keep_their_dates():
    result = LabResult("Sodium", 128.0, "mEq/L", observed_at=datetime(2024, 3, 1, 6, 0))
    found = collect_indicators(note("Results attached.", results=[result]))
    (sodium,) = found.values("sodium")
    assert (sodium.value, sodium.unit, sodium.observed_at.day) == (128.0, "mmol/L", 1)


def test_structured_result_without_value_is_excluded_with_reason():
    found = collect_indicators(note("Results attached.", results=[LabResult("Sodium", None, None)]))
    assert [(e.name, e.reason) for e in found.excluded] == [("sodium", "no value")]


def test_copied_forward_value_counts_as_one_draw():
    """A mildly low sodium needs two draws; one line copied forward is still one draw."""
    text = "Na 132 mmol/L on 03/01/2024. Plan: fluid restriction.\nNa 132 mmol/L on 03/01/2024."
    assert find_opportunities(note(text), None, [default_rules().by_id("hyponatremia.v2")]) == []


def test_ejection_fraction_is_read_from_echo_text():
    (ef,) = collect_indicators(note("Echo: LVEF 30-35%.")).values("ejection_fraction")
    assert (ef.value, ef.unit, ef.text) == (32.5, "%", "LVEF 30-35%")


def test_treatment_mentions_carry_spans_and_the_shared_assertion():
    keywords = frozenset({"fluid restriction", "antibiotics", "transfusion"})
    text = (
        "No fever, started IV antibiotics. No fluid restriction.\n"
        "Monitor H&H to determine if he needs any transfusion at this time."
    )
    found = collect_indicators(note(text), keywords=keywords)
    (antibiotics,) = found.mentions_of(["antibiotics"])
    assert antibiotics.assertion == "present"
    assert text[antibiotics.start : antibiotics.end] == "antibiotics"
    (restriction,) = found.mentions_of(["fluid restriction"])
    assert restriction.assertion == "negated"
    (transfusion,) = found.mentions_of(["transfusion"])
    assert transfusion.assertion == "hypothetical"


def test_unitless_counts_and_run_together_values_are_indicators():
    text = (
        "LABORATORY DATA: , The patient's white counts are 20,000.  Creatinine is normal.,"
        "LABS:,Hgb7.7,sodium126"
    )
    found = collect_indicators(note(text))
    assert [v.value for v in found.values("wbc")] == [20.0]
    assert [v.value for v in found.values("hemoglobin")] == [7.7]
    assert [v.value for v in found.values("sodium")] == [126.0]


def test_nursing_block_is_marked_as_nursing():
    text = (
        "Provider: stage 2 noted.\n\nWound care note: stage 2 pressure injury.\n\nPlan: turn q2h."
    )
    found = collect_indicators(note(text), keywords=frozenset({"stage 2"}))
    assert [m.nursing for m in found.mentions_of(["stage 2"])] == [False, True]
