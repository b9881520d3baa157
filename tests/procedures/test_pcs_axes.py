"""The axis-by-axis account ``medcoder explain`` prints for each ICD-10-PCS code."""

from __future__ import annotations

from medcoder.procedures.pcs_axes import start_reasons
from medcoder.procedures.pcs_engine import PcsEngine


def _axes(engine: PcsEngine, note, text: str) -> dict:  # noqa: ANN001
    (suggestion,) = engine.code_document(note(text))
    return suggestion.explanation


def test_complete_code_has_one_row_per_position_with_meaning_and_why(engine, note) -> None:  # noqa: ANN001
    detail = _axes(engine, note, "Laparoscopic cholecystectomy was performed.")
    assert detail["code"] == "0FT44ZZ" and detail["complete"]
    rows = {r["position"]: r for r in detail["axes"]}
    assert sorted(rows) == [1, 2, 3, 4, 5, 6, 7]
    assert (rows[1]["axis"], rows[1]["value"], rows[1]["meaning"]) == (
        "Section",
        "0",
        "Medical and Surgical",
    )
    assert rows[1]["why"].startswith("index: Cholecystectomy")
    # the fixture index offers only Resection for "Cholecystectomy": the entry decides
    assert rows[3]["meaning"] == "Resection"
    assert rows[3]["why"] == "index entry's root operation: Resection from 'cholecystectomy'"
    assert rows[4]["meaning"] == "Gallbladder"
    assert (rows[5]["meaning"], rows[5]["why"]) == (
        "Percutaneous Endoscopic",
        "documented approach 'laparoscopic'",
    )
    assert rows[7]["why"] == "only value the table allows"


def test_b3_1a_operation_row_says_the_definition_decided(engine, note) -> None:  # noqa: ANN001
    """Where the index offers Excision and Resection, B3.1a's definitions choose."""
    detail = _axes(engine, note, "Open partial appendectomy was performed.")
    operation = detail["axes"][2]
    assert (operation["position"], operation["value"], operation["meaning"]) == (
        3,
        "B",
        "Excision",
    )
    assert operation["why"].startswith("B3.1a root operation by its full definition")
    assert "portion" in operation["why"]


def test_biopsy_qualifier_row_cites_b3_4a(engine, note) -> None:  # noqa: ANN001
    detail = _axes(engine, note, "Endoscopic biopsy of the stomach was performed.")
    qualifier = detail["axes"][-1]
    assert (qualifier["position"], qualifier["value"], qualifier["meaning"]) == (
        7,
        "X",
        "Diagnostic",
    )
    assert qualifier["why"].startswith("B3.4a")


def test_incomplete_code_shows_longest_valid_prefix_and_the_missing_axis(pcs_data, note) -> None:  # noqa: ANN001
    # Abstraction reports a construction missing an axis as its prefix, with the axis table.
    abstraction = PcsEngine("abstraction", data=pcs_data)
    detail = _axes(abstraction, note, "Cholecystectomy was performed.")
    assert not detail["complete"]
    assert detail["longest_valid_prefix"] == "0FT4"
    assert detail["missing_axis"] == "Approach"
    missing = detail["axes"][-1]
    assert (missing["position"], missing["axis"], missing["value"]) == (5, "Approach", "?")
    assert "0 Open" in missing["why"] and "4 Percutaneous Endoscopic" in missing["why"]


def test_start_reasons_name_the_index_route_and_the_subterm() -> None:
    why = start_reasons("0FC4", ["index: Extirpation", "Gallbladder", "code 0FC4"])
    assert why[1] == "index: Extirpation → Gallbladder → code 0FC4"
    assert why[4] == "index subterm: Gallbladder"
