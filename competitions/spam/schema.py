"""The data of `spam`, described as pandera models."""

import pandera.pandas as pa
from pandera.typing import Series

FLAG = [0, 1]
ISO_UTC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


class Test(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True, ge=1)
    to_multiple: Series[int] = pa.Field(isin=FLAG)
    from_: Series[int] = pa.Field(isin=FLAG, alias="from")
    cc: Series[int] = pa.Field(ge=0)
    sent_email: Series[int] = pa.Field(isin=FLAG)
    time: Series[str] = pa.Field(str_matches=ISO_UTC)
    image: Series[int] = pa.Field(ge=0)
    attach: Series[int] = pa.Field(ge=0)
    dollar: Series[int] = pa.Field(ge=0)
    winner: Series[str] = pa.Field(isin=["no", "yes"])
    inherit: Series[int] = pa.Field(ge=0)
    viagra: Series[int] = pa.Field(ge=0)
    password: Series[int] = pa.Field(ge=0)
    num_char: Series[float] = pa.Field(ge=0)
    line_breaks: Series[int] = pa.Field(ge=0)
    format: Series[int] = pa.Field(isin=FLAG)
    re_subj: Series[int] = pa.Field(isin=FLAG)
    exclaim_subj: Series[int] = pa.Field(isin=FLAG)
    urgent_subj: Series[int] = pa.Field(isin=FLAG)
    exclaim_mess: Series[int] = pa.Field(ge=0)
    number: Series[str] = pa.Field(isin=["none", "small", "big"])

    class Config:
        strict = True
        ordered = True


class Train(Test):
    spam: Series[int] = pa.Field(isin=FLAG)


class Submission(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True)
    spam: Series[float] = pa.Field(ge=0, le=1, coerce=True)

    class Config:
        strict = True
        ordered = True
