"""Plain data rows written in bulk: the History data sheet (every stored month of every figure,
~66,000 rows at ten years of the Kent catalogue) as SpreadsheetML text made column by column,
spliced into the sheet XlsxWriter wrote with its header, instead of ~600,000 calls through
XlsxWriter's per-cell path (a second of a refresh at ten years).

The text is what XlsxWriter writes for the same cells in its constant-memory mode, byte for
byte (the tests compare the two): inline strings with its escapes (control characters as
``_xHHHH_``, ``&<>`` as entities, ``xml:space="preserve"`` for leading or trailing space), numbers
as ``%.16G``, nothing for a missing value. One difference on purpose: a string that looks like
rich-text XML (``<r>...</r>``) is escaped like any other, where XlsxWriter would write it raw.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

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
                if math.isinf(value):
                    return None  # XlsxWriter refuses it; its own path says so
                bodies.append(f"><v>{float(value):.16G}</v></c>")
            else:
                return None  # numpy scalars, booleans, dates: the cell-by-cell path knows them
        cells.append([f'<c r="{letter}{row}"{body}' if body else "" for row, body in zip(numbers, bodies, strict=True)])
    opening = [f'<row r="{row}">' for row in numbers]
    return "".join("".join(parts) + "</row>" for parts in zip(opening, *cells, strict=True))


def splice_rows(path: Path, sheet: str, rows: str, last_row: int, last_column: int) -> None:
    """Put ``rows`` after the rows XlsxWriter wrote in ``sheet`` of the workbook at ``path`` (its
    header), with the sheet's dimension grown to match; every other part is copied as it was."""
    package = Package.read(path)
    sheet_part = sheet_parts(package)[sheet]
    xml = package.parts[sheet_part]
    end = xml.rindex(b"</sheetData>")
    dimension = re.search(rb'<dimension ref="A1(?::[A-Z]+\d+)?"/>', xml)
    if dimension is None:
        raise ValueError(f"{sheet_part}: no dimension to grow")
    grown = f'<dimension ref="A1:{xl_col_to_name(last_column)}{last_row}"/>'.encode()
    xml = xml[: dimension.start()] + grown + xml[dimension.end() : end] + rows.encode("utf-8") + xml[end:]
    package.parts[sheet_part] = xml
    package.write(path)
