"""Checks for the softmax-regression exercise: a stable softmax, a true gradient, scikit-learn's fit."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from harness.exercises._load import learner_module


@pytest.fixture(scope="module")
def mine() -> ModuleType:
    return learner_module()


def _iris() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def test_softmax_rows_sum_to_one_and_never_overflow(mine: ModuleType) -> None:
    Z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0], [0.0, 0.0, 0.0]])
    P = mine.softmax(Z)
    assert P.shape == Z.shape and np.isfinite(P).all()
    assert P.sum(axis=1) == pytest.approx(np.ones(3))
    assert P[1] == pytest.approx([0.5, 0.5, 0.0]) and P[2] == pytest.approx([1 / 3] * 3)
    assert P[0] == pytest.approx(np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


def test_the_gradient_matches_finite_differences(mine: ModuleType) -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), np.eye(3)[rng.integers(0, 3, size=20)]
    theta = rng.normal(size=3 * 3 + 3)
    _, grad = mine.loss_and_gradient(theta, X, Y, 0.5)
    h, numeric = 1e-6, np.zeros_like(theta)
    for j in range(len(theta)):
        step = np.zeros_like(theta)
        step[j] = h
        numeric[j] = (
            mine.loss_and_gradient(theta + step, X, Y, 0.5)[0]
            - mine.loss_and_gradient(theta - step, X, Y, 0.5)[0]
        ) / (2 * h)
    assert grad == pytest.approx(numeric, abs=1e-6)


def test_the_penalty_spares_the_intercepts(mine: ModuleType) -> None:
    X, Y = np.zeros((4, 2)), np.eye(2)[[0, 0, 0, 1]]
    theta = np.array([0.0, 0.0, 0.0, 0.0, 5.0, -5.0])  # weights zero, intercepts large
    J, grad = mine.loss_and_gradient(theta, X, Y, 1e-3)
    P = np.exp([5.0, -5.0]) / np.exp([5.0, -5.0]).sum()
    assert J == pytest.approx(-(3 * np.log(P[0]) + np.log(P[1])) / 4)
    assert grad[4:] == pytest.approx(((P - Y).sum(axis=0)) / 4)


@pytest.mark.parametrize("C", [0.1, 1.0, 30.0])
def test_probabilities_match_scikit_learn(mine: ModuleType, C: float) -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = _iris()
    ours = mine.SoftmaxRegression(C=C).fit(X, y)
    theirs = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    assert list(ours.classes_) == list(theirs.classes_)
    assert ours.predict_proba(X) == pytest.approx(theirs.predict_proba(X), abs=1e-4)
