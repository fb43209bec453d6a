# %% [markdown]
# # My kernel for `__COMPETITION__`
#
# Copied from `kernels/_template.py` by `compete kernels new`. Run it with
# `compete run kernels/__COMPETITION__/<this file>.py` (or `python` on this file): the harness
# cross-validates `fit_predict` on the competition's own folds, scores each fold with its metric
# (`__METRIC__`), then fits on all of train and writes the test predictions as a submission file.
#
# Replace the markdown cells with what you learned: what the data showed, what the model assumes,
# and what would break it.

# %%
from __future__ import annotations

import pandas as pd

KERNEL = {
    "competition": "__COMPETITION__",
    "title": "My first model",
    # What the kernel uses, as tags from kernels/README.md; add yours, e.g. "feature-engineering".
    "techniques": ["gradient-boosting"],
}

TARGET = "__TARGET__"
ID = "__ID__"
# What fit_predict must return, decided by the metric: "label" (a class label per row), "probability"
# (P(positive class) per row), "class_probabilities" (one column per class), or "value" (a number per row).
PREDICTION = "__PREDICTION__"
POSITIVE = "__POSITIVE__"  # the positive class, whose probability the metric wants

PARAMS = {"max_iter": 200, "learning_rate": 0.1}


# %% [markdown]
# ## Features
#
# Start small: the numeric columns as they are, and every text column with few distinct values as a
# category. Columns of free text, dates or names (more than 50 distinct values) are left out until you
# turn them into features yourself (see the reference kernels: `compete kernels list`). The id is not
# a feature: it carries no information about the target (and when it does, that is a leak).


# %%
def features(frame: pd.DataFrame) -> pd.DataFrame:
    X = frame.drop(columns=[ID, TARGET], errors="ignore")
    for column in list(X.columns):
        if not pd.api.types.is_numeric_dtype(X[column]):
            if X[column].nunique() > 50:
                X = X.drop(columns=[column])
            else:
                X[column] = X[column].astype("category")
    if X.shape[1] == 0:  # nothing usable yet: a constant column, so the model predicts the average
        X["constant"] = 0.0
    return X


# %% [markdown]
# ## Model
#
# A histogram gradient-boosting model handles missing values and categories by itself, so it is a fair
# first try on any table. It fits on one thread (as kernels/README.md asks): the same score on every
# run, and on a busy machine many times faster than threads that wait for each other.


#
# `fit_predict` may also take `fold=None` as a fourth parameter: the fold's validation rows with their
# target (`fold.valid`, None in the final fit) and, for a LightGBM model, the callbacks that let
# `compete tune` prune a poor trial round by round (`fold.lightgbm_callbacks("binary_logloss")`).
# See kernels/README.md. A `search_space(trial)` function makes the kernel tunable:
#
#     def search_space(trial) -> dict:
#         return {"learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True)}


# %%
def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return predict(train, test, params)


def predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    X = features(train)
    X_test = features(test).reindex(columns=X.columns, fill_value=0.0)
    # The same categories on both sides, so the codes mean the same thing.
    for column in X.columns:
        if isinstance(X[column].dtype, pd.CategoricalDtype):
            levels = X[column].cat.categories
            # Levels unseen in training become missing (plain values first: a categorical would keep them).
            seen = X_test[column].astype(object).where(X_test[column].isin(levels))
            X_test[column] = pd.Categorical(seen, categories=levels)
    y = train[TARGET]
    options = {"categorical_features": "from_dtype", "random_state": 0, **params}
    if PREDICTION == "value":
        return HistGradientBoostingRegressor(**options).fit(X, y).predict(X_test)
    model = HistGradientBoostingClassifier(**options).fit(X, y)
    if PREDICTION == "label":
        return model.predict(X_test)
    probabilities = model.predict_proba(X_test)
    if PREDICTION == "probability":
        return probabilities[:, [str(c) for c in model.classes_].index(POSITIVE)]
    return pd.DataFrame(probabilities, columns=[str(c) for c in model.classes_])


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
