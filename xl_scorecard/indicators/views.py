"""Other windows on the same indicator, for layouts that show them (London's NI table): the
figure for this month and last month alone, the year to date, and last year's outturn; and the
month-by-month "detailed analysis" rows (a measure's parts, or a variant such as within 10 days).

An indicator counting events (period ``month`` or ``ytd``) is computed again over the view's
window. Any other (a snapshot, a rolling 12 months) keeps its own window and is read at the
view's month: last year's outturn of a snapshot is its value at the end of last March.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from xl_scorecard.indicators.calculations import Tables
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.compute import indicator_figures
from xl_scorecard.periods import Month, financial_year

VIEWS = ("this month", "last month", "year to date", "last year")
VIEW_COLUMNS = ["indicator", "area", "view", "numerator", "denominator", "value"]
DETAIL_COLUMNS = ["row", "period", "number", "share"]
EVENT_PERIODS = ("month", "ytd")


def view_window(indicator: Indicator, view: str, period: Month) -> tuple[str, Month]:
    """(period type, month) an indicator is computed with for ``view`` of ``period``."""
    events = indicator.period in EVENT_PERIODS
    if view == "this month":
        return ("month" if events else indicator.period), period
    if view == "last month":
        return ("month" if events else indicator.period), period.shift(-1)
    if view == "year to date":
        return ("ytd" if events else indicator.period), period
    if view == "last year":  # the year to March: a whole financial year for events
        return ("ytd" if events else indicator.period), Month(financial_year(period), 3)
    raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")


def compute_views(
    catalogue: list[Indicator],
    tables: Tables,
    period: Month,
    districts: list[str],
    views: tuple[str, ...] = VIEWS,
    missing: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """Each indicator's figures in each of ``views``, per district and for the authority;
    ``missing`` as for ``compute_all`` (districts with no data add nothing to the totals)."""
    parts = []
    for indicator in catalogue:
        for view in views:
            period_type, month = view_window(indicator, view, period)
            variant = indicator if period_type == indicator.period else indicator.model_copy(update={"period": period_type})
            figures = indicator_figures(variant, tables, month, districts, (missing or {}).get(indicator.id, set()))
            parts.append(
                pd.DataFrame({**{k: figures[k] for k in ("indicator", "area", "numerator", "denominator", "value")}, "view": view})
            )
    if not parts:
        return pd.DataFrame(columns=VIEW_COLUMNS)
    return pd.concat(parts, ignore_index=True)[VIEW_COLUMNS]


def detail_variant(indicator: Indicator, change: dict[str, Any], where: str) -> Indicator:
    """``indicator`` with its calculation's parameters changed (a 10-day variant) and a monthly
    window, validated as a catalogue entry would be; ``ValueError`` names ``where``."""
    data = indicator.model_dump()
    data.update(period="month", calculation={**indicator.calculation, **change})
    try:
        return Indicator.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(e["msg"] for e in exc.errors())
        raise ValueError(f"{where}: change {change}: {problems}") from None


def compute_detail(
    rows: list[tuple[Indicator, str]],
    tables: Tables,
    months: list[Month],
    districts: list[str],
    missing: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """The authority's figure for each detail row and month. Rows are (monthly indicator
    variant, "numerator" or "denominator"): ``number`` is that part, and ``share`` the
    numerator over the denominator for a row that shows a numerator."""
    records = []
    for number, (variant, shows) in enumerate(rows):
        for month in months:
            figures = indicator_figures(variant, tables, month, districts, (missing or {}).get(variant.id, set()))
            numerator, denominator = float(figures["numerator"][-1]), float(figures["denominator"][-1])  # the authority
            share = numerator / denominator if shows == "numerator" and denominator else np.nan
            records.append((number, str(month), numerator if shows == "numerator" else denominator, share))
    return pd.DataFrame(records, columns=DETAIL_COLUMNS)
