# %% [markdown]
# # Exercise: softmax (multinomial logistic) regression, for penguins
#
# One weight vector per class turns each row into $K$ scores, and the softmax turns scores into
# probabilities (`compete theory logistic-regression`):
#
# $$z_{ik} = x_i^\top w_k + b_k, \qquad \hat p_{ik} = \frac{e^{z_{ik}}}{\sum_{k'} e^{z_{ik'}}}.$$
#
# The fit minimises the mean log loss plus an L2 penalty on the weights, never on the intercepts, in
# the notes' convention with $\lambda = 1/(nC)$ (`compete theory regularization`):
#
# $$J(W, b) = -\frac{1}{n}\sum_i \sum_k y_{ik} \log \hat p_{ik} + \frac{1}{2nC}\lVert W\rVert^2,
#   \qquad \nabla_W J = \frac{1}{n} X^\top (\hat P - Y) + \frac{W}{nC}, \qquad
#   \nabla_b J = \frac{1}{n} \mathbf{1}^\top (\hat P - Y).$$
#
# Hints: subtract each row's largest score before `exp` (the softmax does not change, and nothing
# overflows: `compete theory from-scratch`); check your gradient against finite differences
# (`compete theory gradient-descent`). `fit` hands your loss and gradient to
# `scipy.optimize.minimize` (L-BFGS), so you write the model, not the optimiser.
#
# Check your work with `compete exercise check softmax-regression`: the tests compare your
# probabilities with scikit-learn's `LogisticRegression`, which minimises the same objective.

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "penguins",
    "title": "Exercise: softmax regression from scratch",
    "techniques": ["logistic-regression", "regularization", "from-scratch"],
}
PARAMS = {"C": 30.0}


def softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of an (n, K) array of scores; every row sums to 1, even for huge scores."""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def loss_and_gradient(theta: np.ndarray, X: np.ndarray, Y: np.ndarray, C: float) -> tuple[float, np.ndarray]:
    """J and its gradient at theta, the (d + 1) x K parameters flattened: W in the first d rows, b last."""
    n, d = X.shape
    K = Y.shape[1]
    W, b = theta[: d * K].reshape(d, K), theta[d * K :]
    P = softmax(X @ W + b)
    J = -np.sum(Y * np.log(np.clip(P, 1e-300, None))) / n + np.sum(W**2) / (2 * n * C)
    grad_W = X.T @ (P - Y) / n + W / (n * C)
    grad_b = (P - Y).sum(axis=0) / n
    return float(J), np.concatenate([grad_W.ravel(), grad_b])


class SoftmaxRegression:
    """Multinomial logistic regression with an L2 penalty of strength 1/C."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C
        self.classes_: np.ndarray = np.array([])
        self.W: np.ndarray = np.zeros((0, 0))
        self.b: np.ndarray = np.zeros(0)

    def fit(self, X: np.ndarray, y: np.ndarray) -> SoftmaxRegression:
        from scipy.optimize import minimize

        X = np.asarray(X, dtype=float)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        d, K = X.shape[1], len(self.classes_)
        Y = np.eye(K)[codes]
        found = minimize(
            loss_and_gradient,
            np.zeros(d * K + K),
            args=(X, Y, self.C),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 10_000, "gtol": 1e-10, "ftol": 1e-14},
        )
        self.W, self.b = found.x[: d * K].reshape(d, K), found.x[d * K :]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return softmax(np.asarray(X, dtype=float) @ self.W + self.b)


# %% [markdown]
# ## The kernel: standardised measurements and the island
#
# As `kernels/penguins/logreg-measurements.py` does with scikit-learn: the measurements standardised
# with the training rows' statistics (missing ones filled with the training medians), and the island
# one-hot.


# %%
MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def features(frame: pd.DataFrame, train: pd.DataFrame) -> np.ndarray:
    medians = train[MEASUREMENTS].median()
    filled = frame[MEASUREMENTS].fillna(medians)
    scaled = (filled - train[MEASUREMENTS].fillna(medians).mean()) / train[MEASUREMENTS].fillna(medians).std()
    islands = [(frame["island"] == island).astype(float) for island in ("Biscoe", "Dream")]
    return np.column_stack([scaled.to_numpy(), *islands])


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    model = SoftmaxRegression(C=params["C"]).fit(features(train, train), train["species"].astype(str))
    return pd.DataFrame(model.predict_proba(features(test, train)), columns=list(model.classes_))


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
