"""`medcoder search`: Alphabetic Index paths and tabular titles, best first."""

from __future__ import annotations

from pathlib import Path

from medcoder.codesets.search import search


def test_index_path_is_found_and_ranked_first(built_packs: Path) -> None:
    hits = search("calculus kidney", limit=5)
    assert hits[0].code == "N20.0" and hits[0].source == "index"
    assert "Calculus" in hits[0].matched


def test_titles_are_searched_too(built_packs: Path) -> None:
    hits = search("type 2 diabetes chronic kidney disease", limit=10)
    assert "E11.22" in [h.code for h in hits]


def test_no_match_is_an_empty_list(built_packs: Path) -> None:
    assert search("zzzqqq") == []
    assert search("   ") == []
