"""Root operation, approach, qualifier and assertion rules of the PCS engine (fixture pack)."""

from __future__ import annotations

from medcoder.documents.sections import segment
from medcoder.documents.text_reader import text_document
from medcoder.procedures.pcs_engine import PcsEngine


def note(text: str):  # noqa: ANN201
    return segment(text_document(text, doc_id="op-note", source="op-note"))


def codes(engine: PcsEngine, text: str) -> list[str]:
    return sorted(s.code for s in engine.code_document(note(text)))


def test_b3_1a_appendectomy_is_resection_all_of_body_part(engine: PcsEngine) -> None:
    assert codes(engine, "Laparoscopic appendectomy was performed.") == ["0DTJ4ZZ"]


def test_b3_1a_partial_removal_is_excision_portion_of_body_part(engine: PcsEngine) -> None:
    assert codes(engine, "Open partial appendectomy was performed.") == ["0DBJ0ZZ"]


def test_b3_4a_biopsy_takes_qualifier_diagnostic(engine: PcsEngine) -> None:
    result = engine.code_document(note("Endoscopic biopsy of the stomach was performed."))
    assert [s.code for s in result] == ["0DB68ZX"]
    assert "B3.4a" in result[0].guidelines


def test_b5_laparoscopic_approach_is_percutaneous_endoscopic(engine: PcsEngine) -> None:
    (suggestion,) = engine.code_document(note("Laparoscopic cholecystectomy was performed."))
    assert suggestion.code == "0FT44ZZ"
    assert suggestion.system == "ICD-10-PCS"
    assert suggestion.description.startswith("Resection of Gallbladder")
    assert any("Percutaneous Endoscopic" in step for step in suggestion.path)


def test_b3_1a_drainage_of_fluid_vs_extirpation_of_solid_matter(engine: PcsEngine) -> None:
    assert codes(engine, "Percutaneous drainage of the gallbladder.") == ["0F943ZZ"]
    assert codes(engine, "The stone was removed from the gallbladder by open surgery.") == [
        "0FC40ZZ"
    ]


def test_b3_1a_bypass_qualifier_names_the_destination(engine: PcsEngine) -> None:
    assert codes(engine, "Open gastric bypass to the jejunum.") == ["0D160ZA"]


def test_index_code_used_whole_colonoscopy(engine: PcsEngine) -> None:
    (suggestion,) = engine.code_document(note("Colonoscopy showed diverticula."))
    assert suggestion.code == "0DJD8ZZ"
    assert suggestion.evidence[0].text == "Colonoscopy"


def test_a8_missing_approach_is_a_query_never_a_code(engine: PcsEngine) -> None:
    result = engine.analyze(note("Cholecystectomy was performed."))
    assert result.codes == []
    (query,) = result.queries
    assert query.prefix == "0FT4" and query.missing == "Approach"
    assert set(query.choices) == {"0", "4"}
    assert "open or percutaneous endoscopic" in query.question
    assert query.evidence[0].text == "Cholecystectomy"
    (item,) = result.incomplete
    assert item.code == "0FT4" and not item.complete


def test_abstraction_reports_the_longest_valid_prefix_of_an_incomplete_code(pcs_data) -> None:  # noqa: ANN001
    engine = PcsEngine("abstraction", data=pcs_data)
    result = engine.analyze(note("Cholecystectomy was performed."))
    assert [s.code for s in result.codes] == ["0FT4"]
    assert "incomplete" in result.codes[0].description
    assert result.queries == []


def test_a8_missing_laterality_is_a_side_query(engine: PcsEngine) -> None:
    result = engine.analyze(note("Orchiectomy was performed."))
    (item,) = result.incomplete
    assert item.code == "0VT" and item.missing == "Body Part"
    assert result.codes == []
    (query,) = result.queries
    assert query.question.startswith("side not documented for 'Orchiectomy'")
    assert "right" in query.question and "left" in query.question


def test_prefix_length_reports_body_part_prefix(pcs_data) -> None:  # noqa: ANN001
    engine = PcsEngine("abstraction", data=pcs_data, prefix_length=4)
    text = "CT of the abdomen was performed."
    assert [s.code for s in engine.code_document(note(text))] == ["BW20"]
    text = "CT of the abdomen without contrast was performed."
    assert [s.code for s in engine.code_document(note(text))] == ["BW20ZZZ"]


def test_negated_procedure_not_coded(engine: PcsEngine) -> None:
    assert codes(engine, "Laparoscopic appendectomy was not performed.") == []


def test_planned_procedure_not_coded(engine: PcsEngine) -> None:
    assert codes(engine, "We plan to perform a laparoscopic cholecystectomy.") == []


def test_b4_3_bilateral_value_used_when_it_exists(engine: PcsEngine) -> None:
    assert codes(engine, "Open bilateral orchiectomy was performed.") == ["0VTC0ZZ"]


def test_b4_3_no_bilateral_value_codes_each_side(engine: PcsEngine) -> None:
    result = engine.code_document(note("Examination of both eyes was performed."))
    assert sorted(s.code for s in result) == ["08J0XZZ", "08J1XZZ"]
    assert all("B4.3" in s.guidelines for s in result)


def test_b3_2a_same_operation_different_body_parts_coded_separately(engine: PcsEngine) -> None:
    text = "Laparoscopic appendectomy. Laparoscopic cholecystectomy."
    assert codes(engine, text) == ["0DTJ4ZZ", "0FT44ZZ"]


def test_b3_3_discontinued_procedure_coded_as_inspection(engine: PcsEngine) -> None:
    text = "Laparoscopic cholecystectomy was discontinued after entry."
    result = engine.code_document(note(text))
    assert [s.code for s in result] == ["0FJ44ZZ"]
    assert any("B3.3" in step for step in result[0].path)


def test_physical_examination_is_not_a_procedure(engine: PcsEngine) -> None:
    assert codes(engine, "Physical examination of the right eye was normal.") == []
