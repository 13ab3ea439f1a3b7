"""The History (trend) sheet: the last 12 months per indicator and area, what the sparklines and
panel charts read. Each indicator's block of rows is headed by its title (the authority's row),
then its districts.

At 100 districts that is 3,030 rows of 14 cells, ~0.3 s through XlsxWriter's per-cell path. So
XlsxWriter writes the header and the authority rows (the rows a long title makes taller), and a
block's district rows are made as the text XlsxWriter writes for them in its constant-memory
mode and put in after their authority row once the workbook is closed (``rows.splice_rows``),
their styles numbered in the order XlsxWriter would number them: the same bytes as cell by cell
(a test compares the two).
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.periods import months_ending
from xl_scorecard.render.cells import NUMBER_FORMATS, TREND_MONTHS, TREND_SHEET, Formats, ScorecardInput, fit_row, print_setup, value_cell
from xl_scorecard.render.rows import BulkCell, Splice, styled_rows

TREND_WIDTHS = [32, 12, *[8] * TREND_MONTHS]


def write_trend_sheet(
    ws: Worksheet, data: ScorecardInput, fmt: Formats, rows: dict[tuple[str, str], int], in_bulk: bool = True
) -> list[Splice]:
    """Write the sheet; with ``in_bulk``, return the district rows to splice in once the
    workbook is closed (none when every row was written here, cell by cell)."""
    months = months_ending(data.period, TREND_MONTHS)
    for col, width in enumerate(TREND_WIDTHS[:2]):
        ws.set_column(col, col, width)
    ws.set_column(2, 1 + TREND_MONTHS, TREND_WIDTHS[2])
    head = {"bold": True, "bg_color": fmt.colours.header, "font_color": "#FFFFFF"}
    ws.write_string(0, 0, "Indicator", fmt(**head))
    ws.write_string(0, 1, "Area", fmt(**head))
    for n, month in enumerate(months):
        ws.write_string(0, 2 + n, month.label, fmt(align="right", **head))
    # A plain dict: a pandas look-up per cell was half this sheet's time at 100 districts.
    stored = data.history
    keys = zip(stored["indicator"].tolist(), stored["area"].tolist(), stored["period"].tolist(), strict=True)
    history = dict(zip(keys, stored["value"].tolist(), strict=True))
    labels = [str(month) for month in months]
    names = {AUTHORITY: data.authority, **dict(data.districts)}
    units = {ind.id: ind.unit for ind in data.catalogue}
    titles = {ind.id: ind.title for ind in data.catalogue}
    title_format = fmt(text_wrap=True, valign="top", bold=True)
    blocks: list[tuple[list[str], int]] = []  # each block's district rows, and the last of them
    written: list[int] = []  # the rows XlsxWriter writes (1-based): the authority rows, and any row not made in bulk
    for (indicator, area), row in rows.items():
        unit = units[indicator]
        figures = [history.get((indicator, area, label)) for label in labels]
        name_format = fmt(valign="top", bold=area == AUTHORITY)
        value_format = fmt(num_format=NUMBER_FORMATS[unit], valign="top")
        if in_bulk and area != AUTHORITY:
            # No figure (None or NaN): a blank keeping its style.
            shown = [None if figure is None or figure != figure else figure for figure in figures]
            cells: list[BulkCell] = [("A", "", title_format), ("B", names[area], name_format)]
            cells += [(xl_col_to_name(2 + n), figure, value_format) for n, figure in enumerate(shown)]
            # XlsxWriter writes the authority rows between the blocks, so each district row is
            # made on its own (its styles numbered after the row XlsxWriter holds). A row the
            # bulk path cannot write the same is written below, cell by cell.
            text = styled_rows(ws, [(row + 1, None, cells)])
            if text is not None:
                for n, (label, figure) in enumerate(zip(labels, shown, strict=True)):
                    if figure is not None:
                        fmt.record(ws, row, 2 + n, data.basis(indicator, area, label))
                if blocks and blocks[-1][1] == row - 1:
                    blocks[-1][0].append(text)
                    blocks[-1] = (blocks[-1][0], row)
                else:
                    blocks.append(([text], row))
                continue
        written.append(row + 1)
        title = titles.get(indicator, indicator) if area == AUTHORITY else ""
        fit_row(ws, row, [(title, TREND_WIDTHS[0])])
        ws.write_string(row, 0, title, title_format)
        ws.write_string(row, 1, names[area], name_format)
        for n, (label, figure) in enumerate(zip(labels, figures, strict=True)):
            value_cell(ws, row, 2 + n, figure, unit, fmt, data.basis(indicator, area, label), valign="top")
    ws.freeze_panes(1, 2)
    print_setup(ws, data, 0, TREND_WIDTHS, repeat_columns=2)
    if not blocks:
        return []
    # Each block goes in before the first row XlsxWriter wrote after it, the last block at the end.
    splices = []
    for texts, last in blocks:
        after = next((r for r in written if r > last + 1), None)
        splices.append(Splice(TREND_SHEET, "".join(texts), last_row=last + 1, last_column=1 + TREND_MONTHS, before_row=after))
    return splices
