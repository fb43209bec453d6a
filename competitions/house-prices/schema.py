"""The data of `house-prices`, described as pandera models."""

import pandera.pandas as pa
from pandera.typing import Series


class Test(pa.DataFrameModel):
    Id: Series[int] = pa.Field(unique=True, ge=1)
    MS_SubClass: Series[str] = pa.Field(
        isin=[
            "Duplex_All_Styles_and_Ages",
            "One_Story_1945_and_Older",
            "One_Story_1946_and_Newer_All_Styles",
            "One_Story_PUD_1946_and_Newer",
            "One_Story_with_Finished_Attic_All_Ages",
            "One_and_Half_Story_Finished_All_Ages",
            "One_and_Half_Story_PUD_All_Ages",
            "One_and_Half_Story_Unfinished_All_Ages",
            "PUD_Multilevel_Split_Level_Foyer",
            "Split_Foyer",
            "Split_or_Multilevel",
            "Two_Family_conversion_All_Styles_and_Ages",
            "Two_Story_1945_and_Older",
            "Two_Story_1946_and_Newer",
            "Two_Story_PUD_1946_and_Newer",
            "Two_and_Half_Story_All_Ages",
        ]
    )
    MS_Zoning: Series[str] = pa.Field(
        isin=[
            "A_agr",
            "C_all",
            "Floating_Village_Residential",
            "I_all",
            "Residential_High_Density",
            "Residential_Low_Density",
            "Residential_Medium_Density",
        ]
    )
    Lot_Frontage: Series[int] = pa.Field(ge=0)
    Lot_Area: Series[int] = pa.Field(gt=0)
    Street: Series[str] = pa.Field(isin=["Grvl", "Pave"])
    Alley: Series[str] = pa.Field(isin=["Gravel", "No_Alley_Access", "Paved"])
    Lot_Shape: Series[str] = pa.Field(
        isin=["Irregular", "Moderately_Irregular", "Regular", "Slightly_Irregular"]
    )
    Land_Contour: Series[str] = pa.Field(isin=["Bnk", "HLS", "Low", "Lvl"])
    Utilities: Series[str] = pa.Field(isin=["AllPub", "NoSeWa", "NoSewr"])
    Lot_Config: Series[str] = pa.Field(isin=["Corner", "CulDSac", "FR2", "FR3", "Inside"])
    Land_Slope: Series[str] = pa.Field(isin=["Gtl", "Mod", "Sev"])
    Neighborhood: Series[str] = pa.Field(
        isin=[
            "Bloomington_Heights",
            "Blueste",
            "Briardale",
            "Brookside",
            "Clear_Creek",
            "College_Creek",
            "Crawford",
            "Edwards",
            "Gilbert",
            "Green_Hills",
            "Greens",
            "Iowa_DOT_and_Rail_Road",
            "Landmark",
            "Meadow_Village",
            "Mitchell",
            "North_Ames",
            "Northpark_Villa",
            "Northridge",
            "Northridge_Heights",
            "Northwest_Ames",
            "Old_Town",
            "Sawyer",
            "Sawyer_West",
            "Somerset",
            "South_and_West_of_Iowa_State_University",
            "Stone_Brook",
            "Timberland",
            "Veenker",
        ]
    )
    Condition_1: Series[str] = pa.Field(
        isin=["Artery", "Feedr", "Norm", "PosA", "PosN", "RRAe", "RRAn", "RRNe", "RRNn"]
    )
    Condition_2: Series[str] = pa.Field(
        isin=["Artery", "Feedr", "Norm", "PosA", "PosN", "RRAe", "RRAn", "RRNn"]
    )
    Bldg_Type: Series[str] = pa.Field(isin=["Duplex", "OneFam", "Twnhs", "TwnhsE", "TwoFmCon"])
    House_Style: Series[str] = pa.Field(
        isin=[
            "One_Story",
            "One_and_Half_Fin",
            "One_and_Half_Unf",
            "SFoyer",
            "SLvl",
            "Two_Story",
            "Two_and_Half_Fin",
            "Two_and_Half_Unf",
        ]
    )
    Overall_Cond: Series[str] = pa.Field(
        isin=[
            "Above_Average",
            "Average",
            "Below_Average",
            "Excellent",
            "Fair",
            "Good",
            "Poor",
            "Very_Good",
            "Very_Poor",
        ]
    )
    Year_Built: Series[int] = pa.Field(ge=1850, le=2010)
    Year_Remod_Add: Series[int] = pa.Field(ge=1950, le=2010)
    Roof_Style: Series[str] = pa.Field(isin=["Flat", "Gable", "Gambrel", "Hip", "Mansard", "Shed"])
    Roof_Matl: Series[str] = pa.Field(
        isin=["ClyTile", "CompShg", "Membran", "Metal", "Roll", "Tar&Grv", "WdShake", "WdShngl"]
    )
    Exterior_1st: Series[str] = pa.Field(
        isin=[
            "AsbShng",
            "AsphShn",
            "BrkComm",
            "BrkFace",
            "CBlock",
            "CemntBd",
            "HdBoard",
            "ImStucc",
            "MetalSd",
            "Plywood",
            "PreCast",
            "Stone",
            "Stucco",
            "VinylSd",
            "Wd Sdng",
            "WdShing",
        ]
    )
    Exterior_2nd: Series[str] = pa.Field(
        isin=[
            "AsbShng",
            "AsphShn",
            "Brk Cmn",
            "BrkFace",
            "CBlock",
            "CmentBd",
            "HdBoard",
            "ImStucc",
            "MetalSd",
            "Other",
            "Plywood",
            "PreCast",
            "Stone",
            "Stucco",
            "VinylSd",
            "Wd Sdng",
            "Wd Shng",
        ]
    )
    Mas_Vnr_Type: Series[str] = pa.Field(isin=["BrkCmn", "BrkFace", "CBlock", "Stone"], nullable=True)
    Mas_Vnr_Area: Series[int] = pa.Field(ge=0)
    Exter_Cond: Series[str] = pa.Field(isin=["Excellent", "Fair", "Good", "Poor", "Typical"])
    Foundation: Series[str] = pa.Field(isin=["BrkTil", "CBlock", "PConc", "Slab", "Stone", "Wood"])
    Bsmt_Cond: Series[str] = pa.Field(isin=["Excellent", "Fair", "Good", "No_Basement", "Poor", "Typical"])
    Bsmt_Exposure: Series[str] = pa.Field(isin=["Av", "Gd", "Mn", "No", "No_Basement"])
    BsmtFin_Type_1: Series[str] = pa.Field(isin=["ALQ", "BLQ", "GLQ", "LwQ", "No_Basement", "Rec", "Unf"])
    BsmtFin_SF_1: Series[int] = pa.Field(ge=0, le=7)
    BsmtFin_Type_2: Series[str] = pa.Field(isin=["ALQ", "BLQ", "GLQ", "LwQ", "No_Basement", "Rec", "Unf"])
    BsmtFin_SF_2: Series[int] = pa.Field(ge=0)
    Bsmt_Unf_SF: Series[int] = pa.Field(ge=0)
    Total_Bsmt_SF: Series[int] = pa.Field(ge=0)
    Heating: Series[str] = pa.Field(isin=["Floor", "GasA", "GasW", "Grav", "OthW", "Wall"])
    Heating_QC: Series[str] = pa.Field(isin=["Excellent", "Fair", "Good", "Poor", "Typical"])
    Central_Air: Series[str] = pa.Field(isin=["N", "Y"])
    Electrical: Series[str] = pa.Field(isin=["FuseA", "FuseF", "FuseP", "Mix", "SBrkr", "Unknown"])
    First_Flr_SF: Series[int] = pa.Field(gt=0)
    Second_Flr_SF: Series[int] = pa.Field(ge=0)
    Gr_Liv_Area: Series[int] = pa.Field(gt=0)
    Bsmt_Full_Bath: Series[int] = pa.Field(ge=0)
    Bsmt_Half_Bath: Series[int] = pa.Field(ge=0)
    Full_Bath: Series[int] = pa.Field(ge=0)
    Half_Bath: Series[int] = pa.Field(ge=0)
    Bedroom_AbvGr: Series[int] = pa.Field(ge=0)
    Kitchen_AbvGr: Series[int] = pa.Field(ge=0)
    TotRms_AbvGrd: Series[int] = pa.Field(ge=0)
    Functional: Series[str] = pa.Field(isin=["Maj1", "Maj2", "Min1", "Min2", "Mod", "Sal", "Sev", "Typ"])
    Fireplaces: Series[int] = pa.Field(ge=0)
    Garage_Type: Series[str] = pa.Field(
        isin=["Attchd", "Basment", "BuiltIn", "CarPort", "Detchd", "More_Than_Two_Types", "No_Garage"]
    )
    Garage_Finish: Series[str] = pa.Field(isin=["Fin", "No_Garage", "RFn", "Unf"])
    Garage_Cars: Series[int] = pa.Field(ge=0)
    Garage_Area: Series[int] = pa.Field(ge=0)
    Garage_Cond: Series[str] = pa.Field(isin=["Excellent", "Fair", "Good", "No_Garage", "Poor", "Typical"])
    Paved_Drive: Series[str] = pa.Field(isin=["Dirt_Gravel", "Partial_Pavement", "Paved"])
    Wood_Deck_SF: Series[int] = pa.Field(ge=0)
    Open_Porch_SF: Series[int] = pa.Field(ge=0)
    Enclosed_Porch: Series[int] = pa.Field(ge=0)
    Three_season_porch: Series[int] = pa.Field(ge=0)
    Screen_Porch: Series[int] = pa.Field(ge=0)
    Pool_Area: Series[int] = pa.Field(ge=0)
    Pool_QC: Series[str] = pa.Field(isin=["Excellent", "Fair", "Good", "No_Pool", "Typical"])
    Fence: Series[str] = pa.Field(
        isin=["Good_Privacy", "Good_Wood", "Minimum_Privacy", "Minimum_Wood_Wire", "No_Fence"]
    )
    Misc_Feature: Series[str] = pa.Field(isin=["Elev", "Gar2", "Othr", "Shed", "TenC"], nullable=True)
    Misc_Val: Series[int] = pa.Field(ge=0)
    Mo_Sold: Series[int] = pa.Field(ge=1, le=12)
    Year_Sold: Series[int] = pa.Field(ge=2006, le=2010)
    Sale_Type: Series[str] = pa.Field(
        isin=["COD", "CWD", "Con", "ConLD", "ConLI", "ConLw", "New", "Oth", "VWD", "WD"]
    )
    Sale_Condition: Series[str] = pa.Field(
        isin=["Abnorml", "AdjLand", "Alloca", "Family", "Normal", "Partial"]
    )
    Longitude: Series[float] = pa.Field(ge=-93.8, le=-93.5)
    Latitude: Series[float] = pa.Field(ge=41.9, le=42.1)

    class Config:
        strict = True
        ordered = True


class Train(Test):
    Sale_Price: Series[int] = pa.Field(gt=0)


class Submission(pa.DataFrameModel):
    Id: Series[int] = pa.Field(unique=True)
    Sale_Price: Series[float] = pa.Field(ge=0, coerce=True)

    class Config:
        strict = True
        ordered = True
