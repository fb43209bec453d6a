"""Checks for the random-forest exercise: Gini, the best split, one exact tree, a forest like sklearn's."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from harness.exercises._load import learner_module


@pytest.fixture(scope="module")
def mine() -> ModuleType:
    return learner_module()


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    return make_classification(n_samples=n, n_features=8, n_informative=5, random_state=seed)


def test_gini_impurity(mine: ModuleType) -> None:
    assert mine.gini(np.array([2.0, 2.0])) == pytest.approx(0.5)
    assert mine.gini(np.array([4.0, 0.0])) == pytest.approx(0.0)
    assert mine.gini(np.array([1.0, 1.0, 1.0, 1.0])) == pytest.approx(0.75)


def test_the_best_split_separates_two_clumps(mine: ModuleType) -> None:
    X = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0], [5.0, 10.0], [5.0, 11.0], [5.0, 12.0]])
    codes = np.array([0, 0, 0, 1, 1, 1])
    assert mine.best_split(X, codes, 2, np.array([0, 1]), 1) == (1, pytest.approx(6.5))
    assert mine.best_split(X, codes, 2, np.array([0]), 1) is None  # a constant feature cannot split


def test_one_full_tree_fits_its_training_rows_exactly(mine: ModuleType) -> None:
    X, y = _data(200)
    tree = mine.RandomForest(n_trees=1, max_features=X.shape[1], bootstrap=False).fit(X, y)
    assert np.mean(tree.predict(X) == y) == 1.0


def test_probabilities_are_averaged_shares_and_seeded(mine: ModuleType) -> None:
    X, y = _data(200)
    forest = mine.RandomForest(n_trees=20, seed=1).fit(X, y)
    P = forest.predict_proba(X)
    assert P.shape == (200, 2) and P.sum(axis=1) == pytest.approx(np.ones(200))
    assert list(forest.classes_) == [0, 1]
    assert mine.RandomForest(n_trees=20, seed=1).fit(X, y).predict_proba(X) == pytest.approx(P)
    assert not np.allclose(mine.RandomForest(n_trees=20, seed=2).fit(X, y).predict_proba(X), P)
    single = mine.RandomForest(n_trees=1, seed=1).fit(X, y).predict_proba(X)
    assert np.mean((P == 0) | (P == 1)) < np.mean((single == 0) | (single == 1))  # averaging softens


def test_held_out_accuracy_is_close_to_scikit_learn(mine: ModuleType) -> None:
    from sklearn.ensemble import RandomForestClassifier

    X, y = _data(600)
    fit, new = slice(0, 400), slice(400, 600)
    ours = mine.RandomForest(n_trees=50, seed=0).fit(X[fit], y[fit])
    theirs = RandomForestClassifier(n_estimators=50, max_features="sqrt", random_state=0).fit(X[fit], y[fit])
    accuracy = np.mean(ours.predict(X[new]) == y[new])
    assert accuracy >= np.mean(theirs.predict(X[new]) == y[new]) - 0.05
    one_tree = mine.RandomForest(n_trees=1, max_features=8, bootstrap=False).fit(X[fit], y[fit])
    assert accuracy > np.mean(one_tree.predict(X[new]) == y[new])  # the forest beats a single tree
