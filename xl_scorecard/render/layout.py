"""Scorecard layouts: which columns the Scorecard sheet shows, in which order, with which
headers, widths and words. Layouts are data (``workbook_templates/layouts/*.toml``), so a
performance officer picks or adapts one without Python; a misspelt key or field is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from xl_scorecard.commentary import TEXT_HEADER
from xl_scorecard.datafiles import Strict, parse_model, read_toml
from xl_scorecard.errors import ConfigError
from xl_scorecard.periods import Month, financial_year
from xl_scorecard.resources import shipped_folder

LAYOUTS_DIR = shipped_folder("workbook_templates") / "layouts"
DEFAULT_LAYOUT = "kent_table"

# field -> (default header, default width). The commentary header is what the commentary
# reader looks for; the indicator id is always written last, in a hidden column.
FIELDS: dict[str, tuple[str, float]] = {
    "title": ("Indicator", 48),
    "code": ("Code", 12),
    "polarity": ("Polarity", 8),
    "period": ("Period", 13),
    "value": ("Value", 10),
    "rag": ("RAG", 6),
    "numerator": ("Numerator", 11),
    "denominator": ("Denominator", 12),
    "previous": ("Previous month", 10),
    "previous_6m": ("Previous 6-month average", 11),
    "target": ("Target", 9),
    "arrow": ("Trend", 13),
    "travel": ("Travel", 10),
    "sparkline": ("Last 12 months", 14),
    "national": ("England", 9),
    "neighbours": ("Statistical neighbours", 11),
    "vs_national": ("Compared with England", 11),
    "commentary": (TEXT_HEADER, 40),
    # Other windows on the indicator (indicators/views.py): the headers name the months and years.
    "last_year": ("{last_year} outturn", 10),
    "last_month": ("{previous_month}", 10),
    "this_month": ("{month}", 10),
    "year_to_date": ("{year} year to date", 11),
    "month_travel": ("Trend", 13),
}
# field -> the view (indicators.views.VIEWS) it shows.
VIEW_FIELDS = {"this_month": "this month", "last_month": "last month", "year_to_date": "year to date", "last_year": "last year"}
Fieldname = Literal[tuple(FIELDS)]  # type: ignore[valid-type]
# The sheets of the tool a committee pack may print (the Drill-down sheets never: personal data).
PrintableSheet = Literal[
    "Scorecard", "District panels", "Detailed analysis", "Districts", "History", "Definitions", "Commentary", "Restatements", "Data quality"
]
# Columns that stay off the sheet when no figure in them exists (no comparators configured).
DROPPED_WHEN_EMPTY = {"national", "neighbours", "vs_national"}


class Column(Strict):
    field: Fieldname  # type: ignore[valid-type]
    header: str | None = None
    width: float | None = Field(default=None, gt=0, le=255)

    def label(self, period: Month) -> str:
        """The header, with {month}, {previous_month}, {year} and {last_year} filled in for
        ``period`` (Jan 2010, Dec 2009, 2009/10, 2008/09)."""
        start = financial_year(period)
        return (self.header or FIELDS[self.field][0]).format(
            month=period.label,
            previous_month=period.shift(-1).label,
            year=f"{start}/{(start + 1) % 100:02d}",
            last_year=f"{start - 1}/{start % 100:02d}",
        )

    @property
    def size(self) -> float:
        return self.width or FIELDS[self.field][1]


RGB = r"^#[0-9A-Fa-f]{6}$"


class Colours(Strict):
    """The layout's colours, each an explicit RGB ``#RRGGBB`` (never a theme colour, which
    LibreOffice and a package without a theme part would not show)."""

    green: str = Field(default="#C6EFCE", pattern=RGB)  # status fills
    amber: str = Field(default="#FFEB9C", pattern=RGB)
    red: str = Field(default="#FFC7CE", pattern=RGB)
    header: str = Field(default="#1F3864", pattern=RGB)  # header rows (white text) and titles
    section: str = Field(default="#DDEBF7", pattern=RGB)  # section rows and panel titles

    def fill(self, status: str) -> str:
        return {"G": self.green, "A": self.amber, "R": self.red}[status]


class DetailRow(Strict):
    label: str
    # "denominator": the cases counted (completed in the month); "numerator": those within the
    # measure, shown with their share of the row's own denominator.
    show: Literal["numerator", "denominator"] = "numerator"
    change: dict[str, Any] = {}  # the indicator's calculation with these parameters changed (days = 10)


class Detail(Strict):
    """A "detailed analysis" block: months as columns, a number and a % per row."""

    title: str
    indicator: str
    months: int = Field(default=6, ge=1, le=24)
    row: list[DetailRow] = Field(min_length=1)


class Layout(Strict):
    """One scorecard layout as declared in its file."""

    name: str
    description: str = ""
    title: str = "{authority} - Children's Services Performance Scorecard"
    group_by_section: bool = True
    panels: bool = False  # also write the "District panels" sheet: a panel and a chart per indicator
    # Words for the direction of travel (London: "Improving", "No change", "Getting worse").
    travel_words: dict[Literal["Improved", "Same", "Worse"], str] = {}
    # Words for the status cell (London: OK / Warning / Alert / Unknown / Data only); the RAG
    # colours follow the words.
    rag_words: dict[Literal["G", "A", "R", "none", "data only"], str] = {}
    colours: Colours = Colours()
    # The indicators the Scorecard (and panels) show, in this order; empty: the whole catalogue.
    indicators: list[str] = []
    column: list[Column] = Field(min_length=1)
    detail: list[Detail] = []  # written on a "Detailed analysis" sheet, one block each
    # The sheets a committee pack prints (`xl-scorecard pdf`), after its title page, in workbook
    # order; one the workbook does not have (no panels in this layout) is skipped.
    committee: list[PrintableSheet] = ["Scorecard", "District panels", "Detailed analysis", "Districts", "History", "Definitions"]
    # How the summary says the change since last month: "plain" (better / the same / worse) or
    # "kent" (Kent's "shown an improvement ... shown a reduction").
    summary_wording: Literal["plain", "kent"] = "plain"
    # Where a unit's sparklines start their value axis: "zero" (a bar's height is the value: a 2 %
    # change looks like one) or "own" (Excel's own minimum per sparkline: the lowest month is a
    # bar of no height). Units not named start at zero.
    sparkline_axis: dict[Literal["%", "per 10,000", "count", "days", "FTE", "ratio"], Literal["zero", "own"]] = {}

    @property
    def views(self) -> tuple[str, ...]:
        """The views (indicators.views) the columns show, for the pipeline to compute."""
        wanted = {VIEW_FIELDS[c.field] for c in self.column if c.field in VIEW_FIELDS}
        if any(c.field == "month_travel" for c in self.column):  # this month against last month
            wanted |= {"this month", "last month"}
        return tuple(view for view in VIEW_FIELDS.values() if view in wanted)

    @model_validator(mode="after")
    def _fields_once(self) -> Layout:
        fields = [c.field for c in self.column]
        repeated = sorted({f for f in fields if fields.count(f) > 1})
        if repeated:
            raise ValueError(f"field(s) listed twice: {', '.join(repeated)}")
        for column in self.column:
            try:
                column.label(Month(2000, 1))
            except (KeyError, IndexError, ValueError):
                raise ValueError(
                    f"header {column.header!r}: the only placeholders are {{month}}, {{previous_month}}, {{year}} and {{last_year}}"
                ) from None
        if "commentary" in fields and self.column[fields.index("commentary")].header not in (None, TEXT_HEADER):
            raise ValueError("the commentary column keeps its header (refreshes find staff's text by it)")
        return self

    def word(self, travel: str) -> str:
        words = {str(key): word for key, word in self.travel_words.items()}
        return words.get(travel, travel) if travel else ""

    def status(self, rag: str, data_only: bool, figure: str = "complete") -> str:
        """The status cell's text for a RAG rating ("" = no figure); a figure that is not
        complete says so ("no data", "incomplete") instead of a rating."""
        if figure != "complete":
            return figure
        words = {str(key): word for key, word in self.rag_words.items()}
        if data_only:
            return words.get("data only", "-")
        return words.get(rag, rag) if rag else words.get("none", "")

    def status_words(self) -> list[str]:
        """Every word a status cell can show in this layout (for sizing the column)."""
        return [*self.rag_words.values(), "G", "A", "R", "-"]

    def shown(self, catalogue: list, where: object = "") -> list:
        """The catalogue's indicators this layout shows, in its order; ``ValueError`` names
        any listed id the catalogue does not have."""
        if not self.indicators:
            return list(catalogue)
        by_id = {ind.id: ind for ind in catalogue}
        unknown = [i for i in self.indicators if i not in by_id]
        if unknown:
            raise ValueError(f"layout {where}: indicators {', '.join(unknown)} are not in the catalogue (it has {', '.join(by_id)})")
        return [by_id[i] for i in self.indicators]

    def columns_for(self, has_comparators: bool) -> list[Column]:
        return [c for c in self.column if has_comparators or c.field not in DROPPED_WHEN_EMPTY]


def layout_path(value: str | Path | None) -> Path:
    """A layout by name (a file in ``workbook_templates/layouts``) or by path."""
    value = value or DEFAULT_LAYOUT
    path = Path(value)
    if path.suffix.lower() == ".toml":
        return path
    return LAYOUTS_DIR / f"{value}.toml"


def available_layouts() -> list[str]:
    """Names of the shipped layouts."""
    return sorted(p.stem for p in LAYOUTS_DIR.glob("*.toml"))


def load_layout(value: str | Path | None = None) -> Layout:
    """Load and validate a layout; ``ConfigError`` names the file and the problem."""
    path = layout_path(value)
    if not path.is_file():
        known = ", ".join(available_layouts()) or "none found"
        raise ConfigError(f"layout {str(value)!r}: no file {path}; shipped layouts: {known}")
    return parse_model(Layout, read_toml(path), str(path))
