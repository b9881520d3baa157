"""Lab and vital values in text: names, values, units, conversions, exclusions."""

from __future__ import annotations

import pytest

from medcoder.documents.model import LabResult
from medcoder.nlp.labs import find_lab_values, normalize_result
from medcoder.nlp.units import ANALYTES, canonical_unit, infer_unit


def only(text: str) -> LabResult:
    [result] = find_lab_values(text)
    assert text[result.start : result.end] == result.raw_text
    return result


@pytest.mark.parametrize(
    ("text", "name", "value", "unit"),
    [
        ("Na 126", "sodium", 126, "mmol/L"),
        ("sodium 126 mmol/L", "sodium", 126, "mmol/L"),
        ("sodium 126 mEq/L", "sodium", 126, "mmol/L"),
        ("creatinine 2.1 mg/dL", "creatinine", 2.1, "mg/dL"),
        ("WBC 18.2", "wbc", 18.2, "10^9/L"),
        ("lactate 4.1", "lactate", 4.1, "mmol/L"),
        ("troponin 0.45 ng/mL", "troponin", 0.45, "ng/mL"),
        ("BNP 1250", "bnp", 1250, "pg/mL"),
        ("albumin 2.1 g/dL", "albumin", 2.1, "g/dL"),
        ("BMI 42", "bmi", 42, "kg/m2"),
        ("SpO2 88%", "spo2", 88, "%"),
        ("HR 120", "heart_rate", 120, "/min"),
        ("Hgb 6.8", "hemoglobin", 6.8, "g/dL"),
        ("glucose 450 mg/dL", "glucose", 450, "mg/dL"),
        ("K 6.2", "potassium", 6.2, "mmol/L"),
        ("eGFR 28.", "egfr", 28, "mL/min/1.73m2"),
    ],
)
def test_lab_value_found_and_normalised(text, name, value, unit) -> None:
    result = only(text)
    assert (result.name, result.normalized_unit, result.excluded_reason) == (name, unit, None)
    assert result.normalized_value == pytest.approx(value)


def test_trend_gives_one_result_per_value() -> None:
    results = find_lab_values("Cr 1.4 -> 2.3")
    assert [(r.name, r.value) for r in results] == [("creatinine", 1.4), ("creatinine", 2.3)]
    assert results[1].raw_text == "2.3"


def test_temperature_with_second_unit_is_one_observation_in_celsius() -> None:
    result = only("temp 38.9 C / 102 F")
    assert result.normalized_value == pytest.approx(38.9)
    assert result.normalized_unit == "C"


@pytest.mark.parametrize(
    ("text", "name", "expected", "unit"),
    [
        ("glucose 8.3 mmol/L", "glucose", 149.53, "mg/dL"),
        ("creatinine 177 umol/L", "creatinine", 2.0023, "mg/dL"),
        ("Hgb 68 g/L", "hemoglobin", 6.8, "g/dL"),
        ("temp 102.2 F", "temperature", 39.0, "C"),
        ("Cr 150", "creatinine", 1.6968, "mg/dL"),  # unitless, only umol/L is plausible
        ("T 101", "temperature", 38.3333, "C"),  # unitless, only Fahrenheit is plausible
    ],
)
def test_unit_conversion_to_canonical_unit(text, name, expected, unit) -> None:
    result = only(text)
    assert result.name == name
    assert result.normalized_value == pytest.approx(expected, abs=0.01)
    assert result.normalized_unit == unit


def test_impossible_value_is_kept_with_excluded_reason() -> None:
    result = only("Na 1260")
    assert result.value == 1260
    assert "implausible" in result.excluded_reason


def test_impossible_spo2_above_100_percent_is_excluded() -> None:
    assert only("SpO2 101%").excluded_reason is not None


def test_value_without_unit_that_fits_two_units_is_excluded_as_no_unit() -> None:
    result = only("glucose 20")
    assert result.excluded_reason == "no unit"
    assert result.normalized_value is None


def test_unit_that_does_not_fit_the_analyte_is_excluded() -> None:
    assert "not convertible" in only("sodium 126 mg/dL").excluded_reason


def test_blood_pressure_gives_systolic_and_diastolic() -> None:
    results = find_lab_values("BP 182/110")
    assert [(r.name, r.value) for r in results] == [("sbp", 182), ("dbp", 110)]


def test_dose_in_milligrams_is_not_a_magnesium_value() -> None:
    assert find_lab_values("Gave morphine 2 mg IV.") == []


def test_several_values_in_a_sentence_keep_offsets() -> None:
    text = "Labs: Na 126, K 6.2, Hgb 6.8 and lactate 4.1."
    results = find_lab_values(text)
    assert [r.name for r in results] == ["sodium", "potassium", "hemoglobin", "lactate"]
    assert all(text[r.start : r.end] == r.raw_text for r in results)


def test_normalize_result_from_feed_uses_loinc_and_unit_spelling() -> None:
    raw = LabResult("Glu", 6.0, "mmol/l", source_code="2345-7")
    result = normalize_result(raw)
    assert result.name == "glucose"
    assert result.normalized_value == pytest.approx(108.1, abs=0.1)
    assert result.normalized_unit == "mg/dL"


def test_normalize_result_reads_names_like_sodium_serum() -> None:
    result = normalize_result(LabResult("Sodium, serum", 131, "mEq/L"))
    assert (result.name, result.normalized_value, result.normalized_unit) == (
        "sodium",
        131,
        "mmol/L",
    )


def test_normalize_result_passes_unknown_analyte_through() -> None:
    result = normalize_result(LabResult("Vitamin Q", 3.0, "mg/dl"))
    assert (result.name, result.unit, result.excluded_reason) == ("Vitamin Q", "mg/dL", None)


def test_normalize_result_keeps_an_existing_excluded_reason() -> None:
    result = normalize_result(LabResult("sodium", 130, "mmol/L", excluded_reason="hemolyzed"))
    assert result.excluded_reason == "hemolyzed"


def test_unit_spellings_are_canonicalised() -> None:
    assert canonical_unit("MG/DL") == "mg/dL"
    assert canonical_unit("µmol/L") == "umol/L"
    assert canonical_unit("[degF]") == "F"


def test_infer_unit_returns_none_when_two_units_are_plausible() -> None:
    assert infer_unit(ANALYTES["glucose"], 20) is None
    assert infer_unit(ANALYTES["glucose"], 450) == "mg/dL"
    assert infer_unit(ANALYTES["glucose"], 5.5) == "mmol/L"


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        (
            "LABORATORY DATA: , The patient's white counts are 20,000.  Creatinine is normal.",
            "wbc",
            20,
        ),
        ("elevated white count of 39,000.  The patient had scrotal swelling", "wbc", 39),
        ("Hematocrit 40.5, hemoglobin 13.8, white count 7,900.,PROCEDURE", "wbc", 7.9),
        ("Coags unremarkable. Platelets 303,000.", "platelets", 303),
    ],
)
def test_counts_with_thousands_separators_are_read_as_one_unitless_count(text, name, value) -> None:
    (result,) = [r for r in find_lab_values(text) if r.name == name]
    assert result.excluded_reason is None
    assert result.normalized_value == pytest.approx(value)
    assert text[result.start : result.end] == result.raw_text


def test_values_run_together_with_their_names_in_squeezed_dictation() -> None:
    found = find_lab_values("LABS:,Hgb7.7,Hct 22.6,sodium126,K 4.1")
    assert [(r.name, r.normalized_value) for r in found] == [
        ("hemoglobin", 7.7), ("hematocrit", 22.6), ("sodium", 126), ("potassium", 4.1)
    ]  # fmt: skip


def test_a_one_letter_name_never_runs_into_a_number() -> None:
    assert [r.name for r in find_lab_values("pT2N0 tumour; T4 and TSH normal.")] == []


def test_a_comma_between_two_values_is_not_a_thousands_separator() -> None:
    assert [r.normalized_value for r in find_lab_values("sodium 126, 128 later")] == [126]
