"""Attributes around a mention and links between mentions."""

from __future__ import annotations

import pytest

from medcoder.nlp.attributes import apply_attributes, extract_attributes, link_mentions
from medcoder.nlp.model import Mention


def attrs(sentence: str, target: str):
    start = sentence.index(target)
    return extract_attributes(sentence, start, start + len(target))


@pytest.mark.parametrize(
    ("sentence", "target", "laterality"),
    [
        ("Left knee pain.", "knee pain", "left"),
        ("Pain in the right hip.", "Pain", "right"),
        ("Bilateral lower extremity edema.", "edema", "bilateral"),
        ("bilat pleural effusions", "pleural effusions", "bilateral"),
        ("L knee osteoarthritis", "osteoarthritis", "left"),
        ("R hip fracture", "hip fracture", "right"),
        ("Received 2 L of fluid for hypotension.", "hypotension", None),
    ],
)
def test_laterality_including_single_letter_forms(sentence, target, laterality) -> None:
    assert attrs(sentence, target).laterality == laterality


@pytest.mark.parametrize(
    ("sentence", "target", "acuity"),
    [
        (
            "Acute on chronic diastolic heart failure.",
            "diastolic heart failure",
            "acute on chronic",
        ),
        ("Acute kidney injury.", "kidney injury", "acute"),
        ("Chronic obstructive pulmonary disease.", "obstructive pulmonary disease", "chronic"),
        ("Subacute cough.", "cough", "subacute"),
        ("Pneumonia.", "Pneumonia", None),
    ],
)
def test_acuity(sentence, target, acuity) -> None:
    assert attrs(sentence, target).acuity == acuity


@pytest.mark.parametrize(
    ("sentence", "target", "severity"),
    [
        ("CKD stage 3b.", "CKD", "stage 3b"),
        ("Chronic kidney disease, stage 3.", "Chronic kidney disease", "stage 3"),
        ("Breast cancer stage IV.", "Breast cancer", "stage 4"),
        ("Grade 2 hemorrhoids.", "hemorrhoids", "grade 2"),
        ("Heart failure, NYHA class III.", "Heart failure", "NYHA class III"),
        ("Severe sepsis.", "sepsis", "severe"),
        ("Mild persistent asthma.", "asthma", "mild"),
        ("Moderately severe depression.", "depression", "moderately severe"),
    ],
)
def test_severity_and_stage(sentence, target, severity) -> None:
    assert attrs(sentence, target).severity == severity


def test_site_after_mention_with_laterality() -> None:
    found = attrs("Pressure ulcer of left heel, stage 3.", "Pressure ulcer")
    assert (found.body_site, found.laterality, found.severity) == ("heel", "left", "stage 3")


def test_attributes_stay_in_the_mention_sentence() -> None:
    found = attrs("Left knee replaced in 2010. Acute pneumonia.", "pneumonia")
    assert found.laterality is None
    assert found.acuity == "acute"


def test_apply_attributes_fills_only_empty_fields() -> None:
    text = "Acute right lower lobe pneumonia."
    mention = Mention("pneumonia", 23, 32, "pneumonia", laterality="left")
    apply_attributes(text, mention)
    assert mention.laterality == "left"
    assert mention.acuity == "acute"


def _mentions(text: str, *phrases: str) -> list[Mention]:
    out = []
    for phrase in phrases:
        start = text.index(phrase)
        out.append(Mention(phrase, start, start + len(phrase), phrase))
    return out


@pytest.mark.parametrize(
    ("text", "relation", "reverse"),
    [
        ("Hyponatremia due to SIADH.", "due_to", "cause_of"),
        ("Hyponatremia secondary to SIADH.", "due_to", "cause_of"),
        ("Hyponatremia, likely secondary to SIADH.", "due_to", "cause_of"),
        ("Hyponatremia caused by SIADH.", "due_to", "cause_of"),
        ("Hyponatremia with SIADH.", "with", "with"),
    ],
)
def test_link_between_adjacent_mentions(text, relation, reverse) -> None:
    mentions = _mentions(text, "Hyponatremia", "SIADH")
    link_mentions(text, mentions)
    assert mentions[0].links == [(relation, 1)]
    assert mentions[1].links == [(reverse, 0)]


def test_link_allows_modifiers_before_second_mention() -> None:
    text = "Type 2 diabetes with chronic kidney disease."
    mentions = _mentions(
        text, "kidney disease", "Type 2 diabetes"
    )  # input order need not be text order
    link_mentions(text, mentions)
    assert mentions[1].links == [("with", 0)]


def test_no_link_across_sentences_or_unrelated_words() -> None:
    text = "Hyponatremia. Due to SIADH. Pneumonia and sepsis."
    mentions = _mentions(text, "Hyponatremia", "SIADH", "Pneumonia", "sepsis")
    link_mentions(text, mentions)
    assert all(m.links == [] for m in mentions)


def test_mention_of_site_mention_links_as_site() -> None:
    text = "Ulcer of heel."
    mentions = _mentions(text, "Ulcer", "heel")
    link_mentions(text, mentions)
    assert mentions[0].links == [("site", 1)]


def test_side_and_site_stay_in_their_own_clause() -> None:
    from medcoder.nlp.attributes import extract_attributes

    text = "He has shortness of breath and leg swelling."
    start = text.index("shortness of breath")
    assert extract_attributes(text, start, start + 19).body_site is None
    text = "Right knee pain and left shoulder pain."
    start = text.index("shoulder pain")
    assert extract_attributes(text, start, start + 13).laterality == "left"
    text = "Rotator cuff tear, left."
    assert extract_attributes(text, 0, 17).laterality == "left"
