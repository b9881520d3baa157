"""A house style learned from coded documents, on top of the general PCS engine.

Coders of a collection have habits the classification does not dictate: CodiEsp reports a
CT of the chest as the index prefix ``BW24`` but a chest x-ray as the full ``BW03ZZZ``, and
reports a resection as ``0TTB`` unless the approach is written. The model learns two things
from training documents and their gold codes:

* per engine code, which *form* the collection uses (the code, its 4-character prefix or the
  most frequent full code under the prefix), and whether it is reported at all (engine codes
  that train gold never confirms are dropped);
* phrase -> code rules for what the engine does not reach (``electrocardiogram`` ->
  ``4A02X4Z``): word n-grams whose documents carry the code in most cases.

The engine works without it; ``predict`` only reshapes and extends the engine's output.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import replace

from medcoder.documents.model import Document
from medcoder.nlp.tokens import STOPWORDS, tokenize
from medcoder.procedures.pcs_engine import PcsEngine, PcsResult
from medcoder.suggestions import CodeSuggestion

Ranked = list[tuple[str, float]]


def _ngrams(text: str, longest: int = 3) -> set[tuple[str, ...]]:
    words = [t for t, _, _ in tokenize(text) if t not in STOPWORDS and not t.isdigit()]
    return {
        tuple(words[i : i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)
    }


class PcsHouseModel:
    """``fit(engine, documents, gold)`` then ``predict(document, engine_result)``."""

    def __init__(self, *, min_support: int = 5, min_precision: float = 0.7) -> None:
        self.min_support = min_support
        self.min_precision = min_precision
        self.forms: dict[str, str | None] = {}  # engine code -> reported form (None: drop)
        self.rules: dict[tuple[str, ...], list[tuple[str, float]]] = {}
        self.engine: PcsEngine | None = None

    def fit(
        self,
        engine: PcsEngine,
        documents: Mapping[str, Document],
        gold: Mapping[str, set[str]],
    ) -> PcsHouseModel:
        self.engine = engine
        seen: Counter[str] = Counter()
        confirmed: dict[str, Counter[str]] = defaultdict(Counter)
        df: Counter[tuple[str, ...]] = Counter()
        together: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        for name, document in documents.items():
            codes = {c.lower() for c in gold.get(name, set())}
            for suggestion in engine.analyze(document).codes:
                code = suggestion.code.lower()
                seen[code] += 1
                for form in self._alternatives(code, codes):
                    confirmed[code][form] += 1
            grams = _ngrams(document.text)
            df.update(grams)
            for gram in grams:
                together[gram].update(codes)
        for code, n in seen.items():
            # Ties go to the first form in code order, so training twice gives one model.
            best = sorted(confirmed[code].items(), key=lambda kv: (-kv[1], kv[0]))[:1]
            if best and best[0][1] / n >= 0.2:
                self.forms[code] = best[0][0]
            elif n >= self.min_support:
                self.forms[code] = None
        for gram, counts in sorted(together.items()):
            rules = [
                (code, k / df[gram])
                for code, k in sorted(counts.items())
                if k >= self.min_support and k / df[gram] >= self.min_precision
            ]
            if rules:
                self.rules[gram] = rules
        return self

    @staticmethod
    def _alternatives(code: str, gold: set[str]) -> list[str]:
        """Gold codes that may say what ``code`` says, in the collection's own way.

        The same section and root operation (or imaging type) is required: the house may
        call a cranial CT ``BN20`` (skull) where the engine built ``BW28`` (head), but never
        turns a CT into an x-ray.
        """
        return [g for g in gold if g[:1] == code[:1] and g[2:3] == code[2:3]]

    def predict(self, document: Document, result: PcsResult | None = None) -> Ranked:
        """Engine codes in the learned forms, plus codes the learned phrases bring."""
        if result is None:
            if self.engine is None:
                raise RuntimeError("fit the model (or pass an engine result) first")
            result = self.engine.analyze(document)
        out: dict[str, float] = {}
        for suggestion in result.codes:
            code = suggestion.code.lower()
            form = self.forms.get(code, code)
            if form is not None:
                out[form] = max(out.get(form, 0.0), suggestion.score)
        for gram in _ngrams(document.text):
            for code, precision in self.rules.get(gram, ()):
                out[code] = max(out.get(code, 0.0), 0.5 * precision)
        return sorted(out.items(), key=lambda cs: (-cs[1], cs[0]))


def as_suggestions(
    ranked: Ranked, result: PcsResult, model: PcsHouseModel | None = None
) -> list[CodeSuggestion]:
    """Ranked house codes as suggestions that keep their engine code's evidence and axes.

    A house form re-expresses an engine code (``0FT44ZZ`` reported as ``0FT4``): the
    evidence, path and axis table of the engine code still explain it, with a path line
    saying so. A code only a learned phrase brings has no construction to show.
    """
    by_code = {c.code.lower(): c for c in result.codes}
    forms = model.forms if model is not None else {}
    source_of = {form: by_code[code] for code, form in forms.items() if form and code in by_code}
    out: list[CodeSuggestion] = []
    for code, score in ranked:
        source = by_code.get(code) or source_of.get(code)
        if source is None:
            out.append(
                CodeSuggestion("ICD-10-PCS", code.upper(), "", score, path=["learned phrase"])
            )
            continue
        suggestion = replace(source, code=code.upper(), score=score, evidence=list(source.evidence))
        suggestion.path = list(source.path)
        if source.code.lower() != code:
            suggestion.path.append(
                f"reported as {code.upper()}: the form training gold uses for {source.code}"
            )
        out.append(suggestion)
    return out
