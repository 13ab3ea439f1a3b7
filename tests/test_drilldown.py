"""Drill-down sheets: an index and one sheet per exception indicator, replaced month by month
without touching a user's sheet of a similar name, and left out of emailed copies."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from conftest import northgate_config
from python_calamine import CalamineWorkbook

from xl_scorecard.config import load_config
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.copies import aggregate_copy
from xl_scorecard.render.package import Package
from xl_scorecard.render.transplant import transplant

# The default catalogue's 45-day measure, plus a 20-day variant: two exception indicators.
CATALOGUE = """extends = "default"
[[indicator]]
id = "ASSESS_20WD"
section = "How long is it taking us?"
title = "Assessments completed within 20 working days"
definition = "Assessments authorised in the month within 20 working days of their start."
unit = "%"
polarity = "H"
period = "month"
calculation = { name = "share_within_working_days", dataset = "assessments", start = "start_date", end = "authorised_date", days = 20 }
target = 0.6
"""


def configure(folder: Path, example_dir: Path, catalogue: str) -> Path:
    (folder / "catalogue.toml").write_text(catalogue, encoding="utf-8")
    return northgate_config(
        folder, example_dir, authority='catalogue = "catalogue.toml"', sheets=(("cp_plans", "List 7"), ("assessments", "List 4"))
    )


def add_user_sheet(master: Path, name: str, text: str, work: Path) -> None:
    """Add a sheet of the user's to the master by package surgery (as Excel would keep it)."""
    donor = work / "donor.xlsx"
    book = openpyxl.Workbook()
    book.active.title = name
    book.active["A1"] = text
    book.save(donor)
    transplant(Package.read(master), [Package.read(donor)], [name]).write(master)


def late_assessments(master: Path) -> list[tuple[str, str, float]]:
    """(child id, district, days) of every late assessment in the 45-day sheet, read back."""
    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Drill-down ASSESS_45WD").to_python()
    header = rows[3]
    at = {name: header.index(name) for name in ("Child ID", "District", "Measured", "Limit", "Distance from limit")}
    return [(r[at["Child ID"]], r[at["District"]], r[at["Measured"]], r[at["Limit"]], r[at["Distance from limit"]]) for r in rows[4:]]


def test_one_sheet_per_exception_indicator_with_an_index_linking_to_them(example_dir, tmp_path):
    config = configure(tmp_path, example_dir, CATALOGUE)
    master = tmp_path / "master.xlsx"
    result = refresh(load_config(config), master=master)
    sheets = CalamineWorkbook.from_path(str(master)).sheet_names
    drill = [s for s in sheets if s.startswith("Drill-down")]
    # ...and the early-warning list the default catalogue's clocks make (tests/test_clocks.py).
    assert drill == ["Drill-down", "Drill-down ASSESS_45WD", "Drill-down ASSESS_20WD", "Drill-down due soon"]
    # Every late case is over its limit, by the distance shown, and the count of them is the
    # authority's denominator less its numerator (the on-time ones).
    cases = late_assessments(master)
    scored = result.scored[
        (result.scored["indicator"] == "ASSESS_45WD") & (result.scored["area"] == "ALL") & (result.scored["period"] == "2026-10")
    ].iloc[0]
    assert len(cases) == scored["denominator"] - scored["numerator"] > 0
    assert all(days > limit == 45 and over == days - limit and district == "Northgate" for _, district, days, limit, over in cases)
    assert all(re.fullmatch(r"NG\d+", child) for child, *_ in cases)  # ids as text, as typed
    # The index counts each sheet's cases and links to it; both sheets are marked personal.
    book = openpyxl.load_workbook(master)
    index = book["Drill-down"]
    rows = {r[0]: r for r in index.iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["Assessments completed within 45 working days"][1] == len(cases)
    link = index.cell(5, 3).hyperlink
    assert link.location == "'Drill-down ASSESS_45WD'!A1"
    for name in drill:
        assert book[name].sheet_properties.tabColor.rgb.endswith("9C0006")
        assert "PERSONAL DATA" in book[name]["A2"].value
        assert book[name].print_title_rows == "$4:$4" and "As at 31/10/2026" in book[name].oddHeader.right.text


def test_last_months_sheets_go_and_a_users_similar_sheet_stays(example_dir, tmp_path):
    config = configure(tmp_path, example_dir, CATALOGUE)
    master = tmp_path / "master.xlsx"
    refresh(load_config(config), master=master)
    add_user_sheet(master, "Drill-down notes", "my own notes", tmp_path)
    # Next month the 20-day measure is dropped: its sheet goes, the user's stays, and the
    # refresh passes the guard (the user's sheet is not one the tool wrote).
    configure(tmp_path, example_dir, 'extends = "default"\n')
    refresh(load_config(config), master=master)
    sheets = CalamineWorkbook.from_path(str(master)).sheet_names
    assert "Drill-down ASSESS_20WD" not in sheets
    assert [s for s in sheets if s.startswith("Drill-down")] == [
        "Drill-down",
        "Drill-down ASSESS_45WD",
        "Drill-down due soon",
        "Drill-down notes",
    ]
    assert CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Drill-down notes").to_python() == [["my own notes"]]
    # The dropped indicator's history is kept (the refresh used to stop on it: KeyError).
    history = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("History data").to_python()
    assert len([r for r in history if r[0] == "ASSESS_20WD" and r[1] == "ALL"]) == 13
    # A new exception indicator's sheet goes beside the other Drill-down sheets, before the hidden ones.
    configure(tmp_path, example_dir, CATALOGUE)
    refresh(load_config(config), master=master)
    sheets = CalamineWorkbook.from_path(str(master)).sheet_names
    assert sheets.index("Drill-down ASSESS_20WD") == sheets.index("Drill-down ASSESS_45WD") + 1
    assert sheets.index("Drill-down ASSESS_20WD") < sheets.index("History data")
    with zipfile.ZipFile(master) as package:  # no orphaned old sheets left in the package
        assert len([n for n in package.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]) == len(sheets)


def test_the_emailed_copy_leaves_out_every_drilldown_sheet_but_not_the_users(example_dir, tmp_path):
    config = configure(tmp_path, example_dir, CATALOGUE)
    master = tmp_path / "master.xlsx"
    refresh(load_config(config), master=master)
    add_user_sheet(master, "Drill-down notes", "my own notes", tmp_path)
    copy = aggregate_copy(master, tmp_path / "copy.xlsx")
    sheets = CalamineWorkbook.from_path(str(copy)).sheet_names
    assert [s for s in sheets if s.startswith("Drill-down")] == ["Drill-down notes"]
    with zipfile.ZipFile(copy) as package:
        assert not [n for n in package.namelist() if re.search(rb"NG\d{6}", package.read(n))]
