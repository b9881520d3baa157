"""Learn an organisation's coding from its coded history (``medcoder train``).

The knowledge packs say what a phrase *can* be coded to; an organisation's final codes say
what its coders *do* code: which mentions they report (some code negated findings in case
abstraction, some never code a symptom), the codes they choose for their own phrasing, and how
often a suggestion of the engine survives review. :class:`HouseModel` learns, from pairs of
documents and final codes:

- ``acceptance_``: per code and assertion, how often an engine suggestion was a final code;
- ``phrases_``: word n-grams whose presence predicts a code with high precision (kept with
  their counts, so ``explain`` can say "learned: 'renal colic' -> N23 (precision 0.82)");
- ``code_rate_`` / ``category_rate_``: how often each code (category) is in a document's
  final codes;
- ``phrase_acceptance_`` / ``category_acceptance_``: the same acceptance per vocabulary phrase
  that found the code, and per category;
- ``centroids_``: per frequent code, the typical vocabulary of its documents
  (``learning.similar_documents``);
- ``ranker_``: gradient-boosted trees over readable features of each candidate
  (``learning.house_features``: what the engine found, under which assertion and section, how
  often this house coded the code and the very phrase, how much of the code's title the
  document supports), exported as arrays (``learning.tree_ranker``);
- ``threshold_``: the score above which a code is reported, chosen on out-of-fold scores for
  ``threshold_objective`` (``"f1"``, or ``"f1+map"``: a ranked worklist a reviewer reads).

The tables that feed the ranker are estimated out of fold (K-fold cross-fitting on the
training documents), and the threshold is chosen on the ranker's own out-of-fold scores, so
both learn from figures as they look on unseen documents. Prediction needs no scikit-learn:
numpy walks the trees. Saved as gzipped JSON: small, fast to load, safe to open (no pickle),
readable.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from medcoder.codesets.icd10cm_pack import display
from medcoder.codesets.systems import code_key
from medcoder.documents.model import Document
from medcoder.errors import SourceFileError
from medcoder.learning.evaluate import score as score_predictions
from medcoder.learning.house_features import (
    FEATURES,
    LABELS,
    TitleWords,
    features,
    ngrams,
    phrase_key,
)
from medcoder.learning.similar_documents import CodeCentroids
from medcoder.learning.tree_ranker import TreeRanker
from medcoder.nlp.tokens import tokenize
from medcoder.suggestions import CodeSuggestion, Evidence, Rejected

MODEL_FORMAT = "medcoder.house_model.v3"
THRESHOLD_OBJECTIVES = ("f1", "f1+map")
# A phrase's own acceptance is kept when it was seen in this many training documents.
MIN_PHRASE_DOCUMENTS = 2


class _Tables:
    """Counts estimated on a set of training documents."""

    def __init__(
        self,
        min_support: int,
        min_precision: float,
        smoothing: float,
        linked=None,  # noqa: ANN001 - callable(code, gram) -> bool, see HouseModel
        unlinked_precision: float = 1.0,
    ) -> None:
        self.min_support, self.min_precision, self.smoothing = min_support, min_precision, smoothing
        self.linked, self.unlinked_precision = linked, unlinked_precision
        self.assertion_rates: dict[str, float] = {}
        self.acceptance: dict[str, dict[str, list[int]]] = {}
        self.phrases: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
        self.code_rate: dict[str, float] = {}
        self.recoding: dict[str, str] = {}
        self.phrase_acceptance: dict[str, list[int]] = {}  # "phrase words\tcode" -> [hits, n]
        self.category_acceptance: dict[str, list[int]] = {}
        self.category_rate: dict[str, float] = {}
        self.centroids: CodeCentroids | None = None

    def _learn_recoding(self, ids, candidates, gold) -> None:  # noqa: ANN001
        """Codes this house reports instead of the engine's (same category): a code-set
        version (R51.9 in FY2026 was R51 before) or a house preference for less detail."""
        seen: Counter[str] = Counter()
        swaps: dict[str, Counter[str]] = defaultdict(Counter)
        for doc_id in ids:
            codes = sorted(gold.get(doc_id, set()))
            found = sorted({c.code for c in candidates[doc_id]})
            for code in found:
                seen[code] += 1
                if code in codes:
                    continue
                for other in codes:
                    if other[:3] == code[:3] and other not in found:
                        swaps[code][other] += 1
        for code, counts in swaps.items():
            other, n = counts.most_common(1)[0]
            if n >= self.min_support and n / seen[code] >= 0.4:
                self.recoding[code] = other

    def fit(self, ids, candidates, grams, gold) -> _Tables:  # noqa: ANN001
        self._learn_recoding(ids, candidates, gold)
        by_assertion: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        by_code: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        df: Counter[tuple[str, ...]] = Counter()
        co: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        codes_seen: Counter[str] = Counter()
        by_phrase: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        categories: Counter[str] = Counter()  # documents with a final code of each category
        for doc_id in ids:
            codes = gold.get(doc_id, set())
            codes_seen.update(codes)
            found = {(phrase_key(c), self.recoding.get(c.code, c.code)) for c in candidates[doc_id]}
            for phrase, code in found:
                by_phrase[f"{phrase}\t{code}"][0] += code in codes
                by_phrase[f"{phrase}\t{code}"][1] += 1
            for code in {code for _, code in found}:
                by_category[code[:3]][0] += code in codes
                by_category[code[:3]][1] += 1
            categories.update({c[:3] for c in codes})
            for code, assertion in {
                (self.recoding.get(c.code, c.code), c.assertion.value) for c in candidates[doc_id]
            }:
                hit = code in codes
                by_assertion[assertion][0] += hit
                by_assertion[assertion][1] += 1
                by_code[code][assertion][0] += hit
                by_code[code][assertion][1] += 1
            for gram in grams[doc_id]:
                df[gram] += 1
                if codes:
                    co[gram].update(codes)
        self.assertion_rates = {a: h / n for a, (h, n) in by_assertion.items() if n}
        self.acceptance = {c: {a: list(v) for a, v in per.items()} for c, per in by_code.items()}
        self.phrase_acceptance = {
            k: list(v) for k, v in by_phrase.items() if v[1] >= MIN_PHRASE_DOCUMENTS
        }
        self.category_acceptance = {k: list(v) for k, v in by_category.items()}
        n_docs = max(1, len(ids))
        self.code_rate = {c: n / n_docs for c, n in codes_seen.items()}
        self.category_rate = {c: n / n_docs for c, n in categories.items()}
        self.centroids = CodeCentroids().fit(list(ids), grams, gold)
        for gram, counts in co.items():
            n = df[gram]
            if n < self.min_support:
                continue
            keep = [
                (code, hits, n)
                for code, hits in counts.items()
                if hits >= self.min_support
                and hits / n >= self.min_precision
                and (
                    self.linked is None
                    or hits / n >= self.unlinked_precision
                    or self.linked(code, gram)
                )
            ]
            if keep:
                self.phrases[gram] = sorted(keep, key=lambda x: (-x[1], x[0]))[:3]
        return self

    def accept(self, code: str, assertion: str) -> float:
        prior = self.assertion_rates.get(assertion, 0.3)
        hits, total = self.acceptance.get(code, {}).get(assertion, (0, 0))
        return (hits + self.smoothing * prior) / (total + self.smoothing)

    def accept_phrase(self, phrase: str, code: str) -> float:
        """How often this very phrase, found for this code, was a final code (smoothed toward
        the code's own rate)."""
        prior = max((self.accept(code, a) for a in self.acceptance.get(code, {})), default=0.3)
        hits, total = self.phrase_acceptance.get(f"{phrase}\t{code}", (0, 0))
        return (hits + self.smoothing * prior) / (total + self.smoothing)

    def accept_category(self, category: str) -> float:
        """How often a candidate of this category was a final code."""
        prior = self.assertion_rates.get("present", 0.3)
        hits, total = self.category_acceptance.get(category, (0, 0))
        return (hits + self.smoothing * prior) / (total + self.smoothing)

    def learned(self, doc_grams) -> dict[str, tuple[float, int, tuple[str, ...], tuple[int, int]]]:  # noqa: ANN001
        """Best learned phrase per code: (precision, support, n-gram, span)."""
        best: dict[str, tuple[float, int, tuple[str, ...], tuple[int, int]]] = {}
        for gram, span in doc_grams.items():
            for code, hits, n in self.phrases.get(gram, ()):
                p = hits / (n + 1)
                if code not in best or p > best[code][0]:
                    best[code] = (p, n, gram, span)
        return best


class _LexicalLink:
    """Whether a learned phrase is *about* its code: it shares a word (first five letters)
    with the code's title or an ancestor's. A phrase that merely co-occurs with a code in the
    training documents ("woman with a history" -> I10) is kept only when its precision reaches
    ``unlinked_precision``: otherwise it is a coincidence of the corpus, and an explanation a
    coder would laugh at."""

    def __init__(self, pack) -> None:  # noqa: ANN001 - ICD10CMPack
        self.pack = pack
        self._words: dict[str, frozenset[str]] = {}

    def words(self, code: str) -> frozenset[str]:
        if code not in self._words:
            titles = [self.pack.title(c) or "" for c in [code, *self.pack.ancestors(code)]]
            self._words[code] = frozenset(
                t[:5] for title in titles for t, _, _ in tokenize(title.lower()) if len(t) > 2
            )
        return self._words[code]

    def __call__(self, code: str, gram: tuple[str, ...]) -> bool:
        return any(w[:5] in self.words(code) for w in gram)


class HouseModel:
    """Trainable candidate ranker. ``fit`` on coded documents, then ``rescore``.

    Parameters (stored only): ``min_support`` documents for a learned phrase,
    ``min_precision`` for keeping it, ``smoothing`` pseudo-counts toward the prior,
    ``folds`` for cross-fitting, ``trees``/``depth``/``learning_rate`` of the boosted ranker,
    ``threshold_objective`` what the reporting threshold is chosen for: ``"f1"`` (the best
    micro F1) or ``"f1+map"`` (F1 plus mean average precision: a little precision traded for
    codes a reviewer finds ranked near the top instead of missing).
    """

    def __init__(
        self,
        *,
        min_support: int = 2,
        min_precision: float = 0.2,
        smoothing: float = 3.0,
        folds: int = 8,
        unlinked_precision: float = 0.6,
        trees: int = 300,
        depth: int = 4,
        learning_rate: float = 0.05,
        threshold_objective: str = "f1+map",
    ) -> None:
        if threshold_objective not in THRESHOLD_OBJECTIVES:
            raise ValueError(
                f"threshold objective {threshold_objective!r}: use one of "
                + ", ".join(THRESHOLD_OBJECTIVES)
            )
        self.min_support = min_support
        self.min_precision = min_precision
        self.smoothing = smoothing
        self.folds = folds
        self.unlinked_precision = unlinked_precision
        self.trees, self.depth, self.learning_rate = trees, depth, learning_rate
        self.threshold_objective = threshold_objective
        self._linked = None
        self._titles: TitleWords | None = None

    def _tables(self) -> _Tables:
        return _Tables(
            self.min_support,
            self.min_precision,
            self.smoothing,
            self._linked,
            self.unlinked_precision,
        )

    def _ranker(self) -> TreeRanker:
        return TreeRanker(
            FEATURES,
            max_iter=self.trees,
            max_depth=self.depth,
            learning_rate=self.learning_rate,
        )

    def fit(
        self,
        documents: list[Document],
        gold: Mapping[str, set[str]],
        engine_factory,  # noqa: ANN001 - callable(setting) -> CodingEngine without a model
        *,
        setting: str = "abstraction",
        seed: int = 13,
        procedure_gold: Mapping[str, set[str]] | None = None,
    ) -> HouseModel:
        """Learn from ``documents`` and their final diagnosis codes ``gold`` (and, when given,
        their ICD-10-PCS codes ``procedure_gold``: which form the house reports)."""
        self.setting_ = setting
        gold = {d: {code_key(c) for c in codes} for d, codes in gold.items()}
        docs = {d.id: d for d in documents if d.id in gold}
        engine = engine_factory(setting)
        self._linked = _LexicalLink(engine.pack)
        self._titles = TitleWords(engine.pack)
        candidates = {i: engine.candidates(d) for i, d in docs.items()}
        grams = {i: ngrams(d) for i, d in docs.items()}
        order = sorted(candidates)
        random.Random(seed).shuffle(order)
        fold_of = {doc_id: k % self.folds for k, doc_id in enumerate(order)}
        rows, labels, groups = [], [], []
        for k in range(self.folds):
            held = [i for i in order if fold_of[i] == k]
            tables = self._tables().fit(
                [i for i in order if fold_of[i] != k], candidates, grams, gold
            )
            for doc_id in held:
                found = features(
                    tables, candidates[doc_id], grams[doc_id], docs[doc_id], self._titles
                )
                for code, feats in found.items():
                    rows.append([feats[n] for n in FEATURES])
                    labels.append(1 if code in gold[doc_id] else 0)
                    groups.append((doc_id, code))
        # The threshold is chosen on scores of documents the trees did not learn from.
        oof = [0.0] * len(rows)
        for k in range(self.folds):
            train = [j for j, (d, _) in enumerate(groups) if fold_of[d] != k]
            test = [j for j, (d, _) in enumerate(groups) if fold_of[d] == k]
            if not test or len({labels[j] for j in train}) < 2:
                continue
            part = self._ranker().fit([rows[j] for j in train], [labels[j] for j in train])
            for j, p in zip(test, part.predict_proba([rows[j] for j in test]), strict=True):
                oof[j] = float(p)
        if len(set(labels)) < 2:
            raise ValueError(
                "the training documents need both codes the engine found that were final "
                "and codes that were not; add more coded documents"
            )
        self.ranker_ = self._ranker().fit(rows, labels)
        scored: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (doc_id, code), p in zip(groups, oof, strict=True):
            scored[doc_id].append((code, p))
        self.threshold_ = _best_threshold(scored, gold, self.threshold_objective)
        final = self._tables().fit(order, candidates, grams, gold)
        self.assertion_rates_ = final.assertion_rates
        self.acceptance_ = final.acceptance
        self.phrases_ = final.phrases
        self.code_rate_ = final.code_rate
        self.recoding_ = final.recoding
        self.phrase_acceptance_ = final.phrase_acceptance
        self.category_acceptance_ = final.category_acceptance
        self.category_rate_ = final.category_rate
        self.centroids_ = final.centroids
        self.documents_ = len(docs)
        self.pcs_ = None
        if procedure_gold:
            from medcoder.procedures.pcs_model import PcsHouseModel

            pcs = PcsHouseModel().fit(
                engine.procedures,
                {d.id: d for d in documents if d.id in procedure_gold},
                procedure_gold,
            )
            self.pcs_ = pcs
        return self

    def pcs_predict(self, document: Document, result) -> list[tuple[str, float]]:  # noqa: ANN001
        """ICD-10-PCS codes in this house's forms (engine codes re-expressed, learned phrases)."""
        if self.pcs_ is None:
            return [(c.code.lower(), c.score) for c in result.codes]
        return self.pcs_.predict(document, result)

    def _final_tables(self) -> _Tables:
        tables = self._tables()
        tables.assertion_rates = self.assertion_rates_
        tables.acceptance = self.acceptance_
        tables.phrases = self.phrases_
        tables.code_rate = self.code_rate_
        tables.recoding = self.recoding_
        tables.phrase_acceptance = self.phrase_acceptance_
        tables.category_acceptance = self.category_acceptance_
        tables.category_rate = self.category_rate_
        tables.centroids = self.centroids_
        return tables

    # -- use --------------------------------------------------------------------------------

    def keeps(self, candidate) -> bool | None:  # noqa: ANN001
        """Mentions of every assertion go to the ranker, which knows what this house codes."""
        return True

    def rescore(
        self,
        suggestions: list[CodeSuggestion],
        documents: Iterable[Document],
        candidates=None,  # noqa: ANN001
        *,
        pack=None,  # noqa: ANN001 - the ICD10CMPack the engine codes with (code titles)
        rejected: list[Rejected] | None = None,
    ) -> list[CodeSuggestion]:
        """Score every candidate with the ranker; keep those at or above the threshold.

        Suggestions of the engine that score below it go to ``rejected`` (when given) with
        the score, the threshold and the features that held them back, for ``explain``."""
        tables = self._final_tables()
        if pack is not None and (self._titles is None or self._titles.pack is not pack):
            self._titles = TitleWords(pack)
        by_key: dict[str, CodeSuggestion] = {}
        for sug in suggestions:
            key = code_key(sug.code)
            house = tables.recoding.get(key)
            if house is not None and house not in by_key:
                sug.path.append(f"house code: {display(house)} for {sug.code} (learned)")
                sug.code, sug.description = display(house), ""
                key = house
            by_key.setdefault(key, sug)
        rescored: set[str] = set()  # codes already scored in an earlier document: keep the best
        for document in documents:
            doc_grams = ngrams(document)
            cands = [c for c in (candidates or []) if c.document == document.id]
            learned = tables.learned(doc_grams)
            found = features(tables, cands, doc_grams, document, self._titles, learned)
            rows = [[feats[n] for n in FEATURES] for feats in found.values()]
            probabilities, why = self.ranker_.explained(rows) if rows else ([], [])
            for j, (code, score) in enumerate(zip(found, probabilities, strict=True)):
                score = float(score)
                sug = by_key.get(code)
                if sug is None:
                    if code not in learned or score < self.threshold_:
                        continue
                    p, support, gram, (start, end) = learned[code]
                    ev = Evidence(document.id, start, end, document.text[start:end])
                    note = f"learned: '{' '.join(gram)}' -> {display(code)} (precision {p:.2f}, {support} documents)"
                    sug = by_key[code] = CodeSuggestion(
                        "ICD-10-CM", display(code), "", score, [ev], [note]
                    )
                if code in rescored and score <= sug.score:
                    continue
                rescored.add(code)
                sug.score = score
                sug.model_contribution = self._explain(why[j], lifted=score >= self.threshold_)
        kept = [s for s in by_key.values() if s.score >= self.threshold_]
        if rejected is not None:
            engine_codes = {id(s) for s in suggestions}
            for sug in by_key.values():
                if sug.score < self.threshold_ and id(sug) in engine_codes:
                    reason = (
                        f"this house's model scores it {sug.score:.2f}, below its threshold "
                        f"{self.threshold_:.2f}"
                    )
                    if sug.model_contribution:
                        reason += f" ({sug.model_contribution})"
                    rejected.append(
                        Rejected(sug.code, sug.description, reason, evidence=sug.evidence[:3])
                    )
        return kept

    @staticmethod
    def _explain(parts, *, lifted: bool = True) -> str:  # noqa: ANN001 - TreeRanker row
        """The three features that lifted the score most (or, for a code left out, that held
        it back most), in log-odds, as ``explain`` shows them."""
        sign = 1 if lifted else -1
        top = sorted(
            ((sign * v, n) for n, v in zip(FEATURES, parts, strict=True) if sign * v > 0),
            reverse=True,
        )
        label = "ranker" if lifted else "held back by"
        return f"{label}: " + "; ".join(f"{LABELS.get(n, n)} {sign * v:+.2f}" for v, n in top[:3])

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        data = {
            "format": MODEL_FORMAT,
            "params": {
                "min_support": self.min_support,
                "min_precision": self.min_precision,
                "smoothing": self.smoothing,
                "folds": self.folds,
                "unlinked_precision": self.unlinked_precision,
                "trees": self.trees,
                "depth": self.depth,
                "learning_rate": self.learning_rate,
                "threshold_objective": self.threshold_objective,
            },
            "setting": self.setting_,
            "documents": self.documents_,
            "threshold": self.threshold_,
            "ranker": self.ranker_.to_dict(),
            "assertion_rates": self.assertion_rates_,
            "acceptance": self.acceptance_,
            "code_rate": self.code_rate_,
            "recoding": self.recoding_,
            "phrase_acceptance": self.phrase_acceptance_,
            "category_acceptance": self.category_acceptance_,
            "category_rate": self.category_rate_,
            "similar_documents": self.centroids_.to_dict(),
            "pcs": None
            if self.pcs_ is None
            else {
                "params": {
                    "min_support": self.pcs_.min_support,
                    "min_precision": self.pcs_.min_precision,
                },
                "forms": self.pcs_.forms,
                "rules": [[list(g), r] for g, r in self.pcs_.rules.items()],
            },
            "phrases": [[list(g), v] for g, v in self.phrases_.items()],
        }
        tmp = path.with_name(path.name + ".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> HouseModel:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError as exc:
            raise SourceFileError(path, "model file not found") from exc
        except (OSError, json.JSONDecodeError, EOFError) as exc:
            raise SourceFileError(path, f"not a medcoder model ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise SourceFileError(path, f"model format {found!r}, expected {MODEL_FORMAT}")
        model = cls(**data["params"])
        model.setting_ = data["setting"]
        model.documents_ = data["documents"]
        model.threshold_ = data["threshold"]
        model.ranker_ = TreeRanker.from_dict(data["ranker"])
        if model.ranker_.features != list(FEATURES):
            raise SourceFileError(
                path, "model trained on another feature set of this version; train it again"
            )
        model.assertion_rates_ = data["assertion_rates"]
        model.acceptance_ = data["acceptance"]
        model.code_rate_ = data["code_rate"]
        model.recoding_ = data["recoding"]
        model.phrase_acceptance_ = data["phrase_acceptance"]
        model.category_acceptance_ = data["category_acceptance"]
        model.category_rate_ = data["category_rate"]
        model.centroids_ = CodeCentroids.from_dict(data["similar_documents"])
        model.pcs_ = None
        if data.get("pcs"):
            from medcoder.procedures.pcs_model import PcsHouseModel

            pcs = PcsHouseModel(**data["pcs"]["params"])
            pcs.forms = data["pcs"]["forms"]
            pcs.rules = {tuple(g): [tuple(x) for x in r] for g, r in data["pcs"]["rules"]}
            model.pcs_ = pcs
        model.phrases_ = {tuple(g): [tuple(x) for x in v] for g, v in data["phrases"]}
        return model


def _best_threshold(
    scored: Mapping[str, list[tuple[str, float]]],
    gold: Mapping[str, set[str]],
    objective: str = "f1",
) -> float:
    """The score threshold that maximises ``objective`` over out-of-fold predictions: micro F1,
    or micro F1 plus MAP (as ``medcoder eval`` computes them), on a grid of 0.01."""
    truth = {d: {code.lower() for code in codes} for d, codes in gold.items()}
    best_t, best = 0.5, -1.0
    for step in range(1, 100):
        t = step / 100
        kept = {d: [(c, s) for c, s in items if s >= t] for d, items in scored.items()}
        result = score_predictions(truth, kept)
        value = result.f1 + (result.map if objective == "f1+map" else 0.0)
        if value > best:
            best_t, best = t, value
    return best_t
