"""The record of the sheets as the last refresh wrote them (xl_scorecard.render.written), kept in
the master's fingerprint: the guard skips reading a sheet whose bytes are those written, and the
new fingerprint keeps the digests of a sheet generated exactly as last time; anything else is
compared by value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from master_parts import change_record, drop_record, record, record_part, replace_part

import xl_scorecard.render.guard as guard
from xl_scorecard.config import load_config
from xl_scorecard.errors import MasterError
from xl_scorecard.history import HISTORY_SHEET
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.package import Package
from xl_scorecard.render.transplant import sheet_parts
from xl_scorecard.render.written import LABEL, Record


def _stored(master: Path) -> tuple[bytes, dict[tuple[str, str], str], set[tuple[str, str]]]:
    """The fingerprint's key, its digests (no counts or markers) and its free cells."""
    key, rows = guard._fingerprint(master)
    assert key is not None
    unpacked = guard._unpack(rows)
    free = {place for place, digest in unpacked.items() if digest == guard.FREE}
    digests = {
        place: digest
        for place, digest in unpacked.items()
        if place[1] not in (guard.ANCHORS, guard.WRITTEN, guard.SMALL) and place not in free
    }
    return key, digests, free


def _fresh(master: Path) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """(the fingerprint's digests, those the master's values give now: the guard's slow path)."""
    key, stored, free = _stored(master)
    sheets = sorted({sheet for sheet, _ in stored})
    by_row = {sheet for sheet, cell in stored if cell.startswith(guard.ROW)}
    now = guard.cell_hashes(master, sheets, key, by_row)
    return stored, {place: digest for place, digest in now.items() if place not in free}


def _spy(monkeypatch) -> list[tuple[str, list[str]]]:
    calls: list[tuple[str, list[str]]] = []
    original = guard.cell_hashes

    def spy(path, sheets, key, by_row=None, known=None):
        calls.append((Path(path).name, list(sheets)))
        return original(path, sheets, key, by_row, known)

    monkeypatch.setattr(guard, "cell_hashes", spy)
    return calls


def _part(master: Path, sheet: str) -> str:
    return sheet_parts(Package.read(master))[sheet]


def test_an_untouched_master_is_not_read_again_and_its_fingerprint_is_the_values(authority, monkeypatch):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    first_key = _stored(master)[0]
    calls = _spy(monkeypatch)
    refresh(config, master=master)
    # The guard read nothing of the master; the sheets generated as last time were not digested.
    assert [c for c in calls if c[0] == "master.xlsx"] == [("master.xlsx", [])]
    generated = [c for c in calls if c[0] == "owned.xlsx"]
    assert len(generated) == 1 and HISTORY_SHEET not in generated[0][1] and "Scorecard" in generated[0][1]
    assert _stored(master)[0] == first_key  # kept with the digests it made
    # The fingerprint carried over is what the master's values give, place for place.
    stored, now = _fresh(master)
    assert any(place[0] == HISTORY_SHEET for place in stored) and now == stored
    # And the slow path (no record) finds nothing changed either.
    drop_record(master)
    calls.clear()
    assert guard.changed_cells(master) == []
    assert HISTORY_SHEET in calls[0][1]


def test_a_value_changed_in_the_file_is_caught_with_the_record_there(authority):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    refresh(config, master=master)  # a master whose fingerprint was carried
    part = _part(master, HISTORY_SHEET)

    def retype(data: bytes) -> bytes:
        # The first number of the third row typed over (the bytes of every other part kept).
        row = re.search(rb'<row r="3"[^>]*>.*?</row>', data, flags=re.S)
        assert row is not None
        number = re.search(rb"<v>([-0-9.E]+)</v>", row.group(0))
        assert number is not None
        typed = row.group(0).replace(number.group(0), b"<v>" + str(float(number.group(1)) + 7).encode() + b"</v>", 1)
        return data.replace(row.group(0), typed, 1)

    replace_part(master, part, retype)
    assert guard.changed_cells(master) == [f"{HISTORY_SHEET}!row 3 (changed)"]
    before = master.read_bytes()
    with pytest.raises(MasterError, match="changed by hand"):
        refresh(config, master=master)
    assert master.read_bytes() == before


@pytest.mark.parametrize("spoil", ["damaged", "other key", "other digest", "other code", "styles", "1904"])
def test_a_record_that_does_not_fit_is_not_used(authority, monkeypatch, spoil):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    if spoil == "damaged":
        change_record(master, lambda text: text[:40])
    elif spoil in ("other key", "other digest", "other code"):
        field = {"other key": ("key",), "other digest": ("master", "sheets", HISTORY_SHEET), "other code": ("code",)}[spoil]
        content = record(master)
        target = content
        for name in field[:-1]:
            target = target[name]
        target[field[-1]] = "0" * len(target[field[-1]])
        change_record(master, lambda text: LABEL + json.dumps(content))
    elif spoil == "styles":  # a style added (the sheets' bytes as written)
        book = Package.read(master)
        styles = next(r.target for r in book.rels(book.main_part()) if r.type.endswith("/styles"))
        replace_part(master, "xl/" + styles, lambda data: data.replace(b"</styleSheet>", b"<!-- x --></styleSheet>"))
    else:  # the date system switched: every date in the sheets reads 4 years on
        replace_part(master, "xl/workbook.xml", lambda data: re.sub(rb"<workbookPr\b", b'<workbookPr date1904="1"', data, count=1))
    calls = _spy(monkeypatch)
    found = guard.changed_cells(master)
    assert HISTORY_SHEET in calls[0][1]  # read and digested by value
    if spoil == "1904":
        assert any(place.startswith("Drill-down") for place in found), found  # the case dates moved
    else:
        assert found == []
    header = [cell.value for cell in openpyxl.load_workbook(master, read_only=True)["_xl_scorecard"][1]]
    record_found = Record.read(header[4], _stored(master)[0])
    if spoil in ("damaged", "other key", "other code"):
        assert record_found is None  # not taken at all
    else:
        kept = record_found.master.unchanged_in(Package.read(master), _stored(master)[0]) if record_found else None
        assert kept is not None and HISTORY_SHEET not in kept and (kept == set()) == (spoil != "other digest")


def test_a_sheet_generated_differently_is_digested_again(authority, monkeypatch):
    # Another month's figures: the History data sheet is generated anew and digested from its
    # values; the fingerprint is still exactly what the master's values give.
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    calls = _spy(monkeypatch)
    from xl_scorecard.periods import Month

    result = refresh(config, master=master)
    refresh(config, master=master, period=Month.parse(str(result.period)).shift(-1))
    generated = [c for c in calls if c[0] == "owned.xlsx"]
    assert HISTORY_SHEET not in generated[0][1] and HISTORY_SHEET in generated[1][1]
    stored, now = _fresh(master)
    assert now == stored
    assert guard.changed_cells(master) == []


def test_a_master_whose_parts_cannot_be_compared_is_read_by_value(authority, monkeypatch):
    # A part the record names that cannot be read as bytes (missing, damaged): the guard reads
    # every sheet by value, as without a record, and reports what that finds.
    from xl_scorecard.render import written

    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)

    def unreadable(self, package, key):
        raise KeyError("xl/worksheets/sheet9.xml")

    monkeypatch.setattr(written.Written, "unchanged_in", unreadable)
    calls = _spy(monkeypatch)
    assert guard.changed_cells(master) == []
    assert HISTORY_SHEET in calls[0][1]


def test_a_sheet_whose_text_is_in_the_shared_strings_is_not_recorded(tmp_path):
    # Its values are in two parts (the sheet and the string table): bytes of one alone say
    # nothing; the tool's own sheets keep their text inline and are recorded.
    import xlsxwriter

    from xl_scorecard.render.written import Written

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))  # not constant-memory: text in sharedStrings.xml
    book.add_worksheet("Shared").write("A1", "a child id")
    book.add_worksheet("Numbers").write("A1", 12)
    book.close()
    package = Package.read(path)
    assert b't="s"' in package.parts[_part(path, "Shared")]
    assert set(Written.of(package, ["Shared", "Numbers", "Absent"], b"k" * 32).sheets) == {"Numbers"}


def test_the_record_is_kept_in_the_master_and_spares_the_reading_without_the_backups(authority, monkeypatch):
    # In the fingerprint's header, read back by another reader: JSON naming every sheet the
    # refresh wrote (their text is inline), the placeholder gone from every part.
    import shutil
    import zipfile

    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    legacy = authority / "backups" / "master readings" / "sheets as written.json"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text("{}", encoding="utf-8")  # what an earlier build kept beside the readings
    refresh(config, master=master)
    assert not legacy.exists()
    header = [cell.value for cell in openpyxl.load_workbook(master, read_only=True)["_xl_scorecard"][1]]
    assert header[4].startswith(LABEL)
    content = json.loads(header[4][len(LABEL) :])
    written = guard.fingerprinted_sheets(master)
    assert set(content["master"]["sheets"]) == set(written) and HISTORY_SHEET in written
    assert set(content["generated"]["sheets"]) == set(written)
    assert content == record(master)
    with zipfile.ZipFile(master) as book:
        assert not [n for n in book.namelist() if b"(to be filled)" in book.read(n)]
    # Without the backups folder (readings not kept, or deleted), the next refresh still reads
    # nothing of the master's sheets by value, and finds what was typed.
    shutil.rmtree(authority / "backups")
    calls = _spy(monkeypatch)
    refresh(config, master=master)
    assert [c for c in calls if c[0] == "master.xlsx"] == [("master.xlsx", [])]
    shutil.rmtree(authority / "backups")
    part = _part(master, "Scorecard")
    replace_part(master, part, lambda data: re.sub(rb"<v>(\d+)</v>", rb"<v>\g<1>7</v>", data, count=1))
    assert guard.changed_cells(master) != []


def test_a_master_without_a_record_is_compared_by_value_and_gets_one(authority, monkeypatch):
    # A master written before the record was kept in it: read by value once; the refresh then
    # writes a record, and the one after reads nothing.
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    drop_record(master)
    header = [cell.value for cell in openpyxl.load_workbook(master, read_only=True)["_xl_scorecard"][1]]
    assert len([v for v in header if v is not None]) == 4
    calls = _spy(monkeypatch)
    refresh(config, master=master)
    assert HISTORY_SHEET in next(c for c in calls if c[0] == "master.xlsx")[1]
    assert record_part(master)
    calls.clear()
    refresh(config, master=master)
    assert [c for c in calls if c[0] == "master.xlsx"] == [("master.xlsx", [])]


def test_a_record_too_long_for_a_cell_is_not_kept(tmp_path):
    # Thousands of sheets' digests would pass the 32,767 characters a cell holds: no record
    # (the next refresh compares by value), never a cell Excel would cut short.
    from xl_scorecard.render.written import MOST_TEXT, PLACEHOLDER, Written, fill_placeholder

    key = b"k" * 32
    few = Written({"Scorecard": "0" * 32}, "1" * 32, False)
    many = Written({f"Drill-down {n}": "0" * 32 for n in range(1000)}, "1" * 32, False)
    assert Record.read(Record(few, few).text(key), key) == Record(few, few)
    assert len(LABEL + json.dumps(vars(many))) * 2 > MOST_TEXT and Record(many, many).text(key) == ""
    # Filled in place: only the cell's text changes, escaped as XML.
    package = Package({"xl/worksheets/sheet1.xml": f'<c r="E1" t="inlineStr"><is><t>{PLACEHOLDER}</t></is></c>'.encode()})
    fill_placeholder(package, "xl/worksheets/sheet1.xml", 'sheets as written {"a&b":"<c>"}')
    filled = b'<c r="E1" t="inlineStr"><is><t>sheets as written {"a&amp;b":"&lt;c&gt;"}</t></is></c>'
    assert package.parts["xl/worksheets/sheet1.xml"] == filled
    with pytest.raises(ValueError, match="placeholder"):
        fill_placeholder(package, "xl/worksheets/sheet1.xml", "again")
