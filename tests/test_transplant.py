"""Refreshing an existing master: nothing a user put in it is lost (issue: master workbook)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SHARED, northgate_config, requires_libreoffice, soffice
from python_calamine import CalamineWorkbook
from structure import check_package

from xl_scorecard.config import load_config
from xl_scorecard.errors import MasterError
from xl_scorecard.periods import Month
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.cells import OWNED_SHEETS
from xl_scorecard.render.template import DEFAULT_TEMPLATE, build_template

EXCEL_MADE = SHARED / "samples" / "excel-made"
SAMPLES = sorted(EXCEL_MADE.glob("*.xls*")) if EXCEL_MADE.is_dir() else []
INDEX_PARTS = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "_rels/.rels",
    "[Content_Types].xml",
    "xl/styles.xml",
    "docProps/app.xml",
    "docProps/core.xml",
    "docProps/custom.xml",
}


@pytest.fixture(scope="module")
def small_config(example_dir, tmp_path_factory) -> Path:
    """One district of the example authority: enough for a real scorecard, quick to read."""
    folder = tmp_path_factory.mktemp("small")
    workforce = (example_dir / "Northgate" / "Northgate workforce.xlsx").as_posix()
    return northgate_config(
        folder,
        example_dir,
        extra_sources=(
            f'[[source]]\ndistrict = "NG"\ndataset = "staff"\nfile = "{workforce}"\nsheet = "Caseloads"\n'
            f'[[source]]\ndistrict = "NG"\ndataset = "supervision"\nfile = "{workforce}"\nsheet = "Supervision log"\n'
        ),
    )


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def cell_styles(cell) -> tuple:
    return (
        cell.value,
        cell.number_format,
        cell.font.b,
        cell.font.i,
        cell.font.sz,
        str(cell.font.color.rgb if cell.font.color else None),
        cell.fill.fill_type,
        str(cell.fill.fgColor.rgb),
        cell.border.left.style,
        cell.border.bottom.style,
        cell.alignment.horizontal,
        cell.alignment.wrap_text,
        cell.protection.locked,
    )


def sheet_snapshot(path: Path, sheets: list[str]) -> dict:
    book = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    snapshot = {}
    for name in sheets:
        sheet = book[name]
        if hasattr(sheet, "iter_rows"):
            # The cells that exist (a sheet's used range can reach XFD1048576).
            snapshot[name] = {c.coordinate: cell_styles(c) for c in sheet._cells.values()}
    book.close()
    return snapshot


@pytest.mark.skipif(not SAMPLES, reason="../shared/samples/excel-made is not beside the repository")
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_refresh_keeps_everything_in_a_workbook_made_by_excel(small_config, tmp_path, sample):
    master = tmp_path / sample.name
    shutil.copy(sample, master)
    before = parts(master)
    user_sheets = CalamineWorkbook.from_path(str(master)).sheet_names
    refresh(load_config(small_config), master=master)
    after = parts(master)
    missing = set(before) - set(after)
    assert not missing, missing
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= INDEX_PARTS, changed - INDEX_PARTS
    assert sheet_snapshot(master, user_sheets) == sheet_snapshot(sample, user_sheets)
    names = CalamineWorkbook.from_path(str(master)).sheet_names
    # The panels and detailed-analysis sheets are written only by the layouts that have them.
    assert names[: len(user_sheets)] == user_sheets and set(OWNED_SHEETS) - {"District panels", "Detailed analysis"} <= set(names)
    if sample.suffix == ".xlsm":
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
        assert b"macroEnabled.main+xml" in after["[Content_Types].xml"]
    # A second refresh changes nothing more in the user's parts and does not grow styles.xml.
    refresh(load_config(small_config), master=master)
    again = parts(master)
    assert {n for n in before if before[n] != again[n]} <= INDEX_PARTS
    assert again["xl/styles.xml"] == after["xl/styles.xml"]


def test_twelve_refreshes_styles_stop_growing(small_config, tmp_path):
    master = tmp_path / "master.xlsx"
    styles = []
    for n in range(12):
        refresh(load_config(small_config), master=master, period=Month(2025, 11).shift(n))
        styles.append(parts(master)["xl/styles.xml"])
    assert len(set(styles)) == 1
    assert len({hashlib.sha256(s).hexdigest() for s in styles[1:]}) == 1


def column_of(book, header: str) -> str:
    return next(c.column_letter for c in book["Scorecard"][4] if c.value == header)


def scorecard_row(book, indicator_id: str) -> int:
    return next(c.row for c in book["Scorecard"][column_of(book, "Id")] if c.value == indicator_id)


def note_cell(book, indicator_id: str):
    """The commentary cell of an indicator's row (found by header, whatever the layout)."""
    return book["Scorecard"][f"{column_of(book, 'Commentary')}{scorecard_row(book, indicator_id)}"]


def type_commentary(master: Path, indicator_id: str, text: str) -> None:
    """What a manager does in Excel, done with an independent writer (openpyxl)."""
    book = openpyxl.load_workbook(master)
    note_cell(book, indicator_id).value = text
    book.save(master)


def kept_commentary(master) -> list[dict]:
    """The Commentary sheet's rows keyed by its headings."""
    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Commentary").to_python()
    return [dict(zip(rows[0], row)) for row in rows[1:] if any(row)]


def test_commentary_typed_between_refreshes_is_all_kept(small_config, tmp_path):
    master = tmp_path / "master.xlsx"
    typed = {}
    for n in range(12):
        period = Month(2025, 10).shift(n)
        refresh(load_config(small_config), master=master, period=period)
        if n % 3 == 0:  # not every month: the others show last month's text, carried forward
            text = f"Supervision dipped in {period.label}; two managers on leave. =SUM(A1)"
            type_commentary(master, "SUPERVISED", text)
            typed[str(period)] = text
    refresh(load_config(small_config), master=master, period=Month(2026, 10))
    kept = kept_commentary(master)
    recorded = {row["Period"]: row["Commentary"] for row in kept if row["Id"] == "SUPERVISED"}
    assert recorded == typed
    # A reader sees the indicator's title, the area's name and the month; the keys the next
    # refresh reads back come after them, in hidden columns (never printed).
    first = next(row for row in kept if row["Id"] == "SUPERVISED")
    assert first["Indicator"] == "Qualified social workers supervised in the month"
    assert first["Area"] == "Northshire" and first["Month"] == "Oct 2025" and first["Area code"] == "ALL"
    sheet = openpyxl.load_workbook(master)["Commentary"]
    assert [c.value for c in sheet[1]][:5] == ["Indicator", "Area", "Month", "Commentary", "Recorded"]
    assert [sheet.column_dimensions[c].hidden for c in "ABCDEFGH"] == [False] * 5 + [True] * 3
    book = openpyxl.load_workbook(master)
    cell = note_cell(book, "SUPERVISED")
    assert cell.value == f"[Carried forward from Jul 2026] {typed['2026-07']}" and cell.data_type == "s"


def test_carried_forward_text_edited_is_recorded_for_its_month(small_config, tmp_path):
    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master, period=Month(2026, 9))
    type_commentary(master, "CP_RATE", "Rate up after two large sibling groups.")
    refresh(load_config(small_config), master=master, period=Month(2026, 10))
    book = openpyxl.load_workbook(master)
    carried = note_cell(book, "CP_RATE").value
    assert carried.startswith("[Carried forward from Sep 2026]")
    type_commentary(master, "CP_RATE", carried + " Now falling.")
    refresh(load_config(small_config), master=master, period=Month(2026, 10))
    assert [(r["Period"], r["Commentary"]) for r in kept_commentary(master) if r["Id"] == "CP_RATE"] == [
        ("2026-09", "Rate up after two large sibling groups."),
        ("2026-10", "Rate up after two large sibling groups. Now falling."),
    ]


def test_commentary_kept_by_a_master_written_before_the_readable_headings_is_still_read(tmp_path):
    # Masters written before the Commentary sheet had readable headings carry the keys as its
    # first five columns under their raw names.
    from xl_scorecard.commentary import read_commentary

    book = openpyxl.Workbook()
    book.active.title = "Commentary"
    book.active.append(["indicator", "area", "period", "text", "recorded", "indicator title"])
    book.active.append(["CP_RATE", "ALL", "2026-09", "Up after two sibling groups.", "2026-10-02", "Children with a CP plan"])
    book.save(tmp_path / "old.xlsx")
    kept, typed, shown = read_commentary(tmp_path / "old.xlsx")
    assert kept.to_dict("records") == [
        {"indicator": "CP_RATE", "area": "ALL", "period": "2026-09", "text": "Up after two sibling groups.", "recorded": "2026-10-02"}
    ]
    assert (typed, shown) == ({}, None)


# LibreOffice 7.4 saves a sheet that repeats both rows and columns with its _xlnm.Print_Titles
# twice in one scope (rows then columns, and columns then rows): its file, and the backup of it,
# are left out of the automatic structural check; the refreshed master is checked below.
@pytest.mark.writes_broken_workbooks
@pytest.mark.libreoffice
@requires_libreoffice
def test_master_saved_by_libreoffice_keeps_commentary_and_opens_everywhere(small_config, tmp_path):
    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master, period=Month(2026, 9))
    type_commentary(master, "CASELOAD", "Two vacancies filled in September.")
    saved = tmp_path / "lo"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(master),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    shutil.copy(saved / "master.xlsx", master)  # the manager's copy, last saved by LibreOffice
    refresh(load_config(small_config), master=master, period=Month(2026, 10))
    kept = [(r["Id"], r["Area code"], r["Period"], r["Commentary"]) for r in kept_commentary(master)]
    assert ("CASELOAD", "ALL", "2026-09", "Two vacancies filled in September.") in kept
    openpyxl.load_workbook(master)
    assert check_package(saved / "master.xlsx")  # the premise: LibreOffice's file needs repair ...
    assert check_package(master) == []  # ... and the refreshed master does not
    resaved = tmp_path / "again"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(resaved),
            str(master),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xml = "".join(v.decode("utf-8", "replace") for k, v in parts(resaved / "master.xlsx").items() if k.startswith("xl/worksheets/"))
    assert xml.count("<x14:sparkline>") >= 4


def test_value_typed_over_a_figure_stops_the_refresh_and_force_backs_it_up(small_config, tmp_path):
    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master, period=Month(2026, 9))
    book = openpyxl.load_workbook(master)
    row = scorecard_row(book, "CASELOAD")
    book["Scorecard"][f"D{row}"] = 12.5  # "the real figure", typed over the computed one
    book.save(master)
    typed = master.read_bytes()
    with pytest.raises(MasterError) as caught:
        refresh(load_config(small_config), master=master, period=Month(2026, 10))
    assert f"Scorecard!D{row} (changed)" in str(caught.value) and "--force" in str(caught.value)
    assert master.read_bytes() == typed
    result = refresh(load_config(small_config), master=master, period=Month(2026, 10), force=True)
    assert result.backup.read_bytes() == typed
    assert openpyxl.load_workbook(result.backup)["Scorecard"][f"D{row}"].value == 12.5
    assert openpyxl.load_workbook(master)["Scorecard"][f"D{row}"].value != 12.5


def test_chart_added_to_an_owned_sheet_stops_the_refresh(small_config, tmp_path):
    from openpyxl.chart import BarChart, Reference

    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master)
    book = openpyxl.load_workbook(master)
    chart = BarChart()
    chart.add_data(Reference(book["History"], min_col=3, max_col=14, min_row=2, max_row=2))
    book["History"].add_chart(chart, "B30")
    book.save(master)
    with pytest.raises(MasterError, match=r"History \(a chart, picture, comment or table was added"):
        refresh(load_config(small_config), master=master)


def test_two_refreshes_at_once_one_runs_the_other_stops(small_config, tmp_path, monkeypatch):
    import xl_scorecard.pipeline as pipeline

    master = tmp_path / "master.xlsx"
    first_is_reading, second_has_tried = threading.Event(), threading.Event()
    real_read = pipeline.read_sources

    def slow_read(config, **options):  # the first refresh is held mid-run until the second has tried
        if not first_is_reading.is_set():
            first_is_reading.set()
            assert second_has_tried.wait(30)
        return real_read(config, **options)

    monkeypatch.setattr(pipeline, "read_sources", slow_read)
    outcome: list[object] = []
    first = threading.Thread(target=lambda: outcome.append(refresh(load_config(small_config), master=master)))
    first.start()
    assert first_is_reading.wait(30)
    with pytest.raises(MasterError, match=r"another refresh of .* is running"):
        refresh(load_config(small_config), master=master)
    second_has_tried.set()
    first.join(60)
    assert len(outcome) == 1 and outcome[0].master == master.resolve()
    assert "Scorecard" in CalamineWorkbook.from_path(str(master)).sheet_names
    openpyxl.load_workbook(master)
    assert not (tmp_path / "master.xlsx.lock").exists()


def test_new_macro_master_is_refused_with_advice(small_config, tmp_path):
    with pytest.raises(MasterError, match="A macro workbook cannot be started from the template"):
        refresh(load_config(small_config), master=tmp_path / "master.xlsm")


def test_committed_template_is_what_the_builder_makes(tmp_path):
    built = build_template(tmp_path / "t.xlsx")
    assert parts(built).keys() == parts(DEFAULT_TEMPLATE).keys()
    assert (
        CalamineWorkbook.from_path(str(built)).get_sheet_by_name("Cover").to_python()
        == CalamineWorkbook.from_path(str(DEFAULT_TEMPLATE)).get_sheet_by_name("Cover").to_python()
    )


@pytest.mark.libreoffice
@requires_libreoffice
@pytest.mark.skipif(not SAMPLES, reason="../shared/samples/excel-made is not beside the repository")
def test_every_refreshed_sample_opens_in_libreoffice_and_keeps_its_sparklines(small_config, tmp_path):
    folder = tmp_path / "refreshed"
    folder.mkdir()
    # comment03.xlsx has a comment in the sheet's last cell (XFD1048576): LibreOffice 7.4 spends
    # minutes opening the untouched sample itself, so it is left out here (the other tests
    # refresh it and check every part is kept).
    samples = [s for s in SAMPLES if s.name != "comment03.xlsx"]
    for sample in samples:
        shutil.copy(sample, folder / sample.name)
        refresh(load_config(small_config), master=folder / sample.name)
    # Two LibreOffice runs (one per core, each with its own profile) convert them all,
    # re-saving each as LibreOffice would.
    runs = [
        subprocess.Popen(
            [
                soffice(),
                f"-env:UserInstallation=file://{tmp_path / f'profile{n}'}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(tmp_path / "saved"),
                *[str(folder / s.name) for s in samples[n::2]],
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(2)
    ]
    assert [run.wait(timeout=600) for run in runs] == [0, 0]
    for sample in samples:
        saved = tmp_path / "saved" / (sample.stem + ".xlsx")
        assert saved.is_file(), sample.name
        xml = "".join(v.decode("utf-8", "replace") for k, v in parts(saved).items() if k.startswith("xl/worksheets/"))
        assert xml.count("<x14:sparkline>") >= 4, sample.name


def test_master_locked_by_another_program_is_not_written(small_config, tmp_path, monkeypatch):
    import builtins

    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master)
    before = master.read_bytes()
    real_open = builtins.open

    def locked(file, mode="r", *args, **kwargs):  # what Windows does while Excel holds the file
        if Path(str(file)) == master and "+" in mode:
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locked)
    with pytest.raises(MasterError, match="locked by another program"):
        refresh(load_config(small_config), master=master)
    monkeypatch.undo()
    assert master.read_bytes() == before


def test_renamed_owned_sheet_is_reported_once(small_config, tmp_path):
    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master)
    book = openpyxl.load_workbook(master)
    book["Districts"].title = "Districts (my copy)"
    book.save(master)
    with pytest.raises(MasterError) as caught:
        refresh(load_config(small_config), master=master)
    message = str(caught.value)
    assert "Districts (the whole sheet is missing: renamed or deleted?)" in message and message.count("Districts!") == 0
    refresh(load_config(small_config), master=master, force=True)
    assert {"Districts", "Districts (my copy)"} <= set(openpyxl.load_workbook(master).sheetnames)


def reachable_parts(path: Path) -> tuple[set[str], set[str]]:
    """(parts reachable through relationships from the package root, all parts), read with the
    zip module and a plain XML parser, not the product's package code."""
    import posixpath
    import xml.etree.ElementTree as ET

    files = parts(path)
    seen, todo = set(), [""]
    while todo:
        source = todo.pop()
        rels = posixpath.join(posixpath.dirname(source), "_rels", posixpath.basename(source) + ".rels")
        if rels not in files:
            continue
        for rel in ET.fromstring(files[rels]):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target")
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
            if name not in seen:
                seen.add(name)
                todo.append(name)
    content = {n for n in files if not n.endswith(".rels") and n != "[Content_Types].xml"}
    return seen, content


def test_refreshes_leave_no_orphan_parts_behind(small_config, tmp_path):
    # Each refresh replaces the scorecard's sheets: the old ones must leave the package, not
    # linger unreferenced (a bug once grew the file by every old sheet at every refresh).
    master = tmp_path / "master.xlsx"
    listings = []
    for _ in range(3):
        refresh(load_config(small_config), master=master)
        reachable, content = reachable_parts(master)
        assert content - reachable == set()
        listings.append(sorted(parts(master)))
    assert listings[0] == listings[1] == listings[2]


def test_fingerprint_rows_are_packed_per_sheet_row_and_older_ones_still_read():
    from xl_scorecard.render.guard import _unpack

    # Packed: one row per sheet row. Older masters: one row per cell. Free cells: one each.
    rows = [["Scorecard", "row 12", "A=aa11;B=bb22;AA=cc33"], ["Scorecard", "C7", "dd44"], ["Scorecard", "M5", "free"]]
    assert _unpack(rows) == {
        ("Scorecard", "A12"): "aa11",
        ("Scorecard", "B12"): "bb22",
        ("Scorecard", "AA12"): "cc33",
        ("Scorecard", "C7"): "dd44",
        ("Scorecard", "M5"): "free",
    }


def test_the_stored_history_is_guarded_by_rows_and_an_older_masters_cells_still_check(small_config, tmp_path):
    # The History data and Drill-down sheets are fingerprinted a row at a time (a long history
    # has hundreds of thousands of cells); a value typed there is still caught, by its row.
    from xl_scorecard.history import HISTORY_SHEET
    from xl_scorecard.render.cells import FINGERPRINT_SHEET
    from xl_scorecard.render.guard import HmacKey, _fingerprint, cell_hashes, changed_cells, fingerprinted_sheets, write_fingerprint
    from xl_scorecard.render.package import Package
    from xl_scorecard.render.transplant import transplant

    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master)
    key, rows = _fingerprint(master)
    blocks = [r for r in rows if r[0] == HISTORY_SHEET and str(r[1]).startswith("row")]  # not its small numbers
    assert blocks and all(str(r[1]).startswith("rows ") for r in blocks)  # a block of rows a fingerprint row
    assert len(str(blocks[0][2]).split(";")) == int(str(blocks[0][1]).split("-")[1]) - int(str(blocks[0][1])[5:].split("-")[0]) + 1
    assert changed_cells(master) == []
    book = openpyxl.load_workbook(master)
    assert book[HISTORY_SHEET]["A2"].value not in (None, "")
    book[HISTORY_SHEET]["A2"] = "typed"
    # The trend sheet, the figures by district and the data quality list are guarded by rows too
    # (thousands of rows at 100 districts); a figure typed over there is caught by its row, one
    # typed beside them too.
    typed = {}
    for sheet in ("History", "Districts", "Data quality"):
        figure = next(c for row in book[sheet].iter_rows(min_row=2) for c in row if isinstance(c.value, (int, float)))
        figure.value += 1
        book[sheet].cell(figure.row + 1, book[sheet].max_column + 2).value = "a note"
        typed[sheet] = figure.row
    book.save(master)
    assert sorted(changed_cells(master)) == sorted(
        [
            f"{HISTORY_SHEET}!row 2 (changed)",
            f"History!row {typed['History']} (changed)",
            f"History!row {typed['History'] + 1} (changed)",
            f"Districts!row {typed['Districts']} (changed)",
            f"Districts!row {typed['Districts'] + 1} (changed)",
            f"Data quality!row {typed['Data quality']} (changed)",
            f"Data quality!row {typed['Data quality'] + 1} (changed)",
        ]
    )

    # A master fingerprinted the older way (HMAC-SHA256, every cell) checks clean after the
    # upgrade, and still names a typed cell.
    refresh(load_config(small_config), master=master, force=True)
    sheets = [s for s in fingerprinted_sheets(master) if s != FINGERPRINT_SHEET]
    old_key = HmacKey(b"k" * 32)
    donor = tmp_path / "old-fingerprint.xlsx"
    write_fingerprint(donor, cell_hashes(master, sheets, old_key), {}, {}, old_key, sheets)
    transplant(Package.read(master), [Package.read(donor)], [FINGERPRINT_SHEET]).write(tmp_path / "older.xlsx")
    older = tmp_path / "older.xlsx"
    key, rows = _fingerprint(older)
    assert isinstance(key, HmacKey) and not any(str(r[1]).startswith("rows ") for r in rows if len(r) > 2)
    assert changed_cells(older) == []
    book = openpyxl.load_workbook(older)
    book[HISTORY_SHEET]["A2"] = "typed"
    book.save(older)
    assert changed_cells(older) == [f"{HISTORY_SHEET}!A2 (changed)"]


def test_a_row_digest_does_not_depend_on_the_sheets_digested_before_it(tmp_path):
    # The guard digests the rows of several sheets in one pass, remembering how each number is
    # written. 0.0 and -0.0 are equal (one key) but read back "0" and "-0": a zero remembered
    # from an earlier sheet gave a later row holding -0.0 another digest, so a sheet's digests
    # changed with the sheets digested before it. Those differ between a refresh's write (only
    # the sheets not carried over) and the next refresh's check (every sheet, after Excel saved
    # the master), which would report a row nobody touched as changed.
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from xl_scorecard.render.cells import HISTORY_SHEET, TREND_SHEET
    from xl_scorecard.render.guard import cell_hashes

    path = tmp_path / "zeros.xlsx"
    book = xlsxwriter.Workbook(str(path))
    trend, history = book.add_worksheet(TREND_SHEET), book.add_worksheet(HISTORY_SHEET)
    trend.write_row(0, 0, ["area", 0.0, 0.0])
    history.write_row(0, 0, ["month", -0.0, 2.5])
    history.write_row(1, 0, ["month", 0.0, -0.0])
    book.close()
    read = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(HISTORY_SHEET).to_python()
    assert str(read[0][1]) == "-0.0" and str(read[1][1]) == "0.0"  # calamine reads the sign back
    key = b"k" * 32
    sheets = {TREND_SHEET, HISTORY_SHEET}
    alone = cell_hashes(path, [HISTORY_SHEET], key, sheets)
    after = cell_hashes(path, [TREND_SHEET, HISTORY_SHEET], key, sheets)
    assert set(alone) == {(HISTORY_SHEET, "*1"), (HISTORY_SHEET, "*2")}
    assert {place: digest for place, digest in after.items() if place[0] == HISTORY_SHEET} == alone


def test_the_restatements_record_is_guarded_by_rows_and_keeps_its_digests_while_unchanged(small_config, tmp_path, monkeypatch):
    # The Restatements record grows by hundreds of rows with each new extract: fingerprinted a row
    # at a time, and while a refresh generates it as before, its digests are carried, not made again.
    from xl_scorecard.history import RESTATEMENTS_SHEET
    from xl_scorecard.render import guard
    from xl_scorecard.render.guard import _fingerprint, changed_cells

    digested: list[list[str]] = []
    real = guard.cell_hashes

    def spy(path, sheets, *args, **kwargs):
        digested.append(list(sheets))
        return real(path, sheets, *args, **kwargs)

    monkeypatch.setattr(guard, "cell_hashes", spy)
    master = tmp_path / "master.xlsx"
    refresh(load_config(small_config), master=master)
    refresh(load_config(small_config), master=master)
    assert RESTATEMENTS_SHEET in digested[0]  # the first refresh digests it
    assert RESTATEMENTS_SHEET not in digested[-1]  # the second generates it as before: carried
    _, rows = _fingerprint(master)
    mine = [r for r in rows if r[0] == RESTATEMENTS_SHEET and str(r[1]).startswith("row")]
    assert mine and all(str(r[1]).startswith("rows ") for r in mine)
    assert changed_cells(master) == []
    book = openpyxl.load_workbook(master)
    assert book[RESTATEMENTS_SHEET]["A3"].value == "No figure has been restated."
    book[RESTATEMENTS_SHEET]["A3"] = "No figure has been restated (checked by hand)."
    book.save(master)
    assert changed_cells(master) == [f"{RESTATEMENTS_SHEET}!row 3 (changed)"]


def test_a_package_copies_the_parts_it_did_not_change_as_they_were_compressed(tmp_path):
    # Read lazily, written with the untouched parts' compressed bytes copied: the result is a
    # valid zip (checked by zipfile's own CRC test), every part as before but the one replaced.
    from xl_scorecard.render.package import Package

    source = tmp_path / "source.zip"
    with zipfile.ZipFile(source, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b"<row/>" * 50_000 + b"</worksheet>")
        archive.writestr("xl/media/image1.png", bytes(range(256)) * 40, compress_type=zipfile.ZIP_STORED)
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    package = Package.read(source)
    assert package.parts._loaded == {}  # nothing inflated yet
    package.parts["xl/workbook.xml"] = b"<workbook>changed</workbook>"
    package.parts["xl/new.xml"] = "<new>é</new>".encode()
    del package.parts["xl/media/image1.png"]
    target = tmp_path / "target.zip"
    package.write(target)
    assert "xl/worksheets/sheet1.xml" not in package.parts._loaded  # copied without being read
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(target) as after:
        assert after.testzip() is None
        assert after.namelist() == ["[Content_Types].xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/new.xml"]
        assert after.read("xl/worksheets/sheet1.xml") == before.read("xl/worksheets/sheet1.xml")
        assert after.getinfo("xl/worksheets/sheet1.xml").compress_size == before.getinfo("xl/worksheets/sheet1.xml").compress_size
        assert after.read("xl/workbook.xml") == b"<workbook>changed</workbook>"
        assert after.read("xl/new.xml").decode() == "<new>é</new>"
    # Written over the very file it was read from (copying from it as it goes): whole.
    again = Package.read(target)
    again.parts["xl/workbook.xml"] = b"<workbook>again</workbook>"
    again.write(target)
    with zipfile.ZipFile(target) as after:
        assert after.testzip() is None and after.read("xl/workbook.xml") == b"<workbook>again</workbook>"
        assert after.read("xl/worksheets/sheet1.xml") == b"<worksheet>" + b"<row/>" * 50_000 + b"</worksheet>"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # The file read must not change under a package still reading it.
    source.write_bytes(source.read_bytes() + b"\0")
    with pytest.raises(MasterError, match="changed while"):
        package.write(tmp_path / "again.zip")


def test_parts_read_from_the_listed_entries_are_zipfiles_bytes_and_damage_is_caught(tmp_path, monkeypatch):
    # Each part is read from the entry listed when the package was opened (no second pass over
    # the central directory): the bytes zipfile gives for stored, deflated and empty parts, in a
    # workbook Excel made; a part whose bytes were damaged is refused as zipfile refuses it.
    from xl_scorecard.render.package import Package

    sample = next((SHARED / "samples" / "excel-made").glob("*.xlsx"))
    source = tmp_path / "source.zip"
    with zipfile.ZipFile(sample) as excel, zipfile.ZipFile(source, "w") as archive:
        for info in excel.infolist():
            archive.writestr(info, excel.read(info))
        archive.writestr("xl/stored.bin", bytes(range(256)) * 3, compress_type=zipfile.ZIP_STORED)
        archive.writestr("xl/empty.xml", b"", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("xl/deflated.xml", b"<x>" + "é".encode() * 5000 + b"</x>", compress_type=zipfile.ZIP_DEFLATED)
    opened = []
    listing = zipfile.ZipFile._RealGetContents
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: opened.append(1) or listing(self))
    package = Package.read(source)
    listed = len(opened)
    with zipfile.ZipFile(source) as reference:
        expected = {name: reference.read(name) for name in reference.namelist()}
    opened.clear()
    assert {name: package.parts[name] for name in package.parts} == expected
    assert opened == [] and listed == 1  # one listing for the whole package

    damaged = tmp_path / "damaged.zip"
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as reference:
        info = reference.getinfo("xl/stored.bin")
    data[info.header_offset + 30 + len(info.filename) + 10] ^= 0xFF  # a byte inside the part
    damaged.write_bytes(bytes(data))
    with zipfile.ZipFile(damaged) as reference, pytest.raises(zipfile.BadZipFile, match="CRC"):
        reference.read("xl/stored.bin")
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        Package.read(damaged).parts["xl/stored.bin"]
