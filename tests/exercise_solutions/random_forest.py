# %% [markdown]
# # Exercise: a random forest from scratch, for the Titanic
#
# A random forest averages many decision trees, each grown on a **bootstrap sample** of the rows (drawn
# with replacement) and choosing each split among a **random subset** of $m$ features
# (`compete theory random-forest`, `compete theory decision-tree`). Both kinds of randomness make the
# trees different, so their errors partly cancel when their class shares are averaged:
#
# $$\hat p_k(x) = \frac{1}{T}\sum_{t=1}^{T} \hat p^{(t)}_k(x), \qquad
#   \operatorname{Var}(\bar f) = \rho \sigma^2 + \frac{1 - \rho}{T}\sigma^2,$$
#
# with $\rho$ the correlation between two trees: more trees shrink the second term only, random features
# shrink $\rho$.
#
# Each tree is grown greedily (CART): at a node, try every chosen feature $j$ and every threshold $s$
# between two distinct values, and keep the split that most lowers the **Gini impurity**,
#
# $$G(S) = 1 - \sum_k p_k(S)^2, \qquad
#   \text{cost}(j, s) = \frac{|L|}{|S|} G(L) + \frac{|R|}{|S|} G(R).$$
#
# Stop when a node is pure, too small to split into two leaves of `min_samples_leaf` rows, or at
# `max_depth`; a leaf predicts its rows' class shares.
#
# Hints: sort the node's rows by the feature once, then the class counts left of every cut are
# cumulative sums (`numpy.cumsum`) and every cut is scored at once. The forest draws its bootstrap rows
# and its features with one `numpy.random.default_rng(seed)`.
#
# Check your work with `compete exercise check random-forest`: the tests compare your forest with
# scikit-learn's `RandomForestClassifier`.

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "titanic",
    "title": "Exercise: a random forest from scratch",
    "techniques": ["random-forest", "decision-tree", "from-scratch"],
}
PARAMS = {"n_trees": 100, "max_features": 2, "min_samples_leaf": 3}


def gini(counts: np.ndarray) -> float:
    """The Gini impurity of a node with these class counts."""
    total = counts.sum()
    return float(1.0 - np.sum((counts / total) ** 2)) if total else 0.0


def best_split(
    X: np.ndarray, codes: np.ndarray, n_classes: int, features: np.ndarray, min_samples_leaf: int
) -> tuple[int, float] | None:
    """The (feature, threshold) among `features` with the lowest weighted Gini impurity, or None."""
    n = len(codes)
    best: tuple[float, int, float] | None = None
    onehot = np.eye(n_classes)[codes]
    for j in features:
        order = np.argsort(X[:, j], kind="stable")
        values = X[order, j]
        left = np.cumsum(onehot[order], axis=0)[:-1]  # counts in the first i + 1 rows
        right = left[-1] + onehot[order[-1]] - left
        n_left = np.arange(1, n)
        n_right = n - n_left
        cost = n_left * (1 - np.sum((left / n_left[:, None]) ** 2, axis=1))
        cost += n_right * (1 - np.sum((right / n_right[:, None]) ** 2, axis=1))
        allowed = (values[:-1] < values[1:]) & (n_left >= min_samples_leaf) & (n_right >= min_samples_leaf)
        if not allowed.any():
            continue
        i = int(np.flatnonzero(allowed)[np.argmin(cost[allowed])])
        if best is None or cost[i] < best[0]:
            best = (float(cost[i]), int(j), float((values[i] + values[i + 1]) / 2))
    return None if best is None else (best[1], best[2])


class Tree:
    """A fitted tree as parallel lists: node i splits on feature[i] <= threshold[i], or is a leaf."""

    def __init__(self) -> None:
        self.feature: list[int] = []
        self.threshold: list[float] = []
        self.children: list[tuple[int, int]] = []
        self.shares: list[np.ndarray] = []

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        out = np.empty((len(X), len(self.shares[0])))
        for row, x in enumerate(X):
            node = 0
            while self.feature[node] >= 0:
                left, right = self.children[node]
                node = left if x[self.feature[node]] <= self.threshold[node] else right
            out[row] = self.shares[node]
        return out


def grow(
    X: np.ndarray,
    codes: np.ndarray,
    n_classes: int,
    rng: np.random.Generator,
    max_features: int,
    min_samples_leaf: int,
    max_depth: int | None,
) -> Tree:
    """Grow one CART tree on (X, codes), drawing `max_features` candidate features at every split."""
    tree = Tree()

    def node(rows: np.ndarray, depth: int) -> int:
        index = len(tree.feature)
        counts = np.bincount(codes[rows], minlength=n_classes).astype(float)
        tree.feature.append(-1)
        tree.threshold.append(0.0)
        tree.children.append((-1, -1))
        tree.shares.append(counts / counts.sum())
        if counts.max() == len(rows) or len(rows) < 2 * min_samples_leaf:
            return index
        if max_depth is not None and depth >= max_depth:
            return index
        features = rng.choice(X.shape[1], size=max_features, replace=False)
        split = best_split(X[rows], codes[rows], n_classes, features, min_samples_leaf)
        if split is None:
            return index
        j, s = split
        goes_left = X[rows, j] <= s
        tree.feature[index], tree.threshold[index] = j, s
        left = node(rows[goes_left], depth + 1)
        right = node(rows[~goes_left], depth + 1)
        tree.children[index] = (left, right)
        return index

    node(np.arange(len(codes)), 0)
    return tree


class RandomForest:
    """Bootstrapped CART trees with random features at each split; predicts averaged class shares."""

    def __init__(
        self,
        n_trees: int = 100,
        max_features: int | None = None,
        min_samples_leaf: int = 1,
        max_depth: int | None = None,
        bootstrap: bool = True,
        seed: int = 0,
    ) -> None:
        self.n_trees, self.max_features, self.min_samples_leaf = n_trees, max_features, min_samples_leaf
        self.max_depth, self.bootstrap, self.seed = max_depth, bootstrap, seed
        self.classes_: np.ndarray = np.array([])
        self.trees: list[Tree] = []

    def fit(self, X: np.ndarray, y: np.ndarray) -> RandomForest:
        X = np.asarray(X, dtype=float)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        rng = np.random.default_rng(self.seed)
        m = self.max_features or max(1, int(np.sqrt(X.shape[1])))
        self.trees = []
        for _ in range(self.n_trees):
            rows = rng.integers(0, len(X), size=len(X)) if self.bootstrap else np.arange(len(X))
            self.trees.append(
                grow(X[rows], codes[rows], len(self.classes_), rng, m, self.min_samples_leaf, self.max_depth)
            )
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        return np.mean([tree.predict_proba(X) for tree in self.trees], axis=0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


# %% [markdown]
# ## The kernel: a few numeric facts per passenger
#
# Sex, class, age (missing ages get the training median and a flag), whether the title says a boy
# (*Master*), and the family size (passengers sharing the surname and class over train and test). The
# metric is accuracy, so the kernel returns the majority vote's label.


# %%
def features(frame: pd.DataFrame, train: pd.DataFrame, family_sizes: pd.Series) -> np.ndarray:
    family = frame["Name"].str.split(",").str[0].str.strip() + "/" + frame["Pclass"].astype(str)
    return np.column_stack(
        [
            (frame["Sex"] == "female").astype(float),
            frame["Pclass"].astype(float),
            frame["Age"].fillna(train["Age"].median()),
            frame["Age"].isna().astype(float),
            frame["Name"].str.contains(r",\s*Master\.", regex=True).astype(float),
            family.map(family_sizes).fillna(1).astype(float),
        ]
    )


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    both = pd.concat([train, test])
    family_sizes = (
        both["Name"].str.split(",").str[0].str.strip() + "/" + both["Pclass"].astype(str)
    ).value_counts()
    model = RandomForest(**params).fit(features(train, train, family_sizes), train["Survived"].to_numpy())
    return model.predict(features(test, train, family_sizes))


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
