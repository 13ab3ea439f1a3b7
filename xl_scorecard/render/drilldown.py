"""The Drill-down sheets: an index ("Drill-down") and one sheet per exception indicator listing
the cases behind it (case id, district, team, worker, dates, days over). Personal data: every
sheet has a red tab and a banner, and emailed copies leave them all out (``render.copies``).

Which sheets exist depends on the month's exceptions, so their names are not fixed: the sheets
the tool wrote last time are the ones named in the master's fingerprint (``render.guard``), and
only those are ever replaced or removed. A sheet of the user's called "Drill-down notes" is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.render.cells import (
    DRILLDOWN_SHEET,
    RED_TEXT,
    Formats,
    ScorecardInput,
    first_page_columns,
    fit_row,
    print_setup,
    row_height,
)
from xl_scorecard.render.rows import LONGEST, BulkCell, Splice, inline_string, number_cell, styled_rows

DRILLDOWN_PREFIX = "Drill-down "
# The heading of the child-id column on every Drill-down sheet: the copies' leak check finds ids by it.
CHILD_ID = "Child ID"
# The early-warning list: a Drill-down sheet (personal data, red tab, never in a copy).
DUE_SHEET = "Drill-down due soon"
DUE_HEADERS = ["District", "Team", "Worker", CHILD_ID, "Timescale", "Clock started", "Due", "Working days left", "Figure it affects"]
DUE_WIDTHS = [12, 18, 14, 11, 30, 10, 10, 8, 30]
BANNER = (
    "PERSONAL DATA (OFFICIAL-SENSITIVE): child and worker identifiers. Keep this workbook where case records "
    "may be kept; emailed copies leave the Drill-down sheets out."
)
HEADERS = ["District", CHILD_ID, "Team", "Worker", "Start", "End / as at", "Measured", "Limit", "Distance from limit", "Exception"]
WIDTHS = [16, 14, 24, 22, 11, 11, 9, 7, 9, 40]


def drilldown_sheet_name(indicator_id: str) -> str:
    """The sheet of one indicator's cases: "Drill-down " and the id, within Excel's 31
    characters and without the characters Excel refuses in a sheet name."""
    return (DRILLDOWN_PREFIX + re.sub(r"[\[\]:*?/\\']", "_", indicator_id))[:31]


def drilldown_sheets(cases: pd.DataFrame | None, due_soon: pd.DataFrame | None = None) -> list[str]:
    """Every Drill-down sheet written for ``cases``: the index, then one per indicator, then
    the due-soon list when there is one."""
    if cases is None:
        return []
    due = [DUE_SHEET] if due_soon is not None else []
    return [DRILLDOWN_SHEET, *(drilldown_sheet_name(i) for i in dict.fromkeys(cases["indicator"])), *due]


def is_drilldown(sheet: str) -> bool:
    """Whether ``sheet`` is named as a Drill-down sheet (the index or an indicator's)."""
    return sheet == DRILLDOWN_SHEET or sheet.startswith(DRILLDOWN_PREFIX)


def write_drilldown(book: Workbook, data: ScorecardInput, fmt: Formats) -> list[Callable[[], Splice | None]]:
    """The index sheet, then a sheet per exception indicator, in catalogue order. Returns, for
    each indicator's sheet, what makes its case rows after the first once the workbook is
    closed (``rows.splice_rows``; None when XlsxWriter wrote them all)."""
    cases = data.drilldown
    if cases is None:  # the authority turned the drill-down off
        return []
    titles = {ind.id: ind.title for ind in data.catalogue}
    present = set(cases["indicator"].unique())  # once, not once per indicator (0.2 s at Kent size)
    order = [ind.id for ind in data.catalogue if ind.id in present]
    index = book.add_worksheet(DRILLDOWN_SHEET)
    _banner(index, f"Drill-down: the cases behind the exceptions, {data.period.label}", fmt, [70, 15, 24])
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1)
    for col, (text, width) in enumerate(zip(["Indicator", "Exception cases", "Sheet"], [70, 15, 24])):
        index.set_column(col, col, width)
        index.write_string(3, col, text, head)
    if not order:
        index.write_string(4, 0, f"No exception cases in {data.period.label}.")
    for row, indicator_id in enumerate(order, start=4):
        sheet = drilldown_sheet_name(indicator_id)
        index.write_string(row, 0, titles[indicator_id])
        index.write_number(row, 1, int((cases["indicator"] == indicator_id).sum()))
        index.write_url(row, 2, f"internal:'{sheet}'!A1", string=sheet)
    index.freeze_panes(4, 0)
    print_setup(index, data, 3, [70, 15, 24])
    pending = []
    for indicator_id in order:
        ws = book.add_worksheet(drilldown_sheet_name(indicator_id))
        pending.append(_write_cases(ws, titles[indicator_id], cases[cases["indicator"] == indicator_id], data, fmt))
    if data.due_soon is not None:
        due = _write_due_soon(book.add_worksheet(DUE_SHEET), data, titles, fmt)
        pending.append(lambda: due)
    return pending


def _write_due_soon(ws: Worksheet, data: ScorecardInput, titles: dict[str, str], fmt: Formats, in_bulk: bool = True) -> Splice | None:
    """The open cases whose timescale runs out within the next ``due_within`` working days of
    the month's end, or has run out: per district, overdue first, then the soonest.

    With ``in_bulk``, XlsxWriter writes the header and the last case, and the cases before it are
    returned as text to splice in before it (``rows``: the same bytes as cell by cell; over a
    thousand cases at Kent size); None when every case was written here."""
    due = data.due_soon if data.due_soon is not None else pd.DataFrame()
    _banner(
        ws, f"Due soon: cases due within {data.due_within} working days of {data.period.last_day:%d/%m/%Y}, or overdue", fmt, DUE_WIDTHS
    )
    notes = " ".join(data.due_notes) or "Every timescale could be checked."
    ws.write_string(2, 0, notes, fmt(italic=True, font_color="#595959"))
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, text_wrap=True, valign="top")
    ws.set_row(3, 27)
    for col, (text, width) in enumerate(zip(DUE_HEADERS, DUE_WIDTHS)):
        ws.set_column(col, col, width)
        ws.write_string(3, col, text, head)
    names = dict(data.districts)
    date = fmt(num_format="dd/mm/yyyy", valign="top")
    overdue = fmt(bold=True, font_color=RED_TEXT, valign="top")
    top = fmt(valign="top")
    wrap = fmt(text_wrap=True, valign="top")
    cases = list(due.itertuples(index=False))

    def texts(case: Any) -> list[str]:
        # Columns A to E and I: the district's name, then team, worker, child id and timescale
        # (ids stay text, never numbers or formulas), then the figure it affects.
        team, worker, child, clock = ("" if pd.isna(value) else str(value) for value in (case.team, case.worker, case.child_id, case.clock))
        return [names.get(case.district, str(case.district)), team, worker, child, clock, titles.get(case.indicator, case.indicator)]

    def height_cells(case: Any) -> list[tuple[object, float]]:
        affects = titles.get(case.indicator, case.indicator)
        return [(str(case.clock), DUE_WIDTHS[4]), (affects, DUE_WIDTHS[8]), (str(case.team), DUE_WIDTHS[1])]

    def write(row: int, case: Any) -> None:
        fit_row(ws, row, height_cells(case))
        district, *middle, affects = texts(case)
        ws.write_string(row, 0, district, top)
        for col, value in enumerate(middle, start=1):
            ws.write_string(row, col, value, wrap)
        for col, value in ((5, case.started), (6, case.due)):
            if pd.notna(value):
                ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date)
        ws.write_number(row, 7, float(case.days_left), overdue if case.days_left < 0 else top)
        ws.write_string(row, 8, affects, wrap)

    splice = None
    made = None
    if in_bulk and len(cases) > 1:
        rows = []
        for row, case in enumerate(cases[:-1], start=5):
            district, *middle, affects = texts(case)
            cells: list[BulkCell] = [("A", district, top), *[(letter, value, wrap) for letter, value in zip("BCDE", middle, strict=True)]]
            for letter, value in (("F", case.started), ("G", case.due)):
                if pd.notna(value):
                    cells.append((letter, ws._convert_date_time(pd.Timestamp(value).to_pydatetime()), date))
            cells += [("H", float(case.days_left), overdue if case.days_left < 0 else top), ("I", affects, wrap)]
            rows.append((row, row_height(height_cells(case)), cells))
        made = styled_rows(ws, rows)
    if made is not None:
        last = 3 + len(cases)
        write(last, cases[-1])
        splice = Splice(DUE_SHEET, made, last_row=last, last_column=len(DUE_HEADERS) - 1, before_row=last + 1)
    else:
        for row, case in enumerate(cases, start=4):
            write(row, case)
    if due.empty:
        ws.write_string(4, 0, "No open case is due within the window or overdue.")
    ws.autofilter(3, 0, 3 + max(len(due), 1), len(DUE_HEADERS) - 1)
    ws.freeze_panes(4, 0)
    print_setup(ws, data, 3, DUE_WIDTHS)
    return splice


def _banner(ws: Worksheet, title: str, fmt: Formats, widths: list[int]) -> None:
    """Red tab, title, and the personal-data warning wrapped across the printed columns (one
    long cell would print cut off at the page's edge)."""
    ws.set_tab_color(RED_TEXT)
    ws.write_string(0, 0, title, fmt(bold=True, font_size=13, font_color=fmt.colours.header))
    span = max(first_page_columns(widths), 1)
    fit_row(ws, 1, [(BANNER, sum(widths[:span]))])
    ws.merge_range(1, 0, 1, span - 1, BANNER, fmt(bold=True, font_color=RED_TEXT, text_wrap=True, valign="top"))


def _plain(cases: pd.DataFrame) -> bool:
    """Whether every case is written the same in bulk as XlsxWriter would: no text past the
    length it cuts (``rows.LONGEST``) and no infinite number (it refuses one)."""
    for column in ("child_id", "team", "worker", "meaning"):
        if cases[column].dropna().astype(str).str.len().max() > LONGEST:
            return False
    numbers = cases[["measured", "limit", "beyond"]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return bool(np.isfinite(numbers[~np.isnan(numbers)]).all())


def _write_cases(
    ws: Worksheet, title: str, cases: pd.DataFrame, data: ScorecardInput, fmt: Formats, in_bulk: bool = True
) -> Callable[[], Splice | None]:
    """One indicator's sheet of cases. XlsxWriter writes the banner, the header and the first
    case; with ``in_bulk`` the other cases are returned as a maker of their rows, to splice in
    once the workbook is closed (thousands of cases at Kent size: 0.4 s of a refresh cell by
    cell). The first case is XlsxWriter's so its date style is numbered where the cell-by-cell
    path numbers it; a first case without a date, or a value of another kind, goes cell by cell."""
    _banner(ws, f"{title}: exception cases, {data.period.label}", fmt, WIDTHS)
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, text_wrap=True, valign="top")
    ws.set_row(3, 27)  # two lines: "Distance from limit" wraps
    for col, (text, width) in enumerate(zip(HEADERS, WIDTHS)):
        ws.set_column(col, col, width)
        ws.write_string(3, col, text, head)
    names = dict(data.districts)
    date = fmt(num_format="dd/mm/yyyy")
    records = list(cases.itertuples(index=False))
    bulk = in_bulk and len(records) > 1 and (pd.notna(records[0].start) or pd.notna(records[0].end)) and _plain(cases)
    for row, case in enumerate(records[:1] if bulk else records, start=4):
        ws.write_string(row, 0, names.get(case.district, str(case.district)))
        for col, value in ((1, case.child_id), (2, case.team), (3, case.worker)):
            ws.write_string(row, col, "" if pd.isna(value) else str(value))  # ids stay text, never numbers or formulas
        for col, value in ((4, case.start), (5, case.end)):
            if pd.notna(value):
                ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date)
        ws.write_number(row, 7, float(case.limit))
        for col, value in ((6, case.measured), (8, case.beyond)):
            if pd.notna(value):
                ws.write_number(row, col, float(value))
        ws.write_string(row, 9, case.meaning)
    if bulk:
        # XlsxWriter numbers a style when it writes out the row that first uses it: cell by
        # cell, as soon as the next case starts; here no next case comes, so the date style is
        # numbered now, where the cell-by-cell path numbers it (the styles come out the same).
        date._get_xf_index()
    ws.autofilter(3, 0, 3 + len(cases), len(HEADERS) - 1)
    ws.freeze_panes(4, 0)
    print_setup(ws, data, 3, WIDTHS)
    sheet = ws.get_name()

    def rest() -> Splice | None:
        if not bulk:
            return None
        # After the workbook is closed: the date style has its number (the first case used it).
        style = date.xf_index
        if style is None:  # never: the first case has a date; but never drop the cases unsaid
            raise RuntimeError(f"{sheet}: the date style was not numbered; the cases could not be written")
        rows = []
        for number, case in enumerate(records[1:], start=6):
            cells = [f'<c r="A{number}"{inline_string(names.get(case.district, str(case.district)))}']
            for letter, value in (("B", case.child_id), ("C", case.team), ("D", case.worker)):
                cells.append(f'<c r="{letter}{number}"{inline_string("" if pd.isna(value) else str(value))}')
            for letter, value in (("E", case.start), ("F", case.end)):
                if pd.notna(value):
                    cells.append(number_cell(f"{letter}{number}", ws._convert_date_time(pd.Timestamp(value).to_pydatetime()), style))
            for letter, value in (("G", case.measured), ("H", case.limit), ("I", case.beyond)):
                if pd.notna(value):
                    cells.append(number_cell(f"{letter}{number}", float(value)))
            cells.append(f'<c r="J{number}"{inline_string(case.meaning)}')
            rows.append(f'<row r="{number}">' + "".join(cells) + "</row>")
        return Splice(sheet, "".join(rows), last_row=4 + len(records), last_column=len(HEADERS) - 1)

    return rest
