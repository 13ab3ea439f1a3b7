"""The master workbook: history kept across refreshes, atomic replace, backups, refusals."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from xl_scorecard.config import load_config
from xl_scorecard.errors import MasterError
from xl_scorecard.history import merge_history, read_history
from xl_scorecard.periods import Month
from xl_scorecard.pipeline import refresh
from xl_scorecard.render import master as master_module
from xl_scorecard.render.master import refresh_lock, replace_master


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def config(example_dir, tmp_path):
    return load_config(example_dir / "authority.toml")


def test_merge_history_restates_and_never_duplicates():
    old = pd.DataFrame(
        {
            "indicator": ["X", "X"],
            "area": ["ALL", "ALL"],
            "period": ["2026-08", "2026-09"],
            "numerator": [1, 2],
            "denominator": [10, 10],
            "value": [0.1, 0.2],
            "rag": ["R", "R"],
        }
    )
    new = pd.DataFrame(
        {
            "indicator": ["X", "X"],
            "area": ["ALL", "ALL"],
            "period": ["2026-09", "2026-10"],
            "numerator": [5, 6],
            "denominator": [10, 10],
            "value": [0.5, 0.6],
            "rag": ["G", "G"],
        }
    )
    merged = merge_history(old, new)
    assert list(merged["period"]) == ["2026-08", "2026-09", "2026-10"]
    assert list(merged["value"]) == [0.1, 0.5, 0.6]


def test_second_refresh_keeps_older_history_and_backs_up(config, tmp_path):
    master = tmp_path / "master.xlsx"
    first = refresh(config, master=master, period=Month(2026, 4))
    assert first.backup is None
    second = refresh(config, master=master, period=Month(2026, 10))
    stored = read_history(master)
    periods = sorted(set(stored["period"]))
    # 13 months to April 2026 plus 13 to October 2026, overlapping in Oct 2025..Apr 2026.
    assert periods[0] == "2025-04" and periods[-1] == "2026-10" and len(periods) == 19
    assert not stored.duplicated(["indicator", "area", "period"]).any()
    assert second.backup is not None and second.backup.parent.name == "backups"
    assert read_history(second.backup)["period"].max() == "2026-04"


def test_refresh_is_repeatable_in_place(config, tmp_path):
    master = tmp_path / "master.xlsx"
    refresh(config, master=master)
    before = read_history(master)
    refresh(config, master=master)
    after = read_history(master)
    pd.testing.assert_frame_equal(before, after)


def test_master_with_user_sheets_keeps_them(config, tmp_path):
    master = tmp_path / "master.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "My notes"
    book.active["A1"] = "Commentary for the committee"
    book.save(master)
    refresh(config, master=master)
    refreshed = openpyxl.load_workbook(master)
    assert refreshed.sheetnames[0] == "My notes" and "Scorecard" in refreshed.sheetnames
    assert refreshed["My notes"]["A1"].value == "Commentary for the committee"


def test_master_open_in_excel_is_not_written(config, tmp_path):
    master = tmp_path / "master.xlsx"
    refresh(config, master=master)
    before = digest(master)
    owner = master_module.owner_file(master)
    owner.write_bytes(b"owner")
    with pytest.raises(MasterError, match="open in Excel"):
        refresh(config, master=master)
    assert digest(master) == before


def test_a_second_refresh_at_once_is_refused(config, tmp_path):
    master = tmp_path / "master.xlsx"
    with refresh_lock(master), pytest.raises(MasterError, match="another refresh"):
        refresh(config, master=master)
    assert not master.exists() and not (tmp_path / "master.xlsx.lock").exists()


def test_failure_midway_leaves_master_unchanged_and_rerun_succeeds(config, tmp_path, monkeypatch):
    master = tmp_path / "master.xlsx"
    refresh(config, master=master, period=Month(2026, 9))
    before = digest(master)

    def explode(*args, **kwargs):
        raise RuntimeError("power cut")

    # Fail after the temporary file is fully written, just before it replaces the master.
    monkeypatch.setattr(master_module.os, "replace", explode)
    with pytest.raises(RuntimeError, match="power cut"):
        refresh(config, master=master)
    monkeypatch.undo()
    assert digest(master) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".master.tmp")]
    assert not (tmp_path / "master.xlsx.lock").exists()
    refresh(config, master=master)
    assert read_history(master)["period"].max() == "2026-10"


def test_backups_are_pruned(tmp_path):
    import datetime as dt

    master = tmp_path / "m.xlsx"
    master.write_bytes(b"v0")
    for n in range(5):
        replace_master(master, lambda temp, n=n: temp.write_bytes(f"v{n + 1}".encode()), backups=3, now=dt.datetime(2026, 11, 1, 9, 0, n))
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(kept) == 3 and master.read_bytes() == b"v5"
    assert (tmp_path / "backups" / kept[-1]).read_bytes() == b"v4"


def test_text_from_inputs_is_written_as_text_never_formula(example_dir, tmp_path):
    # A worker's name typed as a formula in a supervision log must never run as one. Here a
    # broken date holding a formula-looking string ends up on the Data quality sheet.
    folder = tmp_path / "authority"
    shutil.copytree(example_dir, folder)
    log = folder / "Southmere" / "supervision_log.csv"
    text = log.read_text(encoding="cp1252").splitlines()
    fields = text[1].split(",")
    fields[3] = '=HYPERLINK("http://example.invalid")'
    text[1] = ",".join(fields)
    log.write_text("\n".join(text) + "\n", encoding="cp1252")
    result = refresh(load_config(folder / "authority.toml"), master=tmp_path / "m.xlsx")
    assert any(p.code == "bad-date" for p in result.sources.problems)
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["Data quality"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    values = CalamineWorkbook.from_path(str(tmp_path / "m.xlsx")).get_sheet_by_name("Data quality").to_python()
    assert any("=HYPERLINK" in str(v) for row in values for v in row)
