"""The master's sheets read once while the file is unchanged (xl_scorecard.master_cells): the
same rows calamine gives, parsed once for the guard, the history and the commentary, and read
again as soon as the file changes."""

from __future__ import annotations

import os

import openpyxl
import python_calamine
from master_parts import drop_record
from python_calamine import CalamineWorkbook

from xl_scorecard import master_cells
from xl_scorecard.config import load_config
from xl_scorecard.pipeline import refresh


def _book(path, value: str) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Filled"
    book.active["A1"] = "header"
    book.active["B2"] = value
    away = book.create_sheet("Away")
    away["C3"] = "far"
    away["D4"] = 4
    book.save(path)


def _calamine(path, sheet, skip):
    book = CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=skip)
    finally:
        book.close()


def test_the_rows_are_calamines_and_read_again_when_the_file_changes(tmp_path, monkeypatch):
    path = tmp_path / "book.xlsx"
    _book(path, "first")
    opened = []
    original = python_calamine.CalamineWorkbook.from_path
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", lambda p: opened.append(p) or original(p))
    master_cells.forget()
    for skip in (True, False):
        got = master_cells.sheet_rows(path, ["Filled", "Away", "Missing"], skip_empty_area=skip)
        assert set(got) == {"Filled", "Away"}
        for sheet in got:
            assert got[sheet] == _calamine(path, sheet, skip), (sheet, skip)
    opened.clear()
    master_cells.sheet_rows(path, ["Filled", "Away"])
    master_cells.sheet_rows(path, ["Filled"], skip_empty_area=False)
    assert opened == []  # held: not opened again
    # Another version of the file (as Excel saves it over the same path): read again.
    stamp = path.stat().st_mtime_ns
    _book(path, "second")
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))
    assert master_cells.sheet_rows(path, ["Filled"])["Filled"][1][1] == "second"
    assert len(opened) == 1
    master_cells.forget()
    master_cells.sheet_rows(path, ["Filled"])
    assert len(opened) == 2
    # A sheet not to be held (one reader only) is read, given and forgotten.
    away = _calamine(path, "Away", False)
    opened.clear()
    assert master_cells.sheet_rows(path, ["Filled", "Away"], skip_empty_area=False, hold=["Filled"])["Away"] == away
    assert len(opened) == 1 and master_cells.held() == 1  # "Filled" alone
    master_cells.sheet_rows(path, ["Away"], skip_empty_area=False, hold=False)
    assert len(opened) == 2 and master_cells.held() == 1


def test_a_refresh_parses_each_sheet_of_the_master_once_and_keeps_nothing(authority, monkeypatch):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    parsed: list[tuple[str, str]] = []
    original = python_calamine.CalamineWorkbook.get_sheet_by_name
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "get_sheet_by_name", lambda self, n: parsed.append(n) or original(self, n))
    # Without the record of the sheets as written: the master's before the write (guard and
    # history share one parse); the new one's rows are digested as written (rows.history_rows_as_read),
    # not parsed again.
    drop_record(master)
    refresh(config, master=master)
    assert [n for n in parsed if n == "History data"] == ["History data"]
    assert master_cells.held() == 0  # nothing of the master held after the run
    # With it (the last refresh left one): the guard and the new fingerprint take the sheet's
    # bytes as written, and only the history reads its rows.
    parsed.clear()
    refresh(config, master=master)
    assert [n for n in parsed if n == "History data"] == ["History data"]
    assert master_cells.held() == 0
