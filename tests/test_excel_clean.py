"""Masters Excel opens clean (issue 17, part 5, in part): each case below made Excel repair the
file, or lost the user's content, before it was fixed. Workbooks are built with XlsxWriter (the
user's side) and read back with openpyxl and plain XML, never with the product's reader."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import northgate_config
from structure import check_package

from xl_scorecard.config import load_config
from xl_scorecard.errors import MasterError
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.package import Package
from xl_scorecard.render.transplant import transplant


def book_xml(path_or_package) -> str:
    if isinstance(path_or_package, Package):
        return path_or_package.text("xl/workbook.xml")
    with zipfile.ZipFile(path_or_package) as archive:
        return archive.read("xl/workbook.xml").decode("utf-8")


def sheet_names(xml: str) -> list[str]:
    return re.findall(r'<sheet [^>]*name="([^"]+)"', xml)


def active_tab(xml: str) -> int:
    match = re.search(r'activeTab="(\d+)"', xml)
    return int(match.group(1)) if match else 0


def user_workbook(path: Path, sheets: list[str], active: str, hidden: tuple[str, ...] = (), names: dict[str, str] | None = None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name in sheets:
        sheet = book.add_worksheet(name)
        sheet.write("A1", f"{name} text")
        if name in hidden:
            sheet.hide()
    for name, refers in (names or {}).items():
        book.define_name(name, refers)
    book.get_worksheet_by_name(active).activate()
    book.close()
    return path


def test_the_selected_tab_follows_its_sheet_when_one_before_it_goes(tmp_path):
    # Notes (the user's, selected: tab 2) stays selected when the Drill-down sheet before it goes.
    path = user_workbook(tmp_path / "m.xlsx", ["Scorecard", "Drill-down X", "Notes"], active="Notes")
    assert active_tab(book_xml(path)) == 2
    out = transplant(Package.read(path), [], ["Drill-down X"])
    xml = book_xml(out)
    assert sheet_names(xml) == ["Scorecard", "Notes"] and active_tab(xml) == 1


def test_the_selected_tab_is_never_a_hidden_sheet(tmp_path):
    # The selected last sheet goes; the one now last is hidden: the selection moves to a visible one.
    path = user_workbook(
        tmp_path / "m.xlsx", ["Scorecard", "Notes", "Hidden data", "Drill-down X"], active="Drill-down X", hidden=("Hidden data",)
    )
    xml = book_xml(transplant(Package.read(path), [], ["Drill-down X"]))
    names = sheet_names(xml)
    assert active_tab(xml) < len(names) and names[active_tab(xml)] != "Hidden data"


def test_a_users_name_into_an_owned_sheet_is_kept(tmp_path):
    # LatestValue points at the Scorecard (replaced, same name): kept as it was. OldRows points
    # at last month's Drill-down sheet (gone): kept, pointing at #REF! as Excel itself does.
    path = user_workbook(
        tmp_path / "m.xlsx",
        ["Scorecard", "Drill-down X", "Notes"],
        active="Notes",
        names={"LatestValue": "=Scorecard!$D$6", "OldRows": "='Drill-down X'!$A$1:$A$9"},
    )
    donor = user_workbook(tmp_path / "donor.xlsx", ["Scorecard"], active="Scorecard")
    xml = book_xml(transplant(Package.read(path), [Package.read(donor)], ["Scorecard", "Drill-down X"]))
    names = dict(re.findall(r'<definedName name="([^"]+)"[^>]*>([^<]*)</definedName>', xml))
    assert names["LatestValue"] == "Scorecard!$D$6"
    assert names["OldRows"] == "#REF!$A$1:$A$9"


def test_no_content_type_for_a_part_the_package_does_not_have(tmp_path):
    path = user_workbook(tmp_path / "m.xlsx", ["Scorecard", "Notes"], active="Notes")
    package = Package.read(path)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    stale = f'<Override PartName="/xl/worksheets/sheet9.xml" ContentType="{kind}"/>'  # a part no longer there
    types = package.text("[Content_Types].xml").replace("</Types>", stale + "</Types>")
    package.parts["[Content_Types].xml"] = types.encode("utf-8")
    out = transplant(package, [], ["Scorecard"])
    for part in re.findall(r'PartName="/([^"]+)"', out.text("[Content_Types].xml")):
        assert part in out.parts, part


@pytest.fixture
def one_district(example_dir, tmp_path) -> Path:
    # Assessments give a Drill-down sheet with date cells.
    return northgate_config(tmp_path, example_dir, sheets=(("cp_plans", "List 7"), ("assessments", "List 4")))


@pytest.mark.parametrize("name", ["history", "SCORECARD", "Data Quality"])
def test_a_users_sheet_with_an_owned_name_stops_the_refresh(one_district, tmp_path, name):
    # The user's own workbook as the master, with a sheet named like one of the tool's: Excel
    # ignores case, so "history" beside the tool's "History" is a repair; a user's "Scorecard"
    # would be replaced without a word. The refresh stops before writing and says what to rename.
    master = user_workbook(tmp_path / "master.xlsx", ["Notes", name], active="Notes")
    before = master.read_bytes()
    with pytest.raises(MasterError, match=f'your sheet "{name}"'):
        refresh(load_config(one_district), master=master)
    assert master.read_bytes() == before


def test_a_new_sheet_named_like_a_users_is_refused_before_writing(tmp_path):
    # The catalogue gains an indicator whose Drill-down sheet takes the name of a user's sheet
    # but for case: refused, as Excel would refuse the pair.
    master = user_workbook(tmp_path / "m.xlsx", ["Scorecard", "drill-down cp_rate"], active="Scorecard")
    donor = user_workbook(tmp_path / "donor.xlsx", ["Drill-down CP_RATE"], active="Drill-down CP_RATE")
    with pytest.raises(MasterError, match='"drill-down cp_rate"'):
        transplant(Package.read(master), [Package.read(donor)], ["Drill-down CP_RATE"])


def test_the_tools_own_sheets_are_not_a_clash(one_district, tmp_path):
    master = tmp_path / "master.xlsx"
    config = load_config(one_district)
    refresh(config, master=master)
    refresh(config, master=master)  # its own Scorecard, History, ... are replaced, no clash
    assert sheet_names(book_xml(master)).count("Scorecard") == 1


def test_a_master_in_the_1904_date_system_gets_the_right_dates(one_district, tmp_path):
    # A template saved in the 1904 date system (old Mac workbooks): the dates the refresh writes
    # read the same there as in an ordinary master (openpyxl applies each workbook's epoch).
    template = tmp_path / "template 1904.xlsx"
    book = xlsxwriter.Workbook(str(template), {"date_1904": True})
    book.add_worksheet("Cover").write("A1", "Cover")
    book.close()
    plain, old_mac = tmp_path / "plain.xlsx", tmp_path / "mac.xlsx"
    text = one_district.read_text(encoding="utf-8").replace("[authority]\n", f'[authority]\ntemplate = "{template.as_posix()}"\n', 1)
    mac_config = one_district.with_name("mac.toml")
    mac_config.write_text(text, encoding="utf-8")
    refresh(load_config(one_district), master=plain)
    refresh(load_config(mac_config), master=old_mac)
    assert 'date1904="1"' in book_xml(old_mac)

    def dates(path: Path) -> list[dt.datetime]:
        wb = openpyxl.load_workbook(path, read_only=True)
        found = [
            c
            for ws in wb.worksheets
            if ws.title.startswith("Drill-down")
            for row in ws.iter_rows(values_only=True)
            for c in row
            if isinstance(c, dt.datetime)
        ]
        wb.close()
        return found

    assert dates(plain) and dates(old_mac) == dates(plain)


# --- namespace-prefixed SpreadsheetML (Open XML SDK tools write it) ---------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def prefixed_copy(source: Path, target: Path) -> Path:
    """``source`` rewritten with every SpreadsheetML element prefixed ``x:``, as the Open XML SDK
    writes packages (a plain-text rewrite here, sharing nothing with the product)."""

    def prefixed(xml: str) -> str:
        if f'xmlns="{MAIN_NS}"' not in xml:
            return xml
        xml = xml.replace(f'xmlns="{MAIN_NS}"', f'xmlns:x="{MAIN_NS}"', 1)
        return re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", xml)

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = old.read(name)
            if name.endswith(".xml") and name != "[Content_Types].xml":
                data = prefixed(data.decode("utf-8")).encode("utf-8")
            new.writestr(name, data)
    return target


def test_a_master_written_with_prefixed_spreadsheetml_is_refreshed(one_district, tmp_path):
    config = load_config(one_district)
    master = tmp_path / "master.xlsx"
    refresh(config, master=master)
    user = user_workbook(tmp_path / "user.xlsx", ["Notes"], active="Notes")
    sdk = prefixed_copy(master, tmp_path / "sdk.xlsx")
    assert "<x:workbook" in book_xml(sdk) and "<x:sheets>" in book_xml(sdk)
    sdk.replace(master)
    history_before = openpyxl.load_workbook(master, read_only=True)["History data"].max_row
    refresh(config, master=master)  # used to crash with a traceback
    xml = book_xml(master)
    assert sheet_names(xml).count("Scorecard") == 1 and "Drill-down" in sheet_names(xml)
    book = openpyxl.load_workbook(master, read_only=True)
    assert book["History data"].max_row == history_before  # the same month again: history kept
    assert book["Scorecard"]["A1"].value
    book.close()
    # A user's own prefixed workbook used as the master keeps its sheet and gains the tool's.
    prefixed_user = prefixed_copy(user, tmp_path / "user-sdk.xlsx")
    refresh(config, master=prefixed_user)
    names = sheet_names(book_xml(prefixed_user))
    assert names[0] == "Notes" and "Scorecard" in names
    assert openpyxl.load_workbook(prefixed_user, read_only=True)["Notes"]["A1"].value == "Notes text"


# --- the structural checker: a control, and that it can fail ----------------------------------

EXCEL_MADE = sorted((Path(__file__).resolve().parents[2] / "shared" / "samples" / "excel-made").glob("*.xls[xm]"))


@pytest.mark.skipif(len(EXCEL_MADE) < 30, reason="the Excel-made samples (../shared/samples/excel-made) are not here")
@pytest.mark.parametrize("sample", EXCEL_MADE, ids=lambda p: p.name)
def test_workbooks_made_by_excel_pass_the_structural_checker(sample):
    assert check_package(sample) == []


def _mutated(source: Path, target: Path, part: str, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            new.writestr(name, change(data.decode("utf-8")).encode("utf-8") if name == part else data)
    return target


@pytest.mark.writes_broken_workbooks
@pytest.mark.parametrize(
    ("part", "change", "problem"),
    [
        ("xl/workbook.xml", lambda x: x.replace('name="Notes"', 'name="SCORECARD"'), "two sheets named"),
        ("xl/workbook.xml", lambda x: x.replace('activeTab="1"', 'activeTab="5"'), "activeTab 5 is outside"),
        (
            "xl/workbook.xml",
            lambda x: x.replace('<sheet name="Scorecard"', '<sheet state="hidden" name="Scorecard"').replace('activeTab="1"', ""),
            "hidden sheet",
        ),
        (
            "[Content_Types].xml",
            lambda x: x.replace("</Types>", '<Override PartName="/xl/worksheets/sheet9.xml" ContentType="a/b"/></Types>'),
            "not in the package",
        ),
        ("xl/_rels/workbook.xml.rels", lambda x: x.replace("worksheets/sheet2.xml", "worksheets/sheet7.xml"), "not in the package"),
        ("xl/worksheets/sheet1.xml", lambda x: x.replace('<c r="A1"', '<c r="A1" s="99"'), "style 99"),
        (
            "xl/workbook.xml",
            lambda x: x.replace(
                "</sheets>", '</sheets><definedNames><definedName name="X" localSheetId="4">Notes!$A$1</definedName></definedNames>'
            ),
            "localSheetId 4",
        ),
    ],
    ids=["case-clash", "active-out-of-range", "active-hidden", "stale-override", "missing-target", "style-range", "name-scope"],
)
def test_the_structural_checker_finds_what_excel_would_repair(tmp_path, part, change, problem):
    good = user_workbook(tmp_path / "good.xlsx", ["Scorecard", "Notes"], active="Notes")
    assert check_package(good) == []
    bad = _mutated(good, tmp_path / "bad.xlsx", part, change)
    assert any(problem in found for found in check_package(bad)), check_package(bad)
