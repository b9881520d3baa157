"""Underdosing (I.C.19.e.5.c): the Table of Drugs underdosing code of the drug taken less than
prescribed, with the noncompliance code that says the intent; never first-listed."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular, the synthetic index and Table of Drugs excerpt."""


def _codes(text: str) -> list[str]:
    return [c.code for c in medcoder.code(text, setting="outpatient", systems="icd10cm").codes]


FORGETS = """CHIEF COMPLAINT

Blood pressure follow-up.

HISTORY OF PRESENT ILLNESS

Ms. Reyes is a 58-year-old female here for her blood pressure. She reports that she is still
forgetting to take her blood pressure medication, mostly on weekends. Home readings 150s/90s.

MEDICATIONS

Lisinopril 20 mg once daily.
Atorvastatin 40 mg at bedtime.

ASSESSMENT AND PLAN

1. Hypertension.
- Medical Reasoning: Elevated today in the setting of missed doses.
- Medical Treatment: Continue lisinopril 20 mg daily. Pill organizer and phone reminders.
"""


def test_forgetting_a_drug_of_the_named_class_is_unintentional_underdosing_I_C_19_e_5_c() -> None:
    codes = _codes(FORGETS)
    assert codes[0] == "I10"  # the condition, never the underdosing code, is first-listed
    assert "T46.4X6A" in codes and "Z91.138" in codes


WEANED = """HISTORY OF PRESENT ILLNESS

Mr. Okafor has depression. He is on Prozac 20 mg daily and was taking it regularly, but weaned
himself off of it because of side effects and feels about the same.

ASSESSMENT AND PLAN

1. Depression.
- Medical Treatment: Restart fluoxetine 10 mg daily; follow up in 4 weeks.
"""


def test_stopping_a_drug_on_ones_own_is_intentional_underdosing_of_its_generic() -> None:
    codes = _codes(WEANED)
    assert "T43.226A" in codes and "Z91.128" in codes  # Prozac is fluoxetine, an SSRI


def test_a_denied_missed_dose_is_not_underdosing() -> None:
    note = FORGETS.replace(
        "She reports that she is still\nforgetting to take her blood pressure medication",
        "She denies missing any doses of her\nblood pressure medication",
    )
    codes = _codes(note)
    assert not [c for c in codes if c.startswith(("T46", "Z91"))]


def test_a_drug_the_table_does_not_name_takes_its_class_entry() -> None:
    note = FORGETS.replace("Lisinopril 20 mg", "Losartan 50 mg").replace("lisinopril", "losartan")
    assert "T46.5X6A" in _codes(note)  # Antihypertensive drug NEC


@pytest.mark.parametrize(
    "why",
    [
        "His low mood resolved after six months of Prozac 20 mg daily, and he has stopped "
        "taking it.",
        "Dr. Hale told him to stop the Prozac 20 mg daily last spring, and he stopped taking it.",
    ],
)
def test_stopping_a_drug_no_longer_needed_is_not_underdosing(why: str) -> None:
    note = WEANED.replace(
        "He is on Prozac 20 mg daily and was taking it regularly, but weaned\n"
        "himself off of it because of side effects and feels about the same.",
        why,
    )
    assert not [c for c in _codes(note) if c.startswith(("T43", "Z91"))]
