"""The patient's sex read from the note, for the index subterms that name it ("Hypogonadism,
male E29.1; female E28.39"): a coder takes it from the opening line, not the diagnosis."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder
from medcoder.nlp.patient_sex import patient_sex


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Mr. Paul Edwards is a 59-year-old male, an established patient, who ...", "male"),
        ("HPI: 45 yo woman with two weeks of cough.", "female"),
        ("The patient is a 34-year-old Hispanic female who presents for ...", "female"),
        ("NAME: X  AGE: 70  SEX: M  MRN: 0000", "male"),
        ("A 16-month-old boy brought in by his mother.", "male"),
        ("He reports knee pain. He denies fever. He walks daily. His gait is slow.", "male"),
        ("The patient reports pain. Her husband says he snores.", None),
    ],
)
def test_the_patients_sex_is_the_stated_one_or_pronouns_used_five_to_one(
    text: str, sex: str | None
) -> None:
    assert patient_sex(text) == sex


@pytest.fixture
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index (Hypogonadism, male / female)."""


@pytest.mark.usefixtures("_packs")
@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("Mr. Edwards is a 59-year-old male seen for follow-up.", ["E29.1"]),
        ("Ms. Cho is a 31-year-old female seen for follow-up.", ["E28.39"]),
        ("Seen for follow-up; labs reviewed.", []),
    ],
)
def test_a_subterm_naming_the_sex_is_read_from_the_patients_sex_I_B_1(
    opening: str, expected: list[str]
) -> None:
    note = f"HISTORY OF PRESENT ILLNESS:\n{opening}\n\nASSESSMENT:\nHypogonadism.\n"
    codes = [c.code for c in medcoder.code(note, setting="outpatient", systems="icd10cm").codes]
    assert codes == expected
