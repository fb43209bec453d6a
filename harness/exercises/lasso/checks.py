"""Checks for the lasso exercise: soft-thresholding, exact zeros, and scikit-learn's weights."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from harness.exercises._load import learner_module


@pytest.fixture(scope="module")
def mine() -> ModuleType:
    return learner_module()


def _diabetes() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def test_soft_thresholding(mine: ModuleType) -> None:
    assert mine.soft_threshold(3.0, 1.0) == pytest.approx(2.0)
    assert mine.soft_threshold(-3.0, 1.0) == pytest.approx(-2.0)
    assert mine.soft_threshold(0.5, 1.0) == 0.0 and mine.soft_threshold(-0.5, 1.0) == 0.0


@pytest.mark.parametrize("alpha", [0.1, 1.0, 5.0])
def test_weights_match_scikit_learn(mine: ModuleType, alpha: float) -> None:
    from sklearn.linear_model import Lasso

    X, y = _diabetes()
    ours = mine.Lasso(alpha=alpha).fit(X, y)
    theirs = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    assert ours.coef_ == pytest.approx(theirs.coef_, abs=1e-5)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, abs=1e-5)
    assert ours.predict(X[:5]) == pytest.approx(theirs.predict(X[:5]), abs=1e-4)


def test_a_large_penalty_zeroes_every_weight_and_a_middle_one_some(mine: ModuleType) -> None:
    X, y = _diabetes()
    largest = np.max(np.abs((X - X.mean(axis=0)).T @ (y - y.mean()))) / len(y)
    assert not np.any(mine.Lasso(alpha=1.01 * largest).fit(X, y).coef_)
    middle = mine.Lasso(alpha=5.0).fit(X, y).coef_
    assert 0 < np.count_nonzero(middle) < X.shape[1]
