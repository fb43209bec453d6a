# %% [markdown]
# # Titanic: a logistic-regression baseline
#
# The first thing to build for any competition is a baseline: the simplest model that is honest. It
# tells us what score "knowing almost nothing" earns, so every later idea is measured against it.
#
# What we know about the sinking before looking at any model: "women and children first" was the rule
# at the lifeboats, and first-class cabins were nearer the boat deck. So sex, age and class should
# carry most of the signal, and a linear model on those three is a fair first try.

# %% [markdown]
# ## Theory and formulas
#
# Theory notes (`compete theory NAME`): `compete theory baseline`, `compete theory logistic-regression`,
# `compete theory categorical-encoding` (one-hot class), `compete theory missing-values` (age),
# `compete theory accuracy`.
#
# **The model**: $\hat p_i = \sigma(w^\top x_i + b)$, the label $[\hat p_i \ge 0.5]$; fitted by minimising the
# mean log loss plus $\frac{\lambda}{2}\lVert w\rVert^2$, scikit-learn's $C = 1/(n\lambda)$.
# **The metric**: accuracy,
# $$\text{accuracy} = \frac{1}{n}\sum_i [\hat y_i = y_i].$$

# %%
from __future__ import annotations

import pandas as pd

KERNEL = {
    "competition": "titanic",
    "title": "Logistic regression on sex, class and age",
    "techniques": ["baseline", "logistic-regression", "one-hot-encoding", "missing-values"],
    "reference": True,
}

PARAMS = {"C": 1.0}


# %% [markdown]
# ## Features
#
# - `Sex` becomes a 0/1 column: a linear model needs numbers.
# - `Pclass` is one-hot encoded rather than used as 1/2/3: nothing says the step from 1st to 2nd
#   class matters as much as the step from 2nd to 3rd.
# - `Age` is missing for about a fifth of the passengers. We fill it with the median age of the
#   training rows *and* keep a flag saying it was missing: whether the age was recorded at all may say
#   something (it was recorded less often for third-class passengers).
#
# The median comes from the rows we fit on, never from the rows we predict: computed on the test rows
# it would be a (small) leak.


# %%
def features(frame: pd.DataFrame, age_fill: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "female": (frame["Sex"] == "female").astype(float),
            "class_1": (frame["Pclass"] == 1).astype(float),
            "class_2": (frame["Pclass"] == 2).astype(float),
            "age": frame["Age"].fillna(age_fill) / 10.0,  # scaled, so the penalty treats it like the others
            "age_missing": frame["Age"].isna().astype(float),
        }
    )


# %% [markdown]
# ## Model
#
# Logistic regression assumes the log-odds of survival are a sum of one effect per feature: being
# female adds the same amount whatever the class. The data suggest that is not quite true (almost every
# first-class woman survived, third-class women only about half of the time), which is what tree models
# will pick up later. Accuracy is the metric, so we predict the label with the default 0.5 threshold.


# %%
def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    from sklearn.linear_model import LogisticRegression

    age_fill = float(train["Age"].median())
    model = LogisticRegression(C=params["C"], max_iter=1000)
    model.fit(features(train, age_fill), train["Survived"])
    return model.predict(features(test, age_fill))


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
