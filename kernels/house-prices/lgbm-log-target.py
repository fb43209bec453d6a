# %% [markdown]
# # House prices: LightGBM on the log price with engineered sizes and ages
#
# The baseline knew only the neighbourhood. Here every column is used, and a few are combined into
# the quantities a buyer thinks in. The choices, each measured on the competition's folds in the
# ablation below:
#
# 1. **Fit the log of the price.** The metric is RMSLE, so the loss that matches it is the squared
#    error of `log1p(price)`: fitting the raw price minimises dollars squared, which weighs the few
#    expensive houses most while the metric weighs every house alike in ratio. Measured, the raw
#    price scores within the noise of the log (0.1300 against 0.1294, worse on three folds of five).
#    The log is kept because it is the metric's own loss, at no cost.
# 2. **Sizes and ages a buyer thinks in** (total area, baths, age at sale). Measured, they change
#    nothing these folds can see: with 2,000 houses and 600 rounds, the trees can approximate the
#    sums and differences from the raw columns themselves.
# 3. **Half the columns per tree** (`colsample_bytree=0.5`): better than all columns on four folds of
#    five, by 0.0024 on average, not beyond the noise of five folds.
# 4. **Two sales left out of training.** See "Two partial sales over 4,000 sq ft" below.
#
# Theory notes (`compete theory NAME`): `compete theory gradient-boosting` (the model),
# `compete theory log-transform` and `compete theory rmsle` (why the log price), `compete theory
# feature-engineering`, `compete theory categorical-encoding`, `compete theory hyperparameter-tuning`,
# `compete theory cross-validation` (paired fold differences).
#
# **The model.** $M$ trees fitted one after another to the residuals of the log price,
# $F_m(x) = F_{m-1}(x) + \eta\, h_m(x)$ with $h_m$ fitted to $\log1p(y_i) - F_{m-1}(x_i)$, and the
# prediction $\hat y = \operatorname{expm1}(F_M(x))$. **The metric**:
#
# $$\text{rmsle} = \sqrt{\frac{1}{n}\sum_i \big(\log1p(\hat y_i) - \log1p(y_i)\big)^2}.$$

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "house-prices",
    "title": "LightGBM on the log price, with total area and age at sale",
    "techniques": ["gradient-boosting", "feature-engineering", "log-transform", "hyperparameter-tuning"],
    "reference": True,
}

PARAMS = {
    "n_estimators": 600,
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_child_samples": 10,
    "subsample": 0.8,
    "colsample_bytree": 0.5,
    "reg_lambda": 1.0,
}


# %% [markdown]
# ## Features
#
# - `total_sf`: basement + first + second floor. `total_baths`: full baths count 1, half baths 0.5.
# - `age` and `years_since_remodel` at the time of sale.
# - `porch_sf`: every kind of porch and deck added.
# - All text columns become pandas `category`. LightGBM splits on categories natively (it groups the
#   levels of a category by their average gradient), so no one-hot encoding is needed. The categories
#   are fixed from the training rows so that a code means the same level on both sides; a level seen
#   only in the rows to predict becomes missing.
# - `Id` is dropped: it was drawn at random and carries nothing.
#
# ## Ablation: each choice, measured on the competition's five folds
#
# RMSLE (lower is better). The gain is the command's paired difference against this kernel, positive
# when the variant is better; $t = \bar d / (s_d/\sqrt{5})$ with 4 degrees of freedom
# (`compete theory comparing-models`).
#
# | variant | CV | folds | gain | t | p | won | verdict |
# |---|---|---|---|---|---|---|---|
# | **this kernel** | **0.1294** | 0.115 0.151 0.109 0.160 0.112 | | | | | |
# | the baseline | 0.2688 | 0.237 0.269 0.268 0.293 0.277 | −0.1394 | −14.45 | 1e-04 | 0/5 | worse |
# | raw price | 0.1300 | 0.114 0.154 0.107 0.162 0.112 | −0.0006 | −0.90 | 0.42 | 2/5 | noise |
# | no sizes | 0.1296 | 0.116 0.151 0.112 0.160 0.110 | −0.0002 | −0.28 | 0.80 | 3/5 | noise |
# | no ages | 0.1288 | 0.115 0.153 0.110 0.158 0.108 | +0.0006 | +0.56 | 0.61 | 2/5 | noise |
# | no derived column | 0.1300 | 0.117 0.150 0.111 0.158 0.114 | −0.0005 | −0.54 | 0.62 | 2/5 | noise |
# | `colsample_bytree=1` | 0.1318 | 0.119 0.156 0.111 0.161 0.111 | −0.0024 | −2.01 | 0.12 | 1/5 | noise |
#
# Made with the command below, each `.py` a copy of this file with one change: `raw-price.py` fits
# `Sale_Price` and returns the model's prediction as it is; `no-sizes.py` drops `total_sf`,
# `total_baths`, `porch_sf` and `area_per_room`; `no-ages.py` drops `age` and `years_since_remodel`;
# `no-derived.py` drops all six. The baseline is `house-prices/baseline`.
#
#     compete compare house-prices/lgbm-log-target house-prices/baseline raw-price.py no-sizes.py \
#         no-ages.py no-derived.py house-prices/lgbm-log-target@colsample_bytree=1.0
#
# Everything beyond the baseline's neighbourhood comes from giving the trees every column: the derived
# columns and the log target are the textbook moves, and here neither moves the score. They are kept
# because they cost nothing and name what a buyer thinks in; a learner who drops them loses nothing
# these folds can see.

# ## Two partial sales over 4,000 sq ft
#
# Two training houses are far larger than any other (5,642 and 5,095 sq ft of living area, both in
# Edwards) and sold for a fraction of what their size says (160,000 and 183,850 dollars): partial sales
# (`Sale_Condition == "Partial"`), new houses sold before they were finished. The data's author (Dean De
# Cock, who published the Ames data in 2011) advises removing the houses over 4,000 sq ft before
# modelling. Both fall in the same fold (fold 2), and there they decide that fold's score:
#
# | | fold 1 | fold 2 | fold 3 | fold 4 | fold 5 | mean |
# |---|---|---|---|---|---|---|
# | kept in training | 0.1162 | 0.1514 | 0.1118 | 0.1619 | 0.1111 | 0.1305 |
# | left out of training (this kernel) | 0.1145 | 0.1514 | 0.1088 | 0.1603 | 0.1121 | 0.1294 |
# | difference | −0.0017 | 0.0000 | −0.0030 | −0.0015 | +0.0010 | −0.0011 |
# | fold 2 scored without the two | | 0.1333 | | | | |
#
# The first two lines are `compete compare house-prices/lgbm-log-target keep-partial.py`, where
# `keep-partial.py` is a copy of this file without the `training_rows` call (inside the noise:
# $t = -1.5$, $p = 0.21$).
#
# Leaving them out of *training* helps four folds out of five a little (paired $t = -1.5$): the trees
# stop bending the large-house leaves towards two cheap sales. It cannot help fold 2, where the two
# houses are *scored* and each misses by about 1.0 in log price (the model predicts 2.7 to 2.9 times
# their price); fold 2's RMSLE is 0.151 with them and 0.133 without. The test set holds one more such
# house (4,676 sq ft, a partial sale in Edwards), so the board will carry that error too; nothing in
# the training data says what an unfinished mansion sells for.

# %%
PORCHES = ["Wood_Deck_SF", "Open_Porch_SF", "Enclosed_Porch", "Three_season_porch", "Screen_Porch"]


def features(frame: pd.DataFrame) -> pd.DataFrame:
    X = frame.drop(columns=["Id", "Sale_Price"], errors="ignore").copy()
    X["total_sf"] = X["Total_Bsmt_SF"] + X["First_Flr_SF"] + X["Second_Flr_SF"]
    X["total_baths"] = X["Full_Bath"] + 0.5 * X["Half_Bath"] + X["Bsmt_Full_Bath"] + 0.5 * X["Bsmt_Half_Bath"]
    X["age"] = X["Year_Sold"] - X["Year_Built"]
    X["years_since_remodel"] = X["Year_Sold"] - X["Year_Remod_Add"]
    X["porch_sf"] = X[PORCHES].sum(axis=1)
    X["area_per_room"] = X["Gr_Liv_Area"] / X["TotRms_AbvGrd"].clip(lower=1)
    return X


def as_categories(X: pd.DataFrame, X_test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    for column in X.columns:
        if not pd.api.types.is_numeric_dtype(X[column]):
            levels = sorted(X[column].dropna().unique())
            X[column] = pd.Categorical(X[column], categories=levels)
            unseen = ~X_test[column].isin(levels)
            X_test[column] = pd.Categorical(X_test[column].mask(unseen), categories=levels)
    return X, X_test


# %% [markdown]
# ## Model
#
# Boosting with many shallow-ish trees and a small learning rate; `colsample_bytree=0.5` makes each
# tree look at half of the ~80 columns, which helped on four folds of five (the ablation above): a
# strong column such as living area then cannot take every tree's first split. The prediction comes
# back from log space with `expm1`, the inverse of `log1p`.


# %% [markdown]
# ## Pruning while tuning
#
# `fit_predict` takes the optional `fold` argument (see kernels/README.md). In `compete run` it
# changes nothing: `fold.lightgbm_callbacks(...)` is empty there, no validation set is given, and
# the model trains its fixed number of rounds. Inside a `compete tune` trial whose pruner judges
# boosting rounds (`--pruner rounds` or `hyperband`) the fold's validation rows are scored after
# every boosting round (squared error of the log price, the square of the competition's RMSLE), and
# the pruner stops a trial whose curve is worse than the other trials' at the same round of the same
# fold, instead of waiting for its fold score. The default pruner (`median`) judges whole folds and
# asks for no rounds: comparing trials at the same round stops the slow learners (a small learning
# rate), which often end best.


# %%
def training_rows(train: pd.DataFrame) -> pd.DataFrame:
    """The training rows without the partial sales over 4,000 sq ft (see above)."""
    unfinished_mansion = (train["Gr_Liv_Area"] > 4000) & (train["Sale_Condition"] == "Partial")
    return train[~unfinished_mansion].reset_index(drop=True)


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict, fold=None) -> object:
    import lightgbm as lgb

    train = training_rows(train)
    X, X_test = as_categories(features(train), features(test))
    model = lgb.LGBMRegressor(**params, subsample_freq=1, random_state=0, n_jobs=1, verbose=-1)
    watch = {}
    callbacks = fold.lightgbm_callbacks("l2") if fold is not None else []
    if callbacks:  # a tuning trial: score the fold's validation rows after every round
        _, X_valid = as_categories(features(train), features(fold.valid))
        y_valid = np.log1p(fold.valid["Sale_Price"])
        watch = {"eval_X": X_valid, "eval_y": y_valid, "eval_names": ["valid"], "callbacks": callbacks}
    model.fit(X, np.log1p(train["Sale_Price"]), **watch)
    return np.expm1(model.predict(X_test))


def search_space(trial) -> dict:
    return {
        "n_estimators": trial.suggest_int("n_estimators", 200, 1200, step=100),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.1, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 7, 63, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 50),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.2, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
    }


# %% [markdown]
# ## What would break it
#
# - Sales far outside the training years or prices: trees cannot extrapolate, they predict at most the
#   largest leaf value they have seen.
# - Partial sales (`Sale_Condition == "Partial"`, new houses sold before completion) and family sales
#   are priced differently; the model sees that column, but with few such rows it learns them roughly.

# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
