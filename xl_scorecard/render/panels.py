"""The Birmingham-style "District panels" sheet: one panel per indicator with the previous
6-month average, this month, one column per district, the numbers inside and outside the
measure, target, England and statistical-neighbour figures, rating, trend, commentary, and a
line chart of the indicator over the last 12 months with its target line.

Written only when the layout asks for it (``panels = true``). Rows are written top to bottom
(the workbook is in constant-memory mode); charts read the History sheet and the target cells
kept to the right of each panel's chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.periods import Month, months_ending
from xl_scorecard.render.cells import (
    AMBER_TEXT,
    GREEN_TEXT,
    RED_TEXT,
    TREND_MONTHS,
    TREND_SHEET,
    Formats,
    ScorecardInput,
    by_area,
    part_cell,
    print_setup,
    row_basis,
    six_month_basis,
    status_text,
    value_cell,
)

PANEL_ROWS = 16  # rows per panel: the table's six, then room for the chart beside it
CHART_WIDTH = 430  # pixels
CHART_COLUMNS = 7  # default-width columns the chart covers (64 px each)
TARGET_COLUMN = 40  # first column (right of the chart) holding each panel's 12 target values for its chart


def write_panels(book: Workbook, ws: Worksheet, data: ScorecardInput, fmt: Formats, trend_rows: dict[tuple[str, str], int]) -> None:
    """One panel per indicator, in catalogue order."""
    areas = [code for code, _ in data.districts]
    names = dict(data.districts)
    headers = [
        "",
        "Previous 6-month average",
        "This month",
        *[names[a] for a in areas],
        "Target",
        "England",
        "Stat. neighbours",
        "Rating",
        "Trend",
    ]
    widths = [30, 12, 11, *[11] * len(areas), 9, 9, 11, 8, 10]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    # Not hidden: LibreOffice does not plot hidden cells whatever the chart says.
    ws.set_column(TARGET_COLUMN, TARGET_COLUMN + TREND_MONTHS - 1, 6, fmt(font_color="#A6A6A6", font_size=8))
    chart_col = len(headers) + 1
    ws.write_string(
        0, 0, f"{data.authority} - district panels, {data.period.label}", fmt(bold=True, font_size=14, font_color=fmt.colours.header)
    )
    results = {code: by_area(data, code) for code in [AUTHORITY, *areas]}
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, text_wrap=True, align="center", valign="vcenter")
    rating_cells = []
    months = months_ending(data.period, TREND_MONTHS)
    shown = data.layout.shown(data.catalogue)
    for number, ind in enumerate(shown):
        top = 2 + number * PANEL_ROWS
        authority = results[AUTHORITY].get(ind.id, {})
        ws.merge_range(
            top, 0, top, len(headers) - 1, ind.title, fmt(bold=True, bg_color=fmt.colours.section, font_color=fmt.colours.header, border=1)
        )
        ws.set_row(top + 1, 30)
        for col, text in enumerate(headers):
            ws.write_string(top + 1, col, text, head)
        ws.write_string(top + 1, TARGET_COLUMN, "Chart data: target line", fmt(font_color="#A6A6A6", font_size=8))
        row = top + 2
        ws.write_string(row, 0, "Value", fmt(bold=True, border=1))
        value_cell(ws, row, 1, authority.get("previous_6m"), ind.unit, fmt, six_month_basis(data, ind.id), border=1)
        value_cell(ws, row, 2, authority.get("value"), ind.unit, fmt, row_basis(ind.unit, authority), border=1, bold=True)
        for n, code in enumerate(areas):
            district = results[code].get(ind.id, {})
            value_cell(ws, row, 3 + n, district.get("value"), ind.unit, fmt, row_basis(ind.unit, district), border=1)
        at = 3 + len(areas)
        value_cell(ws, row, at, ind.target, ind.unit, fmt, border=1)
        value_cell(ws, row, at + 1, authority.get("national"), ind.unit, fmt, border=1)
        value_cell(ws, row, at + 2, authority.get("neighbours"), ind.unit, fmt, border=1)
        ws.write_string(row, at + 3, status_text(data, authority, ind.data_only), fmt(border=1, align="center", shrink=True))
        ws.write_string(row, at + 4, authority.get("travel", "") or "", fmt(border=1))
        rating_cells.append(xl_rowcol_to_cell(row, at + 3))
        # The target line's values, right of the chart, in this same row: constant-memory mode
        # drops anything written to a row once a later row has been started.
        if ind.target is not None:
            for n in range(TREND_MONTHS):
                ws.write_number(row, TARGET_COLUMN + n, ind.target)
        # The parts, as Birmingham's panels show them: No. inside the measure, No. outside it
        # (for shares only: a rate's denominator is a population) and the total counted.
        parts = [("No. inside the measure (numerator)", "numerator")]
        if ind.unit == "%":
            parts.append(("No. outside the measure", "outside"))
        parts.append(("Total counted (denominator)", "denominator"))
        for offset, (label, key) in enumerate(parts, start=1):
            ws.write_string(row + offset, 0, label, fmt(border=1))
            part_cell(ws, row + offset, 2, authority.get(key), fmt, row_basis(ind.unit, authority))
            for n, code in enumerate(areas):
                district = results[code].get(ind.id, {})
                part_cell(ws, row + offset, 3 + n, district.get(key), fmt, row_basis(ind.unit, district))
        note = data.commentary.get(ind.id, "")
        below = row + len(parts) + 1
        ws.write_string(below, 0, "Commentary", fmt(bold=True))
        ws.merge_range(below, 1, below + 2, len(headers) - 1, note, fmt(text_wrap=True, valign="top", border=1, bg_color="#FFFFF0"))
        _chart(book, ws, ind, trend_rows[(ind.id, AUTHORITY)], row, top, chart_col, data, months)
    for status, text in (("G", GREEN_TEXT), ("A", AMBER_TEXT), ("R", RED_TEXT)):
        if rating_cells:
            ws.conditional_format(
                rating_cells[0],
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{status}"',
                    "multi_range": " ".join(rating_cells),
                    "format": fmt(bg_color=fmt.colours.fill(status), font_color=text, bold=True),
                },
            )
    print_setup(ws, data, 0)  # A4 landscape, one page wide, the sheet title on every page
    # Print the panels and their charts, not the chart data kept to their right, and never cut
    # a panel across two pages.
    ws.print_area(0, 0, 2 + len(shown) * PANEL_ROWS, chart_col + CHART_COLUMNS)
    per_page = panels_per_page(widths)
    ws.set_h_pagebreaks([2 + n * PANEL_ROWS for n in range(per_page, len(shown), per_page)])
    ws.freeze_panes(2, 1)


def panels_per_page(widths: Sequence[float]) -> int:
    """How many whole panels fit on an A4 landscape page once the sheet is scaled to one page
    wide (Excel's scaling: the printed width of the columns and the chart against the page's)."""
    # Column width in characters -> pixels as Excel counts them (7 px a character plus 5).
    # The print area: the table, a gap column, and the chart's columns (default width, 64 px).
    pixels = sum(int(w * 7 + 5) for w in widths) + 64 * (CHART_COLUMNS + 2)
    page_wide, page_high = (11.69 - 0.8) * 96, (8.27 - 1.2) * 96  # A4 landscape less margins (96 px an inch)
    scale = min(1.0, page_wide / pixels)
    # Default rows are 20 px and a panel's header row 40; the repeated title row comes first.
    panel = (PANEL_ROWS - 1) * 20 + 40
    return max(1, int((page_high / scale - 20) // panel))


def _chart(
    book: Workbook,
    ws: Worksheet,
    ind: Indicator,
    history_row: int,
    value_row: int,
    top: int,
    chart_col: int,
    data: ScorecardInput,
    months: list[Month],
) -> None:
    """A line chart of the authority's last 12 months (History sheet) with the target line."""
    chart = book.add_chart({"type": "line"})
    last_col = 1 + TREND_MONTHS
    chart.add_series(
        {
            "name": data.authority,
            "categories": [TREND_SHEET, 0, 2, 0, last_col],
            "values": [TREND_SHEET, history_row, 2, history_row, last_col],
            "line": {"color": "#1F4E79", "width": 2.25},
            "marker": {"type": "circle", "size": 4, "fill": {"color": "#1F4E79"}, "border": {"color": "#1F4E79"}},
        }
    )
    if ind.target is not None:
        chart.add_series(
            {
                "name": "Target",
                "categories": [TREND_SHEET, 0, 2, 0, last_col],
                "values": [ws.name, value_row, TARGET_COLUMN, value_row, TARGET_COLUMN + TREND_MONTHS - 1],
                "line": {"color": "#C00000", "width": 1.5, "dash_type": "dash"},
            }
        )
    number_format = {"%": "0%", "per 10,000": "0", "count": "0", "days": "0", "FTE": "0.0", "ratio": "0.0"}[ind.unit]
    chart.set_title({"name": f"{months[0].label} - {months[-1].label}", "name_font": {"size": 10, "bold": False}})
    chart.set_y_axis(
        {"num_format": number_format, "num_font": {"size": 10}, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    )
    chart.set_x_axis({"num_font": {"size": 10, "rotation": -45}})
    chart.set_legend({"position": "bottom", "font": {"size": 10}})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": CHART_WIDTH, "height": PANEL_ROWS * 20 - 10})
    ws.insert_chart(top, chart_col, chart, {"x_offset": 5, "y_offset": 2, "object_position": 1})
