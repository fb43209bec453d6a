"""Checks for the gradient-boosting exercise: the same probabilities as scikit-learn's."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from harness.exercises._load import learner_module


@pytest.fixture(scope="module")
def mine() -> ModuleType:
    return learner_module()


def _data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=n, n_features=6, n_informative=4, random_state=seed)
    return X.astype(np.float32).astype(float), y  # scikit-learn's trees split in float32: same values


def test_the_first_score_is_the_training_log_odds(mine: ModuleType) -> None:
    X, y = _data()
    y = (np.arange(len(y)) % 4 == 0).astype(int)  # a quarter positive
    model = mine.GradientBoostingClassifier(n_estimators=1, learning_rate=1e-12).fit(X, y)
    assert model.decision_function(X) == pytest.approx(np.full(len(y), np.log(0.25 / 0.75)), abs=1e-9)


def test_probabilities_match_scikit_learn(mine: ModuleType) -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = _data()
    X_new, _ = _data(100, seed=1)
    ours = mine.GradientBoostingClassifier(n_estimators=20, learning_rate=0.1, max_depth=3).fit(X, y)
    theirs = GradientBoostingClassifier(
        n_estimators=20, learning_rate=0.1, max_depth=3, criterion="squared_error", random_state=0
    )
    theirs.fit(X, y)
    assert ours.predict_proba(X) == pytest.approx(theirs.predict_proba(X), abs=1e-6)
    # On new rows the two may differ where two splits cut the training rows alike (equal gain) on
    # different features; the trees agree on every training row, so they differ only a little.
    gap = np.abs(ours.predict_proba(X_new) - theirs.predict_proba(X_new))[:, 1]
    assert gap.mean() < 0.01, gap.mean()


def test_the_training_log_loss_falls_round_after_round(mine: ModuleType) -> None:
    X, y = _data()
    losses = []
    for rounds in (1, 5, 20):
        p = mine.GradientBoostingClassifier(n_estimators=rounds).fit(X, y).predict_proba(X)[:, 1]
        losses.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert losses[0] > losses[1] > losses[2]
