"""CDI's reading of the words: the shared assertion engine decides, quotes keep whole words."""

from __future__ import annotations

from cdi_cases import note

from medcoder.cdi.indicators import collect_indicators
from medcoder.cdi.mentions import quote


def test_a_long_sentence_is_quoted_from_a_word_boundary_never_mid_word():
    text = (
        "I spoke with the patient and his son about what he would like to do and what the options "
        "were from doing nothing from keeping him comfortable with pain medicines to admitting him "
        "to the hospital with the possibility of scopes and even surgery being done as well as the "
        "blood transfusion."
    )
    start = text.index("blood transfusion")
    quoted = quote(text, 0, len(text), start, start + len("blood transfusion"), limit=120)
    assert quoted.startswith("...") and "blood transfusion" in quoted
    first_word = quoted[3:].split()[0]
    assert f" {first_word} " in f" {text} "  # a whole word of the note, not "om"
    assert len(quoted) <= 126


def test_a_short_sentence_is_quoted_whole():
    text = "5.  Diabetes.,6.  Hyperlipidemia."
    assert quote(text, 4, 13, 4, 12) == "Diabetes."


def test_mentions_carry_section_assertion_and_sentence_quote():
    text = (
        "PAST MEDICAL HISTORY: , Diabetes and CHF.,FAMILY HISTORY: , Diabetes.,ALLERGIES: , "
        "ADHESIVE TAPE.,REVIEW OF SYSTEMS: , Denies congestive heart failure."
    )
    keywords = frozenset({"diabetes", "chf", "congestive heart failure", "adhesive tape"})
    found = collect_indicators(note(text), keywords=keywords)
    mentions = found.mentions_of(keywords)
    seen = [(m.text, m.section, m.assertion, m.patients) for m in mentions]
    assert seen == [
        ("Diabetes", "past_medical_history", "historical", True),
        ("CHF", "past_medical_history", "historical", True),
        ("Diabetes", "family_history", "family", False),
        ("ADHESIVE TAPE", "allergies", "present", False),
        ("congestive heart failure", "ros", "negated", True),
    ]
    assert mentions[0].context == "Diabetes and CHF."
