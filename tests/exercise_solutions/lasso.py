# %% [markdown]
# # Exercise: the lasso by coordinate descent, for house prices
#
# The lasso is least squares with an L1 penalty, which sets some weights to exactly zero and so
# chooses features (`compete theory regularization`, `compete theory linear-regression`). In the
# notes' convention (the mean of $\tfrac12 (y_i - \hat y_i)^2$ plus the penalty), which is also
# scikit-learn's `Lasso(alpha)` with $\alpha = \lambda$:
#
# $$\min_{w, b}\ \frac{1}{2n}\lVert y - b - Xw\rVert^2 + \alpha \lVert w\rVert_1 .$$
#
# The penalty has no gradient at 0, so gradient descent is awkward. **Coordinate descent** minimises
# over one weight at a time, holding the others fixed, which has a closed form. Centre $X$ and $y$ (the
# intercept then drops out: $b = \bar y - \bar x^\top w$). For weight $j$, with the residual
# $r = y - Xw$ computed with the current weights,
#
# $$\rho_j = \frac{1}{n} x_j^\top (r + x_j w_j), \qquad z_j = \frac{1}{n} x_j^\top x_j, \qquad
#   w_j \leftarrow \frac{S(\rho_j, \alpha)}{z_j}, \qquad
#   S(\rho, \alpha) = \operatorname{sign}(\rho)\max(|\rho| - \alpha, 0).$$
#
# $S$ is the **soft-thresholding** operator: a weight whose correlation with the residual is below
# $\alpha$ becomes exactly 0. Sweep over $j = 1..d$ again and again until no weight moves by more
# than `tol`. Keep $r$ up to date after each change ($r \leftarrow r - x_j (w_j^{new} - w_j^{old})$), so
# a sweep costs $O(nd)$.
#
# Check your work with `compete exercise check lasso`: the tests compare your weights with
# scikit-learn's `Lasso`.

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "house-prices",
    "title": "Exercise: the lasso by coordinate descent",
    "techniques": ["regularization", "linear-regression", "log-transform", "from-scratch"],
}
PARAMS = {"alpha": 0.001}


def soft_threshold(rho: float, alpha: float) -> float:
    """sign(rho) * max(|rho| - alpha, 0)."""
    return float(np.sign(rho) * max(abs(rho) - alpha, 0.0))


class Lasso:
    """Least squares with an L1 penalty alpha, fitted by cyclic coordinate descent."""

    def __init__(self, alpha: float = 1.0, max_sweeps: int = 10_000, tol: float = 1e-10) -> None:
        self.alpha, self.max_sweeps, self.tol = alpha, max_sweeps, tol
        self.coef_: np.ndarray = np.zeros(0)
        self.intercept_ = 0.0

    def fit(self, X: np.ndarray, y: np.ndarray) -> Lasso:
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        n, d = X.shape
        x_mean, y_mean = X.mean(axis=0), y.mean()
        Xc, r = X - x_mean, y - y_mean
        z = (Xc**2).mean(axis=0)
        w = np.zeros(d)
        for _ in range(self.max_sweeps):
            largest = 0.0
            for j in range(d):
                if z[j] == 0.0:
                    continue
                rho = Xc[:, j] @ (r + Xc[:, j] * w[j]) / n
                new = soft_threshold(rho, self.alpha) / z[j]
                if new != w[j]:
                    r -= Xc[:, j] * (new - w[j])
                    largest = max(largest, abs(new - w[j]))
                    w[j] = new
            if largest < self.tol:
                break
        self.coef_, self.intercept_ = w, float(y_mean - x_mean @ w)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=float) @ self.coef_ + self.intercept_


# %% [markdown]
# ## The kernel: numeric columns, standardised, on the log price
#
# The metric is RMSLE, so the model fits $\log1p$ of the price and the prediction comes back with
# `expm1` (`compete theory rmsle`). The numeric columns are filled with the training medians and
# standardised with the training rows' statistics, so that one $\alpha$ treats them alike.


# %%
def features(frame: pd.DataFrame, train: pd.DataFrame) -> np.ndarray:
    columns = [c for c in train.select_dtypes("number").columns if c not in ("Id", "Sale_Price")]
    medians = train[columns].median()
    filled = frame[columns].fillna(medians)
    reference = train[columns].fillna(medians)
    spread = reference.std().replace(0.0, 1.0)
    return ((filled - reference.mean()) / spread).to_numpy(dtype=float)


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    model = Lasso(alpha=params["alpha"], tol=1e-6).fit(features(train, train), np.log1p(train["Sale_Price"]))
    return np.expm1(model.predict(features(test, train))).clip(min=0.0)


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
