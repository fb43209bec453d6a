# %% [markdown]
# # Exercise: gradient boosting on the log loss, for spam
#
# Boosting builds a score $F(x)$ one small tree at a time, each tree correcting the ones before it.
# For a yes/no target the score is a log-odds and the loss is the log loss
# (`compete theory gradient-boosting`, `compete theory log-loss`):
#
# $$\hat p_i = \sigma(F(x_i)), \qquad \ell_i = -y_i \log \hat p_i - (1 - y_i)\log(1 - \hat p_i).$$
#
# 1. **Start** from the best constant: the training log-odds, $F_0 = \log\frac{\bar y}{1 - \bar y}$.
# 2. **Each round** $m = 1..M$: the negative gradient of the loss with respect to $F$ is the residual
#    $r_i = y_i - \sigma(F_{m-1}(x_i))$. Fit a regression tree to the $r_i$ (here scikit-learn's
#    `DecisionTreeRegressor(criterion="squared_error", max_depth=...)`: the tree is given, the
#    boosting is yours).
# 3. **Newton leaf values**: the tree's own leaf means are not the best step for the log loss. For the
#    rows $R_j$ of leaf $j$, one Newton step gives
#    $$\gamma_j = \frac{\sum_{i \in R_j} r_i}{\sum_{i \in R_j} \hat p_i (1 - \hat p_i)}.$$
#    `tree.apply(X)` tells which leaf each row falls in.
# 4. **Shrink and add**: $F_m(x) = F_{m-1}(x) + \eta\, \gamma_{j(x)}$, with the learning rate $\eta$.
#
# Check your work with `compete exercise check gradient-boosting-classifier`: the tests compare your
# probabilities with scikit-learn's `GradientBoostingClassifier`, which does exactly these steps.

# %%
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "spam",
    "title": "Exercise: gradient boosting on the log loss",
    "techniques": ["gradient-boosting", "from-scratch"],
}
PARAMS = {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class GradientBoostingClassifier:
    """Boosted regression trees on the log loss, for labels 0 and 1."""

    def __init__(
        self, n_estimators: int = 100, learning_rate: float = 0.1, max_depth: int = 3, seed: int = 0
    ) -> None:
        self.n_estimators, self.learning_rate, self.max_depth, self.seed = (
            n_estimators,
            learning_rate,
            max_depth,
            seed,
        )
        self.initial = 0.0
        self.trees: list[tuple[Any, np.ndarray]] = []  # (tree, leaf values by tree.apply's node id)

    def fit(self, X: np.ndarray, y: np.ndarray) -> GradientBoostingClassifier:
        from sklearn.tree import DecisionTreeRegressor  # noqa: F401  (the weak learner you may use)

        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        # TODO 1: self.initial = the training log-odds; F = that constant for every row.
        # TODO 2: for each round: residuals r = y - sigmoid(F); fit
        #         DecisionTreeRegressor(criterion="squared_error", max_depth=self.max_depth,
        #         random_state=self.seed) to (X, r); leaves = tree.apply(X).
        # TODO 3: leaf values gamma[j] = sum(r in leaf j) / sum(p (1 - p) in leaf j) (0 if that is 0),
        #         stored in an array of size tree.tree_.node_count so gamma[tree.apply(X)] works.
        # TODO 4: F += learning_rate * gamma[leaves]; keep (tree, gamma) in self.trees.
        raise NotImplementedError("fit: see TODO 1-4")

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        # TODO 5: the initial log-odds plus learning_rate * gamma[tree.apply(X)] over every tree.
        raise NotImplementedError("decision_function: see TODO 5")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])


# %% [markdown]
# ## The kernel: the spam data as numbers
#
# `time` becomes the hour the email was sent; the other text columns become codes of the training
# rows' levels (trees only need an order to split on). The metric is ROC AUC, so the kernel returns the
# probability of spam.


# %%
def features(frame: pd.DataFrame, train: pd.DataFrame) -> np.ndarray:
    X = frame.drop(columns=["id", "spam"], errors="ignore").copy()
    X["time"] = pd.to_datetime(X["time"], utc=True).dt.hour
    for column in X.columns:
        if not pd.api.types.is_numeric_dtype(X[column]):
            levels = sorted(train[column].dropna().astype(str).unique())
            X[column] = pd.Categorical(X[column].astype(str), categories=levels).codes
    return X.fillna(-1).to_numpy(dtype=float)


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    y = (train["spam"].astype(str) == "1").astype(int).to_numpy()
    model = GradientBoostingClassifier(**params).fit(features(train, train), y)
    return model.predict_proba(features(test, train))[:, 1]


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
