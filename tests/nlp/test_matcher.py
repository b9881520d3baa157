"""How the concept matcher keeps one phrase to one condition: words from separate items of a
sentence are not the index's combination of them (I.A.15 links only what the note links)."""

from __future__ import annotations

import pytest

from medcoder.nlp.lexicon import Lexicon
from medcoder.nlp.matcher import ConceptMatcher
from medcoder.nlp.tokens import content_tokens
from medcoder.nlp.vocabulary import Entry, Vocabulary


def _entry(text: str, code: str) -> Entry:
    return Entry(content_tokens(text), code, "index", text, 0)


@pytest.fixture(scope="module")
def matcher() -> ConceptMatcher:
    vocabulary = Vocabulary(
        [
            _entry("Mole, tubal", "O00109"),
            _entry("Ligation, tubal", "Z302"),
            _entry("Nausea vomiting", "R112"),
            _entry("Pulmonary heart disease", "I279"),
            _entry("Chronic obstructive pulmonary disease", "J449"),
            _entry("Congestive heart failure", "I509"),
            _entry("Failure, respiratory", "J9690"),
            _entry("Failure, respiratory, chronic", "J9610"),
            _entry("Exacerbation, chronic obstructive pulmonary disease", "J441"),
            _entry("Acute on chronic systolic heart failure", "I5023"),
            _entry("Heart failure", "I509"),
            _entry("Disease, pulmonary, hypertensive", "I2720"),
            _entry("Hypertension", "I10"),
        ]
    )
    return ConceptMatcher(vocabulary, lexicon=Lexicon.load())


def _codes(matcher: ConceptMatcher, text: str) -> set[str]:
    return {m.entry.code for m in matcher.match(text, [(0, len(text))])}


def test_words_on_two_sides_of_and_in_phrases_of_their_own_are_two_things(
    matcher: ConceptMatcher,
) -> None:
    text = "She requested tubal ligation and removal of a large mole of the abdominal wall."
    assert "O00109" not in _codes(matcher, text)
    assert _codes(matcher, "Nausea and vomiting since last night.") == {"R112"}


def test_a_phrase_takes_its_words_from_one_abbreviation_at_most(matcher: ConceptMatcher) -> None:
    codes = _codes(matcher, "Dyspnea from COPD and CHF.")
    assert {"J449", "I509"} <= codes and "I279" not in codes


def test_a_phrase_does_not_borrow_a_modifier_from_an_abbreviation(
    matcher: ConceptMatcher,
) -> None:
    # the "chronic" of COPD is not the respiratory failure's
    codes = _codes(matcher, "Respiratory failure due to COPD.")
    assert "J9690" in codes and "J9610" not in codes
    assert "J441" in _codes(matcher, "Acute exacerbation of COPD.")


def test_words_written_beside_an_abbreviation_are_read_as_written(
    matcher: ConceptMatcher,
) -> None:
    # "(HFrEF)" is one written word between "systolic" and "heart failure", not its expansion
    assert _codes(matcher, "Acute on chronic systolic (HFrEF) heart failure.") == {"I5023"}


def test_an_abbreviation_ends_at_a_lists_comma(matcher: ConceptMatcher) -> None:
    # "COPD, hypertension" is two conditions, not "pulmonary hypertensive disease"
    codes = _codes(matcher, "Past history of COPD, hypertension, anxiety.")
    assert {"J449", "I10"} <= codes and "I2720" not in codes
