"""A gradient-boosted ranker that loads as plain arrays and explains each score.

scikit-learn's ``HistGradientBoostingClassifier`` fits the trees at training time; the fitted
trees are exported to lists of numbers (feature, threshold, children, value), so a saved model
is JSON, not pickle, and prediction needs only numpy: every candidate of a document walks every
tree at once, one array step per tree level.

Each score is explained the way a coder can read it: the trees' output is split among the
features that decided the path (Saabas attribution: at each split, the change in the node's
mean value is credited to the split feature), so ``explain`` can say "title_cover +0.80,
accept +0.41" for the contributions that lifted a code above the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TREE_FORMAT = "hgb.v1"


class TreeRanker:
    """Boosted trees over a fixed list of named features.

    Parameters are scikit-learn's: ``max_iter`` trees of ``max_depth`` levels at
    ``learning_rate``, with ``min_samples_leaf`` rows per leaf.
    """

    def __init__(
        self,
        features: Sequence[str],
        *,
        max_iter: int = 300,
        max_depth: int = 4,
        learning_rate: float = 0.05,
        min_samples_leaf: int = 20,
        seed: int = 0,
    ) -> None:
        self.features = list(features)
        self.max_iter, self.max_depth = max_iter, max_depth
        self.learning_rate, self.min_samples_leaf, self.seed = (
            learning_rate,
            min_samples_leaf,
            seed,
        )

    def fit(self, rows: Sequence[Sequence[float]], labels: Sequence[int]) -> TreeRanker:
        from sklearn.ensemble import HistGradientBoostingClassifier

        booster = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            min_samples_leaf=self.min_samples_leaf,
            early_stopping=False,
            random_state=self.seed,
        ).fit(np.asarray(rows, dtype=float), np.asarray(labels))
        self.baseline_ = float(np.ravel(booster._baseline_prediction)[0])
        trees = [_export(predictors[0].nodes) for predictors in booster._predictors]
        self._arrays(trees)
        return self

    # -- the trees as arrays ------------------------------------------------------------------

    def _arrays(self, trees: list[dict[str, list]]) -> None:
        """Concatenate the trees into flat arrays indexed by global node number."""
        self.trees_ = trees
        feature, threshold, left, right, value, mean, roots = [], [], [], [], [], [], []
        for tree in trees:
            base = len(feature)
            roots.append(base)
            feature += tree["feature"]
            threshold += tree["threshold"]
            left += [base + i if i >= 0 else -1 for i in tree["left"]]
            right += [base + i if i >= 0 else -1 for i in tree["right"]]
            value += tree["value"]
            mean += tree["mean"]
        self._feature = np.asarray(feature, dtype=np.intp)
        self._threshold = np.asarray(threshold, dtype=float)
        self._left = np.asarray(left, dtype=np.intp)
        self._right = np.asarray(right, dtype=np.intp)
        self._leaf = self._left < 0
        self._value = np.asarray(value, dtype=float)
        self._mean = np.asarray(mean, dtype=float)
        self._roots = np.asarray(roots, dtype=np.intp)
        self._depth = max((t["depth"] for t in trees), default=0)

    def _paths(self, x: np.ndarray) -> list[np.ndarray]:
        """Node of every (tree, row) at each level, root first: ``depth + 1`` arrays."""
        node = np.repeat(self._roots[:, None], x.shape[0], axis=1)
        rows = np.arange(x.shape[0])[None, :]
        path = [node]
        for _ in range(self._depth):
            feat = self._feature[node]
            go_left = x[rows, feat] <= self._threshold[node]
            nxt = np.where(go_left, self._left[node], self._right[node])
            node = np.where(self._leaf[node], node, nxt)
            path.append(node)
        return path

    def decision(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        """Raw scores (log-odds) of the rows."""
        x = np.asarray(rows, dtype=float).reshape(-1, len(self.features))
        if not len(self._roots) or not x.shape[0]:
            return np.full(x.shape[0], getattr(self, "baseline_", 0.0))
        leaves = self._paths(x)[-1]
        return self.baseline_ + self._value[leaves].sum(axis=0)

    def predict_proba(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        """Probability that each row is a final code."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.decision(rows), -30, 30)))

    def contributions(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        """Log-odds each feature added to (or took from) each row's score: an array of
        ``rows x features``; with the trees' root means and the baseline it sums to
        :meth:`decision`."""
        return self.explained(rows)[1]

    def explained(self, rows: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities and contributions of the rows, walking the trees once."""
        x = np.asarray(rows, dtype=float).reshape(-1, len(self.features))
        out = np.zeros((x.shape[0], len(self.features)))
        if not x.shape[0] or not len(self._roots):
            return self.predict_proba(x), out
        path = self._paths(x)
        raw = self.baseline_ + self._value[path[-1]].sum(axis=0)
        row_index = np.broadcast_to(np.arange(x.shape[0])[None, :], path[0].shape)
        for parent, child in zip(path, path[1:], strict=False):
            moved = parent != child
            np.add.at(
                out,
                (row_index[moved], self._feature[parent[moved]]),
                self._mean[child[moved]] - self._mean[parent[moved]],
            )
        return 1.0 / (1.0 + np.exp(-np.clip(raw, -30, 30))), out

    # -- persistence ----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "format": TREE_FORMAT,
            "features": self.features,
            "params": {
                "max_iter": self.max_iter,
                "max_depth": self.max_depth,
                "learning_rate": self.learning_rate,
                "min_samples_leaf": self.min_samples_leaf,
                "seed": self.seed,
            },
            "baseline": self.baseline_,
            "trees": self.trees_,
        }

    @classmethod
    def from_dict(cls, data: dict) -> TreeRanker:
        if data.get("format") != TREE_FORMAT:
            raise ValueError(f"ranker format {data.get('format')!r}, expected {TREE_FORMAT}")
        ranker = cls(data["features"], **data["params"])
        ranker.baseline_ = float(data["baseline"])
        ranker._arrays(data["trees"])
        return ranker


def _export(nodes: np.ndarray) -> dict[str, list]:
    """One fitted tree as lists; ``mean`` is each node's count-weighted mean leaf value (the
    reference point of the attribution), ``value`` the leaf output (0 for inner nodes)."""
    n = len(nodes)
    leaf = [bool(nodes["is_leaf"][i]) for i in range(n)]
    left = [-1 if leaf[i] else int(nodes["left"][i]) for i in range(n)]
    right = [-1 if leaf[i] else int(nodes["right"][i]) for i in range(n)]
    value = [float(nodes["value"][i]) if leaf[i] else 0.0 for i in range(n)]
    count = [int(nodes["count"][i]) for i in range(n)]
    mean = list(value)

    def fill(i: int) -> tuple[float, int]:
        if leaf[i]:
            return value[i] * count[i], count[i]
        ls, lc = fill(left[i])
        rs, rc = fill(right[i])
        mean[i] = (ls + rs) / (lc + rc) if lc + rc else 0.0
        return ls + rs, lc + rc

    fill(0)
    depth = [0] * n
    for i in range(n):
        if not leaf[i]:
            depth[left[i]] = depth[right[i]] = depth[i] + 1
    return {
        "feature": [0 if leaf[i] else int(nodes["feature_idx"][i]) for i in range(n)],
        "threshold": [0.0 if leaf[i] else float(nodes["num_threshold"][i]) for i in range(n)],
        "left": left,
        "right": right,
        "value": value,
        "mean": mean,
        "depth": max(depth),
    }
