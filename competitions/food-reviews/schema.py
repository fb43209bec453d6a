"""The data of `food-reviews`, described as pandera models."""

import pandera.pandas as pa
from pandera.typing import Series


class Test(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True, ge=1)
    product: Series[str] = pa.Field(str_matches=r"^[A-Z0-9]{10}$")
    review: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        ordered = True


class Train(Test):
    score: Series[str] = pa.Field(isin=["other", "great"])


class Submission(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True)
    score: Series[float] = pa.Field(ge=0, le=1, coerce=True)

    class Config:
        strict = True
        ordered = True
