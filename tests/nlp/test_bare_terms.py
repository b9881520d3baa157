"""Index main terms that name no condition when they stand alone (``nlp/data/bare_terms.tsv``).

The Alphabetic Index gives a code to some everyday words ("Scales R23.4", "Reflex R29.2",
"Cold J00"); in a note these words mostly name an instrument, an examination or a temperature.
A coder reads the word in its phrase (Guidelines I.A.2 and I.B.1: locate the term, then verify
what the documentation says), so the bare word is not coded; inside a longer phrase it counts.
"""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from medcoder.nlp.matcher import ConceptMatcher, bare_words
from medcoder.nlp.tokens import content_tokens
from medcoder.nlp.vocabulary import Entry, Vocabulary


def _entry(text: str, code: str) -> Entry:
    return Entry(content_tokens(text), code, "index", text, 0)


def _codes(matcher: ConceptMatcher, text: str) -> set[str]:
    return {m.entry.code for m in matcher.match(text, [(0, len(text))])}


@pytest.fixture(scope="module")
def matcher() -> ConceptMatcher:
    vocabulary = Vocabulary(
        [
            _entry("Scales", "R234"),
            _entry("Scaling, skin", "R234"),
            _entry("Reflex", "R292"),
            _entry("Cold", "J00"),
            _entry("Cold, common", "J00"),
            _entry("Cough", "R059"),
            _entry("Dentition", "K007"),
            _entry("Observation", "Z049"),
            _entry("Dentition, difficult", "K007"),
        ]
    )
    return ConceptMatcher(vocabulary, bare=bare_words())


def test_every_bare_word_gives_its_reason() -> None:
    path = resources.files("medcoder.nlp") / "data" / "bare_terms.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert rows and all(r["word"].strip() and len(r["why"]) > 20 for r in rows)


@pytest.mark.parametrize(
    "text",
    [
        "Glasgow Coma Scale 15, visual analogue scale 3.",
        "The plantar reflex was flexor.",
        "Cold and pale extremities.",
        "POSTOPERATIVE DIAGNOSES: 3. Corrected dentition.",
        "She will be admitted to observation overnight for serial troponins.",
    ],
)
def test_bare_word_alone_is_not_a_condition(matcher: ConceptMatcher, text: str) -> None:
    assert _codes(matcher, text) == set()


def test_the_same_word_inside_a_longer_index_phrase_still_counts(matcher: ConceptMatcher) -> None:
    assert _codes(matcher, "She had a common cold.") == {"J00"}
    assert _codes(matcher, "Dry cough.") == {"R059"}
    assert _codes(matcher, "Difficult dentition in an infant.") == {"K007"}
