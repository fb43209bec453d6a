# %% [markdown]
# # House prices: the typical price of the neighbourhood
#
# Estate agents say the three things that matter are location, location and location. The simplest
# honest model takes them at their word: predict for each house the typical sale price of its
# `Neighborhood`, as seen in the training rows.
#
# **Which "typical"?** The metric is RMSLE, the root mean squared error of `log(1 + price)`. It cares
# about ratios, not dollars: predicting 110k for a 100k house costs as much as 1.1M for a 1M one. The
# constant that minimises squared error in log space is the mean of `log(1 + price)`, turned back into
# dollars: a geometric mean, which sits below the arithmetic mean of skewed prices.

# %% [markdown]
# ## Theory and formulas
#
# Theory notes (`compete theory NAME`): `compete theory baseline`, `compete theory rmsle`,
# `compete theory log-transform` (why a geometric mean).
#
# **The model**: for a house in neighbourhood $g$, the geometric mean of its training prices,
# $\hat y = \operatorname{expm1}\big(\operatorname{mean}\{\log1p(y_i) : g_i = g\}\big)$.
# **The metric**:
# $$\text{rmsle} = \sqrt{\frac{1}{n}\sum_i \big(\log1p(\hat y_i) - \log1p(y_i)\big)^2}.$$
# Two training houses over 4,000 sq ft were partial sales of unfinished houses, far cheaper than their size
# says (see `kernels/house-prices/lgbm-log-target.py`); a neighbourhood's typical price hardly notices them.

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "house-prices",
    "title": "Geometric-mean price per neighbourhood",
    "techniques": ["baseline", "log-transform"],
    "reference": True,
}

PARAMS = {"min_houses": 5}


# %% [markdown]
# ## The model
#
# A neighbourhood seen fewer than `min_houses` times in training gets the overall typical price: an
# average of two or three sales is mostly noise. A neighbourhood that appears only in the rows to
# predict gets it too.
#
# What this assumes: houses within a neighbourhood are alike. What breaks it: a mansion in a modest
# neighbourhood, which is why the next kernel looks at size, age and quality.


# %%
def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    log_price = np.log1p(train["Sale_Price"])
    overall = log_price.mean()
    stats = log_price.groupby(train["Neighborhood"]).agg(["mean", "size"])
    typical = stats.loc[stats["size"] >= params["min_houses"], "mean"]
    predicted_log = test["Neighborhood"].map(typical).astype(float).fillna(overall)
    return np.expm1(predicted_log.to_numpy())


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
