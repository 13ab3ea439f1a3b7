"""The "Detailed analysis" sheet (London's report, seed 003): for each block the layout declares,
months as columns with the number and the % for each row - completed in the month, within 7
days, within 10 days, started and completed in the month. The figures were computed by
``indicators.views.compute_detail``; this module only arranges them.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.periods import Month
from xl_scorecard.render.cells import Formats, ScorecardInput, fit_row, print_setup

LABEL_WIDTH = 56


def write_details(book: Workbook, ws: Worksheet, data: ScorecardInput, fmt: Formats) -> None:
    """Every detail block, one under the other, rows written top to bottom."""
    widest = max(block.months for block, _ in data.details)
    ws.set_column(0, 0, LABEL_WIDTH)
    ws.set_column(1, 2 * widest, 8)
    ws.write_string(
        0, 0, f"{data.authority} - detailed analysis, {data.period.label}", fmt(bold=True, font_size=14, font_color=fmt.colours.header)
    )
    ws.write_string(
        1, 0, "Each month counted on its own (completed in the month); % of the row's own cases.", fmt(italic=True, font_color="#595959")
    )
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, align="center")
    row = 3
    for block, figures in data.details:
        months = sorted(figures["period"].unique())
        ws.merge_range(
            row, 0, row, 2 * len(months), block.title, fmt(bold=True, bg_color=fmt.colours.section, font_color=fmt.colours.header, border=1)
        )
        ws.write_string(row + 1, 0, "", head)
        for n, month in enumerate(months):
            ws.merge_range(row + 1, 1 + 2 * n, row + 1, 2 + 2 * n, Month.parse(month).label, head)
        ws.write_string(row + 2, 0, "", head)
        for n in range(len(months)):
            ws.write_string(row + 2, 1 + 2 * n, "No.", head)
            ws.write_string(row + 2, 2 + 2 * n, "%", head)
        by_row = figures.set_index(["row", "period"])
        for number, spec in enumerate(block.row):
            line = row + 3 + number
            fit_row(ws, line, [(spec.label, LABEL_WIDTH)])
            ws.write_string(line, 0, spec.label, fmt(border=1, text_wrap=True))
            for n, month in enumerate(months):
                figure = by_row.loc[(number, month)]
                _number(ws, line, 1 + 2 * n, figure["number"], fmt(border=1, num_format="#,##0"))
                _number(ws, line, 2 + 2 * n, figure["share"], fmt(border=1, num_format="0.0%", italic=True))
                if not pd.isna(figure["number"]):  # the number and its share rest on that many children
                    fmt.record(ws, line, 1 + 2 * n, float(figure["number"]))
                    fmt.record(ws, line, 2 + 2 * n, float(figure["number"]))
        row += 3 + len(block.row) + 2
    ws.freeze_panes(3, 1)
    print_setup(ws, data, 0, [LABEL_WIDTH, *[8] * (2 * widest)])


def _number(ws: Worksheet, row: int, col: int, value: float, cell_format: Format) -> None:
    if pd.isna(value):
        ws.write_blank(row, col, None, cell_format)
    else:
        ws.write_number(row, col, float(value), cell_format)
