# %% [markdown]
# # Spam: a blend of two kernels, fitted on their out-of-fold predictions
#
# `spam/baseline` (logistic regression on four columns) and `spam/lgbm-features` (LightGBM on every
# column) make different mistakes. A second-level model that weighs their predictions can rank better
# than either. This kernel does not look at the emails at all: its only features are the two kernels'
# predictions, read from their last full `compete run` (kept under `.compete/spam/runs/oof/`).
#
# Run the members first, then this kernel:
#
#     compete run spam/baseline
#     compete run spam/lgbm-features
#     compete run spam/blend-oof
#
# and `compete compare spam/lgbm-features spam/blend-oof` says whether the blend's gain is larger than
# the folds' noise. Here it says there is none:
#
# | fold | 1 | 2 | 3 | 4 | 5 | mean |
# |---|---|---|---|---|---|---|
# | `spam/lgbm-features` | 0.9479 | 0.9499 | 0.9614 | 0.9626 | 0.9438 | 0.9531 |
# | this blend | 0.9478 | 0.9485 | 0.9613 | 0.9620 | 0.9440 | 0.9527 |
# | blend − lgbm | −0.0001 | −0.0014 | −0.0001 | −0.0005 | +0.0002 | −0.0004 |
#
# Better on 1 fold of 5, paired $t = -1.43$ ($p = 0.23$): inside the noise. The baseline's four columns
# are among LightGBM's, so it has little to add that the stronger member does not already know. A blend
# pays when its members' errors are weakly correlated (other features, another kind of model); see
# `compete theory ensembling`.
#
# Theory notes (`compete theory NAME`): `compete theory ensembling`, `compete theory leakage`,
# `compete theory comparing-models`, `compete theory logistic-regression`, `compete theory roc-auc`.
#
# **The model**: a logistic regression on the members' out-of-fold probabilities $\hat p^{(1)}, \hat p^{(2)}$,
# $$\hat p = \sigma\big(w_0 + w_1\,\hat p^{(1)} + w_2\,\hat p^{(2)}\big),
#   \qquad \sigma(z) = \frac{1}{1 + e^{-z}},$$
# its weights fitted on the rows of the other folds only.
#
# **The metric**:
# $$\text{roc\_auc} = \frac{1}{n_+ n_-}\sum_{i \in P}\sum_{j \in N}
#   \Big([\hat p_i > \hat p_j] + \tfrac12[\hat p_i = \hat p_j]\Big).$$

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "spam",
    "title": "A logistic blend of the baseline and LightGBM on their out-of-fold predictions",
    "techniques": ["ensembling", "cross-validation", "logistic-regression"],
    "reference": True,
    "members": ["spam/baseline", "spam/lgbm-features"],
}

PARAMS = {"C": 1.0}


# %% [markdown]
# ## The leakage rule: the second level needs the same folds
#
# Each train row's prediction from a member is *out-of-fold*: made by the model of the fold that held the
# row out. The blend is cross-validated on the competition's folds too, and must use **the same folds**
# as the members' runs. Then, in each of the blend's folds, the rows it is scored on were held out of
# the member models that predicted them, and the blend's weights are fitted only on rows of the other
# folds. Had the members been run with other folds, the rows the blend is scored on would share folds
# with the rows it was fitted on, and its CV would not be the out-of-fold estimate it claims to be.
#
# Never blend on the members' *in-sample* predictions (their final fit's predictions of train rows):
# each member has seen those labels, and the blend would learn to trust whichever member overfits most.
#
# `fit` checks the rule: it records which of the members' folds the blend is fitted on, and `predict`
# refuses rows from those folds.

# %%
ID, TARGET = "id", "spam"


def members() -> pd.DataFrame:
    """Both members' predictions, one row per id: the out-of-fold ones for train rows, the final fit's
    for test rows, with each row's fold in the members' runs (0 for test)."""
    from harness.oof import load

    merged = None
    for name in KERNEL["members"]:
        rows = load("spam", name)[[ID, "set", "fold", TARGET]].rename(columns={TARGET: name})
        if merged is None:
            merged = rows
            continue
        merged = merged.merge(rows, on=[ID, "set"], suffixes=("", "_other"))
        if not (merged["fold"] == merged["fold_other"]).all():
            raise ValueError(
                "the members' kept runs were made on different folds; run each with the card's folds "
                "(compete run spam/baseline; compete run spam/lgbm-features)."
            )
        merged = merged.drop(columns="fold_other")
    assert merged is not None
    return merged.set_index(ID)


def logits(frame: pd.DataFrame) -> np.ndarray:
    """The members' probabilities on the logit scale, where a linear blend is natural."""
    p = frame[KERNEL["members"]].to_numpy(dtype=float).clip(1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def rows_of(table: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    missing = ~frame[ID].isin(table.index)
    if missing.any():
        raise ValueError(
            f"{int(missing.sum())} rows have no kept member prediction; run the members again "
            "(compete run spam/baseline; compete run spam/lgbm-features)."
        )
    return table.loc[frame[ID]]


# %% [markdown]
# ## The second level
#
# A logistic regression on the two logits: two weights and an intercept, fitted on the training rows'
# out-of-fold predictions. Few parameters, so it can hardly overfit.


# %%
def fit(train: pd.DataFrame, params: dict) -> object:
    from sklearn.linear_model import LogisticRegression

    table = members()
    rows = rows_of(table, train)
    model = LogisticRegression(C=params["C"], max_iter=1000)
    model.fit(logits(rows), train[TARGET].to_numpy())
    return {"model": model, "table": table, "folds": set(rows["fold"])}


def predict(fitted: dict, test: pd.DataFrame) -> object:
    rows = rows_of(fitted["table"], test)
    shared = set(rows.loc[rows["set"] == "train", "fold"]) & fitted["folds"]
    if shared:
        raise ValueError(
            f"the rows to predict lie in the members' folds {sorted(shared)}, which the blend was fitted on: "
            "the second level needs the same folds as the members' runs; cross-validate the blend with the "
            "card's folds (no --folds) and run the members the same way."
        )
    return fitted["model"].predict_proba(logits(rows))[:, 1]


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    return predict(fit(train, params), test)


# %% [markdown]
# ## What would break it
#
# - Members run with `--folds 10` while the blend runs on 5 folds: `predict` refuses the rows.
# - A member edited after its run: the kept predictions are those of the old file; run it again.
# - Members that agree on every email: the blend has nothing to weigh and scores like the better member.

# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
