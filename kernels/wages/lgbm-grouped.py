# %% [markdown]
# # Wages: LightGBM, and why only grouped folds tell the truth
#
# Each man appears eight times, and the test set holds men the training set never saw. A tree model
# given every column can learn far more than the wage structure: the combination of a man's schooling,
# ethnicity, region, industry and experience picks him out, and his other seven years tell the model his
# personal wage level. That memory is worth nothing on a new man. Shuffled k-fold puts seven of a man's
# years in training and one in validation, so it rewards the memory; grouped k-fold, which keeps each
# man in one fold, does not. Three numbers for three models, side by side (RMSE of the log wage, lower is
# better; the board is the public half of the test set: 436 rows of the 109 men held out):
#
# | model | naive CV (shuffled 5-fold) | grouped CV (the card's folds) | public board |
# |---|---|---|---|
# | `wages/baseline` (the Mincer equation) | 0.4974 | 0.4992 | 0.4652 |
# | this kernel (leaves of at least 40 rows) | 0.4508 | 0.4681 | 0.4365 |
# | the same, flexible (64 leaves, 5 rows a leaf, 600 rounds) | 0.4753 | 0.5117 | 0.5023 |
#
# **The naive CV is the one that lies.** It says the flexible model beats the baseline by 0.022; grouped
# CV and the board both say it loses, by 0.012 and 0.037. It flatters each model by how much it can
# memorise a man: grouped minus naive is 0.002 for the baseline (schooling and experience only: nothing
# to memorise), 0.017 for this kernel and 0.036 for the flexible one. Grouped CV orders the three models as
# the board does. (The held-out men happen to be easier than the training men for every model, by
# about 0.03: with 109 men, compare the models' order and gaps on the board, not its level.)
# Tuning on naive folds would walk towards the flexible model, one misleading step at a time.
#
# Theory notes (`compete theory NAME`): `compete theory grouped-folds` (why), `compete theory leakage`,
# `compete theory cross-validation`, `compete theory gradient-boosting`, `compete theory rmse`,
# `compete theory feature-engineering`.
#
# **The model**: boosting on the squared error, $F_m(x) = F_{m-1}(x) + \eta\, h_m(x)$ with $h_m$ fitted to
# the residuals $y_i - F_{m-1}(x_i)$. **The metric**:
#
# $$\text{rmse} = \sqrt{\frac{1}{n}\sum_i (\hat y_i - y_i)^2}.$$

# %%
from __future__ import annotations

import pandas as pd

KERNEL = {
    "competition": "wages",
    "title": "LightGBM on the job and the man, scored on new men",
    "techniques": [
        "gradient-boosting",
        "feature-engineering",
        "grouped-folds",
        "leakage",
        "hyperparameter-tuning",
    ],
    "reference": True,
}

PARAMS = {
    "n_estimators": 300,
    "learning_rate": 0.03,
    "num_leaves": 8,
    "min_child_samples": 40,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
}
TEXT = ["union", "ethn", "married", "health", "industry", "occupation", "residence"]


# %% [markdown]
# ## Features
#
# Every column except `id` and `person`: the person number is the group, not a fact about the man (and
# on new men it is a number the model has never seen). Text columns become categories with the training
# rows' levels; `exper` squared is implicit in the trees. Leaves of at least 40 rows keep the trees from
# isolating one man's eight years.


# %%
def features(frame: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    X = frame.drop(columns=["id", "person", "wage"], errors="ignore").copy()
    for column in TEXT:
        levels = sorted(train[column].dropna().unique())
        X[column] = pd.Categorical(X[column].where(X[column].isin(levels)), categories=levels)
    return X


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    import lightgbm as lgb

    model = lgb.LGBMRegressor(**params, subsample_freq=1, random_state=0, n_jobs=1, verbose=-1)
    model.fit(features(train, train), train["wage"])
    return model.predict(features(test, train))


def search_space(trial) -> dict:
    return {
        "n_estimators": trial.suggest_int("n_estimators", 100, 800, step=50),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.2, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 4, 64, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 100),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
    }


# %% [markdown]
# ## What would break it
#
# - Tuning on shuffled folds: the best settings there are the ones that memorise men best.
# - A test set of *later years of the same men* would be a different question, where a man's earlier
#   wages are the best feature of all; then time-ordered folds per man would be the honest scheme.

# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
