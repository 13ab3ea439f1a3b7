"""What every scorecard sheet writer shares: the sheet names, colours and number formats, the
writer's input (``ScorecardInput``), the workbook's format cache and the cell and print helpers.

``render.workbook`` writes the main sheets; ``render.panels``, ``render.detail`` and
``render.drilldown`` the optional ones. All of them build on this module and none on another,
so the writers import in one direction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xl_scorecard.commentary import COMMENTARY_COLUMNS, COMMENTARY_SHEET
from xl_scorecard.history import HISTORY_SHEET, RESTATEMENT_COLUMNS, RESTATEMENTS_SHEET
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.periods import Month
from xl_scorecard.render.layout import Colours, Layout, load_layout
from xl_scorecard.scoring import MAX_SUPPRESSION_THRESHOLD, disclosure_bases, disclosure_basis
from xl_scorecard.sources import FileReport, Problem

SCORECARD_SHEET = "Scorecard"
DISTRICTS_SHEET = "Districts"
# The start of the heading over the early-warning counts on the Districts sheet (read back by
# the email command).
EARLY_WARNING = "Early warning: open cases due within"


def due_heading(within: int, period: Month) -> str:
    """The words over the early-warning counts, on the Districts sheet and in the emails."""
    return f"{EARLY_WARNING} {within} working days of {period.last_day:%d/%m/%Y}, or overdue"


# The start of the heading over "what the figures can still become" on the Districts sheet (read
# back by the email command) and over the lines under the Scorecard.
OUTLOOK = "What the figures can still become"


def outlook_heading(period: Month) -> str:
    """The words over the projected figures (indicators.clocks.projections)."""
    return f"{OUTLOOK}, from the cases open on {period.last_day:%d/%m/%Y}, nothing else changing"


def outlook_when(target: Month, period_type: str) -> str:
    """The period a projection is for: "Nov 2026", or "year to Mar 2027"."""
    return f"year to {target.label}" if period_type == "ytd" else target.label


def outlook_labels(title: str, when: str, ends: dt.date) -> tuple[str, str]:
    """The two scenarios' labels for one indicator on the Districts sheet: every case due by the
    period's end completed in time (those already overdue as soon as possible), and none."""
    return (
        f"{title}, {when}: if every case due by {ends:%d/%m/%Y} that can still be is completed in time",
        f"{title}, {when}: if none is",
    )


def outlook_sentence(title: str, when: str, ends: dt.date, best: str, worst: str) -> str:
    """One line for the Scorecard or an email, from the two figures as shown."""
    if best == worst:
        return f"{title}, {when}: {best} however the open cases due by {ends:%d/%m/%Y} go."
    return f"{title}, {when}: {best} if every case due by {ends:%d/%m/%Y} that can still be is completed in time, {worst} if none is."


TREND_SHEET = "History"
QUALITY_SHEET = "Data quality"
DEFINITIONS_SHEET = "Definitions"
DRILLDOWN_SHEET = "Drill-down"  # the index of the per-indicator case sheets (render/drilldown.py): personal data
PANELS_SHEET = "District panels"  # written when the layout asks for panels (render/panels.py)
DETAIL_SHEET = "Detailed analysis"  # written when the layout has detail blocks (render/detail.py)
FINGERPRINT_SHEET = "_xl_scorecard"
OWNED_SHEETS = (
    SCORECARD_SHEET,
    PANELS_SHEET,
    DETAIL_SHEET,
    DISTRICTS_SHEET,
    TREND_SHEET,
    DEFINITIONS_SHEET,
    QUALITY_SHEET,
    COMMENTARY_SHEET,
    RESTATEMENTS_SHEET,
    DRILLDOWN_SHEET,
    HISTORY_SHEET,
    FINGERPRINT_SHEET,
)
TREND_MONTHS = 12

# Status fills, header and section colours are the layout's (``layout.Colours``, these by
# default); the status text colours are fixed, dark enough to read on any light fill.
GREEN, AMBER, RED = Colours().green, Colours().amber, Colours().red
GREEN_TEXT, AMBER_TEXT, RED_TEXT = "#006100", "#9C5700", "#9C0006"
# A figure that is not complete: in words ("no data", "incomplete"), grey italic on light grey,
# never a zero and never a RAG colour.
NOT_RATED_FILL, NOT_RATED_TEXT = "#EDEDED", "#595959"
NOT_RATED = ("no data", "incomplete")
NOT_RATED_HEADING = "NOT RATED: figures incomplete or missing this month, and why"
NUMBER_FORMATS = {"%": "0.0%", "per 10,000": "0.0", "count": "#,##0", "days": "0", "FTE": "0.0", "ratio": "0.0"}
POLARITY_LABELS = {"H": "H", "L": "L", "T": "T"}
# Every sparkline colour explicit: LibreOffice hides theme-coloured ones in a package without
# a theme part, and XlsxWriter's defaults for the unused colours are theme colours.
SPARKLINE_COLOURS = {
    "series_color": "#1F4E79",
    "last_color": "#C00000",
    "negative_color": "#C00000",
    "markers_color": "#1F4E79",
    "first_color": "#1F4E79",
    "high_color": "#1F4E79",
    "low_color": "#1F4E79",
}


@dataclass
class ScorecardInput:
    """Everything the writer shows, already computed and scored."""

    authority: str
    period: Month
    districts: list[tuple[str, str]]  # (code, name)
    catalogue: list[Indicator]
    scored: pd.DataFrame  # indicator, area, period, numerator, denominator, value, previous, rag, travel
    #                       (+ previous_6m, national, neighbours, vs_national when scored with them)
    history: pd.DataFrame  # HISTORY_COLUMNS, every period kept
    summary: str
    problems: list[Problem]
    files: list[FileReport]
    generated: dt.datetime
    incomplete: list[str] = field(default_factory=list)  # indicators missing a whole input file
    commentary: dict[str, str] = field(default_factory=dict)  # indicator id -> text to show
    commentary_history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COMMENTARY_COLUMNS))
    layout: Layout = field(default_factory=load_layout)
    drilldown: pd.DataFrame | None = None  # exception cases (personal data); None: no Drill-down sheet
    quality: dict[str, float | None] = field(default_factory=dict)  # share of input rows valid per area
    unusable: dict[str, int] = field(default_factory=dict)  # lists missing, unreadable or empty per area
    restatements: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RESTATEMENT_COLUMNS))  # history.RESTATEMENT_COLUMNS
    views: pd.DataFrame | None = None  # indicators.views.VIEW_COLUMNS, when the layout shows other windows
    details: list[tuple[Any, pd.DataFrame]] = field(default_factory=list)  # (layout Detail block, indicators.views.DETAIL_COLUMNS frame)
    comparators_note: str = ""  # where the England and neighbour figures come from (configuration)
    population: dict[str, float] = field(default_factory=dict)  # children aged 0-17 per district code (latest estimate)
    # Early warning (indicators.clocks.DUE_COLUMNS): the open cases due soon or overdue, personal
    # data (None: no drill-down, so no sheet); the clocks that could not run, and the window.
    due_soon: pd.DataFrame | None = None
    due_notes: list[str] = field(default_factory=list)
    due_within: int = 5
    # Aggregate only: per clock title, indicator id and district code, how many are overdue and
    # how many due soon (indicators.clocks.due_counts); written whether or not the list is.
    due_counts: pd.DataFrame | None = None
    # Aggregate only: what each timeliness figure can still become (indicators.clocks.PROJECTION_COLUMNS).
    projections: pd.DataFrame | None = None
    # Aggregate only: the early-warning record (history.WARNING_COLUMNS), newest day first.
    warning_record: pd.DataFrame | None = None

    @cached_property
    def this_period(self) -> dict[str, dict[str, dict[str, Any]]]:
        """This period's scored rows by area, then indicator: picked out of ``scored`` once, not
        once per area (at 100 districts that was 100 scans of every stored figure)."""
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for row in self.scored[self.scored["period"] == str(self.period)].to_dict("records"):
            found.setdefault(row["area"], {})[row["indicator"]] = row
        return found

    def basis(self, indicator: str, area: str, period: Month | str) -> float | None:
        """The number of people the stored figure of ``indicator`` for ``area`` and ``period``
        rests on (``scoring.disclosure_basis``), for small-number suppression in copies."""
        return self._bases.get((indicator, area, str(period)))

    @cached_property
    def _bases(self) -> dict[tuple[str, str, str], float | None]:
        units = {ind.id: ind.unit for ind in self.catalogue}
        frame = self.history
        if frame.empty:
            return {}
        indicators = frame["indicator"].tolist()
        bases = disclosure_bases([units.get(i, "count") for i in indicators], frame["numerator"], frame["denominator"])
        return dict(zip(zip(indicators, frame["area"].tolist(), frame["period"].astype(str).tolist(), strict=True), bases, strict=True))

    def view_basis(self, indicator: str, view: str, area: str = AUTHORITY) -> float | None:
        """What ``basis`` is for an indicator's figure in another window (``indicators.views``)."""
        if self.views is None or "numerator" not in self.views:
            return None
        rows = self.views[(self.views["indicator"] == indicator) & (self.views["area"] == area) & (self.views["view"] == view)]
        unit = next((ind.unit for ind in self.catalogue if ind.id == indicator), "count")
        return disclosure_basis(unit, rows["numerator"].iloc[0], rows["denominator"].iloc[0]) if len(rows) else None

    def view_value(self, indicator: str, view: str, area: str = AUTHORITY, column: str = "value") -> object:
        """An indicator's value (or ``travel``) in another window (``indicators.views``), None
        when not computed."""
        return self._view_values.get((indicator, area, view, column))

    @cached_property
    def _view_values(self) -> dict[tuple[str, str, str, str], object]:
        if self.views is None:
            return {}
        columns = [c for c in ("value", "travel") if c in self.views]
        return {
            (*key, column): value
            for column in columns
            for key, value in self.views.set_index(["indicator", "area", "view"])[column].items()
        }


@dataclass
class Written:
    """What writing the sheets tells the guard: the cells users may type into (commentary) and
    the cells whose figure rests on few people (``Formats.record``), both by sheet."""

    free: dict[str, set[str]]
    small: dict[str, dict[str, float]]


class Formats:
    """XlsxWriter formats created once per workbook and reused."""

    def __init__(self, book: xlsxwriter.Workbook, colours: Colours | None = None) -> None:
        self._book = book
        self._cache: dict[tuple[Any, ...], Format] = {}
        self.colours = colours or Colours()  # the layout's: header, section and status fills
        # Cells whose figure rests on few people, by sheet: cell -> how many (see ``record``).
        self.small: dict[str, dict[str, float]] = {}
        self._letters: dict[int, str] = {}

    def record(self, ws: Worksheet, row: int, col: int, basis: float | None) -> None:
        """Note that the figure in (row, col) rests on ``basis`` people, when that is few enough
        for a copy to withhold it (``scoring.is_small``); the fingerprint keeps the note."""
        if basis is not None and 0 < basis < MAX_SUPPRESSION_THRESHOLD:
            letters = self._letters.get(col)
            if letters is None:  # thousands of history cells a refresh: each column named once
                letters = self._letters[col] = xl_rowcol_to_cell(0, col)[:-1]
            self.small.setdefault(ws.name, {})[f"{letters}{row + 1}"] = basis

    def __call__(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format({"font_name": "Arial", "font_size": 10, **props})
        return self._cache[key]


def value_cell(ws: Worksheet, row: int, col: int, value: Any, unit: str, fmt: Formats, basis: float | None = None, **style: Any) -> None:
    """A figure in its unit's number format; blank (never 0) when there is none. ``basis``: how
    many people it rests on (``Formats.record``), when it describes people."""
    cell_format = fmt(num_format=NUMBER_FORMATS[unit], **style)
    if value is None or pd.isna(value):
        ws.write_blank(row, col, None, cell_format)
    else:
        ws.write_number(row, col, float(value), cell_format)
        fmt.record(ws, row, col, basis)


def part_cell(ws: Worksheet, row: int, col: int, value: float | None, fmt: Formats, basis: float | None = None) -> None:
    """A numerator or denominator: whole numbers without decimals; blank when there is none."""
    if value is None or pd.isna(value):
        ws.write_blank(row, col, None, fmt(border=1))
    else:
        whole = float(value).is_integer()
        ws.write_number(row, col, float(value), fmt(num_format="#,##0" if whole else "#,##0.0", border=1))
        fmt.record(ws, row, col, basis)


def row_basis(unit: str, row: dict[str, Any]) -> float | None:
    """``scoring.disclosure_basis`` of one scored row (a dict with numerator and denominator)."""
    return disclosure_basis(unit, row.get("numerator"), row.get("denominator")) if row else None


def six_month_basis(data: ScorecardInput, indicator: str, area: str = AUTHORITY) -> float | None:
    """The fewest people any of the six months before this one rests on: a 6-month average is
    withheld when one of the months it averages would be."""
    bases = [b for n in range(1, 7) if (b := data.basis(indicator, area, data.period.shift(-n))) is not None and b > 0]
    return min(bases) if bases else None


def by_area(data: ScorecardInput, area: str) -> dict[str, dict[str, Any]]:
    """This period's scored row of each indicator for ``area`` (copies: the caller's to change)."""
    return {indicator: dict(row) for indicator, row in data.this_period.get(area, {}).items()}


# Printing: text is written at 10 pt; printed at no less than 85 % it is at least 8.5 pt on paper
# (committee papers need 8 pt or more; LibreOffice's fit can land a little below Excel's).
MIN_PRINT_SCALE = 85
# An A4 landscape page less the margins below, in the pixels column widths are counted in (96 a
# inch), and the pixels of a column w characters wide as Excel counts them (7 a character plus 5).
PAGE_WIDTH_PX = int((11.69 - 0.8) * 96)
LINE_HEIGHT = 13  # points a line of 10 pt Arial takes in a row


def printed_width(widths: Sequence[float]) -> int:
    """Pixels the columns of ``widths`` (in characters) take printed at 100 %."""
    return sum(int(width * 7 + 0.5) + 5 for width in widths)


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (Arial 10, roughly,
    with room for words that do not break where the column ends)."""
    return sum(1 + int(len(part) * 1.15 // max(width - 1, 1)) for part in str(text).split("\n"))


def fit_row(ws: Worksheet, row: int, cells: Sequence[tuple[object, float]], most: int = 409) -> None:
    """Make ``row`` tall enough for its wrapped cells, (text, column width) pairs: neither Excel
    nor LibreOffice grows a row for wrapped text a program wrote, so without this the lines of a
    long text print on top of each other. Call it before writing the row's cells."""
    height = row_height(cells, most)
    if height is not None:
        ws.set_row(row, height)


def row_height(cells: Sequence[tuple[object, float]], most: int = 409) -> int | None:
    """The height in points ``fit_row`` gives a row of these (text, column width) cells; None
    when one line is enough (the row keeps the default height)."""
    lines = max((text_lines(str(text), width) for text, width in cells if text), default=1)
    return min(LINE_HEIGHT * lines, most) if lines > 1 else None


def print_scale(widths: Sequence[float]) -> int:
    """The print scale, in per cent, of a sheet whose printed columns are ``widths``: one page
    wide at up to 100 % when that is ``MIN_PRINT_SCALE`` or more, else ``MIN_PRINT_SCALE``."""
    # (With a tenth to spare: LibreOffice lays a column out a little wider than Excel counts it.)
    fitted = int(PAGE_WIDTH_PX * 0.9 * 100 / printed_width(widths)) if widths else 100
    return max(MIN_PRINT_SCALE, min(100, fitted))


def first_page_columns(widths: Sequence[float]) -> int:
    """How many of the columns ``widths`` print on a page's width (all, when the sheet fits)."""
    room = PAGE_WIDTH_PX * 0.9 * 100 / print_scale(widths)
    used = 0
    for count, width in enumerate(widths):
        used += printed_width([width])
        if used > room:
            return max(count, 1)
    return len(widths)


def print_setup(
    ws: Worksheet, data: ScorecardInput, header_row: int, widths: Sequence[float] = (), repeat_columns: int = 1, scale: int | None = None
) -> None:
    """A4 landscape, the header row(s) on every page, and the authority, period and "as at" date
    in the page header: every sheet prints as a report. Scaled to one page wide when the printed
    columns (``widths``) fit at ``MIN_PRINT_SCALE`` or more; otherwise printed at that scale
    across as many pages as it takes, left to right, with the first ``repeat_columns`` on every
    page, so no text prints smaller than 8 pt."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    # A scale, not "fit to one page wide": LibreOffice reads fit-to-width with no page limit
    # down (fitToHeight="0") as one page, shrinking a long table to a few points.
    ws.set_print_scale(max(scale, MIN_PRINT_SCALE) if scale else print_scale(widths))
    if first_page_columns(widths) < len(widths):
        ws.print_across()  # a committee reads a wide table's pages left to right, then down
        if repeat_columns:
            ws.repeat_columns(0, repeat_columns - 1)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(
        f"&L{data.authority.replace('&', '&&')}&CPerformance scorecard {data.period.label}&RAs at {data.period.last_day:%d/%m/%Y}"
    )
    ws.set_footer("&LGenerated by xl-scorecard&RPage &P of &N")


def status_text(data: ScorecardInput, row: dict[str, Any], data_only: bool) -> str:
    """The status cell of one scored row: its RAG word, or "no data" / "incomplete"."""
    return data.layout.status(row.get("rag", "") or "", data_only, row.get("status", "complete") or "complete")
