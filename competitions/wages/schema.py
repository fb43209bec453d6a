"""The data of `wages`, described as pandera models."""

import pandera.pandas as pa
from pandera.typing import Series

INDUSTRIES = [
    "Agricultural",
    "Business_and_Repair_Service",
    "Construction",
    "Entertainment",
    "Finance",
    "Manufacturing",
    "Mining",
    "Personal_Service",
    "Professional_and_Related Service",
    "Public_Administration",
    "Trade",
    "Transportation",
]
OCCUPATIONS = [
    "Clerical_and_kindred",
    "Craftsmen, Foremen_and_kindred",
    "Farm_Laborers_and_Foreman",
    "Laborers_and_farmers",
    "Managers, Officials_and_Proprietors",
    "Operatives_and_kindred",
    "Professional, Technical_and_kindred",
    "Sales_Workers",
    "Service_Workers",
]


class Test(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True, ge=1)
    person: Series[int] = pa.Field(ge=1)
    year: Series[int] = pa.Field(ge=1980, le=1987)
    school: Series[int] = pa.Field(ge=0, le=20)
    exper: Series[int] = pa.Field(ge=0, le=25)
    union: Series[str] = pa.Field(isin=["no", "yes"])
    ethn: Series[str] = pa.Field(isin=["black", "hisp", "other"])
    married: Series[str] = pa.Field(isin=["no", "yes"])
    health: Series[str] = pa.Field(isin=["no", "yes"])
    industry: Series[str] = pa.Field(isin=INDUSTRIES)
    occupation: Series[str] = pa.Field(isin=OCCUPATIONS)
    residence: Series[str] = pa.Field(
        nullable=True, isin=["north_east", "nothern_central", "rural_area", "south"]
    )

    class Config:
        strict = True
        ordered = True


class Train(Test):
    wage: Series[float] = pa.Field(ge=-10, le=10)


class Submission(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True)
    wage: Series[float] = pa.Field(coerce=True)

    class Config:
        strict = True
        ordered = True
