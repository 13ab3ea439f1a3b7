"""The History data rows and the Drill-down cases written in bulk (xl_scorecard.render.rows,
issue 21): the same bytes as XlsxWriter's own cell-by-cell path, which is the reference here,
for every kind of value a history row holds and the text that needs escaping; read back with
openpyxl as given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from test_golden_xml import fixed_input

import xl_scorecard.render.rows as bulk_rows
from xl_scorecard.history import HISTORY_COLUMNS, HISTORY_SHEET
from xl_scorecard.render.drilldown import HEADERS
from xl_scorecard.render.package import Package
from xl_scorecard.render.rows import LONGEST, history_rows_as_read
from xl_scorecard.render.transplant import sheet_parts
from xl_scorecard.render.workbook import write_workbook

AWKWARD = [
    "",
    " leading space",
    "trailing space ",
    "line\nbreak",
    'a & b < c > d "quoted"',
    "_x0041_ looks like an escape",
    "bell\x07 and tab\t",
    "not a character \ufffe",
    "Ünïcödé – 5 ≥ 4",
    "=1+1",
    "<r><t>looks like rich text</t></r>",
]


def _history(base: pd.DataFrame, reasons: list[str]) -> pd.DataFrame:
    rows = []
    numbers = [0.0, 1.0, 1 / 3, -2.5, 1e20, 123456789.123, float("nan"), 7e-9, 3.0, None]
    for i, reason in enumerate(reasons):
        row = base.iloc[i % len(base)].to_dict()
        row.update(
            period=f"{1970 + i // 12}-{i % 12 + 1:02d}",
            reason=reason,
            numerator=numbers[i % len(numbers)],
            status="complete" if i % 3 else "incomplete",
        )
        row["rag"] = "" if i % 4 == 0 else row["rag"]
        row["value"] = None if i % 5 == 0 else row["value"]
        rows.append(row)
    return pd.DataFrame(base.to_dict("records") + rows)


def _write(tmp_path: Path, name: str, history: pd.DataFrame) -> tuple[Path, object]:
    data = dataclasses.replace(fixed_input("kent_table"), history=history)
    path = tmp_path / f"{name}.xlsx"
    return path, write_workbook(path, data)


def _unescaped(text: str) -> str:
    # Excel's escape, undone left to right: "_x0007_" is BEL, "_x005F_x0041_" is "_x0041_".
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda found: chr(int(found.group(1), 16)), text)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def _cell_by_cell(monkeypatch) -> None:
    # The bulk path declines: XlsxWriter writes every cell itself.
    monkeypatch.setattr(bulk_rows, "data_rows", lambda *args, **kwargs: None)


def test_rows_in_bulk_are_the_bytes_xlsxwriter_writes(tmp_path, monkeypatch):
    base = fixed_input("kent_table").history
    history = _history(base, AWKWARD * 30)
    bulk, bulk_written = _write(tmp_path, "bulk", history)
    _cell_by_cell(monkeypatch)
    cells, cells_written = _write(tmp_path, "cells", history)
    made, reference = _parts(bulk), _parts(cells)
    assert sorted(made) == sorted(reference)
    sheet = next(n for n, data in reference.items() if n.startswith("xl/worksheets/sheet") and b">reason<" in data)
    assert b"_x005F_x0041_" in reference[sheet] and b"&amp; b &lt; c &gt;" in reference[sheet]  # escapes exercised
    assert b"&lt;r&gt;&lt;t&gt;looks like rich text" in reference[sheet]  # as text on both paths
    for name in reference:
        assert made[name] == reference[name], name
    assert bulk_written == cells_written  # the same cells noted as resting on few people

    # Read back as given, as the next refresh reads it (calamine, which undoes Excel's _xHHHH_
    # escapes; openpyxl's read-only mode does not).
    book = CalamineWorkbook.from_path(str(bulk))
    rows = book.get_sheet_by_name(HISTORY_SHEET).to_python(skip_empty_area=False)
    book.close()
    assert list(rows[0]) == HISTORY_COLUMNS and len(rows) == len(history) + 1
    for got, (_, want) in zip(rows[1:], history[HISTORY_COLUMNS].iterrows(), strict=True):
        for value, expected in zip(got, want, strict=True):
            if expected is None or (isinstance(expected, float) and math.isnan(expected)):
                assert value == ""
            elif isinstance(expected, str):
                # The text, or Excel's _xHHHH_ escapes of it where the reader leaves them as
                # written (older calamine all of them, newer ones a non-character's).
                assert expected in (value, _unescaped(value))
            else:
                assert value == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("in_bulk", [True, False])
def test_text_that_looks_like_rich_text_stays_text(tmp_path, monkeypatch, in_bulk):
    # XlsxWriter writes a string "<r>...</r>" as raw XML in its constant-memory mode; the bulk
    # rows escape it like any other text, and so does the cell-by-cell path (render/books.py).
    if not in_bulk:
        _cell_by_cell(monkeypatch)
    base = fixed_input("kent_table").history
    lookalike = "<r><t>typed</t></r>"
    path, _ = _write(tmp_path, "rich", _history(base, [lookalike]))
    book = load_workbook(path, read_only=True)
    reasons = [row[-1] for row in book[HISTORY_SHEET].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert reasons[-1] == lookalike


def test_a_value_the_bulk_path_does_not_take_goes_cell_by_cell(tmp_path, monkeypatch):
    base = fixed_input("kent_table").history
    history = _history(base, ["x" * (LONGEST + 1), "short"])
    path, _ = _write(tmp_path, "long", history)
    _cell_by_cell(monkeypatch)
    reference, _ = _write(tmp_path, "long-cells", history)
    assert _parts(path) == _parts(reference)
    book = load_workbook(path, read_only=True)
    reasons = [row[-1] for row in book[HISTORY_SHEET].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert reasons[-2:] == ["x" * (LONGEST + 1), "short"]


def test_drilldown_cases_in_bulk_are_the_bytes_xlsxwriter_writes(example_dir, tmp_path, monkeypatch):
    # A refresh with Drill-down sheets (the example's exception cases: thousands of rows, dates
    # missing here and there), once with the cases after the first made in bulk and once with
    # XlsxWriter writing every cell: the same owned sheets and styles, byte for byte.
    from test_drilldown import CATALOGUE, configure

    import xl_scorecard.render.drilldown as drilldown
    from xl_scorecard.config import load_config

    config = load_config(configure(tmp_path, example_dir, CATALOGUE))
    original = drilldown._write_cases
    masters = _both_ways(
        config, tmp_path, lambda: monkeypatch.setattr(drilldown, "_write_cases", lambda *a, **k: original(*a, **k, in_bulk=False))
    )
    made, reference = (Package.read(masters[w]) for w in ("bulk", "cells"))
    sheets = sheet_parts(reference)
    cases = [name for name in sheets if name.startswith("Drill-down ") and name != "Drill-down due soon"]
    assert cases and all(sheet_parts(made)[name] == sheets[name] for name in cases)
    compared = [sheets[name] for name in sheets if name.startswith("Drill-down")] + ["xl/styles.xml"]
    for part in compared:
        assert made.parts[part] == reference.parts[part], part
    rows = [r for name in cases for r in CalamineWorkbook.from_path(str(masters["bulk"])).get_sheet_by_name(name).to_python()[4:]]
    assert len(rows) > 30  # many cases, so the bulk path did the work
    assert {r[HEADERS.index("Child ID")] for r in rows} <= set(config_ids(example_dir))


def _both_ways(config, tmp_path: Path, cell_by_cell) -> dict[str, Path]:
    # The same refresh (same moment) into two new masters: "bulk" as the tool writes, "cells"
    # after ``cell_by_cell()`` has switched a sheet's bulk path off.
    from xl_scorecard.pipeline import refresh

    masters = {}
    for way in ("bulk", "cells"):
        if way == "cells":
            cell_by_cell()
        masters[way] = tmp_path / way / "master.xlsx"
        masters[way].parent.mkdir()
        refresh(config, master=masters[way], now=dt.datetime(2026, 11, 3, 9, 30))
    return masters


def config_ids(example_dir: Path) -> set[str]:
    """Every child id in the example's Northgate assessments list (List 4)."""
    annex = CalamineWorkbook.from_path(str(example_dir / "Northgate" / "Northgate Annex A lists.xlsx"))
    rows = annex.get_sheet_by_name("List 4").to_python()
    return {str(r[0]).strip() for r in rows[3:] if r and r[0]}


def _written_both_ways(tmp_path: Path, data, write_sheet, date_1904: bool = False) -> dict[str, tuple[dict[str, bytes], dict, bool]]:
    """A workbook with the sheet ``write_sheet(book, fmt, in_bulk)`` writes (returning its splices,
    or makers of them) between two other sheets, written in bulk and cell by cell: by name
    ("bulk", "cells"), its parts, its small-number notes and whether rows were spliced in. The
    two are checked byte for byte alike here."""
    from xl_scorecard.render.books import InlineTextWorkbook
    from xl_scorecard.render.cells import Formats
    from xl_scorecard.render.rows import splice_rows

    found = {}
    for name, in_bulk in (("bulk", True), ("cells", False)):
        path = tmp_path / f"{name}.xlsx"
        book = InlineTextWorkbook(str(path), {"constant_memory": True, "tmpdir": str(tmp_path), "date_1904": date_1904})
        # A fixed creation time: the two books can be written either side of a second's edge.
        book.set_properties({"created": dt.datetime(2026, 11, 3, 9, 30)})
        fmt = Formats(book, data.layout.colours)
        book.add_worksheet("Before").write_string(0, 0, "an earlier sheet", fmt(italic=True))
        splices = write_sheet(book, fmt, in_bulk)
        book.add_worksheet("After").write_string(0, 0, "a later sheet", fmt(bold=True))
        book.close()
        made = [splice for splice in (make() if callable(make) else make for make in splices) if splice is not None]
        splice_rows(path, made)
        found[name] = (_parts(path), fmt.small, bool(made))
    (made, _, _), (reference, _, spliced) = found["bulk"], found["cells"]
    assert not spliced
    assert sorted(made) == sorted(reference)
    for part in reference:
        assert made[part] == reference[part], part
    return found


@pytest.mark.parametrize(("date_1904", "too_long"), [(False, False), (True, False), (False, True)])
def test_awkward_cases_in_bulk_are_the_bytes_xlsxwriter_writes(tmp_path, date_1904, too_long):
    # Cases with every kind of gap (no start, no end, no measure, no team), text to escape and
    # times of day, in both date systems: the cases written in bulk and cell by cell are alike.
    # A text longer than the bulk path takes sends the whole sheet cell by cell.
    from xl_scorecard.render import drilldown

    data = fixed_input("kent_table")
    count = 60
    cases = pd.DataFrame(
        {
            "indicator": "HIGH",
            "district": ["NG", "XX"] * (count // 2),
            "child_id": [AWKWARD[i % len(AWKWARD)] or None for i in range(count)],
            "team": [None if i % 7 == 3 else f"Team {i % 3}" for i in range(count)],
            "worker": [AWKWARD[(i + 3) % len(AWKWARD)] for i in range(count)],
            "start": [pd.NaT if i % 5 == 2 else pd.Timestamp("2026-01-01") + pd.Timedelta(days=i, hours=i % 3) for i in range(count)],
            "end": [pd.NaT if i % 4 == 1 else pd.Timestamp("1904-01-02") + pd.Timedelta(days=400 * i) for i in range(count)],
            "measured": [float("nan") if i % 6 == 5 else i / 3 for i in range(count)],
            "limit": 45.0,
            "beyond": [float("nan") if i % 6 == 5 else i / 3 - 45 for i in range(count)],
            "meaning": [AWKWARD[(i + 5) % len(AWKWARD)] for i in range(count)],
        }
    )
    if too_long:
        cases.loc[7, "meaning"] = "x" * (LONGEST + 1)

    found = _written_both_ways(
        tmp_path,
        data,
        lambda book, fmt, in_bulk: [
            drilldown._write_cases(book.add_worksheet("Drill-down HIGH"), "Assessments in time", cases, data, fmt, in_bulk)
        ],
        date_1904,
    )
    assert found["bulk"][2] == (not too_long)


# Numbers whose %.16G text is not their shortest form (0.1 + 0.2), that need 17 digits, a
# negative zero, subnormals, the largest floats and integers past 2**53, numpy's floats.
EDGE_NUMBERS = [
    0.1 + 0.2,
    1 / 3,
    -0.0,
    0.0,
    5e-324,
    1e-310,
    1.7976931348623157e308,
    float(2**53 + 1),
    123456789012345678.0,
    -2.5,
    1e20,
    7e-9,
    np.float64(2 / 3),
    12,
]


def _read_back(path: Path, sheet: str) -> list[list[object]]:
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    book.close()
    return rows


@pytest.mark.parametrize("in_bulk", [True, False])
def test_history_rows_as_read_are_what_calamine_reads_back(tmp_path, monkeypatch, in_bulk):
    # The rows the guard digests without parsing the sheet again (history_rows_as_read): for every
    # kind of number and plain text, exactly what calamine reads from the written sheet, value,
    # type and sign of zero alike; and the guard's digests from them are those of a fresh parse.
    from xl_scorecard.render.guard import cell_hashes, new_key

    if not in_bulk:
        _cell_by_cell(monkeypatch)
    base = fixed_input("kent_table").history
    history = _history(base, ["plain reason", "", "Southmere referrals unusable"] * 10)
    history["denominator"] = history["denominator"].astype(object)
    for i, number in enumerate(EDGE_NUMBERS * 2):
        history.at[i, "denominator"] = number  # a column of objects, as a merged history can be
    floats = [float(n) for n in EDGE_NUMBERS] + [float("nan")]
    history["value"] = np.array([floats[i % len(floats)] for i in range(len(history))])  # and of floats
    path, _ = _write(tmp_path, "edges", history)
    rows = history_rows_as_read(history)
    assert rows is not None
    read = _read_back(path, HISTORY_SHEET)
    assert len(rows) == len(read) == len(history) + 1
    for mine, theirs in zip(rows, read, strict=True):
        assert len(mine) == len(HISTORY_COLUMNS) and theirs[: len(mine)] == mine and not any(theirs[len(mine) :])
        for a, b in zip(mine, theirs, strict=False):
            assert type(a) is type(b)
            if isinstance(a, float):
                assert math.copysign(1, a) == math.copysign(1, b)
    for column in (4, 5):
        zeros = [row[column] for row in read[1:] if row[column] == 0]
        assert any(math.copysign(1, z) < 0 for z in zeros) and any(math.copysign(1, z) > 0 for z in zeros)
        assert any(isinstance(row[column], float) and row[column] != 0.1 + 0.2 and abs(row[column] - 0.3) < 1e-15 for row in read[1:])
    key = new_key()
    by_row = {HISTORY_SHEET}
    parsed = cell_hashes(path, [HISTORY_SHEET], key, by_row)
    assert cell_hashes(path, [HISTORY_SHEET], key, by_row, {HISTORY_SHEET: rows}) == parsed
    assert len(parsed) == len(history) + 1


PLAIN = ["Ünïcödé – 5 ≥ 4", "=1+1", 'a & b < c > d "quoted"', "<r><t>looks like rich text</t></r>"]


@pytest.mark.parametrize("awkward", [text for text in AWKWARD if text and text not in PLAIN] + ["x" * (LONGEST + 1)])
def test_text_that_may_not_read_back_as_written_is_left_to_the_reader(tmp_path, awkward):
    # Escapes, control characters, end spaces, non-characters or a text past the bulk limit:
    # some readers give back Excel's escapes, some undo them, so the guard parses the sheet.
    base = fixed_input("kent_table").history
    assert history_rows_as_read(_history(base, ["plain", awkward])) is None
    plain = _history(base, ["plain", *PLAIN])
    path, _ = _write(tmp_path, "plain", plain)
    assert history_rows_as_read(plain) == _read_back(path, HISTORY_SHEET)


@pytest.mark.parametrize("names", ["as generated", "awkward", "one too long"])
def test_trend_rows_in_bulk_are_the_bytes_xlsxwriter_writes(authority, tmp_path, monkeypatch, names):
    # A refresh of the example (30 indicators, four districts, months without figures), once
    # with each indicator's district rows on the History sheet made in bulk and put in after its
    # authority row, once with XlsxWriter writing every cell: every part the same, byte for byte
    # (styles numbered alike, row heights of the long titles, the sheet's extent).
    import xl_scorecard.render.workbook as workbook
    from xl_scorecard.config import load_config
    from xl_scorecard.render.cells import FINGERPRINT_SHEET, TREND_SHEET
    from xl_scorecard.render.trend import write_trend_sheet

    config_path = authority / "authority.toml"
    if names == "awkward":  # text to escape, end spaces, an escape look-alike, a control character
        text = config_path.read_text(encoding="utf-8")
        text = text.replace('name = "Eastbrook"', 'name = " East & <brook> "')
        text = text.replace('name = "Southmere"', 'name = "South_x0041_mere\\u0007"')
        config_path.write_text(text, encoding="utf-8")
    if names == "one too long":  # past the bulk limit: that district's rows alone written by XlsxWriter, between bulk rows
        text = config_path.read_text(encoding="utf-8")
        config_path.write_text(text.replace('name = "Westfield"', f'name = "{"W" * (LONGEST + 1)}"'), encoding="utf-8")
    config = load_config(config_path)

    def cell_by_cell(*args, **kwargs):
        return write_trend_sheet(*args, **kwargs, in_bulk=False)

    masters = _both_ways(config, tmp_path, lambda: monkeypatch.setattr(workbook, "write_trend_sheet", cell_by_cell))
    made, reference = (Package.read(masters[w]) for w in ("bulk", "cells"))
    assert sorted(made.parts) == sorted(reference.parts)
    keyed = sheet_parts(reference)[FINGERPRINT_SHEET]  # its digests are keyed afresh each write
    for part in reference.parts:
        if part != keyed:
            assert made.parts[part] == reference.parts[part], part
    trend = CalamineWorkbook.from_path(str(masters["bulk"])).get_sheet_by_name(TREND_SHEET).to_python()
    assert len(trend) == 1 + 30 * 5  # header, then each indicator's authority and district rows
    if names == "awkward":
        assert " East & <brook> " in {row[1] for row in trend}


def test_rows_spliced_before_a_row_go_there_and_never_shrink_the_sheet(tmp_path):
    # Rows 1 and 4 written by XlsxWriter; rows 2-3 put in before row 4, then row 5 at the end,
    # then (last) a splice reaching only row 3: the sheet reads back in order, its extent A1:C5.
    import xlsxwriter

    from xl_scorecard.render.rows import Splice, splice_rows

    path = tmp_path / "spliced.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("S")
    sheet.write_string(0, 0, "one")
    sheet.write_string(3, 0, "four")
    book.close()
    rows = {
        n: f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{word}</t></is></c></row>' for n, word in ((2, "two"), (3, "three"), (5, "five"))
    }
    splice_rows(
        path,
        [
            Splice("S", rows[2], last_row=2, last_column=0, before_row=4),
            Splice("S", rows[5], last_row=5, last_column=2),
            Splice("S", rows[3], last_row=3, last_column=0, before_row=4),
        ],
    )
    read = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S").to_python()
    assert [r[0] for r in read] == ["one", "two", "three", "four", "five"]
    xml = Package.read(path).parts[sheet_parts(Package.read(path))["S"]]
    assert b'<dimension ref="A1:C5"/>' in xml


@pytest.mark.parametrize(("date_1904", "too_long"), [(False, False), (True, False), (False, True)])
def test_restatements_in_bulk_are_the_bytes_xlsxwriter_writes(tmp_path, date_1904, too_long):
    # The Restatements record grows by hundreds of rows with each new extract. Records of every
    # unit (one seen only in the last record), missing and edge figures, figures resting on few
    # people, text to escape and inputs long enough to need taller rows (one capped at the
    # tallest row): written in bulk and cell by cell, the workbooks are byte for byte alike, and
    # so are the small-number notes for copies. A text longer than the bulk path takes sends the
    # whole record cell by cell.
    from xl_scorecard.history import RESTATEMENT_COLUMNS, RESTATEMENTS_SHEET
    from xl_scorecard.render.records import write_restatements

    data = fixed_input("kent_table")
    history = data.history.copy()
    few = (history["indicator"] == "HIGH") & (history["area"] == "NG") & (history["period"] == "2026-09")
    history.loc[few, ["numerator", "denominator"]] = [3.0, 4.0]  # rests on 4 people: withheld in copies
    units = ["%", "count", "per 10,000", "FTE", "ratio", "not a unit"]
    count = 41
    records = []
    for i in range(count):
        inputs = AWKWARD[i % len(AWKWARD)] + " " + "Northgate/list4_assessments.csv (modified 03/11/2026 09:30); " * (i % 9)
        records.append(
            [
                "03/11/2026 09:30",
                ["Sep 2026", "Oct 2026", "Aug 2026"][i % 3],
                ["Assessments in time", "Re-referrals", AWKWARD[i % len(AWKWARD)]][i % 3],
                ["Northgate", "Goldshire", "Elsewhere"][i % 3],
                units[i % len(units)],
                [0.5, None, float("nan"), EDGE_NUMBERS[i % len(EDGE_NUMBERS)]][i % 4],
                EDGE_NUMBERS[(i + 3) % len(EDGE_NUMBERS)] if i % 5 else None,
                inputs,
            ]
        )
    records[20][7] = "inputs " * 2_000  # taller than the tallest row Excel allows: capped
    records.append(["03/11/2026 09:31", "Sep 2026", "Assessments in time", "Northgate", "days", 12.0, 13.0, "only here"])
    if too_long:
        records[7][7] = "x" * (LONGEST + 1)
    data = dataclasses.replace(data, history=history, restatements=pd.DataFrame(records, columns=RESTATEMENT_COLUMNS))

    found = _written_both_ways(
        tmp_path, data, lambda book, fmt, in_bulk: write_restatements(book.add_worksheet(RESTATEMENTS_SHEET), data, fmt, in_bulk), date_1904
    )
    assert found["bulk"][2] == (not too_long)
    small = found["bulk"][1]
    assert small == found["cells"][1]
    # Noted: the figures of Northgate's "Assessments in time" for Sep 2026 (every third record, and
    # the last), resting on 3 of 4 children: the smaller count, 3.
    noted = {f"F{5 + i}" for i in range(0, count, 3) if i % 4 in (0, 3)} | {f"G{5 + i}" for i in range(0, count, 3) if i % 5}
    assert small[RESTATEMENTS_SHEET] == dict.fromkeys(sorted(noted | {"F46", "G46"}, key=lambda c: (int(c[1:]), c)), 3.0)
    # Read back by an independent reader: every record, its figures and its tallest row.
    sheet = load_workbook(tmp_path / "bulk.xlsx")[RESTATEMENTS_SHEET]
    assert [c.value for c in sheet[4]] == RESTATEMENT_COLUMNS
    assert sheet.max_row == 4 + len(records)
    assert sheet.cell(4 + 21, 8).value.startswith("inputs inputs") and sheet.row_dimensions[4 + 21].height == pytest.approx(409, abs=0.5)
    assert sheet.cell(4 + len(records), 5).value == "days" and sheet.cell(4 + len(records), 7).value == 13.0


@pytest.mark.parametrize(("date_1904", "too_long", "first_overdue"), [(False, False, False), (True, False, True), (False, True, False)])
def test_due_soon_cases_in_bulk_are_the_bytes_xlsxwriter_writes(tmp_path, date_1904, too_long, first_overdue):
    # Over a thousand cases at Kent size. Cases with and without start or due dates, overdue and
    # not (the first of them either), text to escape, timescales and teams long enough to wrap
    # over more lines, in both date systems: written in bulk and cell by cell, the workbooks are
    # byte for byte alike. A text longer than the bulk path takes sends every case cell by cell.
    from xl_scorecard.indicators.clocks import DUE_COLUMNS
    from xl_scorecard.render import drilldown

    count = 57
    due = pd.DataFrame(
        {
            "clock": [
                ["Assessment within 45 working days", "ICPC within 15 working days of the strategy discussion " * (i % 4)][i % 2]
                for i in range(count)
            ],
            "district": ["NG", "XX", "NG"] * (count // 3),
            "team": [None if i % 7 == 3 else AWKWARD[i % len(AWKWARD)] + " team" * (i % 6) for i in range(count)],
            "worker": [AWKWARD[(i + 3) % len(AWKWARD)] for i in range(count)],
            "child_id": [AWKWARD[(i + 1) % len(AWKWARD)] or None for i in range(count)],
            "started": [pd.NaT if i % 5 == 2 else pd.Timestamp("2026-09-01") + pd.Timedelta(days=i, hours=i % 3) for i in range(count)],
            "due": [pd.NaT if i % 6 == 1 else pd.Timestamp("1904-01-02") + pd.Timedelta(days=300 * i) for i in range(count)],
            "days_left": [float((i % 9) - 4 if (i or first_overdue) else 3) for i in range(count)],
            "indicator": [["HIGH", "LOW", "GONE"][i % 3] for i in range(count)],
        },
        columns=DUE_COLUMNS,
    )
    if first_overdue:
        due.loc[0, "days_left"] = -2.0
        due.loc[0, ["started", "due"]] = pd.NaT  # the overdue style met before the date style
    if too_long:
        due.loc[9, "worker"] = "x" * (LONGEST + 1)
    data = dataclasses.replace(fixed_input("kent_table"), due_soon=due, due_notes=["One clock could not run."])
    titles = {ind.id: ind.title for ind in data.catalogue}

    found = _written_both_ways(
        tmp_path,
        data,
        lambda book, fmt, in_bulk: [drilldown._write_due_soon(book.add_worksheet(drilldown.DUE_SHEET), data, titles, fmt, in_bulk)],
        date_1904,
    )
    assert found["bulk"][2] == (not too_long)
    # Read back by an independent reader: every case, its district named, its days left.
    sheet = load_workbook(tmp_path / "bulk.xlsx")[drilldown.DUE_SHEET]
    assert [c.value for c in sheet[4]] == drilldown.DUE_HEADERS
    assert sheet.max_row == 4 + count
    assert [sheet.cell(5 + i, 1).value for i in range(3)] == ["Northgate", "XX", "Northgate"]
    assert [sheet.cell(5 + i, 8).value for i in range(count)] == due["days_left"].tolist()


@pytest.mark.parametrize(("too_long", "first_without_row"), [(False, False), (False, True), (True, False)])
def test_data_quality_problems_in_bulk_are_the_bytes_xlsxwriter_writes(tmp_path, too_long, first_without_row):
    # A messy authority's lists give thousands of problems. Problems with and without a row,
    # personal values withheld, rows left out or only out of some figures, text to escape and
    # long messages needing taller rows: written in bulk and cell by cell, the workbooks are byte
    # for byte alike. A text longer than the bulk path takes sends every problem cell by cell.
    from xl_scorecard.render.cells import QUALITY_SHEET
    from xl_scorecard.render.records import write_quality
    from xl_scorecard.sources import FileReport, Problem

    count = 47
    codes = ["bad-date", "missing-value", "file-missing", "date-order", "bad-code"]
    problems = [
        Problem(
            codes[i % len(codes)],
            "error" if i % 3 else "warning",
            ["NG", "SM", ""][i % 3],
            "assessments",
            f"Northgate/{AWKWARD[i % len(AWKWARD)]}.xlsx",
            ["List 4", "", AWKWARD[(i + 2) % len(AWKWARD)]][i % 3],
            row=None if (i % 4 == 2 or (i == 0 and first_without_row)) else 5 + i,
            column=AWKWARD[(i + 4) % len(AWKWARD)],
            value=AWKWARD[(i + 5) % len(AWKWARD)] + " value" * (i % 7),
            other="Continuous Assessment Start Date " * (i % 3),
            personal=i % 5 == 1,
            excluded=i % 6 == 0,
            field="" if i % 6 == 0 else "start",
            figures="Assessments in time" if i % 2 else "",
        )
        for i in range(count)
    ]
    if too_long:
        problems[12] = dataclasses.replace(problems[12], value="x" * (LONGEST + 1))  # not personal: shown
    files = [FileReport("NG", "assessments", f"Northgate/file {i}.xlsx", "List 4", 10 * i, 9 * i, i, i != 3) for i in range(6)]
    data = dataclasses.replace(fixed_input("kent_table"), problems=problems, files=files)

    found = _written_both_ways(
        tmp_path, data, lambda book, fmt, in_bulk: write_quality(book.add_worksheet(QUALITY_SHEET), data, fmt, in_bulk)
    )
    assert found["bulk"][2] == (not too_long)
    # Read back by an independent reader: every problem under its header, in order, the
    # personal values withheld.
    sheet = load_workbook(tmp_path / "bulk.xlsx")[QUALITY_SHEET]
    header = 4 + len(files) + 2
    assert sheet.cell(header, 9).value == "Problem"
    assert sheet.max_row == header + count
    assert [sheet.cell(header + 1 + i, 5).value for i in range(count)] == [p.row for p in problems]
    assert [sheet.cell(header + 1 + i, 8).value for i in (1, 6)] == ["(personal data: not shown)"] * 2
