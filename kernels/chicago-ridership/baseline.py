# %% [markdown]
# # Chicago ridership: the median of each weekday
#
# Clark/Lake is a commuters' station: some 16,000 entries on a working day, 3,000-4,500 at weekends.
# The day of the week is by far the strongest signal, so the baseline predicts each day as the
# **median** ridership of its weekday over the most recent weeks of training.
#
# - **Median, not mean**: the metric is mean absolute error, which the median minimises. A mean is
#   dragged down by the few holidays and snowstorms: measured, it loses on four folds of five, by 0.18
#   on average (the table below).
# - **Recent weeks only** (`weeks = 52`): ridership drifts over the years (the median working day grew
#   by a third from 2004 to 2012); the last year is a better guess for the next than the whole history,
#   which loses on four folds of five, by 0.81 on average. A quarter, half a year or two years lose on
#   four folds of five too, by 0.08 to 0.17: a shorter window likely follows the seasons, a longer one
#   lags the trend.
#
# ## The choices, measured on the competition's five folds
#
# Mean absolute error in thousands of entries a day (lower is better). The gain is the command's paired
# difference against this kernel, positive when the variant is better; $t = \bar d / (s_d/\sqrt{5})$
# with 4 degrees of freedom (`compete theory comparing-models`).
#
# | variant | CV | folds | gain | t | p | won | verdict |
# |---|---|---|---|---|---|---|---|
# | **this kernel** | **1.3887** | 0.830 1.499 1.744 1.345 1.526 | | | | | |
# | the mean | 1.5718 | 0.866 1.744 2.091 1.264 1.894 | −0.1831 | −2.08 | 0.11 | 1/5 | noise |
# | `weeks=13` | 1.5604 | 0.961 1.691 2.252 1.338 1.559 | −0.1717 | −1.88 | 0.13 | 1/5 | noise |
# | `weeks=26` | 1.5294 | 0.828 1.524 2.121 1.397 1.776 | −0.1407 | −1.90 | 0.13 | 1/5 | noise |
# | `weeks=104` | 1.4687 | 0.931 1.505 1.976 1.312 1.619 | −0.0799 | −1.75 | 0.15 | 1/5 | noise |
# | `weeks=1000` (all) | 2.2026 | 0.945 1.428 2.638 2.662 3.340 | −0.8139 | −2.29 | 0.084 | 1/5 | noise |
#
# Made with the command below; `mean.py` is a copy of this file with `.mean()` for `.median()`.
#
#     compete compare chicago-ridership/baseline mean.py chicago-ridership/baseline@weeks=13 \
#         chicago-ridership/baseline@weeks=26 chicago-ridership/baseline@weeks=104 \
#         chicago-ridership/baseline@weeks=1000
#
# Each loses on four folds of five, yet each stays inside the noise: the paired differences themselves
# vary a lot from fold to fold (for the mean, from −0.35 to +0.08), and five such differences rarely
# clear $p < 0.05$. The choices stand on the direction, not on proof.

# %% [markdown]
# ## Theory and formulas
#
# Theory notes (`compete theory NAME`): `compete theory baseline`, `compete theory mae` (why the median),
# `compete theory time-series-folds` (why each fold is scored on the future of its training rows).
#
# **The model**: for a day $t$, the median of the same weekday over the last 52 weeks of training,
# $$\hat y_t = \operatorname{median}\{y_s : t_{\max} - s \le 52 \text{ weeks},\
#   \operatorname{weekday}(s) = \operatorname{weekday}(t)\}.$$
# **The metric**: mean absolute error, $\text{mae} = \frac{1}{n}\sum_i |\hat y_i - y_i|$, which a
# median minimises.

# %%
from __future__ import annotations

import pandas as pd

KERNEL = {
    "competition": "chicago-ridership",
    "title": "Median ridership of each weekday over the last year",
    "techniques": ["baseline", "time-series-folds"],
    "reference": True,
}

PARAMS = {"weeks": 52}


# %% [markdown]
# ## The model
#
# The folds are time-ordered, so `train` always ends before `test` begins; "the last weeks" are the
# weeks just before the days we predict. What it assumes: next year's weekdays look like this year's.
# What breaks it: holidays (a Monday holiday is predicted as a working Monday, an error of 10,000
# entries), and a trend that keeps moving during a three-year test period.


# %%
def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    dates = pd.to_datetime(train["date"])
    recent = train[dates > dates.max() - pd.Timedelta(weeks=params["weeks"])]
    weekday = pd.to_datetime(recent["date"]).dt.day_of_week
    typical = recent["ridership"].groupby(weekday).median()
    return pd.to_datetime(test["date"]).dt.day_of_week.map(typical).fillna(recent["ridership"].median())


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
