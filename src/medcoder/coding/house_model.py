"""Learn an organisation's coding from its coded history (``medcoder train``).

The knowledge packs say what a phrase *can* be coded to; an organisation's final codes say
what its coders *do* code: which mentions they report (some code negated findings in case
abstraction, some never code a symptom), the codes they choose for their own phrasing, and how
often a suggestion of the engine survives review. :class:`HouseModel` learns three small,
readable tables from pairs of documents and final codes:

- ``acceptance_``: per code and per assertion, how often an engine suggestion was in the
  final codes (smoothed toward the assertion's overall rate) -> calibrated scores;
- ``assertion_rates_``: how often mentions of each assertion status were coded at all ->
  whether, for this organisation, e.g. negated mentions are coded;
- ``phrases_``: word n-grams whose presence in a document predicts a code with high
  precision (count and precision kept, so ``explain`` can say "learned: 'renal colic' -> N23
  in 14 of 16 documents").

``threshold_`` is chosen by two-fold cross-fitting on the training documents (phrases learned
on one half, scored on the other), so it reflects unseen documents. Saved as gzipped JSON:
small, fast to load, safe to open (no pickle), and readable.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from medcoder.codesets.icd10cm_pack import display
from medcoder.codesets.systems import code_key
from medcoder.coding.suggestion import CodeSuggestion, Evidence
from medcoder.documents.model import Document
from medcoder.errors import SourceFileError
from medcoder.nlp.tokens import STOPWORDS, tokenize

MODEL_FORMAT = "medcoder.house_model.v1"
MAX_N = 3


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


@dataclass
class _Stats:
    hits: int = 0
    total: int = 0


class HouseModel:
    """Trainable re-ranker and phrase learner. ``fit`` then ``rescore``/``keeps``.

    Parameters (stored only): ``min_support`` documents for a learned phrase,
    ``min_precision`` for keeping it, ``smoothing`` pseudo-counts toward the prior.
    """

    def __init__(
        self, *, min_support: int = 2, min_precision: float = 0.35, smoothing: float = 3.0
    ) -> None:
        self.min_support = min_support
        self.min_precision = min_precision
        self.smoothing = smoothing

    # -- learning ---------------------------------------------------------------------------

    def fit(
        self,
        documents: list[Document],
        gold: Mapping[str, set[str]],
        engine_factory,  # noqa: ANN001 - callable(setting) -> CodingEngine without model
        *,
        setting: str = "abstraction",
        seed: int = 13,
    ) -> HouseModel:
        """Learn from ``documents`` and their final codes ``gold`` (keys without dots)."""
        self.setting_ = setting
        gold = {d: {code_key(c) for c in codes} for d, codes in gold.items()}
        docs = [d for d in documents if d.id in gold]
        engine = engine_factory(setting)
        candidates = {d.id: engine.candidates(d) for d in docs}
        grams = {d.id: _ngrams(d) for d in docs}
        self.assertion_rates_, self.acceptance_ = self._acceptance(candidates, gold)
        self.prior_ = {a: r for a, r in self.assertion_rates_.items()}
        # Two-fold cross-fitting for the threshold: phrases from one half score the other.
        order = sorted(d.id for d in docs)
        random.Random(seed).shuffle(order)
        half = set(order[: len(order) // 2])
        oof: dict[str, list[tuple[str, float]]] = {}
        for train_ids, test_ids in ((half, set(order) - half), (set(order) - half, half)):
            phrases = self._phrases({i: grams[i] for i in train_ids}, gold)
            for doc_id in test_ids:
                oof[doc_id] = self._score_doc(candidates[doc_id], grams[doc_id], phrases)
        self.threshold_ = self._best_threshold(oof, gold)
        self.phrases_ = self._phrases(grams, gold)
        self.documents_ = len(docs)
        return self

    def _acceptance(self, candidates, gold):  # noqa: ANN001, ANN202
        by_assertion: dict[str, _Stats] = defaultdict(_Stats)
        by_code: dict[str, dict[str, _Stats]] = defaultdict(lambda: defaultdict(_Stats))
        for doc_id, cands in candidates.items():
            seen: set[tuple[str, str]] = set()
            for cand in cands:
                key = (cand.code, cand.assertion.value)
                if key in seen:
                    continue
                seen.add(key)
                hit = cand.code in gold[doc_id]
                by_assertion[cand.assertion.value].hits += hit
                by_assertion[cand.assertion.value].total += 1
                by_code[cand.code][cand.assertion.value].hits += hit
                by_code[cand.code][cand.assertion.value].total += 1
        rates = {a: s.hits / s.total for a, s in by_assertion.items() if s.total}
        acceptance = {
            code: {a: [s.hits, s.total] for a, s in per.items()} for code, per in by_code.items()
        }
        return rates, acceptance

    def _phrases(self, grams, gold):  # noqa: ANN001, ANN202
        df: Counter[tuple[str, ...]] = Counter()
        co: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        for doc_id, doc_grams in grams.items():
            codes = gold.get(doc_id, set())
            for gram in doc_grams:
                df[gram] += 1
                if codes:
                    co[gram].update(codes)
        phrases: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
        for gram, counts in co.items():
            n = df[gram]
            if n < self.min_support:
                continue
            keep = [
                (code, hits, n)
                for code, hits in counts.items()
                if hits >= self.min_support and hits / n >= self.min_precision
            ]
            if keep:
                phrases[gram] = sorted(keep, key=lambda x: -x[1])[:3]
        return phrases

    def _accept(self, code: str, assertion: str) -> float:
        prior = self.assertion_rates_.get(assertion, 0.3)
        hits, total = self.acceptance_.get(code, {}).get(assertion, (0, 0))
        return (hits + self.smoothing * prior) / (total + self.smoothing)

    def _score_doc(self, cands, doc_grams, phrases) -> list[tuple[str, float]]:  # noqa: ANN001
        pairs = [(c.code, c.assertion.value) for c in cands if self._assertion_coded(c.assertion.value)]
        learned = self._learned(doc_grams, phrases)
        scores = self._combine(pairs, {code: p for code, (p, _, _) in learned.items()})
        return sorted(scores.items(), key=lambda cs: -cs[1])

    @staticmethod
    def _learned(doc_grams, phrases) -> dict[str, tuple[float, tuple[str, ...], tuple[int, int]]]:  # noqa: ANN001
        """Best learned phrase per code: (precision, n-gram, span)."""
        best: dict[str, tuple[float, tuple[str, ...], tuple[int, int]]] = {}
        for gram, span in doc_grams.items():
            for code, hits, n in phrases.get(gram, ()):
                p = hits / (n + 1)
                if code not in best or p > best[code][0]:
                    best[code] = (p, gram, span)
        return best

    def _combine(self, pairs, learned: dict[str, float]) -> dict[str, float]:  # noqa: ANN001
        """Noisy-or of the engine's mentions (calibrated) and the best learned phrase."""
        miss: dict[str, float] = defaultdict(lambda: 1.0)
        for code, assertion in set(pairs):
            miss[code] *= 1 - self._accept(code, assertion)
        for code, p in learned.items():
            miss[code] *= 1 - p
        return {code: 1 - m for code, m in miss.items()}

    @staticmethod
    def _best_threshold(predicted, gold) -> float:  # noqa: ANN001
        best, best_f1 = 0.5, -1.0
        for step in range(5, 95):
            t = step / 100
            tp = fp = 0
            n_gold = sum(len(g) for g in gold.values() if g)
            for doc_id, ranked in predicted.items():
                for code, score in ranked:
                    if score >= t:
                        if code in gold.get(doc_id, ()):
                            tp += 1
                        else:
                            fp += 1
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / n_gold if n_gold else 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            if f1 > best_f1:
                best, best_f1 = t, f1
        return best

    # -- use --------------------------------------------------------------------------------

    def _assertion_coded(self, assertion: str) -> bool:
        return self.assertion_rates_.get(assertion, 0.0) >= 0.2

    def keeps(self, candidate) -> bool | None:  # noqa: ANN001
        """Whether this organisation codes mentions with this assertion (None: no opinion)."""
        if candidate.assertion.value not in self.assertion_rates_:
            return None
        return self._assertion_coded(candidate.assertion.value)

    def rescore(
        self, suggestions: list[CodeSuggestion], documents: Iterable[Document]
    ) -> list[CodeSuggestion]:
        """Calibrate engine scores, add learned-phrase codes, drop what falls under threshold."""
        by_key = {code_key(s.code): s for s in suggestions}
        pairs = [(key, ev.assertion) for key, s in by_key.items() for ev in s.evidence]
        learned: dict[str, tuple[float, tuple[str, ...], tuple[int, int], Document]] = {}
        for document in documents:
            for code, (p, gram, span) in self._learned(_ngrams(document), self.phrases_).items():
                if code not in learned or p > learned[code][0]:
                    learned[code] = (p, gram, span, document)
        scores = self._combine(pairs, {code: v[0] for code, v in learned.items()})
        for code, (p, gram, (start, end), document) in learned.items():
            ev = Evidence(document.id, start, end, document.text[start:end])
            note = f"learned: '{' '.join(gram)}' -> {display(code)} (precision {p:.2f})"
            sug = by_key.get(code)
            if sug is None:
                sug = by_key[code] = CodeSuggestion("ICD-10-CM", display(code), "", p, [ev], [note])
            else:
                sug.path.append(note)
            sug.model_contribution = note
        for key, sug in by_key.items():
            sug.score = scores.get(key, sug.score)
            if sug.model_contribution is None:
                sug.model_contribution = f"acceptance-calibrated on {self.documents_} documents"
        return [s for s in by_key.values() if s.score >= self.threshold_]

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        data = {
            "format": MODEL_FORMAT,
            "params": {"min_support": self.min_support, "min_precision": self.min_precision,
                       "smoothing": self.smoothing},
            "setting": self.setting_,
            "documents": self.documents_,
            "threshold": self.threshold_,
            "assertion_rates": self.assertion_rates_,
            "acceptance": self.acceptance_,
            "phrases": [[list(g), v] for g, v in self.phrases_.items()],
        }
        tmp = path.with_suffix(path.suffix + ".tmp")
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
        if data.get("format") != MODEL_FORMAT:
            raise SourceFileError(path, f"model format {data.get('format')!r}, expected {MODEL_FORMAT}")
        model = cls(**data["params"])
        model.setting_ = data["setting"]
        model.documents_ = data["documents"]
        model.threshold_ = data["threshold"]
        model.assertion_rates_ = data["assertion_rates"]
        model.acceptance_ = data["acceptance"]
        model.phrases_ = {tuple(g): [tuple(x) for x in v] for g, v in data["phrases"]}
        return model
