# %% [markdown]
# # Penguins: the class prior
#
# Three species (Adelie, Chinstrap, Gentoo) from three islands of the Palmer Archipelago. The metric
# is **multiclass log loss**: for every penguin, minus the log of the probability we gave its true
# species, averaged. It punishes confidence that turns out wrong without mercy (a probability of 0.01
# on the truth costs 4.6; of 0.5 costs 0.69).
#
# Before any measurement, the best we can say about a penguin is how common each species is. Giving
# every penguin those frequencies is the constant that minimises log loss, and the number every
# model here must beat.

# %% [markdown]
# ## Theory and formulas
#
# Theory notes (`compete theory NAME`): `compete theory baseline`, `compete theory log-loss`,
# `compete theory stratified-folds`.
#
# **The model**: every penguin gets the training shares of the species, $\hat p_{k} = n_k / n$.
# **The metric**: multiclass log loss,
# $$\text{log\_loss} = -\frac{1}{n}\sum_i \sum_k y_{ik}\log \hat p_{ik},$$
# which among constants is smallest at the class shares (it is then their entropy).

# %%
from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "penguins",
    "title": "Species frequencies (the class prior)",
    "techniques": ["baseline"],
    "reference": True,
}

SPECIES = ["Adelie", "Chinstrap", "Gentoo"]
PARAMS: dict = {}


# %% [markdown]
# ## The model
#
# Count each species in the rows we fit on and divide by their number. The frequencies come out in the
# competition's class order, one column per species. What it assumes: the rows to predict have the
# same mix of species as the rows we fit on; stratified folds make sure of that inside the CV.


# %%
def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> object:
    frequencies = train["species"].value_counts(normalize=True).reindex(SPECIES, fill_value=0.0)
    return pd.DataFrame(np.tile(frequencies.to_numpy(), (len(test), 1)), columns=SPECIES)


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
