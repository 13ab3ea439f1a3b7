"""Plain data rows written in bulk: the History data sheet (every stored month of every figure,
~66,000 rows at ten years of the Kent catalogue) as SpreadsheetML text made column by column,
spliced into the sheet XlsxWriter wrote with its header, instead of ~600,000 calls through
XlsxWriter's per-cell path (a second of a refresh at ten years); and the same for the
Drill-down sheets' cases (``render.drilldown``), thousands at Kent size.

The text is what XlsxWriter writes for the same cells in its constant-memory mode, byte for
byte (the tests compare the two): inline strings with its escapes (control characters as
``_xHHHH_``, ``&<>`` as entities, ``xml:space="preserve"`` for leading or trailing space), numbers
as ``%.16G``, nothing for a missing value. A string that looks like rich-text XML
(``<r>...</r>``) is escaped like any other, as the tool's worksheets write it (``render.books``;
XlsxWriter's own would write it raw).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.history import HISTORY_COLUMNS
from xl_scorecard.render.cells import Formats, ScorecardInput
from xl_scorecard.render.package import Package
from xl_scorecard.render.transplant import sheet_parts

# XlsxWriter's limit is 32,767 UTF-16 units, past which it cuts the text: a longer string is left
# to its own path (no string in a history row comes near; the check is cheap).
LONGEST = 16_000
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_ENDS_IN_SPACE = (re.compile(r"^\s"), re.compile(r"\s$"))


def inline_string(text: str) -> str:
    """The end of an inline-string cell after its ``r`` attribute: `` t="inlineStr"><is>...</c>``."""
    text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if any(p.search(text) for p in _ENDS_IN_SPACE) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def data_rows(frame: pd.DataFrame, columns: Sequence[str], first_row: int) -> str | None:
    """The ``<row>`` elements of ``frame[columns]`` from spreadsheet row ``first_row``: a text
    value as an inline string (an empty one too, as XlsxWriter does), a number as a number,
    nothing for a missing value. None when a value is of another kind or too long a string: the
    caller then writes the rows cell by cell."""
    count = len(frame)
    numbers = range(first_row, first_row + count)
    cells: list[list[str]] = []
    for position, name in enumerate(columns):
        letter = xl_col_to_name(position)
        values = frame[name].to_numpy(dtype=object)
        bodies: list[str] = []
        memo: dict[str, str] = {}  # indicators, areas, months and statuses repeat
        figures: dict[float, str] = {}
        for value in values:
            kind = type(value)
            if kind is str:
                body = memo.get(value)
                if body is None:
                    if len(value) > LONGEST:
                        return None
                    body = memo[value] = inline_string(value)
                bodies.append(body)
            elif value is None or (kind is float and math.isnan(value)) or value is pd.NA or value is pd.NaT:
                bodies.append("")
            elif kind is float or kind is int:
                # Counts and figures repeat too; a zero is written each time (0 == -0.0, written "-0").
                body = figures.get(value) if value else None
                if body is None:
                    if math.isinf(value):
                        return None  # XlsxWriter refuses it; its own path says so
                    body = f"><v>{float(value):.16G}</v></c>"
                    if value:
                        figures[value] = body
                bodies.append(body)
            else:
                return None  # numpy scalars, booleans, dates: the cell-by-cell path knows them
        cells.append([f'<c r="{letter}{row}"{body}' if body else "" for row, body in zip(numbers, bodies, strict=True)])
    opening = [f'<row r="{row}">' for row in numbers]
    return "".join("".join(parts) + "</row>" for parts in zip(opening, *cells, strict=True))


def number_styles(formats: Sequence[Format]) -> None:
    """Number ``formats`` in this order, as XlsxWriter numbers a style when it writes out the
    first cell using it (the same style keeps its number): rows made here then use the numbers
    the cell-by-cell path would have given."""
    for cell_format in formats:
        cell_format._get_xf_index()


def number_held_row(ws: Worksheet) -> None:
    """Number the styles of the row XlsxWriter holds in constant-memory mode (the last it was
    given, written out when the next row starts), column by column: so, before rows made here."""
    held = ws.table.get(ws.previous_row, {})
    number_styles([cell.format for _, cell in sorted(held.items()) if getattr(cell, "format", None) is not None])


def style_attribute(cell_format: Format) -> str:
    """A cell's `` s="N"`` for a numbered style; nothing for style 0, the default."""
    index = cell_format.xf_index
    return f' s="{index}"' if index else ""


def text_cell(reference: str, text: str, cell_format: Format) -> str:
    """A text cell with its style, as XlsxWriter writes it in constant-memory mode."""
    return f'<c r="{reference}"{style_attribute(cell_format)}{inline_string(text)}'


def row_openings(heights: set[float]) -> dict[float, str]:
    """What XlsxWriter writes in a ``<row>`` after its number for a row given each of ``heights``
    (points, ``set_row``) in constant-memory mode: `` ht="26.25" customHeight="1"``. Asked of
    XlsxWriter itself, in one small workbook in memory: how it writes a height differs between
    its versions (3.2 writes the points given; 3.3 rounds them to whole pixels)."""
    if not heights:
        return {}
    ordered = sorted(heights)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for row, height in enumerate(ordered):
        sheet.set_row(row, height)
        sheet.write_number(row, 0, 0)
    book.close()
    with zipfile.ZipFile(buffer) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    found = {int(number): attributes for number, attributes in re.findall(r'<row r="(\d+)"([^>]*)>', xml)}
    # Written in memory, so with the spans constant-memory mode leaves out.
    return {height: re.sub(r' spans="[^"]*"', "", found[row + 1]) for row, height in enumerate(ordered)}


# A cell made in bulk: its column letter, its value (text, a number, or None for a blank that
# keeps its style) and its style.
BulkCell = tuple[str, "str | float | None", Format]


def styled_rows(ws: Worksheet, rows: Sequence[tuple[int, int | None, Sequence[BulkCell]]]) -> str | None:
    """The ``<row>`` elements of ``rows`` (each its 1-based number, its height in points or None,
    and its cells) as XlsxWriter writes them in constant-memory mode, for rows of ``ws`` it will
    not write itself: text as inline strings (each distinct text escaped once), numbers as
    ``%.16G``, styled blanks, heights as ``row_openings`` finds XlsxWriter writes them.

    The styles are numbered first, as the cell-by-cell path numbers them: the row XlsxWriter
    holds, then each cell's in the order given. None, with nothing numbered, when a value is not
    one the bulk path writes the same (text past ``LONGEST``; a number that is infinite, NaN or
    not a plain int or float): the caller then writes every row cell by cell."""
    for _, _, cells in rows:
        for _, value, _ in cells:
            if isinstance(value, str):
                if len(value) > LONGEST:
                    return None
            elif value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
                return None
    number_held_row(ws)
    # Each style numbered where it is first used (numbering it again changes nothing): a few
    # styles over tens of thousands of cells, so each is asked once, in first-use order.
    number_styles(list(dict.fromkeys(style for _, _, cells in rows for _, _, style in cells)))
    attributes = {style: style_attribute(style) for _, _, cells in rows for _, _, style in cells}
    openings = row_openings({height for _, height, _ in rows if height is not None})
    bodies: dict[str, str] = {}  # districts, files, columns and advice repeat from row to row
    made = []
    for number, height, cells in rows:
        made.append(f'<row r="{number}"{openings[height] if height is not None else ""}>')
        for letter, value, style in cells:
            if value is None:
                made.append(f'<c r="{letter}{number}"{attributes[style]}/>')
            elif isinstance(value, str):
                body = bodies.get(value)
                if body is None:
                    body = bodies[value] = inline_string(value)
                made.append(f'<c r="{letter}{number}"{attributes[style]}{body}')
            else:
                made.append(number_cell(f"{letter}{number}", float(value), style.xf_index or None))
        made.append("</row>")
    return "".join(made)


@dataclass(frozen=True)
class Splice:
    """Rows to put in ``sheet``, after those XlsxWriter wrote (or, with ``before_row``, just
    before its row of that 1-based number); ``last_row`` (1-based) and ``last_column``
    (0-based) the extent they reach."""

    sheet: str
    rows: str
    last_row: int
    last_column: int
    before_row: int | None = None


_DIMENSION = re.compile(rb'<dimension ref="A1(?::([A-Z]+)(\d+))?"/>')


def splice_rows(path: Path, splices: Sequence[Splice]) -> None:
    """Put each splice's rows in its sheet of the workbook at ``path`` (at the end of the rows
    XlsxWriter wrote, or before the row ``before_row``), with the sheet's dimension grown to
    hold them; every other part is copied as it was. One rewrite of the package for all of them."""
    if not splices:
        return
    package = Package.read(path)
    parts = sheet_parts(package)
    for splice in splices:
        sheet_part = parts[splice.sheet]
        xml = package.parts[sheet_part]
        if splice.before_row is None:
            at = xml.rindex(b"</sheetData>")
        else:
            found = re.search(rb'<row r="%d"[ >]' % splice.before_row, xml)
            if found is None:
                raise ValueError(f"{sheet_part}: no row {splice.before_row} to put rows before")
            at = found.start()
        xml = xml[:at] + splice.rows.encode("utf-8") + xml[at:]
        dimension = _DIMENSION.search(xml)
        if dimension is None:
            raise ValueError(f"{sheet_part}: no dimension to grow")
        row, column = splice.last_row, splice.last_column
        if dimension.group(1):  # never shrink what XlsxWriter (or another splice) made it
            corner_row, corner_column = xl_cell_to_rowcol((dimension.group(1) + dimension.group(2)).decode())
            row, column = max(row, corner_row + 1), max(column, corner_column)
        grown = f'<dimension ref="A1:{xl_col_to_name(column)}{row}"/>'.encode()
        package.parts[sheet_part] = xml[: dimension.start()] + grown + xml[dimension.end() :]
    package.write(path)


def number_cell(reference: str, value: float, style: int | None = None) -> str:
    """A number cell as XlsxWriter writes it (``%.16G``), with its style index if any."""
    styled = f' s="{style}"' if style is not None else ""
    return f'<c r="{reference}"{styled}><v>{value:.16G}</v></c>'


def history_rows_as_read(history: pd.DataFrame) -> list[list[Any]] | None:
    """The History data sheet ``write_history_data`` writes for ``history``, as calamine reads
    it back (``to_python(skip_empty_area=False)``): the header, then each row with its text as
    text, a number as the float of the ``%.16G`` written, and "" for a missing value. None when
    a value might not read back exactly so (text with a control character, an ``_x`` that a
    reader may take for an escape, an end space, a non-character or more than ``LONGEST``
    characters; a value neither text nor a finite number): the guard then reads the sheet.
    The guard digests these rows instead of parsing the 16 MB it has just written (100
    districts), a third of a second a refresh."""
    frame = history[HISTORY_COLUMNS]
    columns = []
    for name in HISTORY_COLUMNS:
        column = _column_as_read(frame[name])
        if column is None:
            return None
        columns.append(column)
    return [list(HISTORY_COLUMNS), *(list(row) for row in zip(*columns, strict=True))]


def _column_as_read(series: pd.Series) -> list[Any] | None:
    # Most columns are plain text or floats that read back as they are: those are checked by
    # their distinct values, and only the others go value by value (a tenth of the time).
    values = series.to_numpy()
    if values.dtype == np.float64:
        known = values[~np.isnan(values)]
        if np.isfinite(known).all():
            distinct = np.unique(known)  # a zero keeps its sign through the text: "-0" reads -0.0
            if all(float(f"{v:.16G}") == v for v in distinct.tolist()):
                kept = values.astype(object)
                kept[np.isnan(values)] = ""
                return kept.tolist()
    elif values.dtype == object:
        listed = values.tolist()
        try:
            words = set(listed)
        except TypeError:  # a value that is not even hashable: surely not one to vouch for
            return None
        if all(type(v) is str for v in words):
            return listed if all(_as_read(v) is not None for v in words) else None
    read: list[Any] = []
    memo: dict[Any, Any] = {}  # months, areas, statuses and many figures repeat
    for value in series.to_numpy(dtype=object).tolist():
        kind = type(value)
        # Text and plain floats looked up by value, but never a zero (0.0 == -0.0, which
        # reads back as -0.0) or a NaN (never equal to itself).
        remembered = kind is str or (kind is float and value == value and value != 0)
        found = memo.get((kind, value)) if remembered else None
        if found is None:
            found = _as_read(value)
            if found is None:
                return None
            if remembered:
                memo[(kind, value)] = found
        read.append(found)
    return read


def _as_read(value: object) -> Any:
    # One value of a History data row as the reader gives it back; None: not surely as written.
    if isinstance(value, str):
        plain = (
            len(value) <= LONGEST
            and value == value.strip()
            and not _CONTROL.search(value)
            and "\t" not in value
            and "\n" not in value
            and "_x" not in value.lower()
            and "\ufffe" not in value
            and "\uffff" not in value
        )
        return value if plain else None
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # numpy's floats and ints are too
        if math.isnan(value):
            return ""
        return float(f"{float(value):.16G}") if math.isfinite(value) else None
    return None


def write_history_data(ws: Worksheet, data: ScorecardInput, fmt: Formats, in_bulk: bool = True) -> str | None:
    """Every period's results, read back by the next refresh (see ``history``). With
    ``in_bulk``, XlsxWriter writes the header and the first row, and the other rows are
    returned as text to splice in after it closes (``rows.data_rows``: the same bytes, a fifth
    of the time); None when every row was written here cell by cell."""
    for col, name in enumerate(HISTORY_COLUMNS):
        ws.write_string(0, col, name, fmt(bold=True))
    ws.set_column(0, 2, 16)
    units = {ind.id: ind.unit for ind in data.catalogue}
    figures = {HISTORY_COLUMNS.index(c) for c in ("numerator", "denominator", "value")}
    frame = data.history[HISTORY_COLUMNS]

    def write(row: int, record: tuple[Any, ...]) -> None:
        basis = data.basis(record[0], record[1], record[2])
        for col, value in enumerate(record):
            if isinstance(value, str):
                ws.write_string(row, col, value)
            elif value is not None and not pd.isna(value):
                ws.write_number(row, col, float(value))
                if col in figures and units.get(record[0]):
                    fmt.record(ws, row, col, basis)

    # The first row through XlsxWriter even in bulk: writing it makes XlsxWriter write the
    # header then, which numbers the header's style where the cell-by-cell path does.
    rows = data_rows(frame.iloc[1:], HISTORY_COLUMNS, first_row=3) if in_bulk and len(frame) > 1 else None
    if rows is None:
        for row, record in enumerate(frame.itertuples(index=False), start=1):
            write(row, record)
        return None
    write(1, next(frame.head(1).itertuples(index=False)))
    # The figures that rest on few people are noted for copies, as the cell-by-cell path does.
    given = [~pd.isna(frame[HISTORY_COLUMNS[c]].to_numpy(dtype=object)) for c in sorted(figures)]
    keys = zip(frame["indicator"].tolist(), frame["area"].tolist(), frame["period"].tolist(), strict=True)
    for offset, (indicator, area, period) in enumerate(keys):
        basis = data.basis(indicator, area, period)
        if offset and basis is not None and units.get(indicator):
            for col, filled in zip(sorted(figures), given, strict=True):
                if filled[offset]:
                    fmt.record(ws, offset + 1, col, basis)
    return rows
