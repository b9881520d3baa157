"""Learn an organisation's coding from its coded history (``medcoder train``).

The knowledge packs say what a phrase *can* be coded to; an organisation's final codes say
what its coders *do* code: which mentions they report (some code negated findings in case
abstraction, some never code a symptom), the codes they choose for their own phrasing, and how
often a suggestion of the engine survives review. :class:`HouseModel` learns, from pairs of
documents and final codes:

- ``acceptance_``: per code and assertion, how often an engine suggestion was a final code;
- ``phrases_``: word n-grams whose presence predicts a code with high precision (kept with
  their counts, so ``explain`` can say "learned: 'renal colic' -> N23 (precision 0.82)");
- ``code_rate_``: how often each code is in a document's final codes;
- ``weights_``: a logistic ranker over a dozen readable features of each candidate (what the
  engine found, under which assertion and section, the acceptance and phrase evidence);
- ``threshold_``: the score above which a code is reported, chosen for F1.

The tables that feed the ranker are estimated out of fold (K-fold cross-fitting on the
training documents), so the ranker and the threshold learn from figures as they look on
unseen documents. Prediction needs no scikit-learn: a dot product per candidate. Saved as
gzipped JSON: small, fast to load, safe to open (no pickle), readable.
"""

from __future__ import annotations

import gzip
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from medcoder.codesets.icd10cm_pack import display
from medcoder.codesets.systems import code_key
from medcoder.coding.conventions import FINAL_STATEMENT_SECTIONS as FINAL_SECTIONS
from medcoder.coding.suggestion import CodeSuggestion, Evidence
from medcoder.documents.model import Document
from medcoder.errors import SourceFileError
from medcoder.nlp.tokens import STOPWORDS, tokenize

MODEL_FORMAT = "medcoder.house_model.v2"
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
    "phrase_and_found",
    "accept_squared",
    "phrase_squared",
    *(f"assert_{a}" for a in ASSERTIONS),
)


def _ngrams(document: Document) -> dict[tuple[str, ...], tuple[int, int]]:
    """Content-word n-grams of each sentence with the span of their first occurrence."""
    out: dict[tuple[str, ...], tuple[int, int]] = {}
    spans = [(s.start, s.end) for s in document.sentences] or [(0, len(document.text))]
    for start, end in spans:
        words = [
            (t, s + start, e + start)
            for t, s, e in tokenize(document.text[start:end])
            if t not in STOPWORDS and not t.isdigit()
        ]
        for n in range(1, MAX_N + 1):
            for i in range(len(words) - n + 1):
                gram = tuple(w[0] for w in words[i : i + n])
                if gram not in out:
                    out[gram] = (words[i][1], words[i + n - 1][2])
    return out


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
        for doc_id in ids:
            codes = gold.get(doc_id, set())
            codes_seen.update(codes)
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
        n_docs = max(1, len(ids))
        self.code_rate = {c: n / n_docs for c, n in codes_seen.items()}
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
                self.phrases[gram] = sorted(keep, key=lambda x: -x[1])[:3]
        return self

    def accept(self, code: str, assertion: str) -> float:
        prior = self.assertion_rates.get(assertion, 0.3)
        hits, total = self.acceptance.get(code, {}).get(assertion, (0, 0))
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


def _features(tables: _Tables, cands, doc_grams) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """Feature vectors of every candidate code of one document."""
    found: dict[str, list] = defaultdict(list)
    for cand in cands:
        found[tables.recoding.get(cand.code, cand.code)].append(cand)
    learned = tables.learned(doc_grams)
    out: dict[str, dict[str, float]] = {}
    for code in sorted(set(found) | set(learned)):
        mentions = found.get(code, [])
        assertions = {c.assertion.value for c in mentions}
        f = dict.fromkeys(FEATURES, 0.0)
        f["bias"] = 1.0
        f["found"] = 1.0 if mentions else 0.0
        f["mentions"] = math.log1p(len(mentions))
        f["best_source"] = (
            1.0 if any(c.match.entry.source in ("index", "title") for c in mentions) else 0.0
        )
        if mentions:
            f["accept"] = max(tables.accept(code, a) for a in assertions)
            f["accept_present"] = tables.accept(code, "present")
        p, support, _, _ = learned.get(code, (0.0, 0, (), (0, 0)))
        f["phrase"] = p
        f["phrase_support"] = math.log1p(support)
        f["code_rate"] = tables.code_rate.get(code, 0.0)
        f["symptom_code"] = 1.0 if code.startswith("R") else 0.0
        f["final_section"] = 1.0 if any(c.section in FINAL_SECTIONS for c in mentions) else 0.0
        f["history_section"] = 1.0 if any(c.section_role == "history" for c in mentions) else 0.0
        f["phrase_and_found"] = f["phrase"] * f["found"]
        f["accept_squared"] = f["accept"] ** 2
        f["phrase_squared"] = f["phrase"] ** 2
        for a in assertions:
            f[f"assert_{a}"] = 1.0
        out[code] = f
    return out


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


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


class HouseModel:
    """Trainable candidate ranker. ``fit`` on coded documents, then ``rescore``.

    Parameters (stored only): ``min_support`` documents for a learned phrase,
    ``min_precision`` for keeping it, ``smoothing`` pseudo-counts toward the prior,
    ``folds`` for cross-fitting, ``regularization`` (inverse, as scikit-learn's ``C``).
    """

    def __init__(
        self,
        *,
        min_support: int = 2,
        min_precision: float = 0.3,
        smoothing: float = 3.0,
        folds: int = 4,
        regularization: float = 1.0,
        unlinked_precision: float = 0.6,
    ) -> None:
        self.min_support = min_support
        self.min_precision = min_precision
        self.smoothing = smoothing
        self.folds = folds
        self.regularization = regularization
        self.unlinked_precision = unlinked_precision
        self._linked = None

    def _tables(self) -> _Tables:
        return _Tables(
            self.min_support,
            self.min_precision,
            self.smoothing,
            self._linked,
            self.unlinked_precision,
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
        from sklearn.linear_model import LogisticRegression

        self.setting_ = setting
        gold = {d: {code_key(c) for c in codes} for d, codes in gold.items()}
        docs = [d for d in documents if d.id in gold]
        engine = engine_factory(setting)
        self._linked = _LexicalLink(engine.pack)
        candidates = {d.id: engine.candidates(d) for d in docs}
        grams = {d.id: _ngrams(d) for d in docs}
        order = sorted(candidates)
        random.Random(seed).shuffle(order)
        rows, labels, groups = [], [], []
        for k in range(self.folds):
            held = set(order[k :: self.folds])
            tables = self._tables().fit(
                [i for i in order if i not in held], candidates, grams, gold
            )
            for doc_id in held:
                for code, feats in _features(tables, candidates[doc_id], grams[doc_id]).items():
                    rows.append([feats[n] for n in FEATURES])
                    labels.append(1 if code in gold[doc_id] else 0)
                    groups.append((doc_id, code))
        ranker = LogisticRegression(C=self.regularization, max_iter=2000, fit_intercept=False)
        ranker.fit(rows, labels)
        self.weights_ = {n: float(w) for n, w in zip(FEATURES, ranker.coef_[0], strict=True)}
        scored: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (doc_id, code), row in zip(groups, rows, strict=True):
            scored[doc_id].append((code, self._score(dict(zip(FEATURES, row, strict=True)))))
        self.threshold_ = _best_threshold(scored, gold)
        final = self._tables().fit(order, candidates, grams, gold)
        self.assertion_rates_ = final.assertion_rates
        self.acceptance_ = final.acceptance
        self.phrases_ = final.phrases
        self.code_rate_ = final.code_rate
        self.recoding_ = final.recoding
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

    def _score(self, feats: Mapping[str, float]) -> float:
        return _sigmoid(sum(self.weights_[n] * feats.get(n, 0.0) for n in FEATURES))

    def _final_tables(self) -> _Tables:
        tables = self._tables()
        tables.assertion_rates = self.assertion_rates_
        tables.acceptance = self.acceptance_
        tables.phrases = self.phrases_
        tables.code_rate = self.code_rate_
        tables.recoding = self.recoding_
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
    ) -> list[CodeSuggestion]:
        """Score every candidate with the ranker; keep those at or above the threshold."""
        tables = self._final_tables()
        by_key: dict[str, CodeSuggestion] = {}
        for sug in suggestions:
            key = code_key(sug.code)
            house = tables.recoding.get(key)
            if house is not None and house not in by_key:
                sug.path.append(f"house code: {display(house)} for {sug.code} (learned)")
                sug.code, sug.description = display(house), ""
                key = house
            by_key.setdefault(key, sug)
        documents = list(documents)
        for document in documents:
            doc_grams = _ngrams(document)
            cands = [c for c in (candidates or []) if c.document == document.id]
            learned = tables.learned(doc_grams)
            for code, feats in _features(tables, cands, doc_grams).items():
                score = self._score(feats)
                sug = by_key.get(code)
                if sug is None:
                    if code not in learned:
                        continue
                    p, support, gram, (start, end) = learned[code]
                    ev = Evidence(document.id, start, end, document.text[start:end])
                    note = f"learned: '{' '.join(gram)}' -> {display(code)} (precision {p:.2f}, {support} documents)"
                    sug = by_key[code] = CodeSuggestion(
                        "ICD-10-CM", display(code), "", score, [ev], [note]
                    )
                sug.score = max(sug.score, score) if sug.model_contribution else score
                top = sorted(
                    ((self.weights_[n] * v, n) for n, v in feats.items() if v and n != "bias"),
                    reverse=True,
                )[:3]
                sug.model_contribution = "ranker: " + ", ".join(f"{n} {w:+.2f}" for w, n in top)
        return [s for s in by_key.values() if s.score >= self.threshold_]

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        data = {
            "format": MODEL_FORMAT,
            "params": {
                "min_support": self.min_support,
                "min_precision": self.min_precision,
                "smoothing": self.smoothing,
                "folds": self.folds,
                "regularization": self.regularization,
                "unlinked_precision": self.unlinked_precision,
            },
            "setting": self.setting_,
            "documents": self.documents_,
            "threshold": self.threshold_,
            "weights": self.weights_,
            "assertion_rates": self.assertion_rates_,
            "acceptance": self.acceptance_,
            "code_rate": self.code_rate_,
            "recoding": self.recoding_,
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
        model.weights_ = data["weights"]
        model.assertion_rates_ = data["assertion_rates"]
        model.acceptance_ = data["acceptance"]
        model.code_rate_ = data["code_rate"]
        model.recoding_ = data["recoding"]
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
    scored: Mapping[str, list[tuple[str, float]]], gold: Mapping[str, set[str]]
) -> float:
    """The score threshold that maximises micro F1 over out-of-fold predictions."""
    pairs = sorted(
        (
            (score, code in gold.get(doc_id, ()))
            for doc_id, items in scored.items()
            for code, score in items
        ),
        reverse=True,
    )
    n_gold = sum(len(g) for g in gold.values())
    best_t, best_f1, tp = 0.5, -1.0, 0
    for k, (score, hit) in enumerate(pairs, start=1):
        tp += hit
        p, r = tp / k, tp / n_gold if n_gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best_f1:
            best_t, best_f1 = score, f1
    return best_t
