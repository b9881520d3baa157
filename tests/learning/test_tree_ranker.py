"""The boosted ranker scores as scikit-learn does, from arrays a model file can hold."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from medcoder.learning.tree_ranker import TreeRanker


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.random((2000, 4))
    y = (x[:, 0] + x[:, 1] * x[:, 2] + rng.normal(0, 0.2, len(x)) > 0.8).astype(int)
    return x, y


def test_exported_trees_score_exactly_as_scikit_learn(data) -> None:
    x, y = data
    ranker = TreeRanker(list("abcd"), max_iter=40).fit(x, y)
    reference = HistGradientBoostingClassifier(
        max_iter=40,
        max_depth=4,
        learning_rate=0.05,
        min_samples_leaf=20,
        early_stopping=False,
        random_state=0,
    ).fit(x, y)
    assert np.allclose(ranker.decision(x), reference.decision_function(x))
    assert np.allclose(ranker.predict_proba(x), reference.predict_proba(x)[:, 1])


def test_contributions_add_up_to_the_score(data) -> None:
    """Each score is explained by the features on its path: baseline + root means + the
    features' shares is the score, so ``explain`` never shows a share that is not there."""
    x, y = data
    ranker = TreeRanker(list("abcd"), max_iter=40).fit(x, y)
    parts = ranker.contributions(x[:5])
    base = ranker.baseline_ + ranker._mean[ranker._roots].sum()
    assert np.allclose(parts.sum(axis=1) + base, ranker.decision(x[:5]))
    probabilities, same = ranker.explained(x[:5])
    assert np.allclose(probabilities, ranker.predict_proba(x[:5])) and np.allclose(same, parts)
    # The label depends on a, b and c, never on d.
    assert np.abs(parts[:, 3]).max() < np.abs(parts[:, 0]).max()


def test_saved_ranker_is_json_and_scores_the_same(data) -> None:
    x, y = data
    ranker = TreeRanker(list("abcd"), max_iter=10).fit(x, y)
    again = TreeRanker.from_dict(json.loads(json.dumps(ranker.to_dict())))
    assert np.array_equal(again.decision(x), ranker.decision(x))


def test_unknown_ranker_format_is_refused() -> None:
    with pytest.raises(ValueError, match="ranker format"):
        TreeRanker.from_dict({"format": "pickle"})
