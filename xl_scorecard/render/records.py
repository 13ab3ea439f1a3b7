"""The tool's record sheets: Data quality (every file read and every problem found) and
Restatements (every stored figure a later refresh computed differently). Both grow with the
inputs (thousands of problems in a messy authority's lists; hundreds of restatements with each
new extract), so their long tables are written in bulk (``rows``): XlsxWriter writes the header
and the last row, and the rows before it are spliced in as the same text it would write.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.history import RESTATEMENT_COLUMNS, RESTATEMENTS_SHEET
from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.periods import Month
from xl_scorecard.render.cells import (
    LINE_HEIGHT,
    NOT_RATED_TEXT,
    NUMBER_FORMATS,
    QUALITY_SHEET,
    RED,
    RED_TEXT,
    Formats,
    ScorecardInput,
    fit_row,
    print_setup,
    row_height,
    value_cell,
)
from xl_scorecard.render.rows import BulkCell, Splice, styled_rows
from xl_scorecard.sources import Problem


def write_restatements(ws: Worksheet, data: ScorecardInput, fmt: Formats, in_bulk: bool = True) -> list[Splice]:
    """Every figure ever restated: a stored complete figure that a later run computed
    differently (history.restated), oldest first. Kept from refresh to refresh.

    The record grows by hundreds of rows with each new extract. With ``in_bulk``, XlsxWriter
    writes the header and the last record, and the records before it are returned as text to
    splice in before it (``rows``: the same bytes as cell by cell, a fraction of the time); none
    when every record was written here."""
    ws.write_string(0, 0, "Restatements: stored figures that a later refresh computed differently", fmt(bold=True, font_size=13))
    ws.write_string(
        1, 0, "The new figure is the one shown; the inputs behind it are listed with the time each was last changed.", fmt(italic=True)
    )
    if data.restatements.empty:  # above the table: the next refresh reads the rows below its header
        ws.write_string(2, 0, "No figure has been restated.", fmt(italic=True, font_color=NOT_RATED_TEXT))
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, text_wrap=True)
    widths = [16, 10, 34, 14, 9, 11, 11, 40]
    for col, (name, width) in enumerate(zip(RESTATEMENT_COLUMNS, widths)):
        ws.set_column(col, col, width)
        ws.write_string(3, col, name, head)
    wrap = fmt(text_wrap=True, valign="top", border=1)
    # A record names its indicator, area and month as people read them: back to the keys the
    # stored figures have, for how many people each rests on.
    ids = {ind.title: ind.id for ind in data.catalogue}
    areas = {data.authority: AUTHORITY, **{name: code for code, name in data.districts}}
    months = {Month.parse(str(p)).label: str(p) for p in data.history["period"].unique()} if not data.history.empty else {}
    records = list(data.restatements[RESTATEMENT_COLUMNS].itertuples(index=False))

    def value_format(record: tuple[Any, ...]) -> Any:
        unit = str(record[4])
        return fmt(num_format=NUMBER_FORMATS[unit if unit in NUMBER_FORMATS else "ratio"], border=1, valign="top")

    def basis(record: tuple[Any, ...]) -> float | None:
        return data.basis(ids.get(str(record[2]), ""), areas.get(str(record[3]), ""), months.get(str(record[1]), ""))

    def write(row: int, record: tuple[Any, ...]) -> None:
        # LibreOffice does not grow rows for wrapped text by itself: size them for the inputs.
        fit_row(ws, row, [(record[7], widths[7]), (record[2], widths[2])])
        unit = str(record[4])
        for col, value in enumerate(record):
            if col in (5, 6):
                value_cell(ws, row, col, value, unit if unit in NUMBER_FORMATS else "ratio", fmt, basis(record), border=1, valign="top")
            else:
                ws.write_string(row, col, _restatement_text(value), wrap)

    splices: list[Splice] = []
    made = None
    notes = []  # figures resting on few people, noted once the rows are made
    if in_bulk and len(records) > 1:
        rows = []
        for row, record in enumerate(records[:-1], start=4):
            text, number = wrap, value_format(record)
            cells: list[BulkCell] = []
            for col, value in enumerate(record):
                letter = xl_col_to_name(col)
                if col not in (5, 6):
                    cells.append((letter, _restatement_text(value), text))
                elif value is None or pd.isna(value):
                    cells.append((letter, None, number))
                else:
                    cells.append((letter, value, number))
                    notes.append((row, col, basis(record)))
            rows.append((row + 1, row_height([(record[7], widths[7]), (record[2], widths[2])]), cells))
        made = styled_rows(ws, rows)
    if made is not None:
        for row, col, rests_on in notes:
            fmt.record(ws, row, col, rests_on)
        last = 3 + len(records)
        write(last, records[-1])
        splices.append(Splice(RESTATEMENTS_SHEET, made, last_row=last, last_column=len(widths) - 1, before_row=last + 1))
    else:
        for row, record in enumerate(records, start=4):
            write(row, record)
    ws.freeze_panes(4, 0)
    print_setup(ws, data, 3, widths)
    return splices


def _restatement_text(value: object) -> str:
    # A record's text as written: blank for a missing value, else as str() gives it.
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def write_quality(ws: Worksheet, data: ScorecardInput, fmt: Formats, in_bulk: bool = True) -> list[Splice]:
    """Every file read (rows read, loaded, excluded) and every problem found. A messy authority's
    problems run to thousands of rows: with ``in_bulk``, XlsxWriter writes the problems' header
    and the last problem, and the problems before it are returned as text to splice in before it
    (``rows``: the same bytes as cell by cell); none when every problem was written here."""
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1)
    ws.write_string(0, 0, "Data quality", fmt(bold=True, font_size=13, font_color=fmt.colours.header))
    ws.write_string(
        1,
        0,
        "A row without its identifier (a child or worker), or with dates in the wrong order, is left out of every count; "
        "a bad or missing value elsewhere leaves the row out only of the figures that use that column. All are listed below. "
        "Values that identify a person are not shown; the file, sheet and row say where to look.",
        fmt(italic=True, text_wrap=True, valign="top"),
    )
    # Both tables share their first four columns (district, dataset, file, sheet).
    widths = [10, 13, 34, 16, 9, 9, 20, 16, 50, 44]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_row(1, 3 * LINE_HEIGHT)
    summary_headers = ["District", "Dataset", "File", "Sheet", "Rows read", "Loaded", "Excluded", "% valid"]
    for col, text in enumerate(summary_headers):
        ws.write_string(3, col, text, head)
    row = 4
    for report in data.files:
        ws.write_string(row, 0, report.district)
        ws.write_string(row, 1, report.dataset)
        fit_row(ws, row, [(report.file, widths[2])])
        ws.write_string(row, 2, report.file, fmt(text_wrap=True, valign="top"))
        ws.write_string(row, 3, report.sheet)
        ws.write_number(row, 4, report.rows_read)
        ws.write_number(row, 5, report.rows_loaded)
        ws.write_number(row, 6, report.rows_excluded)
        if report.rows_read:
            ws.write_number(row, 7, report.rows_loaded / report.rows_read, fmt(num_format="0.0%"))
        else:
            ws.write_string(row, 7, "unreadable" if not report.readable else "empty")
        row += 1
    row += 1
    problem_headers = ["District", "Dataset", "File", "Sheet", "Row", "Severity", "Column", "Value", "Problem", "What to do"]
    for col, text in enumerate(problem_headers):
        ws.write_string(row, col, text, head)
    first = row + 1
    wrap = fmt(text_wrap=True, valign="top")
    top = fmt(valign="top")

    def texts(problem: Problem) -> list[str]:
        # The location is enough to find it: a value that identifies a person is not copied here.
        message = problem.message + (" The row is left out of the counts." if problem.excluded else problem.scope)
        shown = "(personal data: not shown)" if problem.personal and problem.value else problem.value
        return [problem.district, problem.dataset, problem.file, problem.sheet, "", "", problem.column, shown, message, problem.action]

    def write(row: int, problem: Problem, shown: list[str]) -> None:
        fit_row(ws, row, [*zip(shown, widths)])
        for col, text in enumerate(shown[:4]):
            ws.write_string(row, col, text, wrap)
        if problem.row is not None:
            ws.write_number(row, 4, problem.row, top)
        ws.write_string(row, 5, problem.severity, top)
        for col in range(6, 10):
            ws.write_string(row, col, shown[col], wrap)

    problems = [(problem, texts(problem)) for problem in data.problems]
    splices: list[Splice] = []
    made = None
    if in_bulk and len(problems) > 1:
        # Whole rows of text repeat (a blank id on many rows): each row's height worked out once.
        heights: dict[tuple[str, ...], int | None] = {}
        rows = []
        for number, (problem, shown) in enumerate(problems[:-1], start=first + 1):
            key = tuple(shown)
            if key not in heights:
                heights[key] = row_height([*zip(shown, widths)])
            cells: list[BulkCell] = [(letter, shown[col], wrap) for col, letter in enumerate("ABCD")]
            if problem.row is not None:
                cells.append(("E", problem.row, top))
            cells.append(("F", problem.severity, top))
            cells += [(letter, shown[col], wrap) for col, letter in enumerate("GHIJ", start=6)]
            rows.append((number, heights[key], cells))
        made = styled_rows(ws, rows)
    if made is not None:
        last = first + len(problems) - 1
        write(last, *problems[-1])
        splices.append(Splice(QUALITY_SHEET, made, last_row=last, last_column=len(widths) - 1, before_row=last + 1))
    else:
        for row, (problem, shown) in enumerate(problems, start=first):
            write(row, problem, shown)
    if data.problems:
        last = first + len(data.problems) - 1
        ws.conditional_format(
            f"F{first + 1}:F{last + 1}",
            {"type": "cell", "criteria": "==", "value": '"error"', "format": fmt(bg_color=RED, font_color=RED_TEXT)},
        )
        ws.autofilter(first - 1, 0, last, len(problem_headers) - 1)
    ws.freeze_panes(4, 0)
    print_setup(ws, data, 3, widths, repeat_columns=1)
    return splices
