"""The data of `chicago-ridership`, described as pandera models."""

import pandera.pandas as pa
from pandera.typing import Series

GAME = [0, 1]


class Test(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True, ge=1)
    date: Series[str] = pa.Field(unique=True, str_matches=r"^\d{4}-\d{2}-\d{2}$")
    temp_min: Series[float] = pa.Field(ge=-40, le=120)
    temp: Series[float] = pa.Field(ge=-40, le=120)
    temp_max: Series[float] = pa.Field(ge=-40, le=120)
    temp_change: Series[float] = pa.Field(ge=0, le=100)
    dew: Series[float] = pa.Field(ge=-40, le=100)
    humidity: Series[float] = pa.Field(ge=0, le=100)
    pressure: Series[float] = pa.Field(ge=28, le=32)
    pressure_change: Series[float] = pa.Field(ge=0)
    wind: Series[float] = pa.Field(ge=0)
    wind_max: Series[float] = pa.Field(ge=0)
    gust: Series[float] = pa.Field(ge=0)
    gust_max: Series[float] = pa.Field(ge=0)
    percip: Series[float] = pa.Field(ge=0)
    percip_max: Series[float] = pa.Field(ge=0)
    weather_rain: Series[float] = pa.Field(ge=0, le=1)
    weather_snow: Series[float] = pa.Field(ge=0, le=1)
    weather_cloud: Series[float] = pa.Field(ge=0, le=1)
    weather_storm: Series[float] = pa.Field(ge=0, le=1)
    Blackhawks_Away: Series[int] = pa.Field(isin=GAME)
    Blackhawks_Home: Series[int] = pa.Field(isin=GAME)
    Bulls_Away: Series[int] = pa.Field(isin=GAME)
    Bulls_Home: Series[int] = pa.Field(isin=GAME)
    Bears_Away: Series[int] = pa.Field(isin=GAME)
    Bears_Home: Series[int] = pa.Field(isin=GAME)
    WhiteSox_Away: Series[int] = pa.Field(isin=GAME)
    WhiteSox_Home: Series[int] = pa.Field(isin=GAME)
    Cubs_Away: Series[int] = pa.Field(isin=GAME)
    Cubs_Home: Series[int] = pa.Field(isin=GAME)

    class Config:
        strict = True
        ordered = True


class Train(Test):
    ridership: Series[float] = pa.Field(ge=0)


class Submission(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True)
    ridership: Series[float] = pa.Field(ge=0, coerce=True)

    class Config:
        strict = True
        ordered = True
