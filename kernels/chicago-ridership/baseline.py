# %% [markdown]
# # Chicago ridership: the median of each weekday
#
# Clark/Lake is a commuters' station: some 16,000 entries on a working day, 3,000-4,500 at weekends.
# The day of the week is by far the strongest signal, so the baseline predicts each day as the
# **median** ridership of its weekday over the most recent weeks of training.
#
# - **Median, not mean**: the metric is mean absolute error, which the median minimises. A mean would be
#   dragged down by the few holidays and snowstorms.
# - **Recent weeks only** (`weeks = 52`): ridership drifts over the years (it grew by a third from 2004
#   to 2012); the last year is a better guess for the next than the whole history.

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
