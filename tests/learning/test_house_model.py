"""The house model learns phrases from coded documents; only phrases about their code."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets import registry
from medcoder.learning.house_model import _LexicalLink, _Tables


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in ICD-10-CM tabular (titles for the lexical link)."""


def _tables_from(docs: dict[str, tuple[set[tuple[str, ...]], set[str]]]) -> _Tables:
    link = _LexicalLink(registry.icd10cm())
    tables = _Tables(2, 0.3, 3.0, link, 0.6)
    ids = sorted(docs)
    grams = {d: dict.fromkeys(g, (0, 1)) for d, (g, _) in docs.items()}
    gold = {d: codes for d, (_, codes) in docs.items()}
    return tables.fit(ids, {d: [] for d in ids}, grams, gold)


def test_learned_phrase_sharing_a_word_with_its_code_is_kept() -> None:
    docs = {f"d{i}": ({("hypertensive",)}, {"I10"}) for i in range(2)}
    docs |= {f"e{i}": ({("hypertensive",)}, set()) for i in range(2)}
    assert ("hypertensive",) in _tables_from(docs).phrases


def test_coincidental_phrase_below_unlinked_precision_is_dropped() -> None:
    """ "woman history" co-occurs with I10 in half the documents: a corpus coincidence, not a
    way of writing hypertension, so it never proposes I10."""
    docs = {f"d{i}": ({("woman", "history")}, {"I10"}) for i in range(2)}
    docs |= {f"e{i}": ({("woman", "history")}, set()) for i in range(2)}
    assert ("woman", "history") not in _tables_from(docs).phrases


def test_unlinked_phrase_with_high_precision_is_kept() -> None:
    """House phrasing the titles do not share ("ABPA" -> B44.81) survives when it is reliable."""
    docs = {f"d{i}": ({("woman", "history")}, {"I10"}) for i in range(4)}
    assert ("woman", "history") in _tables_from(docs).phrases
