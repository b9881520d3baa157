"""Coding accuracy as the CodiEsp scorer computes it (see docs/evaluation.md).

Codes are compared lower case without dots, duplicates count once, predictions that are not
valid codes are dropped first; micro P/R/F1 over (document, code) pairs, MAP over documents
ranked by score, and the same P/R/F1 at category level (first three characters).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


def norm(code: str) -> str:
    return code.replace(".", "").strip().lower()


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    map: float
    category_precision: float
    category_recall: float
    category_f1: float
    documents: int
    gold_codes: int
    predicted_codes: int

    def to_dict(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def read_gold(paths: Iterable[Path]) -> dict[str, set[str]]:  # noqa: D103 - see learning.gold
    """``doc<TAB>code`` files (CodiEsp trainD/trainP) into ``{doc: {code, ...}}``."""
    gold: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t"):
                if len(row) >= 2 and row[0].strip():
                    gold[row[0].strip()].add(norm(row[1]))
    return dict(gold)


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(
    gold: Mapping[str, set[str]],
    predicted: Mapping[str, list[tuple[str, float]]],
    *,
    is_valid: Callable[[str], bool] | None = None,
) -> Scores:
    """Score ranked predictions ``{doc: [(code, score), ...]}`` against ``gold``."""
    tp = n_pred = n_gold = 0
    ctp = cn_pred = cn_gold = 0
    ap_sum = 0.0
    for doc, gold_codes in gold.items():
        ranked: list[str] = []
        seen: set[str] = set()
        for code, _ in sorted(predicted.get(doc, []), key=lambda cs: -cs[1]):
            key = norm(code)
            if key in seen or (is_valid is not None and not is_valid(key)):
                continue
            seen.add(key)
            ranked.append(key)
        hits = 0
        precision_sum = 0.0
        for k, key in enumerate(ranked, start=1):
            if key in gold_codes:
                hits += 1
                precision_sum += hits / k
        ap_sum += precision_sum / len(gold_codes) if gold_codes else 0.0
        tp += hits
        n_pred += len(ranked)
        n_gold += len(gold_codes)
        gold_cat = {c[:3] for c in gold_codes}
        pred_cat = {c[:3] for c in ranked}
        ctp += len(gold_cat & pred_cat)
        cn_pred += len(pred_cat)
        cn_gold += len(gold_cat)
    p, r, f = _prf(tp, n_pred, n_gold)
    cp, cr, cf = _prf(ctp, cn_pred, cn_gold)
    return Scores(
        p, r, f, ap_sum / len(gold) if gold else 0.0, cp, cr, cf, len(gold), n_gold, n_pred
    )
