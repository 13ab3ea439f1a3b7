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
from typing import Any

import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.periods import Month, months_ending
from xl_scorecard.render.cells import (
    AMBER_TEXT,
    GREEN_TEXT,
    MIN_PRINT_SCALE,
    NOT_RATED,
    PAGE_WIDTH_PX,
    RED_TEXT,
    TREND_MONTHS,
    TREND_SHEET,
    Formats,
    ScorecardInput,
    by_area,
    part_cell,
    print_scale,
    print_setup,
    printed_width,
    row_basis,
    six_month_basis,
    status_text,
    value_cell,
)
from xl_scorecard.scoring import IMPROVED, SAME, WORSE

PANEL_ROWS = 15  # rows per panel: its table (title, headings, value, parts, commentary) and the chart beside it
CHART_ROWS_BELOW = 10  # rows a chart takes under its table, when the table is too wide to have it beside
CHART_WIDTH = 250  # pixels, beside the table
CHART_COLUMNS = 4  # default-width columns (64 px each) the chart covers beside the table
DEFAULT_COLUMN = 8.43  # characters: a column left at Excel's default width
TARGET_COLUMN = 40  # first column (right of the chart) holding each panel's 12 target values for its chart


def write_panels(book: Workbook, ws: Worksheet, data: ScorecardInput, fmt: Formats, trend_rows: dict[tuple[str, str], int]) -> None:
    """One panel per indicator, in catalogue order."""
    areas = [code for code, _ in data.districts]
    names = dict(data.districts)
    headers = [
        "",
        "6-month average",
        "This month",
        *[names[a] for a in areas],
        "Target",
        "England",
        "Stat. neighbours",
        "Rating",
        "Trend",
    ]
    status_width = max(7, 1 + max(len(word) for word in [*data.layout.status_words(), *NOT_RATED]))
    travel_width = max(7, 1 + max(len(data.layout.word(w)) for w in (IMPROVED, SAME, WORSE)))
    # A district's column shows its name when the name fits; its code otherwise (a key under the
    # sheet's title says which is which), as Birmingham's panels show "NWC" and "FAST".
    shown_names = {a: names[a] if len(names[a]) <= 8 else a for a in areas}
    headers[3 : 3 + len(areas)] = [shown_names[a] for a in areas]
    widths = [18, 8, 8, *[8] * len(areas), 7, 8, 10, status_width, travel_width]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    # The chart beside its table when both print on the page's width at a legible scale (8 pt
    # or more); otherwise under the table, as wide as it.
    beside = printed_width([*widths, *[DEFAULT_COLUMN] * CHART_COLUMNS]) * MIN_PRINT_SCALE / 100 <= PAGE_WIDTH_PX * 0.9
    panel_rows = PANEL_ROWS if beside else PANEL_ROWS + CHART_ROWS_BELOW - 6
    # Not hidden: LibreOffice does not plot hidden cells whatever the chart says.
    ws.set_column(TARGET_COLUMN, TARGET_COLUMN + TREND_MONTHS - 1, 6, fmt(font_color="#A6A6A6", font_size=8))
    chart_col = len(headers) if beside else 0
    ws.write_string(
        0, 0, f"{data.authority} - district panels, {data.period.label}", fmt(bold=True, font_size=14, font_color=fmt.colours.header)
    )
    coded = [f"{a} {names[a]}" for a in areas if shown_names[a] != names[a]]
    if coded:
        ws.write_string(1, 0, "Districts: " + ", ".join(coded) + ".", fmt(italic=True, font_color="#595959"))
    results = {code: by_area(data, code) for code in [AUTHORITY, *areas]}
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, text_wrap=True, align="center", valign="vcenter")
    rating_cells = []
    months = months_ending(data.period, TREND_MONTHS)
    shown = data.layout.shown(data.catalogue)
    for number, ind in enumerate(shown):
        top = 2 + number * panel_rows
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
        parts = [("No. inside (numerator)", "numerator")]
        if ind.unit == "%":
            parts.append(("No. outside", "outside"))
        parts.append(("Total (denominator)", "denominator"))
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
        size = (CHART_WIDTH, PANEL_ROWS * 20 - 10) if beside else (min(printed_width(widths), 900), CHART_ROWS_BELOW * 20 - 10)
        _chart(book, ws, ind, trend_rows[(ind.id, AUTHORITY)], row, top if beside else below + 3, chart_col, data, months, size)
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
    last_row = 2 + len(shown) * panel_rows
    if data.population:
        last_row = _population_table(ws, data, last_row + 1, [shown_names[a] for a in areas], areas, head, fmt)
    printed = [*widths, *[DEFAULT_COLUMN] * CHART_COLUMNS] if beside else widths
    # A4 landscape, 8 pt or more, the sheet title on every page. With the charts under their
    # tables, at the smallest legible scale: two panels to a page rather than one.
    print_setup(ws, data, 0, printed, scale=None if beside else MIN_PRINT_SCALE)
    # Print the panels and their charts, not the chart data kept to their right, and never cut
    # a panel across two pages.
    ws.print_area(0, 0, last_row, len(printed) - 1)
    per_page = panels_per_page(printed, panel_rows, None if beside else MIN_PRINT_SCALE)
    ws.set_h_pagebreaks([2 + n * panel_rows for n in range(per_page, len(shown), per_page)])
    ws.freeze_panes(2, 1)


def _population_table(ws: Worksheet, data: ScorecardInput, top: int, headings: list[str], areas: list[str], head: Any, fmt: Formats) -> int:
    """The children each figure is counted against, as Birmingham's panels show them: the
    population aged 0-17 of the authority and each district (the latest mid-year estimate not
    after the month). Returns the table's last row."""
    ws.merge_range(
        top,
        0,
        top,
        2 + len(areas),
        f"Population aged 0-17, {data.authority} (latest mid-year estimate)",
        fmt(bold=True, bg_color=fmt.colours.section, font_color=fmt.colours.header, border=1),
    )
    for col, text in enumerate(["", "", "Total", *headings]):
        ws.write_string(top + 1, col, text, head)
    ws.write_string(top + 2, 0, "Children", fmt(bold=True, border=1))
    ws.write_blank(top + 2, 1, None, fmt(border=1))
    counts = [data.population.get(a) for a in areas]
    total = sum(c for c in counts if c is not None) if all(c is not None for c in counts) else None
    for col, count in enumerate([total, *counts], start=2):
        if count is None:
            ws.write_string(top + 2, col, "no data", fmt(border=1, align="right", italic=True))
        else:
            ws.write_number(top + 2, col, count, fmt(border=1, num_format="#,##0"))
    return top + 2


def panels_per_page(printed: Sequence[float], panel_rows: int = PANEL_ROWS, scale_percent: int | None = None) -> int:
    """How many whole panels fit on an A4 landscape page at the sheet's print scale (given, or
    from the printed columns' widths: ``cells.print_scale``)."""
    page_high = (8.27 - 1.2) * 96  # A4 landscape less the margins, in pixels (96 an inch)
    scale = (scale_percent or print_scale(printed)) / 100
    # Default rows are 20 px and a panel's header row 40; the repeated title row comes first.
    panel = (panel_rows - 1) * 20 + 40
    return max(1, int((page_high / scale - 20) // panel))


def axis_scale(unit: str, has_figures: bool) -> dict[str, object]:
    """The value axis a unit calls for: a share from 0 % to 100 %, anything else from 0 (a line
    starting part-way up makes a small change look large); no axis numbers when there is no
    figure to plot (Excel would label an empty axis "0, 1, 1")."""
    if not has_figures:
        return {"min": 0, "max": 1, "label_position": "none", "major_gridlines": {"visible": False}}
    return {"min": 0, "max": 1} if unit == "%" else {"min": 0}


def _has_figures(data: ScorecardInput, ind: Indicator, months: list[Month]) -> bool:
    values = data.history.set_index(["indicator", "area", "period"])["value"]
    return any(pd.notna(values.get((ind.id, AUTHORITY, str(month)))) for month in months)


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
    size: tuple[int, int] = (CHART_WIDTH, PANEL_ROWS * 20 - 10),
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
    # The measure, then the window: a reader of the printed panel sees what the line is.
    chart.set_title(
        {"name": f"{ind.title}\n{data.authority}, {months[0].label} to {months[-1].label}", "name_font": {"size": 10, "bold": False}}
    )
    chart.set_y_axis(
        {
            "num_format": number_format,
            "num_font": {"size": 10},
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            **axis_scale(ind.unit, _has_figures(data, ind, months)),
        }
    )
    # Month labels level (turned text prints small and is hard to read) in a wide chart under
    # its table; none in a narrow one beside it, whose title says the months (twelve labels
    # would not fit, and LibreOffice does not skip labels as Excel does).
    chart.set_x_axis({"num_font": {"size": 10, "rotation": 0}, **({"label_position": "none"} if size[0] < 500 else {})})
    # 11 pt: LibreOffice draws the legend's marker as a glyph three quarters of the legend's size.
    chart.set_legend({"position": "bottom", "font": {"size": 11}})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": size[0], "height": size[1]})
    ws.insert_chart(top, chart_col, chart, {"x_offset": 5, "y_offset": 2, "object_position": 1})
