# %% [markdown]
# # Wages: the Mincer equation
#
# Labour economists have a standard first model of wages, Jacob Mincer's (1974): the log wage rises
# linearly with years of schooling and as a parabola with experience (fast at first, then levelling off):
#
# $$\log w_i = b + \beta_s\, \text{school}_i + \beta_1\, \text{exper}_i + \beta_2\, \text{exper}_i^2
#   + \varepsilon_i .$$
#
# It knows nothing of the man beyond those two numbers, so it cannot memorise anyone: its CV score is
# the same whether the folds keep a man's years together or not, which makes it the honest yardstick.
#
# ## Theory and formulas
#
# Theory notes (`compete theory NAME`): `compete theory baseline`, `compete theory linear-regression`
# (least squares), `compete theory rmse`, `compete theory grouped-folds`.
#
# **The model**: least squares, $\hat w = (X^\top X)^{-1} X^\top y$ with the columns above and a column of
# ones. **The metric**: $\text{rmse} = \sqrt{\frac{1}{n}\sum_i (\hat y_i - y_i)^2}$ on the log wage.

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "wages",
    "title": "The Mincer equation: schooling and a parabola in experience",
    "techniques": ["baseline", "linear-regression", "grouped-folds"],
    "reference": True,
}

PARAMS: dict = {}


# %%
def design(frame: pd.DataFrame) -> np.ndarray:
    exper = frame["exper"].to_numpy(dtype=float)
    return np.column_stack([np.ones(len(frame)), frame["school"].to_numpy(dtype=float), exper, exper**2])


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    weights, *_ = np.linalg.lstsq(design(train), train["wage"].to_numpy(dtype=float), rcond=None)
    return design(test) @ weights


# %% [markdown]
# ## What would break it
#
# - Anything the two numbers do not say: union wages, industries, regions, the man himself.
# - Experience is years since school, not years in work: a man who was unemployed for long is
#   credited with experience he does not have.

# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
