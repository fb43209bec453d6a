# %% [markdown]
# # Food reviews: the share of great reviews
#
# Amazon food reviews, each labelled `great` (five stars) or `other`. About two thirds are great. The
# metric is **log loss** on the predicted probability of `great`, so the baseline is the constant
# that minimises it: the share of great reviews among the rows we fit on.
#
# It earns about 0.64. Any model that reads the text should do far better; one that does worse is
# confidently wrong somewhere, which log loss punishes hard.

# %% [markdown]
# ## Theory and formulas
#
# Theory notes (`compete theory NAME`): `compete theory baseline`, `compete theory log-loss`,
# `compete theory grouped-folds` (the card's folds keep a product's reviews together).
#
# **The model**: a constant, the share of great reviews among the training rows, $\hat p = \bar y$.
# **The metric**: log loss,
# $$\text{log\_loss} = -\frac{1}{n}\sum_i \big(y_i \log \hat p + (1 - y_i)\log(1 - \hat p)\big),$$
# which among constants is smallest at $\hat p = \bar y$.

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "food-reviews",
    "title": "The share of great reviews (the class prior)",
    "techniques": ["baseline"],
    "reference": True,
}

PARAMS: dict = {}


# %% [markdown]
# ## The model
#
# The competition's classes are `["other", "great"]`: the positive class is the last one, `great`,
# so we return P(great) for every review.


# %%
def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    share = float((train["score"] == "great").mean())
    return np.full(len(test), share)


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
