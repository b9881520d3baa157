"""How much a document reads like the documents a code was assigned to (Rocchio centroids).

A house's frequent codes come with a typical vocabulary around them: the case of a renal
colic talks of flank pain, ultrasound and lithotripsy even where the colic itself is worded in
a way no index entry matches. For every code assigned to at least ``min_documents`` training
documents, the centroid of those documents' TF-IDF vectors (words and word pairs) is kept,
cut to its ``terms`` heaviest terms; a new document's cosine to that centroid is one more
feature of the ranker ("similar_documents"), never a code on its own.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping


class CodeCentroids:
    """Per-code centroids of TF-IDF document vectors. ``fit`` then ``similarity``."""

    def __init__(self, *, min_documents: int = 3, terms: int = 100) -> None:
        self.min_documents, self.terms = min_documents, terms
        self.idf: dict[tuple[str, ...], float] = {}
        self.centroids: dict[str, dict[tuple[str, ...], float]] = {}
        self._postings: dict[tuple[str, ...], list[tuple[str, float]]] | None = None

    def _vector(self, grams: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], float]:
        vec = {g: self.idf[g] for g in grams if g in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {g: v / norm for g, v in vec.items()}

    def fit(
        self,
        ids: list[str],
        grams: Mapping[str, Iterable[tuple[str, ...]]],
        gold: Mapping[str, set[str]],
    ) -> CodeCentroids:
        # Sorted, so sums run in one order and the same documents give the same centroids.
        words = {i: sorted({g for g in grams[i] if len(g) <= 2}) for i in ids}
        df: Counter[tuple[str, ...]] = Counter(g for i in ids for g in words[i])
        n = max(1, len(ids))
        self.idf = {g: math.log(n / c) for g, c in df.items() if c >= 2 and c < 0.5 * n}
        vectors = {i: self._vector(words[i]) for i in ids}
        by_code: dict[str, list[str]] = defaultdict(list)
        for i in ids:
            for code in gold.get(i, ()):
                by_code[code].append(i)
        kept_terms: set[tuple[str, ...]] = set()
        for code, docs in sorted(by_code.items()):
            if len(docs) < self.min_documents:
                continue
            total: Counter[tuple[str, ...]] = Counter()
            for i in docs:
                total.update(vectors[i])
            top = dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[: self.terms])
            norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
            self.centroids[code] = {g: v / norm for g, v in top.items()}
            kept_terms.update(top)
        # A document is measured on the terms the centroids know: the model keeps only those.
        self.idf = {g: v for g, v in self.idf.items() if g in kept_terms}
        self._postings = None
        return self

    def similarity(self, doc_grams: Iterable[tuple[str, ...]]) -> dict[str, float]:
        """Cosine of the document to every centroid it shares a term with."""
        if self._postings is None:
            postings: dict[tuple[str, ...], list[tuple[str, float]]] = defaultdict(list)
            for code, centroid in self.centroids.items():
                for g, v in centroid.items():
                    postings[g].append((code, v))
            self._postings = dict(postings)
        out: dict[str, float] = defaultdict(float)
        for g, w in self._vector(g for g in doc_grams if len(g) <= 2).items():
            for code, v in self._postings.get(g, ()):
                out[code] += w * v
        return dict(out)

    # -- persistence ----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        terms = sorted(self.idf)
        index = {g: k for k, g in enumerate(terms)}
        return {
            "params": {"min_documents": self.min_documents, "terms": self.terms},
            "terms": [[" ".join(g), round(self.idf[g], 5)] for g in terms],
            "centroids": {
                code: [[index[g], round(v, 5)] for g, v in centroid.items()]
                for code, centroid in self.centroids.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> CodeCentroids:
        model = cls(**data["params"])
        terms = [tuple(t.split(" ")) for t, _ in data["terms"]]
        model.idf = {g: float(v) for g, (_, v) in zip(terms, data["terms"], strict=True)}
        model.centroids = {
            code: {terms[k]: float(v) for k, v in pairs}
            for code, pairs in data["centroids"].items()
        }
        return model
