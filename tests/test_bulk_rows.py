"""The History data rows written in bulk (xl_scorecard.render.rows, issue 21): the same bytes as
XlsxWriter's own cell-by-cell path, which is the reference here, for every kind of value a
history row holds and the text that needs escaping; read back with openpyxl as given.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from test_golden_xml import fixed_input

import xl_scorecard.render.rows as bulk_rows
from xl_scorecard.history import HISTORY_COLUMNS, HISTORY_SHEET
from xl_scorecard.render.rows import LONGEST
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
