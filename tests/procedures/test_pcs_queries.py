"""What a billing setting reports (pcs_queries): significant, complete codes; queries apart."""

from __future__ import annotations

from medcoder.procedures.pcs_builder import PcsConstruction
from medcoder.procedures.pcs_queries import drop_integral_inspections, question, significant
from medcoder.suggestions import CodeSuggestion


def test_uhdds_significant_procedures_are_surgical_obstetric_assistance_and_angiography() -> None:
    assert significant("0VB08ZZ")  # medical and surgical
    assert significant("10D00Z1")  # obstetrics
    assert significant("5A1935Z")  # mechanical ventilation
    assert significant("B2111ZZ")  # coronary angiography (contrast through a catheter)
    assert significant("4A023N7")  # left heart catheterization
    assert significant("0W9")  # a partial code keeps the section's answer


def test_uhdds_routine_imaging_measurement_and_administration_are_not_significant() -> None:
    assert not significant("BW03ZZZ")  # chest x-ray
    assert not significant("BT13ZZZ")  # retrograde pyelogram (urinary, not vascular)
    assert not significant("4A02X4Z")  # ECG
    assert not significant("3E0234Z")  # vaccine injection
    assert not significant("")


def test_a8_question_names_the_missing_axis_and_the_values_the_table_allows() -> None:
    item = PcsConstruction(
        "0FT4", missing="Approach", choices={"0": "Open", "4": "Percutaneous Endoscopic"}
    )
    assert question(item, "cholecystectomy") == (
        "approach not documented for 'cholecystectomy': open or percutaneous endoscopic?"
    )


def test_a8_question_for_a_body_part_differing_only_by_side_asks_the_side() -> None:
    item = PcsConstruction(
        "0YQ",
        missing="Body Part",
        choices={
            "5": "Inguinal Region, Right",
            "6": "Inguinal Region, Left",
            "A": "Inguinal Region, Bilateral",
        },
    )
    assert question(item, "inguinal herniorrhaphy") == (
        "side not documented for 'inguinal herniorrhaphy': bilateral, left or right?"
    )


def _code(code: str) -> CodeSuggestion:
    return CodeSuggestion("ICD-10-PCS", code, "", 0.9)


def test_b3_11a_inspection_to_reach_the_objective_is_not_coded() -> None:
    kept, dropped = drop_integral_inspections([_code("0TJB8ZZ"), _code("0VB08ZZ")])
    assert [c.code for c in kept] == ["0VB08ZZ"]
    assert [c.code for c in dropped] == ["0TJB8ZZ"]


def test_b3_11c_inspection_by_another_approach_of_the_same_body_part_is_coded() -> None:
    kept, dropped = drop_integral_inspections([_code("0DJ98ZZ"), _code("0DB90ZZ")])
    assert sorted(c.code for c in kept) == ["0DB90ZZ", "0DJ98ZZ"]
    assert dropped == []


def test_inspection_alone_is_coded() -> None:
    kept, dropped = drop_integral_inspections([_code("0TJB8ZZ")])
    assert [c.code for c in kept] == ["0TJB8ZZ"] and dropped == []
