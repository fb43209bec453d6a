"""The data of `titanic`, described as pandera models."""

import pandera.pandas as pa
from pandera.typing import Series


class Test(pa.DataFrameModel):
    PassengerId: Series[int] = pa.Field(unique=True, ge=1)
    Name: Series[str]
    Sex: Series[str] = pa.Field(isin=["female", "male"])
    Age: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    Pclass: Series[int] = pa.Field(isin=[1, 2, 3])

    class Config:
        strict = True
        ordered = True


class Train(Test):
    Survived: Series[int] = pa.Field(isin=[0, 1])


class Submission(pa.DataFrameModel):
    PassengerId: Series[int] = pa.Field(unique=True)
    Survived: Series[int] = pa.Field(isin=[0, 1])

    class Config:
        strict = True
