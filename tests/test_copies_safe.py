"""Every copy safe, every fault survived (issue 17, in part): copies that leave the master carry
no child-level text in any part, the guard's digests give nothing back, the tool's temporary
files live beside the master and a killed refresh leaves nothing anyone has to clean by hand.

The secrets searched for come from the input files, read independently (tests/independent.py),
and every part of a package is searched whole, decompressed, as text and for the digests a
careless guard would have stored (SHA-1, SHA-256, MD5 of each value)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from conftest import requires_libreoffice, soffice
from master_parts import drop_record
from structure import check_package

from xl_scorecard.config import load_config
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.cells import FINGERPRINT_SHEET
from xl_scorecard.render.copies import aggregate_copy
from xl_scorecard.render.package import Package
from xl_scorecard.render.strings import all_strings, empty_unused_strings
from xl_scorecard.render.transplant import transplant

ID_HEADERS = {"child unique id", "child id", "unique id", "child identifier"}
WORKER_HEADERS = {"allocated worker", "worker", "social worker", "worker name", "name", "supervisor"}
DOB_HEADERS = {"date of birth"}


def _tables(example: Path):
    # Every sheet of every district workbook (openpyxl) and every CSV (the csv module).
    import csv

    import openpyxl

    for path in sorted(example.rglob("*")):
        if path.suffix == ".xlsx" and path.name != "master.xlsx":
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                yield [list(r) for r in sheet.iter_rows(values_only=True)]
            book.close()
        elif path.suffix == ".csv":
            for encoding in ("utf-8-sig", "cp1252"):
                try:
                    with open(path, encoding=encoding, newline="") as handle:
                        yield list(csv.reader(handle))
                    break
                except UnicodeDecodeError:
                    continue


def _text(value: object) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, (dt.date, dt.datetime)) else " ".join(str(value).split())


def secrets_of(example: Path) -> set[str]:
    """Child ids, workers' names and dates of birth in the example's district files. A date of
    birth that is also a date of something else in the files, or a month end (the dates a
    scorecard reports as at), says nothing when found, and is left out."""
    found: set[str] = set()
    births: set[str] = set()
    other_dates: set[str] = set()
    for table in _tables(example):
        header_at = next((i for i, r in enumerate(table[:30]) if sum(1 for c in r if c not in (None, "")) >= 3), None)
        if header_at is None:
            continue
        header = [" ".join(str(c or "").split()).casefold() for c in table[header_at]]
        for row in table[header_at + 1 :]:
            for name, value in zip(header, row):
                if value in (None, ""):
                    continue
                if name in ID_HEADERS:
                    found.add(str(value).removesuffix(".0"))
                elif name in WORKER_HEADERS:
                    found.add(" ".join(str(value).split()))
                elif name in DOB_HEADERS:
                    births.add(_text(value))
                elif isinstance(value, (dt.date, dt.datetime)) or re.fullmatch(r"\d\d/\d\d/\d{4}", str(value)):
                    other_dates.add(_text(value))
    month_ends = {
        (dt.date(year, month % 12 + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)).strftime("%d/%m/%Y")
        for year in range(2000, 2031)
        for month in range(1, 13)
    }
    found |= births - other_dates - month_ends
    return {s for s in found if len(s) >= 5}


def digests(value: str) -> set[str]:
    """The prefixes a guard might store of ``value``: SHA-1, SHA-256 and MD5, 12 hex digits."""
    data = value.encode("utf-8")
    return {hashlib.new(name, data).hexdigest()[:12] for name in ("sha1", "sha256", "md5")}


def leaks(package_bytes: dict[str, bytes], secrets: set[str]) -> list[tuple[str, str]]:
    """(part, what) for every secret found in any part, as text or as a digest."""
    found = []
    hashes = {digest: value for value in secrets for digest in digests(value)}
    for name, data in package_bytes.items():
        text = data.decode("utf-8", errors="ignore")
        found += [(name, value) for value in secrets if value in text]
        found += [(name, f"digest of {hashes[h]}") for h in set(re.findall(r"[0-9a-f]{12}", text)) & set(hashes)]
    return found


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


# --- the shared-string table -------------------------------------------------------------------


def test_strings_no_cell_uses_are_emptied_in_place(tmp_path):
    # An XlsxWriter workbook keeps its text in the shared-string table, as Excel does: a user's
    # sheet, and a Drill-down sheet with a child id and a worker. Taking the Drill-down sheet
    # out empties its strings; the user's keep their positions, and the user's sheet is
    # byte for byte what it was.
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    mine = book.add_worksheet("Notes")
    mine.write("A1", "Agenda item 4")
    mine.write("A2", "shared text")
    drill = book.add_worksheet("Drill-down")
    drill.write_row(0, 0, ["CHILD-77123", "shared text", "Worker Ann Lee"])
    book.close()
    package = Package.read(path)
    assert set(all_strings(package)) >= {"CHILD-77123", "Worker Ann Lee", "Agenda item 4"}
    before = dict(package.parts)
    out = transplant(package, [], ["Drill-down"])  # empties as it goes
    strings = all_strings(out)
    assert "CHILD-77123" not in strings and "Worker Ann Lee" not in strings
    assert strings.index("Agenda item 4") == all_strings(Package.read(path)).index("Agenda item 4")
    assert "shared text" in strings  # still used by the user's sheet
    assert out.parts["xl/worksheets/sheet1.xml"] == before["xl/worksheets/sheet1.xml"]
    assert empty_unused_strings(out) == 0  # nothing more to empty


# --- the guard ------------------------------------------------------------------------------------


def test_the_guard_stores_no_digest_of_a_child_value(demo_run, example_dir):
    _, master = demo_run
    secrets = secrets_of(example_dir)
    with zipfile.ZipFile(master) as package:
        names = package.namelist()
        texts = {n: package.read(n) for n in names}
    # The master holds the child-level rows (its Drill-down sheets) but no digest of any of
    # them: the fingerprint is keyed (HMAC-SHA256 under a random key).
    assert [leak for leak in leaks(texts, secrets) if leak[1].startswith("digest")] == []


def test_a_fresh_key_each_write_and_the_guard_still_sees_typing(authority):
    from openpyxl import load_workbook  # the test's own editor, never the product's

    from xl_scorecard.errors import MasterError
    from xl_scorecard.render.guard import _fingerprint
    from xl_scorecard.render.master import check_master

    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    first, _ = _fingerprint(master)
    # A key is kept only with the digests it made, carried for sheets generated byte for byte
    # as before (render/written.py, which the record in the master allows); without it, a
    # new one.
    refresh(config, master=master)
    assert _fingerprint(master)[0] == first
    drop_record(master)
    refresh(config, master=master)
    second, _ = _fingerprint(master)
    assert first and second and first != second and len(second) == 32
    book = load_workbook(master)
    book["Scorecard"]["D6"] = 12345
    book.save(master)
    with pytest.raises(MasterError, match="Scorecard!D6"):
        check_master(master)


# --- copies -----------------------------------------------------------------------------------------


def test_the_copy_has_no_fingerprint_and_no_child_level_text(demo_run, example_dir, tmp_path):
    _, master = demo_run
    copy = aggregate_copy(master, tmp_path / "copy.xlsx")
    package = Package.read(copy)
    assert FINGERPRINT_SHEET.encode() not in package.parts[package.main_part()]
    assert leaks(parts(copy), secrets_of(example_dir)) == []


@requires_libreoffice
def test_after_a_save_by_a_spreadsheet_program_copies_and_the_master_hold_no_stale_child_text(authority, tmp_path):
    # LibreOffice (like Excel) moves every text cell into the shared-string table on save. The
    # next refresh replaces the Drill-down sheets: the strings only they used are emptied from
    # the master, and the email copy and the PDF hold none of the inputs' child ids, workers'
    # names or dates of birth, as text or as a digest.
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    out = tmp_path / "resaved"
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(master)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shutil.copy(out / "master.xlsx", master)
    secrets = secrets_of(authority)
    resaved = Package.read(master)
    assert set(all_strings(resaved)) & secrets  # the premise: child ids now in the string table
    refresh(config, master=master)
    package = Package.read(master)
    still_shown = {s for s in all_strings(package) if s}
    from xl_scorecard.render.strings import used_strings

    used = used_strings(package)
    assert all(i in used for i, s in enumerate(all_strings(package)) if s)  # every string left is shown by a cell
    assert still_shown  # and the table was not simply wiped
    copy = aggregate_copy(master, tmp_path / "copy.xlsx")
    assert leaks(parts(copy), secrets) == []
    from xl_scorecard.render.pdf import export_pdf

    pdf = export_pdf(master, tmp_path / "scorecard.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert [value for value in secrets if value in text] == []


# --- temporary files and the lock -----------------------------------------------------------------


def test_no_file_of_the_refresh_lands_in_the_system_temp_folder(authority, tmp_path, monkeypatch):
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(system_temp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    seen: set[str] = set()
    real = tempfile.TemporaryDirectory.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        seen.add(self.name)

    monkeypatch.setattr(tempfile.TemporaryDirectory, "__init__", spy)
    refresh(load_config(authority / "authority.toml"), master=authority / "master.xlsx")
    assert seen and all(Path(name).parent == authority for name in seen)
    assert list(system_temp.iterdir()) == []
    leftovers = [p.name for p in authority.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # the work folder and the temporary master are gone


KILLER = """
import os, sys, time
from pathlib import Path
import xl_scorecard.render.master as master_module
from xl_scorecard.config import load_config
from xl_scorecard.pipeline import refresh

stage = sys.argv[2]
real_build, real_replace = master_module.build_master, os.replace

def build_then_die(base, template, data, target, master=None):
    if stage == "while-building":
        # Die with the work folder full of generated sheets.
        import tempfile
        real_td = tempfile.TemporaryDirectory
        def td(*a, **k):
            made = real_td(*a, **k)
            (Path(made.name) / "owned.xlsx").write_bytes(b"child-level rows")
            os.kill(os.getpid(), 9)
            return made
        tempfile.TemporaryDirectory = td
    real_build(base, template, data, target, master)
    if stage == "before-replace":
        os.kill(os.getpid(), 9)

master_module.build_master = build_then_die
import xl_scorecard.render as render
render.build_master = build_then_die
folder = Path(sys.argv[1])
refresh(load_config(folder / "authority.toml"), master=folder / "master.xlsx")
"""


@pytest.mark.parametrize("stage", ["while-building", "before-replace"])
def test_a_refresh_killed_mid_way_leaves_nothing_to_clean_by_hand(authority, tmp_path, stage):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    before = master.read_bytes()
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    killed = subprocess.run([sys.executable, str(script), str(authority), stage], capture_output=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL if os.name == "posix" else killed.returncode != 0
    assert master.read_bytes() == before  # the old master, byte for byte
    left = [p.name for p in authority.iterdir() if p.name.startswith(".")]
    assert left  # the kill left its temporary files (and the lock file) ...
    started = time.monotonic()
    old_file = master.stat().st_ino
    refresh(config, master=master)  # ... and the next refresh runs without anyone deleting them
    assert time.monotonic() - started < 600
    assert [p.name for p in authority.iterdir() if p.name.startswith(".")] == []
    assert not (authority / "master.xlsx.lock").exists()
    # A new master put in its place (its bytes may be the old ones: nothing changed, and the
    # zip's times are to two seconds).
    assert master.stat().st_ino != old_file


# --- the file system says no ------------------------------------------------------------------


def _refresh_cli(folder: Path) -> int:
    from xl_scorecard.cli import main

    return main(["refresh", "--config", str(folder / "authority.toml")])


def _hidden_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in [*folder.iterdir(), *(folder / "backups").glob("*")] if p.name.startswith(".")) if folder.is_dir() else []


def test_disk_full_while_writing_is_one_sentence_and_leaves_the_master(authority, monkeypatch, capsys):
    import errno

    import xl_scorecard.render.master as master_module

    assert _refresh_cli(authority) == 0
    master = authority / "master.xlsx"
    before = master.read_bytes()
    capsys.readouterr()

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(master_module.os, "fsync", full)
    assert _refresh_cli(authority) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "disk is full" in err and "Traceback" not in err
    assert master.read_bytes() == before and _hidden_leftovers(authority) == []


def test_disk_full_during_the_backup_leaves_no_truncated_backup(authority, monkeypatch, capsys):
    import errno

    import xl_scorecard.render.master as master_module

    assert _refresh_cli(authority) == 0
    master = authority / "master.xlsx"
    before = master.read_bytes()
    backups_before = sorted(p.name for p in (authority / "backups").glob("*")) if (authority / "backups").exists() else []

    def half_copy(source, target):
        Path(target).write_bytes(Path(source).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(master_module.shutil, "copy2", half_copy)
    assert _refresh_cli(authority) == 2
    assert "disk is full" in capsys.readouterr().err
    assert master.read_bytes() == before
    assert sorted(p.name for p in (authority / "backups").glob("*")) == backups_before  # nothing truncated, nothing partial
    assert _hidden_leftovers(authority) == []


def test_a_read_only_backups_folder_is_called_read_only(authority, monkeypatch, capsys):
    import xl_scorecard.render.master as master_module

    assert _refresh_cli(authority) == 0
    master = authority / "master.xlsx"
    before = master.read_bytes()
    capsys.readouterr()

    def refused(source, target):
        raise PermissionError(13, "Permission denied", str(Path(target).parent))

    monkeypatch.setattr(master_module.shutil, "copy2", refused)
    assert _refresh_cli(authority) == 2
    err = capsys.readouterr().err
    assert "read-only for you" in err and "backups" in err and "locked by another program" not in err
    assert master.read_bytes() == before and _hidden_leftovers(authority) == []


def test_an_eml_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    from email.message import EmailMessage

    from xl_scorecard.mail import write_eml

    message = EmailMessage()
    message["Subject"] = "Scorecard"
    message.set_content("x" * 10_000)
    real = Path.write_bytes

    def half(self, data):
        real(self, data[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", half)
    with pytest.raises(OSError):
        write_eml(message, tmp_path, "authority")
    assert list(tmp_path.iterdir()) == []


def test_random_kills_lose_nothing_and_leave_nothing(tmp_path):
    # The bounded run of tests/fault_script.py (run it by hand for 50 kills or more): a refresh
    # killed at random moments by random signals leaves the old master or a complete new one,
    # no child id outside the authority's folder, and a next refresh that just runs.
    from fault_script import run_faults

    seed = int(time.time())
    report = run_faults(10, seed, tmp_path)
    assert report.rounds == 10 and not report.problems, f"seed {seed}: {report.problems}"


# --- what a user builds on the Drill-down sheets -----------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def drilldown_ids(master: Path) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(master, read_only=True)
    rows = list(book["Drill-down ASSESS_45WD"].iter_rows(values_only=True))
    book.close()
    header = next(i for i, r in enumerate(rows) if r and "Child ID" in r)
    column = rows[header].index("Child ID")
    return [r[column] for r in rows[header + 1 :] if r[column]]


def with_user_parts(
    master: Path, sheet_xml: str, extra: dict[str, str], sheet_rels: str = "", book_tail: str = "", book_rel: str = ""
) -> None:
    """Add to ``master`` (plain zip and text edits) a user sheet "Mine" with ``sheet_xml``, and
    ``extra`` parts ({name: xml}, content types by name)."""
    with zipfile.ZipFile(master) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    book = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    book = book.replace("</sheets>", '<sheet name="Mine" sheetId="99" r:id="rIdMine"/></sheets>')
    if book_tail:
        book = re.sub(
            r"(<calcPr\b[^>]*/>|</workbook>)",
            lambda m: (m.group(0) + book_tail) if m.group(0) != "</workbook>" else book_tail + m.group(0),
            book,
            count=1,
        )
    parts["xl/workbook.xml"] = book.encode()
    rels = rels.replace(
        "</Relationships>", f'<Relationship Id="rIdMine" Type="{RELS}/worksheet" Target="worksheets/mine.xml"/>{book_rel}</Relationships>'
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    parts["xl/worksheets/mine.xml"] = sheet_xml.encode()
    if sheet_rels:
        parts["xl/worksheets/_rels/mine.xml.rels"] = (
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{sheet_rels}</Relationships>'.encode()
        )
    types = parts["[Content_Types].xml"].decode()
    overrides = [f'<Override PartName="/xl/worksheets/mine.xml" ContentType="{SHEET_CT}"/>']
    for name, (xml, kind) in extra.items():
        parts[name] = xml.encode()
        if kind:
            overrides.append(f'<Override PartName="/{name}" ContentType="{kind}"/>')
    parts["[Content_Types].xml"] = types.replace("</Types>", "".join(overrides) + "</Types>").encode()
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _cells(rows: list[list[str]], first_row: int = 1) -> str:
    out = []
    for r, row in enumerate(rows, start=first_row):
        cells = "".join(f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{value}</t></is></c>' for c, value in enumerate(row))
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


@pytest.fixture
def assessments_master(example_dir, tmp_path) -> Path:
    from conftest import northgate_config

    config = northgate_config(tmp_path, example_dir, sheets=(("cp_plans", "List 7"), ("assessments", "List 4")))
    master = tmp_path / "master.xlsx"
    refresh(load_config(config), master=master)
    return master


def test_a_pivot_table_built_on_the_drilldown_goes_with_it(assessments_master, tmp_path):
    # A PSS administrator's pivot of the Drill-down rows by child, on a sheet of their own. Its
    # cache holds every source row and its cells show the ids: in the copy the pivot (cache,
    # records, table, the cells it showed) is gone; the rest of the user's sheet stays.
    master = assessments_master
    ids = drilldown_ids(master)[:3]
    items = "".join(f'<s v="{i}"/>' for i in ids)
    cache = (
        f'<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{RELS}" r:id="rId1" recordCount="{len(ids)}">'
        '<cacheSource type="worksheet"><worksheetSource ref="A4:J40" sheet="Drill-down ASSESS_45WD"/></cacheSource>'
        f'<cacheFields count="1"><cacheField name="Child ID" numFmtId="0"><sharedItems count="{len(ids)}">{items}</sharedItems>'
        "</cacheField></cacheFields></pivotCacheDefinition>"
    )
    records = (
        f'<pivotCacheRecords xmlns="{MAIN}" count="{len(ids)}">'
        + "".join(f'<r><x v="{n}"/></r>' for n in range(len(ids)))
        + "</pivotCacheRecords>"
    )
    table = (
        f'<pivotTableDefinition xmlns="{MAIN}" name="ByChild" cacheId="7" dataCaption="Values">'
        f'<location ref="A3:A{3 + len(ids)}" firstHeaderRow="1" firstDataRow="1" firstDataCol="0"/></pivotTableDefinition>'
    )
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        + _cells([["My pivot of the drill-down"]])
        + _cells([["Row Labels"], *[[i] for i in ids]], 3)
        + "</sheetData></worksheet>"
    )
    with_user_parts(
        master,
        sheet,
        {
            "xl/pivotCache/pivotCacheDefinition1.xml": (
                cache,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml",
            ),
            "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": (
                f'<Relationships xmlns="{PKG}">'
                f'<Relationship Id="rId1" Type="{RELS}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>',
                "",
            ),
            "xl/pivotCache/pivotCacheRecords1.xml": (
                records,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml",
            ),
            "xl/pivotTables/pivotTable1.xml": (table, "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml"),
            "xl/pivotTables/_rels/pivotTable1.xml.rels": (
                f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{RELS}/pivotCacheDefinition" '
                'Target="../pivotCache/pivotCacheDefinition1.xml"/></Relationships>',
                "",
            ),
        },
        sheet_rels=f'<Relationship Id="rId1" Type="{RELS}/pivotTable" Target="../pivotTables/pivotTable1.xml"/>',
        book_tail='<pivotCaches><pivotCache cacheId="7" r:id="rIdCache"/></pivotCaches>',
        book_rel=f'<Relationship Id="rIdCache" Type="{RELS}/pivotCacheDefinition" Target="pivotCache/pivotCacheDefinition1.xml"/>',
    )
    assert check_package(master) == []
    assert all(any(i.encode() in data for data in parts(master).values()) for i in ids)  # the premise
    copy = aggregate_copy(master, tmp_path / "copy.xlsx")
    copied = parts(copy)
    assert [i for i in ids if any(i.encode() in data for data in copied.values())] == []
    assert not [n for n in copied if "pivot" in n.lower()] and b"pivotCache" not in copied["xl/workbook.xml"]
    assert check_package(copy) == []
    import openpyxl

    assert openpyxl.load_workbook(copy)["Mine"]["A1"].value == "My pivot of the drill-down"


def test_a_child_id_a_users_sheet_still_shows_stops_the_copy(assessments_master, tmp_path):
    # A formula on the user's own sheet that brings a Drill-down id there (its cached value is
    # the id): the copy is refused, saying which sheet, rather than sent with the id in it.
    master = assessments_master
    child = drilldown_ids(master)[0]
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="str"><f>\'Drill-down ASSESS_45WD\'!B5</f>'
        f"<v>{child}</v></c></row></sheetData></worksheet>"
    )
    with_user_parts(master, sheet, {})
    before = master.read_bytes()
    from xl_scorecard.errors import MasterError

    with pytest.raises(MasterError, match='the sheet "Mine"'):
        aggregate_copy(master, tmp_path / "copy.xlsx")
    assert not (tmp_path / "copy.xlsx").exists() and master.read_bytes() == before


def test_a_child_id_in_the_document_properties_is_blanked_in_the_copy(assessments_master, tmp_path):
    master = assessments_master
    child = drilldown_ids(master)[0]
    with zipfile.ZipFile(master) as archive:
        content = {n: archive.read(n) for n in archive.namelist()}
    core = content["docProps/core.xml"].decode()
    core = re.sub(r"<dc:title>.*?</dc:title>|(?=</cp:coreProperties>)", f"<dc:title>Case {child} follow-up</dc:title>", core, count=1)
    content["docProps/core.xml"] = core.encode()
    with zipfile.ZipFile(master, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    copy = aggregate_copy(master, tmp_path / "copy.xlsx")
    assert child.encode() not in parts(copy)["docProps/core.xml"]
    assert b"<dc:title></dc:title>" in parts(copy)["docProps/core.xml"]


def test_every_way_a_cell_can_refer_to_a_shared_string_is_seen():
    # Reading a reference too few would empty a string a cell shows: every form a writer may
    # use counts (prefix, quotes, spacing, a formula before the value); text cells do not.
    from xl_scorecard.render.strings import used_strings

    cells = (
        b'<c r="A1" t="s"><v>12</v></c><x:c r="A2" s="3" t="s"><x:v>7</x:v></x:c>'
        b'<c t=\'s\' r="B2">\n <v> 5 </v></c><c r="A3" t="s"><f>A2</f><v>9</v></c>'
        b'<c r="A4" t="str"><v>8</v></c><c r="A5" t="inlineStr"><is><t>x</t></is></c><c r="A6"><v>4</v></c>'
    )
    package = Package(
        {
            "[Content_Types].xml": b'<Types><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            b'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
            "xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>" + cells + b"</row></sheetData></worksheet>",
        }
    )
    assert used_strings(package) == {12, 7, 5, 9}
