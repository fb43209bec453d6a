"""The from-scratch kernels (`kernels/*/scratch-*.py`) against their scikit-learn counterparts.

Each algorithm is checked on small synthetic data or a data set bundled with scikit-learn, so these
tests need no prepared competition and run in seconds. Tolerances, and why they are what they are:

- logistic regression: coefficients within 1e-4 relative of LogisticRegression(lbfgs, tol 1e-12);
  both solvers reach the same optimum (observed ~2e-6; ours ends slightly lower on the objective).
- CART tree: on data whose values are distinct (so the best split is unique) the same tree, node by
  node, up to depth 4. Deeper, several splits often tie on impurity and scikit-learn breaks ties by a
  random feature order, so there we check our split is optimal by brute force instead.
- kNN: the same neighbour indices and vote shares as KNeighborsClassifier (exact).
- multinomial naive Bayes: predict_proba within 1e-9 of MultinomialNB on the same count matrix.
- ridge: coefficients within 1e-6 relative of Ridge / LinearRegression.
- gradient boosting: the same training predictions as GradientBoostingRegressor (1e-8 relative);
  on new points the two may differ where two splits partition the training rows identically (equal
  gain) but place the threshold on different features, so there the held-out error is compared (2%).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from harness.kernels import load_kernel
from harness.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
SCRATCH = {
    "spam/scratch-logistic-regression": "logistic-regression",
    "titanic/scratch-decision-tree": "decision-tree",
    "penguins/scratch-knn": "k-nearest-neighbors",
    "food-reviews/scratch-naive-bayes": "naive-bayes",
    "house-prices/scratch-ridge": "linear-regression",
    "house-prices/scratch-gradient-boosting": "gradient-boosting",
}


def scratch(name: str) -> ModuleType:
    return load_kernel(Workspace(REPO), name).module


def standardised(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


def as_float32(X: np.ndarray) -> np.ndarray:
    """scikit-learn's trees work in float32: give both implementations the same values."""
    return X.astype(np.float32).astype(np.float64)


def test_every_declared_scratch_kernel_is_checked_here() -> None:
    from tests import declared

    assert {name for name in declared.KERNELS if "/scratch-" in name} == set(SCRATCH)


@pytest.mark.parametrize("name", sorted(SCRATCH))
def test_scratch_kernels_declare_from_scratch_and_their_algorithm(name: str) -> None:
    info = load_kernel(Workspace(REPO), name).info
    assert "from-scratch" in info.techniques
    assert SCRATCH[name] in info.techniques


@pytest.mark.parametrize("name", sorted(SCRATCH))
def test_scratch_kernels_use_no_scikit_learn_model(name: str) -> None:
    source = (REPO / "kernels" / f"{name}.py").read_text(encoding="utf-8")
    assert "sklearn" not in source and "lightgbm" not in source


# --- logistic regression -----------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["gd", "newton"])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_logistic_regression_coefficients_match_sklearn(solver: str, C: float) -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    lr = scratch("spam/scratch-logistic-regression")
    X, y = load_breast_cancer(return_X_y=True)
    X = standardised(X)
    theta = lr.fit_logistic(X, y, {"C": C, "solver": solver, "tol": 1e-9, "max_iter": 100_000})
    model = LogisticRegression(C=C, tol=1e-12, max_iter=100_000).fit(X, y)
    expected = np.r_[model.intercept_, model.coef_[0]]
    assert np.max(np.abs(theta - expected)) <= 1e-4 * np.max(np.abs(expected))
    np.testing.assert_allclose(lr.predict_proba(theta, X), model.predict_proba(X)[:, 1], atol=1e-5)


def test_logistic_regression_gradient_matches_finite_differences() -> None:
    lr = scratch("spam/scratch-logistic-regression")
    rng = np.random.default_rng(0)
    X1 = lr.add_intercept(rng.normal(size=(50, 4)))
    y = (rng.random(50) < 0.4).astype(float)
    theta = rng.normal(size=5)
    step = 1e-6
    numeric = [
        (lr.objective(theta + step * e, X1, y, 0.5) - lr.objective(theta - step * e, X1, y, 0.5)) / (2 * step)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(lr.gradient(theta, X1, y, 0.5), numeric, atol=1e-7)


def test_logistic_regression_cv_auc_matches_sklearn() -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    lr = scratch("spam/scratch-logistic-regression")
    X, y = load_breast_cancer(return_X_y=True)
    for fit, valid in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        mean, scale = lr.fit_scaler(X[fit])
        X_fit, X_valid = lr.standardise(X[fit], mean, scale), lr.standardise(X[valid], mean, scale)
        ours = lr.predict_proba(lr.fit_logistic(X_fit, y[fit], {"C": 1.0}), X_valid)
        theirs = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X_fit, y[fit])
        auc_ours = roc_auc_score(y[valid], ours)
        auc_theirs = roc_auc_score(y[valid], theirs.predict_proba(X_valid)[:, 1])
        assert abs(auc_ours - auc_theirs) <= 1e-4


# --- CART decision tree ------------------------------------------------------------------------------


@pytest.mark.parametrize(("max_depth", "min_samples_leaf"), [(1, 1), (2, 1), (3, 1), (3, 5), (4, 10)])
def test_decision_tree_is_sklearns_tree_when_splits_are_unique(max_depth: int, min_samples_leaf: int) -> None:
    from sklearn.datasets import make_classification
    from sklearn.tree import DecisionTreeClassifier

    cart = scratch("titanic/scratch-decision-tree")
    X, y = make_classification(600, 8, n_informative=5, random_state=0)
    X = as_float32(X)
    tree = cart.grow_tree(X, cart.one_hot(y, np.array([0, 1])), max_depth, min_samples_leaf)
    model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=0)
    reference = model.fit(X, y).tree_

    # Both store nodes depth first, left child first: compare them one by one.
    assert len(tree.feature) == reference.node_count
    inner = reference.children_left >= 0
    np.testing.assert_array_equal(np.array(tree.feature)[inner], reference.feature[inner])
    np.testing.assert_allclose(np.array(tree.threshold)[inner], reference.threshold[inner], atol=1e-6)
    assert (np.array(tree.left) < 0).tolist() == (~inner).tolist()

    fresh = as_float32(np.random.default_rng(1).normal(size=(2000, 8)))
    np.testing.assert_allclose(cart.predict_proba(tree, X), model.predict_proba(X), atol=1e-12)
    same = np.argmax(cart.predict_proba(tree, fresh), axis=1) == model.predict(fresh)
    assert same.mean() >= 0.99


def brute_force_split(X: np.ndarray, Y: np.ndarray, min_samples_leaf: int) -> float:
    """The lowest weighted child Gini impurity over every feature and threshold, by plain loops."""
    best = np.inf
    n = len(X)
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for a, b in zip(values[:-1], values[1:], strict=True):
            left = X[:, j] <= (a + b) / 2
            if min(left.sum(), n - left.sum()) < min_samples_leaf:
                continue
            impurity = 0.0
            for side in (left, ~left):
                shares = Y[side].sum(axis=0) / side.sum()
                impurity += side.sum() / n * (1 - (shares**2).sum())
            best = min(best, impurity)
    return best


@pytest.mark.parametrize("seed", range(5))
def test_decision_tree_split_is_the_best_one(seed: int) -> None:
    cart = scratch("titanic/scratch-decision-tree")
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 6, size=(40, 3)).astype(float)  # many ties in the values: thresholds are few
    Y = cart.one_hot(rng.integers(0, 3, size=40), np.arange(3))
    split = cart.best_split(X, Y, min_samples_leaf=3)
    assert split is not None
    assert split.impurity == pytest.approx(brute_force_split(X, Y, 3), abs=1e-12)
    goes_left = X[:, split.feature] <= split.threshold
    assert min(goes_left.sum(), (~goes_left).sum()) >= 3


def test_decision_tree_cv_accuracy_matches_sklearn() -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import StratifiedKFold
    from sklearn.tree import DecisionTreeClassifier

    cart = scratch("titanic/scratch-decision-tree")
    X, y = load_breast_cancer(return_X_y=True)
    X = as_float32(X)
    ours, theirs = [], []
    for fit, valid in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        tree = cart.grow_tree(X[fit], cart.one_hot(y[fit], np.array([0, 1])), 3, 5)
        ours.append(np.mean(np.argmax(cart.predict_proba(tree, X[valid]), axis=1) == y[valid]))
        model = DecisionTreeClassifier(max_depth=3, min_samples_leaf=5, random_state=0).fit(X[fit], y[fit])
        theirs.append(np.mean(model.predict(X[valid]) == y[valid]))
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.01


# --- k-nearest neighbours ----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 5, 15])
def test_knn_neighbours_and_probabilities_match_sklearn(k: int) -> None:
    from sklearn.datasets import load_wine
    from sklearn.neighbors import KNeighborsClassifier

    knn = scratch("penguins/scratch-knn")
    X, y = load_wine(return_X_y=True)
    X = standardised(X)
    fit, query = np.arange(0, len(X), 2), np.arange(1, len(X), 2)
    model = KNeighborsClassifier(n_neighbors=k).fit(X[fit], y[fit])
    np.testing.assert_array_equal(knn.nearest_neighbours(X[fit], X[query], k), model.kneighbors(X[query])[1])
    ours = knn.knn_predict_proba(X[fit], y[fit], X[query], 3, k, alpha=0.0)
    np.testing.assert_allclose(ours, model.predict_proba(X[query]), atol=1e-12)


def test_knn_smoothing_keeps_every_probability_above_zero() -> None:
    knn = scratch("penguins/scratch-knn")
    labels = np.array([[0, 0, 0, 0, 0], [0, 1, 1, 2, 2]])
    shares = knn.vote_shares(labels, 3, alpha=0.5)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(shares[0], [5.5 / 6.5, 0.5 / 6.5, 0.5 / 6.5])
    assert shares.min() > 0


# --- multinomial naive Bayes -------------------------------------------------------------------------


def synthetic_reviews(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Reviews drawn from two word distributions, with HTML breaks and capitals to tokenise away."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(60)] + ["great", "Love", "stale", "bad", "don't"])
    labels = rng.integers(0, 2, size=n)
    texts = []
    for label in labels:
        weights = rng.random(len(words)) + np.where(np.arange(len(words)) % 2 == label, 2.0, 0.0)
        chosen = rng.choice(words, size=rng.integers(5, 40), p=weights / weights.sum())
        texts.append(" ".join(chosen[:3]) + "<br /><br />" + ", ".join(chosen[3:]) + "!")
    return texts, labels


def test_tokenize_drops_html_and_case() -> None:
    nb = scratch("food-reviews/scratch-naive-bayes")
    assert nb.tokenize("Great taste!<br /><br />I don't LOVE it, 5 stars.") == [
        "great",
        "taste",
        "i",
        "don't",
        "love",
        "it",
        "5",
        "stars",
    ]


@pytest.mark.parametrize("alpha", [0.1, 1.0, 3.0])
def test_naive_bayes_probabilities_match_sklearn(alpha: float) -> None:
    from sklearn.naive_bayes import MultinomialNB

    nb = scratch("food-reviews/scratch-naive-bayes")
    texts, labels = synthetic_reviews(400, seed=0)
    tokens = [nb.tokenize(text) for text in texts]
    fit, query = slice(0, 300), slice(300, 400)
    vocabulary = nb.build_vocabulary(tokens[fit], min_df=2)
    docs, words = nb.encode(tokens[fit], vocabulary)
    query_docs, query_words = nb.encode(tokens[query], vocabulary)
    log_prior, log_theta = nb.fit_multinomial_nb(docs, words, labels[fit], 2, len(vocabulary), alpha)
    ours = nb.softmax(nb.joint_log_likelihood(query_docs, query_words, 100, log_prior, log_theta))

    model = MultinomialNB(alpha=alpha).fit(nb.count_matrix(docs, words, 300, len(vocabulary)), labels[fit])
    theirs = model.predict_proba(nb.count_matrix(query_docs, query_words, 100, len(vocabulary)))
    np.testing.assert_allclose(log_theta, model.feature_log_prob_, atol=1e-12)
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_naive_bayes_fitted_temperature_undoes_repeated_evidence() -> None:
    """Every word written five times is the same evidence counted five times: the calibration should
    find a temperature near 5 (and near 1 for the reviews as written)."""
    nb = scratch("food-reviews/scratch-naive-bayes")
    texts, labels = synthetic_reviews(400, seed=0)
    tokens = [nb.tokenize(text) for text in texts]
    params = {"alpha": 1.0, "min_df": 2}
    groups = np.arange(len(tokens))
    assert nb.fit_temperature(tokens, labels, groups, 2, params) <= 1.2
    assert 4.0 <= nb.fit_temperature([t * 5 for t in tokens], labels, groups, 2, params) <= 6.5


def test_naive_bayes_temperature_softens_without_reordering() -> None:
    nb = scratch("food-reviews/scratch-naive-bayes")
    scores = np.array([[-100.0, -90.0], [-50.0, -52.0], [-10.0, -10.0]])
    sharp, soft = nb.softmax(scores)[:, 1], nb.softmax(scores, temperature=4.0)[:, 1]
    assert np.all(np.abs(soft - 0.5) <= np.abs(sharp - 0.5))
    np.testing.assert_array_equal(np.argsort(sharp), np.argsort(soft))


# --- ridge regression --------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.0, 0.1, 1.0, 10.0])
def test_ridge_coefficients_match_sklearn(alpha: float) -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression, Ridge

    ridge = scratch("house-prices/scratch-ridge")
    X, y = load_diabetes(return_X_y=True)
    X = X * np.arange(1, 11) + np.arange(10)  # uncentred, unequal scales: the intercept must be handled
    w, b = ridge.fit_ridge(X, y, alpha)
    model = (Ridge(alpha=alpha) if alpha else LinearRegression()).fit(X, y)
    assert np.max(np.abs(w - model.coef_)) <= 1e-6 * np.max(np.abs(model.coef_))
    assert b == pytest.approx(model.intercept_, rel=1e-6)


# --- gradient boosting -------------------------------------------------------------------------------


def test_regression_tree_is_sklearns_tree() -> None:
    from sklearn.datasets import make_regression
    from sklearn.tree import DecisionTreeRegressor

    gb = scratch("house-prices/scratch-gradient-boosting")
    X, y = make_regression(300, 5, noise=5.0, random_state=0)
    X = as_float32(X)
    tree = gb.fit_tree(X, y, np.argsort(X, axis=0, kind="stable"), 3, 5)
    reference = DecisionTreeRegressor(max_depth=3, min_samples_leaf=5).fit(X, y).tree_
    inner = reference.children_left >= 0
    np.testing.assert_array_equal(tree["feature"][inner], reference.feature[inner])
    np.testing.assert_allclose(tree["threshold"][inner], reference.threshold[inner], atol=1e-6)
    np.testing.assert_allclose(tree["value"], reference.value.ravel(), rtol=1e-9, atol=1e-9)


def test_regression_split_reduction_is_the_drop_in_squared_error() -> None:
    gb = scratch("house-prices/scratch-gradient-boosting")
    rng = np.random.default_rng(3)
    X, r = rng.normal(size=(60, 3)), rng.normal(size=60)
    feature, threshold, reduction = gb.best_split(X, r, np.argsort(X, axis=0, kind="stable"), 5)

    def sse(values: np.ndarray) -> float:
        return float(((values - values.mean()) ** 2).sum())

    left = X[:, feature] <= threshold
    assert reduction == pytest.approx(sse(r) - sse(r[left]) - sse(r[~left]), rel=1e-9)
    best = max(
        sse(r) - sse(r[X[:, j] <= t]) - sse(r[X[:, j] > t])
        for j in range(3)
        for t in np.sort(X[:, j])[4:-5]  # every threshold leaving 5 rows a side
    )
    assert reduction == pytest.approx(best, rel=1e-9)


def test_rows_of_keeps_each_column_sorted() -> None:
    gb = scratch("house-prices/scratch-gradient-boosting")
    X = np.random.default_rng(0).normal(size=(50, 4))
    order = np.argsort(X, axis=0, kind="stable")
    keep = X[:, 0] > 0
    kept = gb.rows_of(order, keep)
    for j in range(4):
        assert set(kept[:, j]) == set(np.flatnonzero(keep))
        assert np.all(np.diff(X[kept[:, j], j]) >= 0)


def test_boosting_matches_sklearn_gradient_boosting() -> None:
    from sklearn.datasets import make_regression
    from sklearn.ensemble import GradientBoostingRegressor

    gb = scratch("house-prices/scratch-gradient-boosting")
    X, y = make_regression(500, 6, noise=10.0, random_state=0)
    X = as_float32(X)
    fit, held = slice(0, 400), slice(400, 500)
    base, trees = gb.fit_boosting(X[fit], y[fit], 50, 0.1, 3, 1)
    model = GradientBoostingRegressor(n_estimators=50, learning_rate=0.1, max_depth=3, random_state=0)
    model.fit(X[fit], y[fit])
    ours_fit = gb.predict_boosting(base, trees, 0.1, X[fit])
    np.testing.assert_allclose(ours_fit, model.predict(X[fit]), rtol=1e-8, atol=1e-8 * np.std(y))

    rmse_ours = np.sqrt(np.mean((gb.predict_boosting(base, trees, 0.1, X[held]) - y[held]) ** 2))
    rmse_theirs = np.sqrt(np.mean((model.predict(X[held]) - y[held]) ** 2))
    assert rmse_ours == pytest.approx(rmse_theirs, rel=0.02)
