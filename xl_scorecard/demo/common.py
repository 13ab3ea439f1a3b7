"""What every part of the example generator shares: the fictional authority and its districts,
the era an example lives in, dates and working days, and the writers of xlsx and csv files."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from xl_scorecard.indicators.workdays import bank_holidays
from xl_scorecard.periods import Month
from xl_scorecard.sources.schema import ANNEX_A_LISTS

AUTHORITY = "Northshire"
END = Month(2026, 10)
MONTHS = 24


@dataclass(frozen=True)
class Era:
    """When an example authority's 24 months end, and how its assessments were done then."""

    end: Month
    initial_core: bool  # before 2014: initial (7 working days) and core (35) assessments, not single ones


CURRENT = Era(END, initial_core=False)
ERA_2012 = Era(Month(2012, 3), initial_core=True)
# The seed scorecards' presets, each with the era its example authority lives in.
PRESET_ERAS = {"kent_2012": ERA_2012, "london_2010": ERA_2012, "birmingham_2017": CURRENT}
SEED = 20261122
CREATED = dt.datetime(2026, 11, 3, 9, 0, 0)
# "large" is Kent-size: about 390,000 children aged 0-17 and 300,000 case-list rows.
SIZES = {"small": 1.0, "large": 4.8}
# "national": 150 fictional authorities of about 13,000 case-list rows each (~2M rows in all).
NATIONAL_AUTHORITIES, NATIONAL_SCALE = 150, 0.21
_PLACE_START = [
    "North",
    "South",
    "East",
    "West",
    "Upper",
    "Lower",
    "Great",
    "Little",
    "Long",
    "Broad",
    "High",
    "Kings",
    "Queens",
    "Old",
    "New",
]
_PLACE_END = ["shire", "borough", "wick", "ford", "ham", "field", "dale", "mouth", "bury", "ton"]

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Harun",
    "Isla",
    "Jonah",
    "Kavya",
    "Liam",
    "Maya",
    "Niall",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Viktor",
    "Wren",
    "Yusuf",
    "Zoë",
]
SURNAMES = [
    "Ashby",
    "Brook",
    "Carrow",
    "Dunmore",
    "Elston",
    "Fenwick",
    "Garside",
    "Hollins",
    "Ibbot",
    "Jessop",
    "Kettle",
    "Lomax",
    "Marland",
    "Nuttall",
    "Oddie",
    "Pybus",
    "Rudd",
    "Sowerby",
    "Tattersall",
    "Umpleby",
    "Varley",
    "Wadsworth",
    "Yeadon",
]
ETHNICITY = ["a) WBRI", "b) WIRI", "d) WOTH", "e) MWBC", "h) MOTH", "i) AIND", "j) APKN", "m) BCRB", "n) BAFR", "r) OOTH"]
ETH_P = [0.62, 0.02, 0.05, 0.04, 0.03, 0.05, 0.07, 0.03, 0.06, 0.03]
SOURCES = [
    "a) 1A: Individual",
    "e) 2A: Schools",
    "g) 3A: Health services - GP",
    "l) 5A: Police",
    "p) 6: Other legal agency",
    "u) 10: Unknown",
]


@dataclass(frozen=True)
class District:
    code: str
    name: str
    population: int
    style: str  # clean | renamed | csv | titles


DISTRICTS = (
    District("NG", "Northgate", 21_400, "clean"),
    District("EB", "Eastbrook", 18_900, "renamed"),
    District("SM", "Southmere", 16_300, "csv"),
    District("WF", "Westfield", 24_100, "titles"),
)

# Eastbrook's case-management export names columns its own way.
EASTBROOK_HEADERS = {
    "Child Unique ID": "Child ID",
    "Date of referral": "Referral Date",
    "Continuous Assessment Start Date": "Assessment Start Date",
    "Continuous Assessment Date of Authorisation": "Date assessment signed off",
    "Child Protection Plan Start Date": "CP Plan Start Date",
    "Child Protection Plan End Date": "CP Plan End Date",
    "Date Started to be Looked After": "CLA Start Date",
    "Date Ceased to be Looked After": "CLA End Date",
    "Worker": "Worker Name",
    "Supervision Date": "Date of Supervision",
    "Cases": "No. of cases",
    "FTE": "Full time equivalent",
    "Filled By": "Status",
}
LIST_TITLES = {
    1: "Contacts",
    2: "Early help",
    3: "Referral",
    4: "Assessments",
    5: "Section 47 enquiries and ICPCs",
    6: "Children in Need",
    7: "Child protection",
    8: "Children in care",
    9: "Care leavers",
    10: "Adoption",
}
LIST_DATASETS = {number: ANNEX_A_LISTS[number] for number in LIST_TITLES}  # the lists the example districts keep


def dates_between(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> np.ndarray:
    span = (end - start).days + 1
    return np.sort(np.datetime64(start, "D") + rng.integers(0, span, n).astype("timedelta64[D]"))


def working_calendar() -> np.busdaycalendar:
    return np.busdaycalendar(holidays=bank_holidays(2008, 2028))


def add_working_days(start: np.ndarray, days: np.ndarray) -> np.ndarray:
    calendar = working_calendar()
    return np.busday_offset(start, days, roll="forward", busdaycal=calendar)


class People:
    """Children of one district: stable id, gender, ethnicity, date of birth."""

    def __init__(self, rng: np.random.Generator, code: str, end: dt.date):
        self.rng, self.code, self.end, self.count = rng, code, end, 0
        self.gender: list[str] = []
        self.ethnicity: list[str] = []
        self.dob: list[dt.date] = []

    def new(self, n: int) -> np.ndarray:
        first = self.count
        self.count += n
        self.gender += list(self.rng.choice(["a) Male", "b) Female"], n))
        self.ethnicity += list(self.rng.choice(ETHNICITY, n, p=ETH_P))
        ages = self.rng.integers(0, 18 * 365, n)
        self.dob += [self.end - dt.timedelta(days=int(a)) for a in ages]
        return np.arange(first, first + n)

    def ids(self, index: np.ndarray) -> list[str]:
        return [f"{self.code}{i + 100001:06d}" for i in index]

    def columns(self, index: np.ndarray, on: np.ndarray) -> dict[str, list]:
        dob = [self.dob[i] for i in index]
        on_dates = pd.to_datetime(on).date if len(on) else []
        ages = [max(-1, (d - b).days // 365) for d, b in zip(on_dates, dob)]
        return {
            "Child Unique ID": self.ids(index),
            "Gender": [self.gender[i] for i in index],
            "Ethnicity": [self.ethnicity[i] for i in index],
            "Date of Birth": dob,
            "Age of Child (Years)": ages,
        }


def text_value(value: object, text_dates: bool) -> object:
    if isinstance(value, dt.date) and text_dates:
        return value.strftime("%d/%m/%Y")
    return value


def write_xlsx(path: Path, sheets: list[tuple[str, list[str], pd.DataFrame]], text_dates: bool) -> None:
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"created": CREATED, "author": "Northshire performance team (fictional)"})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    bold = book.add_format({"bold": True})
    for name, titles, frame in sheets:
        ws = book.add_worksheet(name)
        row = 0
        for title in titles:
            if title:
                ws.write_string(row, 0, title, bold)
            row += 1
        ws.write_row(row, 0, list(frame.columns), bold)
        for record in frame.itertuples(index=False):
            row += 1
            for col, value in enumerate(record):
                value = text_value(value, text_dates)
                if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, (int, float, np.integer, np.floating)):
                    ws.write_number(row, col, float(value))
                else:
                    ws.write_string(row, col, str(value))
        ws.set_column(0, len(frame.columns) - 1, 16)
    book.close()


def write_csv(path: Path, frame: pd.DataFrame, encoding: str) -> None:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(frame.columns)
        for record in frame.itertuples(index=False):
            writer.writerow(["" if v is None or (isinstance(v, float) and np.isnan(v)) else text_value(v, True) for v in record])


def national_names(count: int = NATIONAL_AUTHORITIES) -> list[str]:
    """Fictional authority names, all different ("Northshire", "Southborough", ...)."""
    names = [start + end for end in _PLACE_END for start in _PLACE_START]
    if count > len(names):
        raise ValueError(f"at most {len(names)} fictional authorities")
    return names[:count]
