"""A removal verb is coded by what it takes out (B3.1a) and is not coded twice (B3.2).

Root operations are defined by the objective of the procedure (B3.1a and the root operation
definitions): taking out all of a body part is Resection, a portion Excision, solid matter
from a body part Extirpation. B3.2 codes a root operation more than once only for distinct
body parts or objectives.
"""

from __future__ import annotations

import pytest

from medcoder.procedures.pcs_engine import PcsEngine
from medcoder.procedures.pcs_objects import removal_object


def codes(engine: PcsEngine, note, text: str) -> list[str]:  # noqa: ANN001
    return sorted(s.code for s in engine.code_document(note(text)))


def _object(sentence: str, verb: str):  # noqa: ANN202
    start = sentence.index(verb)
    return removal_object(sentence, start, start + len(verb), (0, len(sentence)))


@pytest.mark.parametrize(
    ("sentence", "verb", "kind", "words"),
    [
        ("The gallbladder was removed laparoscopically.", "removed", "body", "The gallbladder"),
        ("Gallbladder removed without complication.", "removed", "body", "Gallbladder"),
        ("Removal of the gallbladder.", "Removal", "body", "the gallbladder"),
        ("Stones were removed from the duct.", "removed", "solid", "Stones"),
        ("Removal of a foreign body from the cornea.", "Removal", "solid", "a foreign body"),
        ("We removed the clot from the artery.", "removed", "solid", "the clot"),
        ("The polyp was removed from the colon.", "removed", "lesion", "The polyp"),
        ("The drain was removed.", "removed", "device", "The drain"),
        ("A purulent collection was removed.", "removed", "fluid", "A purulent collection"),
        ("A tumour was found, biopsied and was removed.", "removed", "lesion", "A tumour"),
    ],
)
def test_b3_1a_the_object_of_a_removal_verb_is_read_from_its_sentence(
    sentence: str, verb: str, kind: str, words: str
) -> None:
    found = _object(sentence, verb)
    assert (found.kind, found.words) == (kind, words)


def test_b3_1a_body_part_removed_is_resection_not_extirpation(engine, note) -> None:  # noqa: ANN001
    assert codes(engine, note, "The gallbladder was removed laparoscopically.") == ["0FT44ZZ"]
    assert codes(engine, note, "Gallbladder removed laparoscopically without complication.") == [
        "0FT44ZZ"
    ]
    assert codes(engine, note, "Removal of the gallbladder by open surgery.") == ["0FT40ZZ"]


def test_b3_1a_solid_matter_removed_from_a_body_part_is_extirpation(engine, note) -> None:  # noqa: ANN001
    assert codes(engine, note, "Open removal of stones from the gallbladder.") == ["0FC40ZZ"]
    assert codes(engine, note, "We removed a clot from the gallbladder percutaneously.") == [
        "0FC43ZZ"
    ]


def test_b3_1a_the_object_is_the_reason_for_the_root_operation(engine, note) -> None:  # noqa: ANN001
    (suggestion,) = engine.code_document(note("The gallbladder was removed laparoscopically."))
    operation = next(r for r in suggestion.explanation["axes"] if r["position"] == 3)
    assert operation["meaning"] == "Resection"
    assert "B3.1a" in operation["why"] and "'The gallbladder'" in operation["why"]


def test_removal_of_a_device_is_not_coded_as_extirpation_of_its_body_part(engine, note) -> None:  # noqa: ANN001
    assert codes(engine, note, "The drain was removed from the gallbladder.") == []


def test_b3_2_a_verb_restating_the_procedure_is_coded_once(engine, note) -> None:  # noqa: ANN001
    text = (
        "OPERATIVE REPORT\nProcedure: Laparoscopic cholecystectomy.\n"
        "The gallbladder was removed and sent to pathology.\n"
    )
    result = engine.analyze(note(text))
    assert [c.code for c in result.codes] == ["0FT44ZZ"]
    assert [e.text for e in result.codes[0].evidence] == ["cholecystectomy", "removed"]
    assert not result.queries  # the restatement is no query for a missing approach


def test_b3_2_stones_removed_from_the_resected_gallbladder_are_not_a_second_code(
    engine,  # noqa: ANN001
    note,  # noqa: ANN001
) -> None:
    text = "Laparoscopic cholecystectomy. Stones were removed from the gallbladder."
    assert codes(engine, note, text) == ["0FT44ZZ"]


def test_b3_2_distinct_body_parts_stay_two_procedures(engine, note) -> None:  # noqa: ANN001
    text = "Laparoscopic appendectomy. The stone was removed from the gallbladder by open surgery."
    assert codes(engine, note, text) == ["0DTJ4ZZ", "0FC40ZZ"]


def test_b3_4b_a_diagnostic_excision_is_never_folded_into_the_resection() -> None:
    """B3.4b: a biopsy followed by a definitive procedure at the same site codes both."""
    from medcoder.procedures.pcs_engine import _same_procedure
    from medcoder.suggestions import CodeSuggestion

    resection = CodeSuggestion("ICD-10-PCS", "0FT44ZZ", "", 0.9)
    biopsy = CodeSuggestion("ICD-10-PCS", "0FB44ZX", "", 0.9)
    extirpation = CodeSuggestion("ICD-10-PCS", "0FC44ZZ", "", 0.9)
    other_part = CodeSuggestion("ICD-10-PCS", "0FC94ZZ", "", 0.9)
    assert _same_procedure(biopsy, [resection]) is None
    assert _same_procedure(extirpation, [resection]) is resection
    assert _same_procedure(other_part, [resection]) is None
