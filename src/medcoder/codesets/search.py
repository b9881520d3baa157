"""Search the code set the way a coder does: index terms first, then tabular titles.

Results are ranked by SQLite FTS5's BM25 over titles and inclusion terms of the tabular pack,
and over the full term paths of the Alphabetic Index when an index pack is installed
(``Diabetes, type 2, with, chronic kidney disease`` -> E11.22). Index hits rank above title hits
of equal score because the index is where a coder starts (guideline I.A.1 / I.B.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medcoder.codesets import registry
from medcoder.codesets.icd10cm_pack import display


@dataclass(frozen=True)
class SearchHit:
    code: str
    title: str
    matched: str  # the index path or title/inclusion term that matched
    source: str  # index, title, inclusion
    score: float  # higher is better

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "title": self.title,
            "matched": self.matched,
            "source": self.source,
            "score": round(self.score, 4),
        }


def search(text: str, *, limit: int = 20, on: date | None = None) -> list[SearchHit]:
    """Best-first hits for ``text``; an empty list when nothing matches."""
    pack = registry.icd10cm(on)
    hits: dict[str, SearchHit] = {}
    for key, code_text, source, score in _index_hits(text, limit * 2, on):
        if key not in hits and key in pack.flags:
            hits[key] = SearchHit(display(key), pack.title(key) or "", code_text, source, score)
    for key, matched, source, rank in pack.search_titles(text, limit * 2):
        score = -rank
        held = hits.get(key)
        if held is None:
            hits[key] = SearchHit(display(key), pack.title(key) or "", matched, source, score)
        elif held.score < score:  # keep the index path a coder would follow, with the best score
            hits[key] = SearchHit(held.code, held.title, held.matched, held.source, score)
    ranked = sorted(hits.values(), key=lambda h: (-h.score, len(h.code), h.code))
    return ranked[:limit]


def _index_hits(text: str, limit: int, on: date | None) -> list[tuple[str, str, str, float]]:
    try:
        from medcoder.codesets.index_search import search_index
    except ImportError:
        return []
    return search_index(text, limit=limit, on=on)
