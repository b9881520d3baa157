"""Code centroids: a document that reads like a code's documents scores closer to it."""

from __future__ import annotations

import json

from medcoder.learning.similar_documents import CodeCentroids


def _grams(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {(w,) for w in words} | {tuple(words[i : i + 2]) for i in range(len(words) - 1)}


DOCS = {
    "a1": ("flank pain ultrasound lithotripsy stone", {"N20.0"}),
    "a2": ("flank pain hydronephrosis lithotripsy", {"N20.0"}),
    "a3": ("ureteral stone flank pain ultrasound", {"N20.0"}),
    "b1": ("cough fever infiltrate antibiotics", {"J18.9"}),
    "b2": ("fever cough consolidation antibiotics", {"J18.9"}),
    "b3": ("infiltrate fever sputum antibiotics", {"J18.9"}),
    "c1": ("headache rest", set()),
}


def _fitted() -> CodeCentroids:
    ids = sorted(DOCS)
    return CodeCentroids(min_documents=3).fit(
        ids, {i: _grams(DOCS[i][0]) for i in ids}, {i: DOCS[i][1] for i in ids}
    )


def test_document_is_closest_to_the_code_whose_documents_it_reads_like() -> None:
    sims = _fitted().similarity(_grams("severe flank pain lithotripsy planned"))
    assert sims["N20.0"] > sims.get("J18.9", 0.0)


def test_code_with_too_few_documents_has_no_centroid() -> None:
    model = CodeCentroids(min_documents=4).fit(
        sorted(DOCS),
        {i: _grams(t) for i, (t, _) in DOCS.items()},
        {i: c for i, (_, c) in DOCS.items()},
    )
    assert model.centroids == {}


def test_saved_centroids_give_the_same_similarities() -> None:
    model = _fitted()
    again = CodeCentroids.from_dict(json.loads(json.dumps(model.to_dict())))
    doc = _grams("fever cough antibiotics flank pain")
    before, after = model.similarity(doc), again.similarity(doc)
    assert before.keys() == after.keys()
    assert all(abs(before[c] - after[c]) < 1e-4 for c in before)
