"""A note with no sentence breaks (dictation without punctuation, a pasted export) is read in
bounded pieces: sentence splitting, matching and ConText stay linear in the size of the text
(issue 18, finding 9). Speed itself is measured by benchmarks/bench_slow_input.py."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcoder.documents.sections import MAX_SENTENCE, find_sections, sentences
from medcoder.nlp.context import MAX_SENTENCE_TOKENS, ContextAnnotator, _compile, _sentence_starts
from medcoder.nlp.matcher import _nearest

DICTATION = (
    "patient seen today for follow up of type 2 diabetes mellitus with chronic kidney disease "
    "stage 3 blood pressure remains elevated on lisinopril denies chest pain or shortness of "
    "breath lungs clear heart regular abdomen soft plan continue metformin recheck a1c "
)


def _unbroken(chars: int) -> str:
    """Dictation run together with no period or line break, as a speech engine may emit it."""
    words = DICTATION.split()
    rng = random.Random(7)
    out, size = [], 0
    while size < chars:
        word = rng.choice(words)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def test_sentence_with_no_breaks_is_cut_into_pieces_at_spaces():
    text = _unbroken(50_000)
    spans = sentences(text, find_sections(text))
    assert len(spans) >= 50_000 // MAX_SENTENCE
    assert all(s.end - s.start <= MAX_SENTENCE for s in spans)
    for s in spans:  # cut between words, never inside one
        assert s.start == 0 or text[s.start - 1] == " "
        assert s.end == len(text) or text[s.end] == " "
    # every word is in exactly one piece, in order
    assert " ".join(text[s.start : s.end] for s in spans) == text


def test_real_sentences_are_not_cut():
    text = "ASSESSMENT: " + "Type 2 diabetes mellitus with diabetic nephropathy, stable. " * 20
    assert [text[s.start : s.end] for s in sentences(text, find_sections(text))] == [
        "Type 2 diabetes mellitus with diabetic nephropathy, stable."
    ] * 20


def test_context_sentences_are_capped_in_tokens():
    compiled = _compile(True)
    doc = compiled.nlp.make_doc(_unbroken(20_000))
    starts = _sentence_starts(doc, [])
    lengths = [b - a for a, b in zip(starts, [*starts[1:], len(doc)], strict=True)]
    assert max(lengths) <= MAX_SENTENCE_TOKENS
    assert len(starts) >= len(doc) // MAX_SENTENCE_TOKENS


def test_negation_still_reaches_its_target_in_an_unbroken_note():
    text = _unbroken(20_000) + " denies chest pain"
    start = text.rindex("chest pain")
    [result] = ContextAnnotator().annotate(text, [(start, start + len("chest pain"))])
    assert result.assertion.value == "negated"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=1, max_size=40, unique=True), st.integers(0, 500))
def test_nearest_place_is_the_closest_and_the_earlier_on_a_tie(places, anchor):
    places.sort()
    assert _nearest(places, anchor) == min(places, key=lambda p: abs(p - anchor))


LATERALITY_NOTES = [
    "Osteoarthritis of the left knee, worse with stairs.",
    "Right knee osteoarthritis; left knee replaced in 2019.",
    "Bilateral carpal tunnel syndrome, R worse than L.",
    "Cellulitis of the right lower leg with lymphangitis.",
    "Fracture of L wrist after a fall.",
    "Otitis media, both ears, treated with amoxicillin.",
    "Pain in the shoulder of the left arm, and right hip pain.",
    "Glaucoma; no laterality documented.",
    "Stage 3 pressure ulcer of the sacrum, rt heel intact.",
]


@pytest.mark.parametrize("note", LATERALITY_NOTES)
def test_laterality_read_alone_is_the_one_all_attributes_give(note):
    """The laterality guideline reads only the side (one pattern instead of five): for every
    word of the note taken as a mention, in its own sentence and in a window, the same side."""
    import re

    from medcoder.nlp.attributes import extract_attributes, laterality_of

    for word in re.finditer(r"[A-Za-z]{4,}", note):
        start, end = word.span()
        for sentence in (None, (0, len(note))):
            full = extract_attributes(note, start, end, sentence).laterality
            assert laterality_of(note, start, end, sentence) == full, (note, word.group())
