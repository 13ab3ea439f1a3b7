"""Computing indicator results per district and for the whole authority, period by period."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from xl_scorecard.indicators.calculations import CALCULATIONS, MissingData, Tables, injected
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.periods import Month, window_for

log = logging.getLogger(__name__)

AUTHORITY = "ALL"
# Units that are amounts, not ratios: the value is the numerator (vacant FTE, unallocated cases).
ABSOLUTE_UNITS = ("count", "FTE")
RESULT_COLUMNS = ["indicator", "area", "period", "numerator", "denominator", "value"]


def compute_indicator(indicator: Indicator, tables: Tables, period: Month, districts: list[str]) -> pd.DataFrame:
    """Results of one indicator for one period: a row per district and one for the authority
    (area ``ALL``), whose figure is the ratio of the summed numerators and denominators.

    A figure typed by staff for this indicator, area and month (the ``figures`` dataset) takes
    the place of the computed one, so a scorecard can mix computed and typed figures (Kent's
    did) and a district whose system cannot produce a list can still report. A dataset that no
    source supplied gives missing values, not an error: the scorecard shows "no data".
    """
    params = {k: v for k, v in indicator.calculation.items() if k != "name"}
    name = indicator.calculation["name"]
    engine = {"indicator_id": indicator.id, "unit_scale": indicator.scale}
    params.update({key: engine[key] for key in injected(name)})
    window = window_for(period, indicator.period)
    index = pd.Index(districts, name="district")
    try:
        raw = CALCULATIONS[name](tables, window, **params)
    except MissingData as exc:
        log.debug("indicator %s: no %s data", indicator.id, exc)
        raw = None
    typed = raw if name == "typed_figure" else _typed(indicator, tables, window)
    if raw is not None:
        parts = raw.reindex(districts).fillna(0.0)
    else:
        parts = pd.DataFrame({"numerator": np.nan, "denominator": np.nan}, index=index)
    computed = raw is not None
    if name != "typed_figure" and typed is not None and len(typed):
        own = typed.index.intersection(index)
        parts.loc[own, ["numerator", "denominator"]] = typed.loc[own, ["numerator", "denominator"]].to_numpy()
        computed = True  # with only typed figures, districts without one show no figure
    given_total = typed.loc[[AUTHORITY]] if typed is not None and AUTHORITY in typed.index else None
    total = pd.DataFrame({"numerator": [parts["numerator"].sum(min_count=1)],
                          "denominator": [parts["denominator"].sum(min_count=1)]},
                         index=pd.Index([AUTHORITY], name="district"))
    if not computed:
        total[:] = np.nan
    elif given_total is not None:  # a figure given for the whole authority is used as given
        total = given_total
    frame = pd.concat([parts, total]).reset_index(names="area")
    with np.errstate(divide="ignore", invalid="ignore"):
        # Scale first: 3 * 10,000 / 20,000 is exactly 1.5, 3 / 20,000 * 10,000 is not.
        value = frame["numerator"] * indicator.scale / frame["denominator"].where(frame["denominator"] != 0)
    if indicator.unit in ABSOLUTE_UNITS:  # a count is its numerator, for districts and the authority alike
        value = frame["numerator"].where(frame["denominator"].notna())
    frame["value"] = value.astype("float64")
    frame["indicator"] = indicator.id
    frame["period"] = str(period)
    return frame[RESULT_COLUMNS]


def _typed(indicator: Indicator, tables: Tables, window) -> pd.DataFrame | None:
    """Figures typed by staff for a computed indicator (None when there are none)."""
    if "figures" not in tables:
        return None
    return CALCULATIONS["typed_figure"](tables, window, indicator_id=indicator.id, unit_scale=indicator.scale)


def compute_all(catalogue: list[Indicator], tables: Tables, periods: list[Month], districts: list[str]) -> pd.DataFrame:
    """Results for every indicator, area and period (long format, one row each)."""
    frames = [compute_indicator(ind, tables, period, districts) for ind in catalogue for period in periods]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RESULT_COLUMNS)
