"""Long-term drug therapy codes from the medication list (I.C.4.a.3, I.C.21.c.3) and chronic
conditions treated on an ongoing basis (IV.J)."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder
from medcoder.documents.model import Document
from medcoder.documents.sections import segment
from medcoder.nlp.medications import find_medications


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index."""


NOTE = """HISTORY OF PRESENT ILLNESS
Mrs. Kane is a 67-year-old woman seen for her diabetes.

PAST MEDICAL HISTORY
Type 2 diabetes. Hyperlipidemia. Atrial fibrillation.

CURRENT MEDICATIONS
1. Metformin 1000 mg p.o. b.i.d.
2. Lantus 20 units at bedtime.
3. Apixaban 5 mg twice daily.
4. Atorvastatin 40 mg nightly.

ALLERGIES
Penicillin (hives). She stopped glipizide last year because of hypoglycemia.

ASSESSMENT AND PLAN
1. Type 2 diabetes mellitus with hyperglycemia. Increase Lantus to 24 units.
"""


def _codes(text: str, setting: str = "outpatient") -> list[str]:
    return [c.code for c in medcoder.code(text, setting=setting, systems="icd10cm").codes]


def test_medications_are_read_with_class_and_whether_they_are_current() -> None:
    document = segment(Document(id="n", text=NOTE))
    found = {(m.name, m.drug_class, m.current) for m in find_medications(document)}
    assert ("metformin", "oral_hypoglycemic", True) in found
    assert ("lantus", "insulin", True) in found
    assert ("apixaban", "anticoagulant", True) in found
    assert ("glipizide", "oral_hypoglycemic", False) in found  # stopped


def test_insulin_and_oral_agent_both_coded_with_diabetes_I_C_4_a_3() -> None:
    codes = _codes(NOTE)
    assert {"Z79.4", "Z79.84"} <= set(codes)
    assert codes[0].startswith("E11")


def test_anticoagulant_on_the_list_is_long_term_use_I_C_21_c_3() -> None:
    assert "Z79.01" in _codes(NOTE)


def test_a_diabetes_drug_without_a_diabetes_code_gives_no_z79() -> None:
    note = "CURRENT MEDICATIONS\nMetformin 500 mg daily.\n\nASSESSMENT\nAcute bronchitis.\n"
    assert "Z79.84" not in _codes(note)


def test_a_treated_chronic_condition_of_the_history_is_coded_outpatient_IV_J() -> None:
    codes = _codes(NOTE)
    assert "E78.5" in codes  # hyperlipidemia on atorvastatin
