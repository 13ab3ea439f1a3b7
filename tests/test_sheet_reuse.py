"""A workbook changed in one sheet: its other sheets are taken from its last reading, the changed
sheet alone is read again (``sources.sheet_parts``, ``sources.cache.SheetReuse``; issue 21,
refresh only what changed).

Every case is checked against reading the files afresh, without any saved reading: the tables,
reports and problems are the same. Workbooks are changed part by part with zipfile and re only.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import xl_scorecard.sources as sources
from tests.master_parts import replace_part
from tests.test_reading_cache import _same
from xl_scorecard.config import load_config
from xl_scorecard.sources import read_sources
from xl_scorecard.sources.cache import SUFFIX
from xl_scorecard.sources.sheet_parts import sheet_digests

NORTHGATE = "Northgate Annex A lists.xlsx"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "xlsb-xls"


@pytest.fixture
def sheets_read(monkeypatch) -> list[tuple[str, str]]:
    """Every sheet read from a file in this process, as (file name, sheet asked for)."""
    seen: list[tuple[str, str]] = []
    original = sources.read_sheet

    def spy(path, sheet=None, **options):
        seen.append((path.name, str(sheet)))
        return original(path, sheet, **options)

    monkeypatch.setattr(sources, "read_sheet", spy)
    return seen


def _part_of(workbook: Path, title: str) -> str:
    # The worksheet part whose first cell is ``title`` (the example's lists are titled).
    with zipfile.ZipFile(workbook) as book:
        found = [n for n in book.namelist() if n.startswith("xl/worksheets/") and f"<t>{title}</t>".encode() in book.read(n)[:3000]]
    assert len(found) == 1, found
    return found[0]


def _one_day_later(workbook: Path, cell: str) -> int:
    """Move the date serial in ``cell`` of List 3 one day on; the serial it held."""
    part = _part_of(workbook, "List 3: Referral")
    before: list[int] = []

    def edit(xml: bytes) -> bytes:
        found = re.search(rb'<c r="' + cell.encode() + rb'"[^>]*><v>(\d+)</v>', xml)
        assert found is not None
        before.append(int(found.group(1)))
        return xml[: found.start(1)] + str(before[0] + 1).encode() + xml[found.end(1) :]

    replace_part(workbook, part, edit)
    return before[0]


def _referral_date(data, row: int) -> pd.Timestamp:
    table = data.tables["referrals"]
    match = table[(table["district"] == "NG") & (table["source_row"] == row)]
    assert len(match) == 1
    return match["referral_date"].iloc[0]


def test_one_changed_sheet_alone_is_read_again(authority, sheets_read):
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    before = read_sources(config, cache=folder)
    workbook = authority / "Northgate" / NORTHGATE
    serial = _one_day_later(workbook, "F4")
    sheets_read.clear()
    after = read_sources(config, cache=folder)
    assert sheets_read == [(NORTHGATE, "List 3")]  # its nine other lists kept
    # The new date, from the serial by hand (Excel's day 0 is 30 December 1899).
    assert _referral_date(after, 4) == pd.Timestamp(dt.date(1899, 12, 30) + dt.timedelta(days=serial + 1))
    assert _referral_date(before, 4) == pd.Timestamp(dt.date(1899, 12, 30) + dt.timedelta(days=serial))
    _same(read_sources(config), after)  # what reading every file afresh gives
    # One reading per file still: the workbook's last one went once this one was saved.
    assert len(list(folder.glob(f"*{SUFFIX}"))) == len({tuple(sorted(authority.glob(s.file))) for s in config.data.source})


def test_a_workbook_back_as_it_was_is_taken_whole(authority, sheets_read):
    # Changed and changed back: the second time the whole workbook is as a reading was saved.
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    read_sources(config, cache=folder)
    workbook = authority / "Northgate" / NORTHGATE
    original = workbook.read_bytes()
    _one_day_later(workbook, "F4")
    read_sources(config, cache=folder)
    workbook.write_bytes(original)
    sheets_read.clear()
    again = read_sources(config, cache=folder)
    assert sheets_read == [(NORTHGATE, "List 3")]  # the old reading was pruned; its other sheets kept
    _same(read_sources(config), again)


@pytest.mark.parametrize("change", ["styles", "1904 dates", "sheet order"])
def test_a_change_every_sheet_reads_through_reads_them_all_again(authority, sheets_read, change):
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    before = read_sources(config, cache=folder)
    workbook = authority / "Northgate" / NORTHGATE
    lists = [s.sheet for s in config.data.source if s.file.endswith(NORTHGATE)]
    if change == "styles":  # the same styles written with other spacing: other bytes, read again
        replace_part(workbook, "xl/styles.xml", lambda xml: xml.replace(b"><", b">\n<"))
    elif change == "1904 dates":  # every date serial counted from 1904: four years and a day later
        replace_part(workbook, "xl/workbook.xml", lambda xml: xml.replace(b"<workbookPr ", b'<workbookPr date1904="1" '))
    else:  # List 1 and List 2 swap places in the workbook: the sheets' names point elsewhere
        swap = {b'name="List 1"': b'name="List 2"', b'name="List 2"': b'name="List 1"'}
        replace_part(workbook, "xl/workbook.xml", lambda xml: re.sub(rb'name="List [12]"', lambda m: swap[m.group(0)], xml))
    sheets_read.clear()
    after = read_sources(config, cache=folder)
    assert sorted(sheets_read) == sorted((NORTHGATE, sheet) for sheet in lists)
    _same(read_sources(config), after)
    if change == "1904 dates":
        assert _referral_date(after, 4) - _referral_date(before, 4) == pd.Timedelta(days=1462)


def test_properties_and_the_tab_last_selected_read_no_sheet(authority, sheets_read):
    # Excel saving a workbook rewrites who saved it and when, and which tab was open: no sheet's
    # values change, so none is read again (the file's own digest changed: it is looked at).
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    before = read_sources(config, cache=folder)
    workbook = authority / "Northgate" / NORTHGATE
    replace_part(workbook, "docProps/core.xml", lambda xml: xml + b"\n")
    replace_part(workbook, "xl/workbook.xml", lambda xml: xml.replace(b"<workbookView ", b'<workbookView activeTab="2" '))
    sheets_read.clear()
    after = read_sources(config, cache=folder)
    assert sheets_read == []
    _same(before, after)
    _same(read_sources(config), after)


def test_a_damaged_last_reading_is_not_used(authority, sheets_read):
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    read_sources(config, cache=folder)
    workbook = authority / "Northgate" / NORTHGATE
    saved = set(folder.glob(f"*{SUFFIX}"))
    # Its reading: the one a change of the workbook replaces.
    _one_day_later(workbook, "F4")
    read_sources(config, cache=folder)
    mine = (set(folder.glob(f"*{SUFFIX}")) - saved).pop()
    data = mine.read_bytes()
    mine.write_bytes(data[:5000] + bytes([data[5000] ^ 1]) + data[5001:])
    _one_day_later(workbook, "F5")
    sheets_read.clear()
    after = read_sources(config, cache=folder)
    lists = [s.sheet for s in config.data.source if s.file.endswith(NORTHGATE)]
    assert sorted(sheets_read) == sorted((NORTHGATE, sheet) for sheet in lists)  # nothing taken from it
    _same(read_sources(config), after)


def test_lists_found_in_an_annex_a_workbook_are_kept_too(tmp_path, example_dir, sheets_read):
    # One source for the whole workbook (dataset "annex_a"), its lists found by their names.
    workbook = tmp_path / NORTHGATE
    workbook.write_bytes((example_dir / "Northgate" / NORTHGATE).read_bytes())
    (tmp_path / "authority.toml").write_text(
        '[authority]\nname = "One"\n[[district]]\ncode = "NG"\nname = "Northgate"\n\n'
        f'[[source]]\ndistrict = "NG"\ndataset = "annex_a"\nfile = "{NORTHGATE}"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / "authority.toml")
    folder = tmp_path / "cache"
    read_sources(config, cache=folder)
    serial = _one_day_later(workbook, "F4")
    sheets_read.clear()
    after = read_sources(config, cache=folder)
    assert sheets_read == [(NORTHGATE, "List 3")]
    assert _referral_date(after, 4) == pd.Timestamp(dt.date(1899, 12, 30) + dt.timedelta(days=serial + 1))
    _same(read_sources(config), after)


def test_workbooks_read_in_reading_processes_keep_their_sheets(authority, monkeypatch):
    config = load_config(authority / "authority.toml")
    monkeypatch.setattr(sources, "process_threshold", lambda: 0)
    folder = authority / "cache"
    read_sources(config, workers=2, cache=folder)
    _one_day_later(authority / "Northgate" / NORTHGATE, "F4")
    # A second file changed (so the two go to the reading processes): its properties only.
    replace_part(authority / "Westfield" / "Westfield Annex A.xlsx", "docProps/core.xml", lambda xml: xml + b"\n")
    after = read_sources(config, workers=2, cache=folder)
    alone = read_sources(config, workers=1)
    assert set(after.tables) == set(alone.tables)
    for name, table in alone.tables.items():
        pd.testing.assert_frame_equal(after.tables[name], table, check_categorical=False)
    assert after.files == alone.files and after.problems == alone.problems


# --- the digests themselves ------------------------------------------------------------------


def test_a_sheet_digest_changes_with_its_part_alone(example_dir, tmp_path):
    workbook = tmp_path / NORTHGATE
    workbook.write_bytes((example_dir / "Northgate" / NORTHGATE).read_bytes())
    first = sheet_digests(workbook)
    assert first is not None and sorted(first.sheets) == sorted(f"List {n}" for n in range(1, 11))
    _one_day_later(workbook, "F4")
    second = sheet_digests(workbook)
    assert second is not None and second.shared == first.shared
    assert {name for name in first.sheets if first.sheets[name] != second.sheets[name]} == {"List 3"}
    # The same part stored at another compression level: its stored bytes differ, so it counts
    # as changed (read again: never wrong, only slower).
    with zipfile.ZipFile(workbook) as book:
        parts = [(info, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(workbook, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for info, data in parts:
            book.writestr(info.filename, data)
    third = sheet_digests(workbook)
    assert third is not None and all(third.sheets[name] != second.sheets[name] for name in second.sheets)


@pytest.mark.writes_broken_workbooks
def test_files_not_laid_out_as_xlsx_give_no_digests(tmp_path):
    text = tmp_path / "list.xlsx"
    text.write_text("Child Unique ID,Gender\nA1,b) Female\n", encoding="utf-8")
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as book:
        book.writestr("content.xml", "<office:document-content/>")
    assert sheet_digests(text) is None
    assert sheet_digests(other_zip) is None
    assert sheet_digests(tmp_path / "missing.xlsx") is None
    binary = SAMPLES / "date.xlsb"  # a binary workbook (xl/workbook.bin): read whole every time
    if binary.exists():
        assert sheet_digests(binary) is None
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as book:
        book.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
        book.writestr("xl/_rels/workbook.xml.rels", "<Relationships/>")
    assert sheet_digests(broken) is None
