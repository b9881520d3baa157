"""HCPCS drug billing units: ceil(dose / descriptor amount) after unit conversion."""

from __future__ import annotations

from decimal import Decimal

import pytest

from medcoder.services.drug_units import billing_units, parse_concentration, parse_dose

CEFTRIAXONE = "Injection, ceftriaxone sodium, per 250 mg"
PER_10_MG = "Injection, synthetic drug, per 10 mg"
PER_ML = "Injection, synthetic solution, 1 ml"


@pytest.mark.parametrize(
    ("dose", "descriptor", "units"),
    [
        ("1 g", CEFTRIAXONE, 4),
        ("500 mg", CEFTRIAXONE, 2),
        ("25 mg", PER_10_MG, 3),
        ("5 mg", PER_10_MG, 1),
        ("10000 mcg", PER_10_MG, 1),
        ("1,500 mg", CEFTRIAXONE, 6),
        ((Decimal("0.75"), "g"), CEFTRIAXONE, 3),
    ],
)
def test_units_are_the_dose_over_the_descriptor_amount_rounded_up(dose, descriptor, units):
    result = billing_units(dose, descriptor)
    assert result.units == units
    assert not result.needs_review


def test_ml_dose_converts_to_mg_with_a_concentration():
    result = billing_units("2.5 mL", PER_10_MG, concentration="40 mg/mL")
    assert (result.units, result.converted_dose, result.needs_review) == (10, Decimal(100), False)
    assert "40 mg/mL" in result.reason


def test_mg_dose_converts_to_ml_with_a_concentration_per_several_ml():
    result = billing_units("40 mg", PER_ML, concentration="10 mg/3 mL")
    assert (result.units, result.needs_review) == (12, False)


def test_mg_dose_against_per_ml_descriptor_without_concentration_needs_review():
    result = billing_units("40 mg", PER_ML)
    assert result.units is None and result.needs_review
    assert "concentration" in result.reason


def test_mass_against_activity_units_is_impossible():
    result = billing_units("40 mg", "Injection, synthetic enzyme, per 1000 units")
    assert result.units is None and result.needs_review


def test_iu_against_units_is_computed_but_flagged():
    result = billing_units("2000 units", "Injection, synthetic factor, per i.u.")
    assert result.units == 2000 and result.needs_review
    assert "IU" in result.reason


@pytest.mark.parametrize(
    ("dose", "descriptor", "concentration"),
    [
        ("a lot", CEFTRIAXONE, None),
        ("1 g", "Injection, synthetic drug", None),
        ("0 mg", CEFTRIAXONE, None),
        ("2 mL", PER_10_MG, "strong"),
    ],
)
def test_unreadable_inputs_need_review_and_give_no_units(dose, descriptor, concentration):
    result = billing_units(dose, descriptor, concentration=concentration)
    assert result.units is None and result.needs_review and result.reason


def test_parsers_read_common_shapes():
    assert parse_dose("1 gm") == (Decimal(1), "g")
    assert parse_dose("250mcg") == (Decimal(250), "mcg")
    assert parse_concentration("100 mg/5 mL") == (Decimal(20), "mg")


def test_result_serialises_decimals_as_text():
    assert billing_units("1 g", CEFTRIAXONE).to_dict()["converted_dose"] == "1000"


def test_a_dose_that_cannot_be_converted_is_flagged_with_what_to_document():
    """Issue 5, bad input: mg against a per-mL descriptor without a concentration."""
    result = billing_units("100 mg", "per 1 ml")
    assert result.units is None and result.needs_review
    assert "needs a concentration" in result.reason and "10 mg/ml" in result.reason
