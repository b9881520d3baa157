"""Abbreviation lexicon: lookups, case rules, ambiguity, finding in text."""

from __future__ import annotations

import pytest

from medcoder.errors import SourceFileError
from medcoder.nlp.lexicon import Lexicon, expand_text


@pytest.mark.parametrize(
    ("abbreviation", "expansion"),
    [
        ("HTN", "hypertension"),
        ("htn", "hypertension"),
        ("CHF", "congestive heart failure"),
        ("COPD", "chronic obstructive pulmonary disease"),
        ("CAD", "coronary artery disease"),
        ("CABG", "coronary artery bypass graft"),
        ("AKI", "acute kidney injury"),
        ("CKD", "chronic kidney disease"),
        ("T2DM", "type 2 diabetes mellitus"),
        ("DM2", "type 2 diabetes mellitus"),
        ("NIDDM", "type 2 diabetes mellitus"),
        ("T1DM", "type 1 diabetes mellitus"),
        ("UTI", "urinary tract infection"),
        ("NSTEMI", "non-ST elevation myocardial infarction"),
        ("CVA", "cerebrovascular accident"),
        ("afib", "atrial fibrillation"),
        ("ESRD", "end stage renal disease"),
        ("SOB", "shortness of breath"),
        ("N/V", "nausea and vomiting"),
    ],
)
def test_common_abbreviations_expand_to_index_wording(abbreviation, expansion) -> None:
    assert expansion in Lexicon.load().expansions(abbreviation)


def test_lexicon_has_at_least_150_entries_and_is_cached() -> None:
    assert len(Lexicon.load().entries) >= 150
    assert Lexicon.load() is Lexicon.load()


def test_case_sensitive_abbreviation_matches_only_as_written() -> None:
    lexicon = Lexicon.load()
    assert "aortic stenosis" in lexicon.expansions("AS")
    assert lexicon.expansions("as") == []


def test_ambiguous_abbreviation_lists_every_reading() -> None:
    entries = Lexicon.load().lookup("PE")
    assert {e.expansion for e in entries} >= {"pulmonary embolism", "physical examination"}
    assert all(e.ambiguous for e in entries)


def test_unknown_token_has_no_expansion() -> None:
    assert Lexicon.load().expansions("XYZZY") == []


def test_expand_text_finds_abbreviations_on_word_boundaries_with_offsets() -> None:
    text = "Pt with HTN, DM2 and CKD; s/p CABG. CHFx"
    found = expand_text(text)
    assert (8, 11, "hypertension") in found
    assert (13, 16, "type 2 diabetes mellitus") in found
    assert (21, 24, "chronic kidney disease") in found
    assert (30, 34, "coronary artery bypass graft") in found
    assert not any(text[s:e] == "CHF" for s, e, _ in found)


def test_expand_text_skips_ambiguous_unless_asked() -> None:
    assert expand_text("PE: lungs clear") == []
    readings = {x for _, _, x in expand_text("PE: lungs clear", include_ambiguous=True)}
    assert "pulmonary embolism" in readings


def test_english_words_are_not_taken_for_case_sensitive_abbreviations() -> None:
    assert expand_text("as well as all of this") == []


def test_malformed_lexicon_file_raises_source_file_error(tmp_path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("abbreviation\texpansion\tkind\tcase_sensitive\tambiguous\nHTN\thypertension\n")
    with pytest.raises(SourceFileError, match="expected 5 columns"):
        Lexicon.load(path)
