"""The data of `penguins`, described as pandera models."""

import pandera.pandas as pa
from pandera.typing import Series

SPECIES = ["Adelie", "Chinstrap", "Gentoo"]


class Test(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True, ge=1)
    island: Series[str] = pa.Field(isin=["Biscoe", "Dream", "Torgersen"])
    bill_length_mm: Series[float] = pa.Field(nullable=True, ge=25, le=70)
    bill_depth_mm: Series[float] = pa.Field(nullable=True, ge=10, le=25)
    flipper_length_mm: Series[float] = pa.Field(nullable=True, ge=160, le=240)
    body_mass_g: Series[float] = pa.Field(nullable=True, ge=2000, le=7000)
    sex: Series[str] = pa.Field(nullable=True, isin=["female", "male"])
    year: Series[int] = pa.Field(isin=[2007, 2008, 2009])

    class Config:
        strict = True
        ordered = True


class Train(Test):
    species: Series[str] = pa.Field(isin=SPECIES)


class Submission(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True)
    Adelie: Series[float] = pa.Field(ge=0, le=1, coerce=True)
    Chinstrap: Series[float] = pa.Field(ge=0, le=1, coerce=True)
    Gentoo: Series[float] = pa.Field(ge=0, le=1, coerce=True)

    class Config:
        strict = True
        ordered = True
