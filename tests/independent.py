"""An independent reading of the example files for cross-checks: openpyxl and the csv module,
its own header lists, date parsing and working-day count (bank holidays typed in by hand from
gov.uk), sharing no code with the product."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

# England & Wales bank holidays, from gov.uk.
BANK_HOLIDAYS = {
    dt.date(*d)
    for d in [
        (2025, 1, 1),
        (2025, 4, 18),
        (2025, 4, 21),
        (2025, 5, 5),
        (2025, 5, 26),
        (2025, 8, 25),
        (2025, 12, 25),
        (2025, 12, 26),
        (2026, 1, 1),
        (2026, 4, 3),
        (2026, 4, 6),
        (2026, 5, 4),
        (2026, 5, 25),
        (2026, 8, 31),
        (2026, 12, 25),
        (2026, 12, 28),
        (2027, 1, 1),
        (2027, 3, 26),
        (2027, 3, 29),
        (2027, 5, 3),
        (2027, 5, 31),
        (2027, 8, 30),
        (2027, 12, 27),
        (2027, 12, 28),
    ]
}

DISTRICT_FILES = {
    "NG": ("Northgate/Northgate Annex A lists.xlsx", "Northgate/Northgate workforce.xlsx"),
    "EB": ("Eastbrook/EB Annex A 2026.xlsx", "Eastbrook/Eastbrook workforce.xlsx"),
    "SM": ("Southmere", "Southmere"),
    "WF": ("Westfield/Westfield Annex A.xlsx", "Westfield/Westfield workforce.xlsx"),
}
CSV_NAMES = {
    "List 4": "list4_assessments.csv",
    "List 9": "list9_care_leavers.csv",
    "Reviews": "reviews.csv",
    "Unallocated cases": "unallocated_cases.csv",
    "List 7": "list7_cp_plans.csv",
    "Caseloads": "caseloads.csv",
    "Supervision log": "supervision_log.csv",
}


def working_days(start: dt.date, end: dt.date) -> int:
    """Working days after start up to and including end."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in BANK_HOLIDAYS:
            count += 1
    return count


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or not str(value).strip():
        return None
    try:
        return dt.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


# The workbook each district keeps beside its Annex A lists: reviews, visits and allocation.
TRACKING_FILES = {"NG": "Northgate", "EB": "Eastbrook", "WF": "Westfield"}


def rows(root: Path, district: str, sheet: str, workforce: bool = False, tracking: bool = False) -> list[dict]:
    """Rows of one district's sheet as dicts keyed by stripped header text."""
    annex, staff = DISTRICT_FILES[district]
    target = staff if workforce else annex
    if tracking and district != "SM":
        name = TRACKING_FILES[district]
        target = f"{name}/{name} reviews, visits and allocation.xlsx"
    if district == "SM":
        saved_from_excel = workforce or tracking
        with open(root / target / CSV_NAMES[sheet], encoding="cp1252" if saved_from_excel else "utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    else:
        book = openpyxl.load_workbook(root / target, read_only=True, data_only=True)
        name = sheet if sheet in book.sheetnames else sheet.replace(" ", "_")
        table = [list(r) for r in book[name].iter_rows(values_only=True)]
        book.close()
    header_at = next(i for i, r in enumerate(table) if sum(1 for c in r if c not in (None, "")) >= 3)
    header = [str(c).strip() if c is not None else "" for c in table[header_at]]
    return [dict(zip(header, r)) for r in table[header_at + 1 :] if any(c not in (None, "") for c in r)]


def pick(row: dict, *names: str):
    for name in names:
        if name in row:
            return row[name]
    raise KeyError(names)


def population(root: Path) -> dict[str, int]:
    names = {"Northgate": "NG", "Eastbrook": "EB", "Southmere": "SM", "Westfield": "WF"}
    with open(root / "population.csv", encoding="utf-8") as handle:
        return {names[r["District"]]: int(r["Population aged 0-17"]) for r in csv.DictReader(handle) if r["Year"] == "2026"}


def read_xlsb_rows(path: Path, sheet: str | None = None) -> list[list[object]]:
    """An .xlsb sheet read with pyxlsb, as a grid of cell values (blank cells as "").

    pyxlsb returns dates as bare serial numbers and ignores the 1904 date system, so a date
    column read this way is only right for workbooks in the default 1900 system.
    """
    from pyxlsb import open_workbook

    with open_workbook(str(path)) as workbook:
        name = sheet or workbook.sheets[0]
        with workbook.get_sheet(name) as data:
            grid: dict[int, dict[int, object]] = {}
            for row in data.rows(sparse=True):
                for cell in row:
                    if cell.v is not None:
                        grid.setdefault(cell.r, {})[cell.c] = cell.v
    if not grid:
        return []
    width = max(max(cols) for cols in grid.values()) + 1
    return [[grid.get(r, {}).get(c, "") for c in range(width)] for r in range(max(grid) + 1)]
