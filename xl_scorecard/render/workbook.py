"""Writing the scorecard workbook with XlsxWriter: native conditional formats and sparklines.

The writer arranges what earlier stages computed; it computes nothing. RAG colours come from
conditional-format rules on the status cells (never static fills), trend lines are native
sparklines reading the History sheet, and colours are explicit RGB (no theme dependence).
Text from input files is always written as a string, never as a formula.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from xl_scorecard.commentary import COMMENTARY_COLUMNS, COMMENTARY_SHEET, ID_HEADER
from xl_scorecard.history import HISTORY_COLUMNS, HISTORY_SHEET
from xl_scorecard.indicators.catalogue import SECTIONS, Indicator
from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.periods import PERIOD_LABELS, Month, months_ending
from xl_scorecard.render.layout import VIEW_FIELDS, Colours, Layout, load_layout
from xl_scorecard.scoring import BETTER, IMPROVED, SAME, WORSE
from xl_scorecard.sources import FileReport, Problem

SCORECARD_SHEET = "Scorecard"
DISTRICTS_SHEET = "Districts"
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
    DRILLDOWN_SHEET,
    HISTORY_SHEET,
    FINGERPRINT_SHEET,
)
TREND_MONTHS = 12

# Status fills, header and section colours are the layout's (``layout.Colours``, these by
# default); the status text colours are fixed, dark enough to read on any light fill.
GREEN, AMBER, RED = Colours().green, Colours().amber, Colours().red
GREEN_TEXT, AMBER_TEXT, RED_TEXT = "#006100", "#9C5700", "#9C0006"
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
    views: pd.DataFrame | None = None  # indicators.views.VIEW_COLUMNS, when the layout shows other windows
    details: list = field(default_factory=list)  # (layout Detail block, indicators.views.DETAIL_COLUMNS frame)

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


class _Formats:
    """XlsxWriter formats created once per workbook and reused."""

    def __init__(self, book: xlsxwriter.Workbook, colours: Colours | None = None):
        self._book = book
        self._cache: dict[tuple, object] = {}
        self.colours = colours or Colours()  # the layout's: header, section and status fills

    def __call__(self, **props) -> object:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format({"font_name": "Arial", "font_size": 10, **props})
        return self._cache[key]


def write_workbook(path: Path, data: ScorecardInput) -> dict[str, set[str]]:
    """Write the scorecard's own sheets to a new workbook at ``path``.

    Returns the cells users may type into (commentary), by sheet, for the guard.
    """
    # constant_memory writes inline strings, so a transplanted sheet never depends on the
    # master's shared-string table. It also means rows must be written top to bottom.
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "constant_memory": True}
    )
    book.set_properties(
        {
            "title": f"{data.authority} children's services scorecard {data.period.label}",
            "comments": "Generated by xl-scorecard",
            "created": data.generated,
        }
    )
    fmt = _Formats(book, data.layout.colours)
    trend_rows = _trend_layout(data)
    # Sheets in the order users see them: the scorecard first.
    free = _write_scorecard(book.add_worksheet(SCORECARD_SHEET), data, fmt, trend_rows)
    if data.layout.panels:
        from xl_scorecard.render.panels import write_panels  # it builds on this module's helpers

        write_panels(book, book.add_worksheet(PANELS_SHEET), data, fmt, trend_rows)
    if data.details:
        from xl_scorecard.render.detail import write_details  # it builds on this module's helpers

        write_details(book, book.add_worksheet(DETAIL_SHEET), data, fmt)
    _write_districts(book.add_worksheet(DISTRICTS_SHEET), data, fmt)
    _write_trend_sheet(book.add_worksheet(TREND_SHEET), data, fmt, trend_rows)
    _write_definitions(book.add_worksheet(DEFINITIONS_SHEET), data, fmt)
    _write_quality(book.add_worksheet(QUALITY_SHEET), data, fmt)
    _write_commentary(book.add_worksheet(COMMENTARY_SHEET), data, fmt)
    if data.drilldown is not None:
        from xl_scorecard.render.drilldown import write_drilldown  # it builds on this module's helpers

        write_drilldown(book, data, fmt)
    history = book.add_worksheet(HISTORY_SHEET)
    _write_history_data(history, data, fmt)
    history.hide()  # the tool's own store: kept out of print and out of the way, not secret
    book.close()
    return {SCORECARD_SHEET: free}


def _trend_layout(data: ScorecardInput) -> dict[tuple[str, str], int]:
    # Row (zero-based) of each indicator and area on the History sheet, known before writing so
    # the scorecard's sparklines can point at it.
    areas = [AUTHORITY] + [code for code, _ in data.districts]
    pairs = [(ind.id, area) for ind in data.catalogue for area in areas]
    return {pair: row for row, pair in enumerate(pairs, start=1)}


def _value_cell(ws, row: int, col: int, value: float | None, unit: str, fmt: _Formats, **style) -> None:
    cell_format = fmt(num_format=NUMBER_FORMATS[unit], **style)
    if value is None or pd.isna(value):
        ws.write_blank(row, col, None, cell_format)
    else:
        ws.write_number(row, col, float(value), cell_format)


def _part_cell(ws, row: int, col: int, value: float | None, fmt: _Formats) -> None:
    if value is None or pd.isna(value):
        ws.write_blank(row, col, None, fmt(border=1))
    else:
        whole = float(value).is_integer()
        ws.write_number(row, col, float(value), fmt(num_format="#,##0" if whole else "#,##0.0", border=1))


def _rag_rules(ws, cell_range: str, fmt: _Formats, words: dict[str, str] | None = None) -> None:
    # One rule per status on the same, non-overlapping range: LibreOffice and Excel both show them.
    for status, text in (("G", GREEN_TEXT), ("A", AMBER_TEXT), ("R", RED_TEXT)):
        word = (words or {}).get(status, status)
        ws.conditional_format(
            cell_range,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{word}"',
                "format": fmt(bg_color=fmt.colours.fill(status), font_color=text, bold=True),
            },
        )


def _travel_rules(ws, cell_range: str, fmt: _Formats, good: str, bad: str) -> None:
    for status, colour in ((good, GREEN_TEXT), (bad, RED_TEXT)):
        ws.conditional_format(
            cell_range, {"type": "cell", "criteria": "==", "value": f'"{status}"', "format": fmt(font_color=colour, bold=True)}
        )


def _by_area(data: ScorecardInput, area: str) -> dict[str, dict]:
    rows = data.scored[(data.scored["period"] == str(data.period)) & (data.scored["area"] == area)]
    return {r["indicator"]: r for r in rows.to_dict("records")}


def _write_scorecard(ws, data: ScorecardInput, fmt: _Formats, trend_rows: dict[tuple[str, str], int]) -> set[str]:
    layout = data.layout
    results = _by_area(data, AUTHORITY)
    has_comparators = any(pd.notna(r.get("national")) or pd.notna(r.get("neighbours")) for r in results.values())
    columns = layout.columns_for(has_comparators)
    at = {c.field: n for n, c in enumerate(columns)}
    id_col = len(columns)  # hidden: keys commentary to indicators; above it, the month shown
    for n, column in enumerate(columns):
        ws.set_column(n, n, column.size)
    ws.set_column(id_col, id_col, 16, None, {"hidden": True})
    ws.write_string(0, 0, layout.title.replace("{authority}", data.authority), fmt(bold=True, font_size=14, font_color=fmt.colours.header))
    ws.write_string(0, id_col, str(data.period))
    ws.write_string(
        1, 0, f"{data.period.label}   (as at {data.period.last_day:%d/%m/%Y}; generated {data.generated:%d/%m/%Y %H:%M})", fmt(italic=True)
    )
    header_row = 3
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, text_wrap=True, valign="vcenter")
    for n, column in enumerate(columns):
        ws.write_string(header_row, n, column.label(data.period), head)
    ws.write_string(header_row, id_col, ID_HEADER, head)
    ws.set_row(header_row, 40)  # three lines: "Previous 6-month average" wraps in a narrow column
    row = header_row + 1
    first_indicator_row = row
    free: set[str] = set()
    shown = layout.shown(data.catalogue)  # checked against the catalogue before the run read anything
    groups = [(s, [i for i in shown if i.section == s]) for s in SECTIONS] if layout.group_by_section else [("", shown)]
    for section, indicators in groups:
        if not indicators:
            continue
        if section:
            ws.merge_range(
                row,
                0,
                row,
                id_col - 1,
                section.upper(),
                fmt(bold=True, bg_color=fmt.colours.section, font_color=fmt.colours.header, border=1),
            )
            row += 1
        for ind in indicators:
            r = results.get(ind.id, {})
            note = data.commentary.get(ind.id, "")
            # Tall enough for the wrapped title and commentary: LibreOffice does not grow a row
            # for wrapped text by itself. Set before the row's cells (rows are written in order).
            lines = max(
                _lines(ind.title, columns[at["title"]].size) if "title" in at else 1,
                _lines(note, columns[at["commentary"]].size) if "commentary" in at and note else 1,
            )
            if lines > 1:
                ws.set_row(row, min(13 * lines, 91))
            for n, column in enumerate(columns):
                _write_field(ws, row, n, column.field, ind, r, note, data, fmt)
            if "commentary" in at:
                free.add(cell_of(row, at["commentary"]))
            ws.write_string(row, id_col, ind.id)
            if "sparkline" in at:
                trend_row = trend_rows[(ind.id, AUTHORITY)]
                ws.add_sparkline(
                    row,
                    at["sparkline"],
                    {
                        "range": f"'{TREND_SHEET}'!$C${trend_row + 1}:${xl_col_to_name(1 + TREND_MONTHS)}${trend_row + 1}",
                        # Columns, not a line: LibreOffice draws line sparklines as dots only.
                        "type": "column",
                        "last_point": True,
                        **SPARKLINE_COLOURS,
                    },
                )
            row += 1
    last_indicator_row = row - 1
    if "rag" in at:
        letter = xl_col_to_name(at["rag"])
        _rag_rules(ws, f"{letter}{first_indicator_row + 1}:{letter}{last_indicator_row + 1}", fmt, layout.rag_words)
    if "arrow" in at:
        letter = xl_col_to_name(at["arrow"])
        ws.conditional_format(
            f"{letter}{first_indicator_row + 1}:{letter}{last_indicator_row + 1}",
            {
                "type": "icon_set",
                "icon_style": "3_arrows",
                "icons_only": True,
                "icons": [{"criteria": ">=", "type": "number", "value": 1}, {"criteria": ">=", "type": "number", "value": 0}],
            },
        )
    for name, good, bad in (
        ("travel", layout.word(IMPROVED), layout.word(WORSE)),
        ("month_travel", layout.word(IMPROVED), layout.word(WORSE)),
        ("vs_national", BETTER, WORSE),
    ):
        if name in at:
            letter = xl_col_to_name(at[name])
            _travel_rules(ws, f"{letter}{first_indicator_row + 1}:{letter}{last_indicator_row + 1}", fmt, good, bad)
    row += 1
    ws.write_string(row, 0, "PERFORMANCE SUMMARY", fmt(bold=True, font_color=fmt.colours.header))
    ws.merge_range(row + 1, 0, row + 2, max(id_col - 1, 1), data.summary, fmt(text_wrap=True, valign="top"))
    row += 4
    for line in data.incomplete:
        ws.write_string(row, 0, "Incomplete: " + line, fmt(bold=True, font_color=RED_TEXT))
        row += 1
    names = {AUTHORITY: data.authority, **dict(data.districts)}
    scores = [f"{names[a]} {v:.2%}" for a, v in data.quality.items() if v is not None]
    if scores:
        ws.write_string(
            row,
            0,
            "Data quality (share of input rows valid): " + " | ".join(scores) + '. Details on the "Data quality" sheet.',
            fmt(font_color="#595959"),
        )
        row += 1
    ws.write_string(
        row,
        0,
        "Polarity: H higher is better, L lower is better, T closest to target is best. "
        "RAG: green = target met, amber = floor met, red = below floor.",
        fmt(italic=True, font_color="#595959"),
    )
    ws.freeze_panes(header_row + 1, at.get("title", 0) + 1)
    _print_setup(ws, data, header_row)
    return free


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (Arial 10, roughly)."""
    return 1 + int(len(text) * 1.1 // width)


def _write_field(ws, row: int, col: int, field: str, ind: Indicator, r: dict, note: str, data: ScorecardInput, fmt: _Formats) -> None:
    """One cell of an indicator's row: what ``field`` names, formatted for the indicator's unit."""
    boxed = fmt(border=1)
    if field == "title":
        ws.write_string(row, col, ind.title, fmt(border=1, text_wrap=True))
    elif field == "code":
        ws.write_string(row, col, ind.id, boxed)
    elif field == "polarity":
        ws.write_string(row, col, POLARITY_LABELS[ind.polarity], fmt(border=1, align="center"))
    elif field == "period":
        ws.write_string(row, col, PERIOD_LABELS[ind.period], boxed)
    elif field in ("value", "previous", "previous_6m", "national", "neighbours"):
        _value_cell(ws, row, col, r.get(field), ind.unit, fmt, border=1, bold=field == "value")
    elif field in VIEW_FIELDS:
        _value_cell(ws, row, col, data.view_value(ind.id, VIEW_FIELDS[field]), ind.unit, fmt, border=1)
    elif field == "rag":
        ws.write_string(row, col, data.layout.status(r.get("rag", ""), ind.data_only), fmt(border=1, align="center"))
    elif field in ("numerator", "denominator"):
        _part_cell(ws, row, col, r.get(field), fmt)
    elif field == "target":
        _value_cell(ws, row, col, ind.target, ind.unit, fmt, border=1)
    elif field == "arrow":
        # Performance, not value: 1 improved, 0 the same, -1 worse (respecting polarity); the
        # icon set draws the arrow and the number itself is hidden.
        step = {IMPROVED: 1, SAME: 0, WORSE: -1}.get(r.get("travel") or "")
        arrow_format = fmt(border=1, align="center", num_format=";;;")
        if step is None:
            ws.write_blank(row, col, None, arrow_format)
        else:
            ws.write_number(row, col, step, arrow_format)
    elif field == "travel":
        ws.write_string(row, col, data.layout.word(r.get(field) or ""), boxed)
    elif field == "month_travel":
        ws.write_string(row, col, data.layout.word(data.view_value(ind.id, "this month", column="travel") or ""), boxed)
    elif field == "vs_national":
        ws.write_string(row, col, r.get(field) or "", boxed)
    elif field == "sparkline":
        ws.write_blank(row, col, None, boxed)
    elif field == "commentary":
        note_format = fmt(
            border=1,
            text_wrap=True,
            valign="top",
            bg_color="#FFFFF0",
            **({"italic": True, "font_color": "#7F7F7F"} if note.startswith("[Carried forward") else {}),
        )
        if note:
            ws.write_string(row, col, note, note_format)
        else:
            ws.write_blank(row, col, None, note_format)


def _print_setup(ws, data: ScorecardInput, header_row: int) -> None:
    """A4 landscape, one page wide, the header row(s) on every page, and the authority, period
    and "as at" date in the page header: every sheet prints as a report."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(
        f"&L{data.authority.replace('&', '&&')}&CPerformance scorecard {data.period.label}&RAs at {data.period.last_day:%d/%m/%Y}"
    )
    ws.set_footer("&LGenerated by xl-scorecard&RPage &P of &N")


def _write_districts(ws, data: ScorecardInput, fmt: _Formats) -> None:
    areas = [(AUTHORITY, data.authority), *data.districts]
    ws.set_column(0, 0, 62)
    ws.write_string(
        0, 0, f"{data.authority} - results by district, {data.period.label}", fmt(bold=True, font_size=13, font_color=fmt.colours.header)
    )
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1, text_wrap=True, align="center")
    ws.write_string(2, 0, "Indicator", head)
    for n, (_, name) in enumerate(areas):
        col = 1 + 2 * n
        ws.merge_range(2, col, 2, col + 1, name, head)
        ws.set_column(col, col, 11)
        ws.set_column(col + 1, col + 1, 5)
    by_area = {code: _by_area(data, code) for code, _ in areas}
    first = 3
    for offset, ind in enumerate(data.catalogue):
        row = first + offset
        ws.write_string(row, 0, ind.title, fmt(border=1, text_wrap=True))
        for n, (code, _) in enumerate(areas):
            r = by_area[code].get(ind.id, {})
            _value_cell(ws, row, 1 + 2 * n, r.get("value"), ind.unit, fmt, border=1)
            ws.write_string(row, 2 + 2 * n, r.get("rag", ""), fmt(border=1, align="center"))
    last = first + len(data.catalogue) - 1
    scores = data.quality
    ws.write_string(last + 2, 0, "Data quality: share of input rows valid", fmt(italic=True, border=1))
    for n, (code, _) in enumerate(areas):
        if scores.get(code) is None:
            ws.write_blank(last + 2, 1 + 2 * n, None, fmt(border=1))
        else:  # two decimals: the difference between 99.5% and 99.99% valid is what matters here
            ws.write_number(last + 2, 1 + 2 * n, scores[code], fmt(num_format="0.00%", border=1, italic=True))
    for n in range(len(areas)):
        column = xl_col_to_name(2 + 2 * n)
        _rag_rules(ws, f"{column}{first + 1}:{column}{last + 1}", fmt)
    ws.freeze_panes(first, 1)
    _print_setup(ws, data, 2)


def _write_trend_sheet(ws, data: ScorecardInput, fmt: _Formats, rows: dict[tuple[str, str], int]) -> None:
    """The last 12 months per indicator and area: what the sparklines read."""
    months = months_ending(data.period, TREND_MONTHS)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 1 + TREND_MONTHS, 10)
    ws.write_string(0, 0, "Indicator", fmt(bold=True))
    ws.write_string(0, 1, "Area", fmt(bold=True))
    for n, month in enumerate(months):
        ws.write_string(0, 2 + n, month.label, fmt(bold=True, align="right"))
    history = data.history.set_index(["indicator", "area", "period"])["value"]
    names = {AUTHORITY: data.authority, **dict(data.districts)}
    units = {ind.id: ind.unit for ind in data.catalogue}
    for (indicator, area), row in rows.items():
        ws.write_string(row, 0, indicator)
        ws.write_string(row, 1, names[area])
        for n, month in enumerate(months):
            _value_cell(ws, row, 2 + n, history.get((indicator, area, str(month))), units[indicator], fmt)
    ws.freeze_panes(1, 2)
    _print_setup(ws, data, 0)


def _write_commentary(ws, data: ScorecardInput, fmt: _Formats) -> None:
    """Every month's commentary, as typed (the scorecard shows the current month's)."""
    titles = {ind.id: ind.title for ind in data.catalogue}
    headers = [*COMMENTARY_COLUMNS, "indicator title"]
    for col, (text, width) in enumerate(zip(headers, [16, 8, 10, 80, 12, 50])):
        ws.set_column(col, col, width)
        ws.write_string(0, col, text, fmt(bold=True))
    wrap = fmt(text_wrap=True, valign="top")
    for row, record in enumerate(data.commentary_history[COMMENTARY_COLUMNS].itertuples(index=False), start=1):
        for col, value in enumerate(record):
            ws.write_string(row, col, str(value), wrap)
        ws.write_string(row, 5, titles.get(record[0], ""), wrap)
    ws.freeze_panes(1, 0)


def _write_history_data(ws, data: ScorecardInput, fmt: _Formats) -> None:
    """Every period's results, read back by the next refresh (see ``history``)."""
    for col, name in enumerate(HISTORY_COLUMNS):
        ws.write_string(0, col, name, fmt(bold=True))
    for row, record in enumerate(data.history[HISTORY_COLUMNS].itertuples(index=False), start=1):
        for col, value in enumerate(record):
            if isinstance(value, str):
                ws.write_string(row, col, value)
            elif value is not None and not pd.isna(value):
                ws.write_number(row, col, float(value))
    ws.set_column(0, 2, 16)


def _write_definitions(ws, data: ScorecardInput, fmt: _Formats) -> None:
    headers = ["Id", "Section", "Indicator", "Definition", "Impact", "Unit", "Polarity", "Period", "Target", "Floor / tolerance"]
    for col, (text, width) in enumerate(zip(headers, [16, 26, 40, 70, 50, 10, 8, 16, 9, 16])):
        ws.set_column(col, col, width)
        ws.write_string(0, col, text, fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF"))
    wrap = fmt(text_wrap=True, valign="top")
    for row, ind in enumerate(data.catalogue, start=1):
        for col, text in enumerate(
            [ind.id, ind.section, ind.title, ind.definition, ind.impact, ind.unit, ind.polarity, PERIOD_LABELS[ind.period]]
        ):
            ws.write_string(row, col, text, wrap)
        if ind.target is None:
            ws.write_string(row, 8, "Data only", wrap)
        else:
            _value_cell(ws, row, 8, ind.target, ind.unit, fmt, valign="top")
        band = ind.floor if ind.polarity != "T" else ind.tolerance
        if band is not None:
            unit = "%" if ind.polarity == "T" and ind.relative else ind.unit
            _value_cell(ws, row, 9, band, unit, fmt, valign="top")
    ws.freeze_panes(1, 0)
    _print_setup(ws, data, 0)


def _write_quality(ws, data: ScorecardInput, fmt: _Formats) -> None:
    head = fmt(bold=True, bg_color=fmt.colours.header, font_color="#FFFFFF", border=1)
    ws.write_string(0, 0, "Data quality", fmt(bold=True, font_size=13, font_color=fmt.colours.header))
    ws.write_string(
        1,
        0,
        "Rows with a problem in a required field are left out of every count and listed below. "
        "Values that identify a person are not shown; the file, sheet and row say where to look.",
        fmt(italic=True),
    )
    # Both tables share their first four columns (district, dataset, file, sheet).
    for col, width in enumerate([10, 13, 42, 20, 9, 9, 28, 16, 70, 60]):
        ws.set_column(col, col, width)
    summary_headers = ["District", "Dataset", "File", "Sheet", "Rows read", "Loaded", "Excluded", "% valid"]
    for col, text in enumerate(summary_headers):
        ws.write_string(3, col, text, head)
    row = 4
    for report in data.files:
        ws.write_string(row, 0, report.district)
        ws.write_string(row, 1, report.dataset)
        ws.write_string(row, 2, report.file)
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
    for row, problem in enumerate(data.problems, start=first):
        for col, text in enumerate([problem.district, problem.dataset, problem.file, problem.sheet]):
            ws.write_string(row, col, text, fmt(valign="top"))
        if problem.row is not None:
            ws.write_number(row, 4, problem.row, fmt(valign="top"))
        ws.write_string(row, 5, problem.severity, fmt(valign="top"))
        ws.write_string(row, 6, problem.column, wrap)
        # The location is enough to find it: a value that identifies a person is not copied here.
        ws.write_string(row, 7, "(personal data: not shown)" if problem.personal and problem.value else problem.value, wrap)
        ws.write_string(row, 8, problem.message + (" The row is left out of the counts." if problem.excluded else ""), wrap)
        ws.write_string(row, 9, problem.action, wrap)
    if data.problems:
        last = first + len(data.problems) - 1
        ws.conditional_format(
            f"F{first + 1}:F{last + 1}",
            {"type": "cell", "criteria": "==", "value": '"error"', "format": fmt(bg_color=RED, font_color=RED_TEXT)},
        )
        ws.autofilter(first - 1, 0, last, len(problem_headers) - 1)
    ws.freeze_panes(4, 0)
    _print_setup(ws, data, 3)


def cell_of(row: int, col: int) -> str:
    """A1 reference of a zero-based cell (for tests and messages)."""
    return xl_rowcol_to_cell(row, col)
