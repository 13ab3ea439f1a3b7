"""The record of the sheets as the last refresh wrote them (xl_scorecard.render.written): the
guard skips reading a sheet whose bytes are those written, and the new fingerprint keeps the
digests of a sheet generated exactly as last time; anything else is compared by value."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

import xl_scorecard.render.guard as guard
from xl_scorecard.config import load_config
from xl_scorecard.errors import MasterError
from xl_scorecard.history import HISTORY_SHEET
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.package import Package
from xl_scorecard.render.transplant import sheet_parts
from xl_scorecard.render.written import Record, record_path


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


def _replace_part(master: Path, part: str, change) -> None:
    # The master with one part's bytes changed and every other part's as they were.
    with zipfile.ZipFile(master) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    changed = master.with_name("changed.zip")
    with zipfile.ZipFile(changed, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            target.writestr(info, change(data) if info.filename == part else data)
    changed.replace(master)


def _part(master: Path, sheet: str) -> str:
    return sheet_parts(Package.read(master))[sheet]


def test_an_untouched_master_is_not_read_again_and_its_fingerprint_is_the_values(authority, monkeypatch):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    assert record_path(master).is_file()
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
    record_path(master).unlink()
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

    _replace_part(master, part, retype)
    assert record_path(master).is_file()
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
    path = record_path(master)
    content = json.loads(path.read_text(encoding="utf-8"))
    if spoil == "damaged":
        path.write_bytes(path.read_bytes()[:40])
    elif spoil in ("other key", "other digest", "other code"):
        field = {"other key": ("key",), "other digest": ("master", "sheets", HISTORY_SHEET), "other code": ("code",)}[spoil]
        target = content
        for name in field[:-1]:
            target = target[name]
        target[field[-1]] = "0" * len(target[field[-1]])
        path.write_text(json.dumps(content), encoding="utf-8")
    elif spoil == "styles":  # a style added (the sheets' bytes as written)
        book = Package.read(master)
        styles = next(r.target for r in book.rels(book.main_part()) if r.type.endswith("/styles"))
        _replace_part(master, "xl/" + styles, lambda data: data.replace(b"</styleSheet>", b"<!-- x --></styleSheet>"))
    else:  # the date system switched: every date in the sheets reads 4 years on
        _replace_part(master, "xl/workbook.xml", lambda data: re.sub(rb"<workbookPr\b", b'<workbookPr date1904="1"', data, count=1))
    calls = _spy(monkeypatch)
    found = guard.changed_cells(master)
    assert HISTORY_SHEET in calls[0][1]  # read and digested by value
    if spoil == "1904":
        assert any(place.startswith("Drill-down") for place in found), found  # the case dates moved
    else:
        assert found == []
    record = Record.load(path, _stored(master)[0])
    if spoil in ("damaged", "other key", "other code"):
        assert record is None  # not taken at all
    else:
        kept = record.master.unchanged_in(Package.read(master), _stored(master)[0]) if record else None
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
