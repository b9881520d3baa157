"""How the Alphabetic Index is read into phrases (I.A.16 see, I.A.18 defaults, I.B.1 complete
codes) and how one phrase gets one reading."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index (tests/fixtures/engine)."""


def _codes(statement: str, heading: str = "ASSESSMENT") -> list[str]:
    note = f"{heading}:\n{statement}\n"
    return [c.code for c in medcoder.code(note, setting="inpatient", systems="icd10cm").codes]


def test_a_subterm_that_says_see_codes_as_its_target_I_A_16() -> None:
    # Regurgitation, mitral -> see Insufficiency, mitral (I34.0), not Regurgitation (R11.10)
    assert _codes("Mild mitral regurgitation on echocardiogram.") == ["I34.0"]


def test_a_see_reference_by_site_leads_to_the_sites_of_its_target() -> None:
    # Decubitus -> see Ulcer, pressure, by site; stage 4 completes L89.15- as L89.154
    assert _codes("Stage IV necrotic sacral decubitus.", "POSTOPERATIVE DIAGNOSIS") == ["L89.154"]


def test_a_dash_code_is_completed_by_the_index_path_words_not_the_unspecified_child() -> None:
    assert _codes("Pressure ulcer, stage 4, sacral region.") == ["L89.154"]


def test_fracture_traumatic_is_the_default_reading_of_fracture_I_A_18() -> None:
    assert _codes("Right proximal humerus fracture.") == ["S42.201A"]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("Foreign body in the esophagus, removed at EGD.", "T18.108A"),
        ("Foreign body (food) in the distal esophagus.", "T18.128A"),
        ("Foreign body in the airway, food particles on bronchoscopy.", "T17.928A"),
    ],
)
def test_a_subterm_with_its_parents_code_is_the_default_and_need_not_be_said(
    statement: str, expected: str
) -> None:
    # "Foreign body, esophagus" T18.108 = "..., causing, injury NEC" T18.108: the default
    # reading, so "..., injury NEC, food" (T18.128) is read without "causing injury";
    # the airway is the respiratory tract
    assert _codes(statement, "IMPRESSION") == [expected]


def test_a_subterm_with_its_own_code_is_read_when_documented() -> None:
    # "causing, tracheal compression" (T18.100) is not the default: said, it is coded
    statement = "Foreign body (food) in the esophagus causing tracheal compression."
    assert _codes(statement, "IMPRESSION") == ["T18.120A"]


@pytest.mark.parametrize(
    "statement",
    ["Pelvic fracture after a fall from a ladder.", "Fracture of the pelvis, nondisplaced."],
)
def test_a_subterm_listing_spellings_of_one_site_reads_either_spelling(statement: str) -> None:
    # "Fracture, traumatic, pelvis, pelvic (bone)": the note says one of the two words
    assert _codes(statement, "IMPRESSION")[0] == "S32.9XXA"


def test_lumbar_is_read_as_the_index_low_back() -> None:
    assert _codes("Acute lumbar strain after lifting boxes.") == ["S39.012A"]


def test_two_index_readings_of_one_phrase_give_one_code() -> None:
    assert _codes("Right wrist Colles fracture.") == ["S52.531A"]
    assert _codes("Critical aortic stenosis with an aortic valve area of 0.5 cm square.") == [
        "I35.0"
    ]


def test_coordinated_sites_are_separate_conditions() -> None:
    assert sorted(_codes("Left tibia and fibula fractures.")) == ["S82.202A", "S82.402A"]


def test_a_strain_of_a_named_ligament_is_coded_as_the_index_sprain() -> None:
    # Strain is muscle or tendon in the index; a ligament's injury is a sprain (S83 includes).
    assert _codes("1. Right knee MCL strain.", "ASSESSMENT AND PLAN") == ["S83.411A"]


def test_a_strain_without_a_ligament_stays_a_strain() -> None:
    assert _codes("1. Acute lumbar strain.", "ASSESSMENT AND PLAN") == ["S39.012A"]


def test_valves_documented_together_take_the_index_with_combination_I_A_15() -> None:
    # Regurgitation, mitral -> see Insufficiency, mitral, whose "with tricuspid" is I08.1.
    assert _codes("Mild mitral and tricuspid regurgitation.", "IMPRESSION") == ["I08.1"]


def test_a_see_subterm_is_looked_up_again_under_its_target_I_A_16() -> None:
    # Ulcer, heel -> see Ulcer, lower limb: the coder finds "heel" there (L97.4-), then "right".
    assert _codes("1. Chronic ulcer of the right heel.", "ASSESSMENT AND PLAN") == ["L97.419"]


def test_a_partial_thickness_tear_is_the_index_incomplete_tear() -> None:
    note = "Partial-thickness rotator cuff tear, left shoulder."
    assert _codes(note, "POSTOPERATIVE DIAGNOSIS") == ["M75.112"]


@pytest.mark.parametrize(
    "statement",
    ["1.  Left atrial enlargement with a diameter of 4.7 cm.", "2.  Enlarged left atrium."],
)
def test_see_also_gives_the_other_terms_sites_for_a_stated_condition_I_A_16(
    statement: str,
) -> None:
    # Enlargement (see also Hypertrophy) has no atrium; Hypertrophy, auricular -> cardiac I51.7.
    assert _codes(statement, "IMPRESSION") == ["I51.7"]


def test_see_also_does_not_turn_an_abnormal_finding_into_a_congenital_anomaly_I_C_17() -> None:
    # "Abnormal (see also Anomaly)": the anomaly's sites are congenital malformations
    codes = _codes("Abnormal liver enzymes, recheck in 3 months.", "IMPRESSION")
    assert not any(c.startswith("Q") for c in codes), codes
    assert _codes("Abnormal liver function test.", "IMPRESSION") == ["R79.89"]


def test_see_also_is_not_taken_for_every_word_in_abstraction() -> None:
    note = "IMPRESSION:\n1.  Left atrial enlargement.\n"
    codes = medcoder.code(note, setting="abstraction", systems="icd10cm").codes
    assert "I51.7" not in [c.code for c in codes]


@pytest.mark.parametrize("statement", ["Lower back pain.", "Low back pain.", "Lumbar pain."])
def test_the_lower_back_is_the_index_low_back(statement: str) -> None:
    assert _codes(statement, "IMPRESSION") == ["M54.50"]


def test_a_main_terms_own_code_yields_to_a_subterm_code_of_the_same_record_I_B_18() -> None:
    # "Osteoarthritis" (M19.90) in the past history and "osteoarthritis of the knee" in the
    # diagnoses are one osteoarthritis, of the knee
    note = (
        "PAST MEDICAL HISTORY:, Hypertension.  Osteoarthritis.,DISCHARGE DIAGNOSES:,1.  "
        "Community-acquired pneumonia.,2.  Osteoarthritis of the knee, ambulating with a walker."
    )
    codes = [c.code for c in medcoder.code(note, setting="inpatient", systems="icd10cm").codes]
    assert "M19.90" not in codes and any(c.startswith("M17") for c in codes), codes


def test_a_subterm_without_a_code_takes_its_see_also_terms_code_I_A_16() -> None:
    # "Sore, throat (see also Pharyngitis)": the stated sore throat is acute pharyngitis
    assert _codes("1.  Sore throat, supportive care.", "ASSESSMENT AND PLAN") == ["J02.9"]
    assert _codes("Streptococcal sore throat.", "ASSESSMENT AND PLAN") == ["J02.0"]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        # the public index file lost "chronic" after "acute and (on)": the Tabular title of
        # J96.20 ("Acute and chronic respiratory failure") gives it back
        ("Acute on chronic hypoxic and hypercapnic respiratory failure.", ["J96.21", "J96.22"]),
        ("Acute on chronic respiratory failure.", ["J96.20"]),
        # "hypoxic" is the index's "with hypoxia"
        ("Acute hypoxic respiratory failure.", ["J96.01"]),
    ],
)
def test_a_title_the_index_file_cut_after_its_modifier_is_read_whole(
    statement: str, expected: list[str]
) -> None:
    assert _codes(statement, "IMPRESSION") == expected
