"""What the house model's ranker knows about each candidate code of a document.

Every feature is something a reviewing coder would weigh, computed from the document, the
engine's candidates and the tables learned from the organisation's coded history:

- *what the engine found*: how many mentions, from which kind of vocabulary entry, under which
  assertion and section, where in the document (first and last mention), how many words the
  best phrase matched;
- *what this house does with it*: how often the code (its category, the very phrase that found
  it) was a final code in the training documents, learned phrases that predict it;
- *whether the documentation supports this code rather than a sibling*: the share of the
  code's title words the document (and the mention's sentence) contains — "calculus of
  gallbladder *with acute cholecystitis*" needs the cholecystitis somewhere — whether a more
  specific code of the same category was also found, whether the code is an "unspecified" one.
"""

from __future__ import annotations

import math
from collections import defaultdict

from medcoder.coding.conventions import FINAL_STATEMENT_SECTIONS as FINAL_SECTIONS
from medcoder.documents.model import Document
from medcoder.nlp.tokens import STOPWORDS, tokenize

MAX_N = 3
ASSERTIONS = ("present", "negated", "possible", "historical", "family", "hypothetical", "ruled_out")
FEATURES = (
    "bias",
    "found",
    "mentions",
    "best_source",
    "accept",
    "accept_present",
    "phrase",
    "phrase_support",
    "code_rate",
    "symptom_code",
    "final_section",
    "history_section",
    *(f"assert_{a}" for a in ASSERTIONS),
    "accept_phrase",
    "accept_category",
    "first_position",
    "last_position",
    "match_words",
    "code_length",
    "document_codes",
    "more_specific_found",
    "siblings_found",
    "unspecified",
    "unspecified_with_siblings",
    "title_cover",
    "title_missing",
    "title_cover_sentence",
    "chapter",
    "category_rate",
    "similar_documents",
)
# How ``explain`` names each feature's share of a score, for a coder to read.
LABELS = {
    "found": "found in the text",
    "mentions": "mentions",
    "best_source": "index or title match",
    "accept": "house codes it when found",
    "accept_present": "house codes it when present",
    "accept_phrase": "house codes this phrase",
    "accept_category": "house codes its category",
    "phrase": "learned phrase",
    "phrase_support": "learned phrase's documents",
    "code_rate": "house code frequency",
    "category_rate": "house category frequency",
    "symptom_code": "symptom code",
    "final_section": "in final diagnoses",
    "history_section": "in history",
    "first_position": "first mention's place",
    "last_position": "last mention's place",
    "match_words": "words matched",
    "code_length": "code detail",
    "document_codes": "codes in document",
    "more_specific_found": "more specific code found",
    "siblings_found": "siblings found",
    "unspecified": "unspecified code",
    "unspecified_with_siblings": "unspecified beside a sibling",
    "title_cover": "title words in document",
    "title_missing": "title words missing",
    "title_cover_sentence": "title words in sentence",
    "chapter": "chapter",
    "similar_documents": "like house documents with it",
    **{f"assert_{a}": f"mention {a.replace('_', ' ')}" for a in ASSERTIONS},
}
# Words of a title that say nothing about what the documentation must show.
_VAGUE = frozenset({"unspecified", "other", "without", "specified", "not", "elsewhere"})


def ngrams(document: Document) -> dict[tuple[str, ...], tuple[int, int]]:
    """Content-word n-grams of each sentence with the span of their first occurrence."""
    out: dict[tuple[str, ...], tuple[int, int]] = {}
    spans = [(s.start, s.end) for s in document.sentences] or [(0, len(document.text))]
    for start, end in spans:
        words = [
            (t, s + start, e + start)
            for t, s, e in tokenize(document.text[start:end])
            if t not in STOPWORDS and not t.isdigit()
        ]
        toks = [w[0] for w in words]
        for n in range(1, MAX_N + 1):
            for i in range(len(toks) - n + 1):
                gram = tuple(toks[i : i + n])
                if gram not in out:
                    out[gram] = (words[i][1], words[i + n - 1][2])
    return out


def stems(text: str) -> set[str]:
    """First five letters of each word: "calculus"/"calculi", "cholecystitis"/"cholecyst"."""
    return {t[:5] for t, _, _ in tokenize(text.lower())}


class TitleWords:
    """The distinctive title words of each code (stems), read once from the tabular pack."""

    def __init__(self, pack) -> None:  # noqa: ANN001 - ICD10CMPack, or None for no titles
        self.pack = pack
        self._cache: dict[str, tuple[frozenset[str], bool]] = {}

    def _read(self, code: str) -> tuple[frozenset[str], bool]:
        if code not in self._cache:
            title = ((self.pack.title(code) if self.pack is not None else None) or "").lower()
            words = frozenset(
                t[:5]
                for t, _, _ in tokenize(title)
                if len(t) > 2 and t not in STOPWORDS and t not in _VAGUE
            )
            self._cache[code] = (words, "unspecified" in title)
        return self._cache[code]

    def __call__(self, code: str) -> frozenset[str]:
        return self._read(code)[0]

    def unspecified(self, code: str) -> bool:
        return self._read(code)[1]


def phrase_key(candidate) -> str:  # noqa: ANN001 - engine Candidate
    """The vocabulary phrase that found a candidate, as normalised words."""
    return " ".join(candidate.match.entry.tokens)


def features(
    tables,  # noqa: ANN001 - house_model._Tables
    cands,  # noqa: ANN001 - the engine's candidates of this document
    doc_grams: dict[tuple[str, ...], tuple[int, int]],
    document: Document | None = None,
    titles: TitleWords | None = None,
    learned: dict | None = None,
) -> dict[str, dict[str, float]]:
    """Feature vectors of every candidate code of one document (engine or learned);
    ``learned`` is ``tables.learned(doc_grams)`` when the caller has it already."""
    found: dict[str, list] = defaultdict(list)
    for cand in cands:
        found[tables.recoding.get(cand.code, cand.code)].append(cand)
    if learned is None:
        learned = tables.learned(doc_grams)
    similar = tables.centroids.similarity(doc_grams) if tables.centroids is not None else {}
    text = document.text if document is not None else ""
    length = max(1, len(text))
    doc_stems = stems(text) if text else set()
    sentence_stems: dict[tuple[int, int], set[str]] = {}
    codes = set(found)
    out: dict[str, dict[str, float]] = {}
    for code in sorted(codes | set(learned)):
        mentions = found.get(code, [])
        assertions = {c.assertion.value for c in mentions}
        f = dict.fromkeys(FEATURES, 0.0)
        f["bias"] = 1.0
        f["found"] = 1.0 if mentions else 0.0
        f["mentions"] = math.log1p(len(mentions))
        f["best_source"] = (
            1.0
            if any(c.match.entry.source in ("index", "see_also", "title") for c in mentions)
            else 0.0
        )
        if mentions:
            f["accept"] = max(tables.accept(code, a) for a in assertions)
            f["accept_present"] = tables.accept(code, "present")
            f["accept_phrase"] = max(tables.accept_phrase(phrase_key(c), code) for c in mentions)
            f["first_position"] = min(c.match.start for c in mentions) / length
            f["last_position"] = max(c.match.start for c in mentions) / length
            f["match_words"] = max(len(c.match.positions) for c in mentions)
        else:
            f["first_position"] = 1.0
        p, support, _, _ = learned.get(code, (0.0, 0, (), (0, 0)))
        f["phrase"] = p
        f["phrase_support"] = math.log1p(support)
        f["code_rate"] = tables.code_rate.get(code, 0.0)
        f["symptom_code"] = 1.0 if code.startswith("R") else 0.0
        f["final_section"] = 1.0 if any(c.section in FINAL_SECTIONS for c in mentions) else 0.0
        f["history_section"] = 1.0 if any(c.section_role == "history" for c in mentions) else 0.0
        for a in assertions:
            f[f"assert_{a}"] = 1.0
        f["accept_category"] = tables.accept_category(code[:3])
        f["code_length"] = float(len(code))
        f["chapter"] = float(ord(code[0].upper()) - ord("A"))
        f["category_rate"] = tables.category_rate.get(code[:3], 0.0)
        f["similar_documents"] = similar.get(code, 0.0)
        f["document_codes"] = math.log1p(len(codes))
        f["more_specific_found"] = (
            1.0 if any(o != code and o.startswith(code) for o in codes) else 0.0
        )
        f["siblings_found"] = math.log1p(sum(1 for o in codes if o[:3] == code[:3] and o != code))
        if titles is not None:
            f["unspecified"] = 1.0 if titles.unspecified(code) else 0.0
            f["unspecified_with_siblings"] = f["unspecified"] * (f["siblings_found"] > 0)
            words = titles(code)
            if words:
                f["title_cover"] = len(words & doc_stems) / len(words)
                f["title_missing"] = float(len(words - doc_stems))
                if mentions:
                    near: set[str] = set()
                    for c in mentions:
                        span = (c.match.sentence_start, c.match.sentence_end)
                        if span not in sentence_stems:
                            sentence_stems[span] = stems(text[span[0] : span[1]])
                        near |= sentence_stems[span]
                    f["title_cover_sentence"] = len(words & near) / len(words)
        out[code] = f
    return out
