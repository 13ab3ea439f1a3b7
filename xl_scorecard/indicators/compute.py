"""Computing indicator results per district and for the whole authority, period by period."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from xl_scorecard.indicators.calculations import CALCULATIONS, MissingData, Tables, injected, one_run
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.definitions import columns_used
from xl_scorecard.indicators.months import ALL_MONTHS
from xl_scorecard.indicators.saved import SavedFigures, TableReads, as_arrays
from xl_scorecard.periods import Month, Window, window_for
from xl_scorecard.sources.validate import BAD_PREFIX

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
    return pd.DataFrame(indicator_figures(indicator, tables, period, districts))[RESULT_COLUMNS]


def indicator_figures(
    indicator: Indicator, tables: Tables, period: Month, districts: list[str], missing: Collection[str] = (), valid: bool = False
) -> dict[str, Any]:
    """``compute_indicator``'s columns as arrays (districts in order, then the authority), and
    ``typed``: which figures were typed by staff. The districts in ``missing`` have no data for
    this indicator (a file missing, unreadable, empty or without a column it uses): they get no
    figure unless one is typed, and add nothing to the authority total. ``valid``: ``tables``
    are already ``valid_rows(indicator, tables)`` (worked out once for all the months)."""
    # Plain arrays, not data frames: this runs for every indicator and month (hundreds of times
    # a refresh), and pandas' per-object overhead was half its cost.
    name = indicator.calculation["name"]
    window = window_for(period, indicator.period)
    tables = tables if valid else valid_rows(indicator, tables)
    try:
        raw = CALCULATIONS[name](tables, window, **_parameters(indicator))
    except MissingData as exc:
        log.debug("indicator %s: no %s data", indicator.id, exc)
        raw = None
    parts = _per_district(raw, districts) if raw is not None else None
    return _figures(indicator, tables, period, window, districts, missing, parts, raw if name == "typed_figure" else None)


def _parameters(indicator: Indicator) -> dict[str, Any]:
    # The calculation's keyword arguments: the catalogue's, and those the engine fills in.
    params = {k: v for k, v in indicator.calculation.items() if k != "name"}
    engine = {"indicator_id": indicator.id, "unit_scale": indicator.scale}
    params.update({key: engine[key] for key in injected(indicator.calculation["name"])})
    return params


def _figures(
    indicator: Indicator,
    tables: Tables,
    period: Month,
    window: Window,
    districts: list[str],
    missing: Collection[str],
    parts: tuple[np.ndarray, np.ndarray] | None,
    typed_raw: pd.DataFrame | None,
) -> dict[str, Any]:
    # ``indicator_figures`` from the calculation's numerators and denominators in the districts'
    # order (None: no data), worked out for one month or for every month at once; ``typed_raw``
    # is the result of a ``typed_figure`` calculation (which figures were typed).
    name = indicator.calculation["name"]
    typed = typed_raw if name == "typed_figure" else _typed(indicator, tables, window)
    if parts is not None:
        numerator, denominator = parts
    else:
        numerator = np.full(len(districts), np.nan)
        denominator = np.full(len(districts), np.nan)
    for i, code in enumerate(districts):
        if code in missing:
            numerator[i] = denominator[i] = np.nan
    computed = parts is not None
    was_typed = np.zeros(len(districts) + 1, dtype=bool)
    if typed_raw is not None:
        was_typed[:-1] = [code in typed_raw.index for code in districts]
        was_typed[-1] = AUTHORITY in typed_raw.index
    if name != "typed_figure" and typed is not None and len(typed):
        position = {code: i for i, code in enumerate(districts)}
        for code, row in typed.iterrows():
            if code in position:
                numerator[position[code]], denominator[position[code]] = row["numerator"], row["denominator"]
                was_typed[position[code]] = True
        was_typed[-1] = AUTHORITY in typed.index
        computed = True  # with only typed figures, districts without one show no figure
    if not computed:
        total = (np.nan, np.nan)
    elif typed is not None and AUTHORITY in typed.index:  # a figure given for the whole authority is used as given
        total = (typed.at[AUTHORITY, "numerator"], typed.at[AUTHORITY, "denominator"])
    else:
        total = (
            np.nansum(numerator) if np.isfinite(numerator).any() else np.nan,
            np.nansum(denominator) if np.isfinite(denominator).any() else np.nan,
        )
    numerator = np.append(numerator, total[0])
    denominator = np.append(denominator, total[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        if indicator.unit in ABSOLUTE_UNITS:  # a count is its numerator, for districts and the authority alike
            value = np.where(np.isnan(denominator), np.nan, numerator)
        else:
            # Scale first: 3 * 10,000 / 20,000 is exactly 1.5, 3 / 20,000 * 10,000 is not.
            value = numerator * indicator.scale / np.where(denominator == 0, np.nan, denominator)
    return {
        "indicator": indicator.id,
        "area": [*districts, AUTHORITY],
        "period": str(period),
        "numerator": numerator,
        "denominator": denominator,
        "value": value.astype("float64"),
        "typed": was_typed,
    }


def _per_district(raw: pd.DataFrame, districts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """A calculation's numerators and denominators in ``districts``' order, 0 for a district it
    gave no figure: ``raw.reindex(districts)`` without a frame made per call (a calculation's
    districts are unique; ``get_indexer`` refuses them otherwise, as ``reindex`` did)."""
    parts = raw if list(raw.columns) == ["numerator", "denominator"] else raw[["numerator", "denominator"]]
    return _placed(parts.to_numpy(dtype="float64", na_value=np.nan), raw.index, districts)


def _placed(values: np.ndarray, names: pd.Index, districts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    # ``values``: (numerator, denominator) per district of ``names``; in ``districts``' order,
    # 0 for a district not there or without a figure.
    key = (tuple(names), tuple(districts))
    at = _POSITIONS.get(key)
    if at is None:  # the same few districts every indicator and month: looked up once
        if len(_POSITIONS) > 256:
            _POSITIONS.clear()
        at = _POSITIONS[key] = names.get_indexer(districts)  # -1: not there, which takes the NaN appended below
    placed = np.vstack([values, [np.nan, np.nan]])[at]
    placed[np.isnan(placed)] = 0.0
    return placed[:, 0], placed[:, 1]


_POSITIONS: dict[tuple[tuple, tuple], np.ndarray] = {}


def valid_rows(indicator: Indicator, tables: Tables) -> Tables:
    """``tables`` without the rows whose value is bad or missing in a column this indicator
    reads (the sources stage marks them ``_bad_<column>``): such a row is left out of this
    figure only, not of the figures that do not read that column."""
    used = _columns_used(indicator)
    out = tables
    for dataset, columns in used.items():
        table = tables.get(dataset)
        if table is None:
            continue
        marks = [f"{BAD_PREFIX}{c}" for c in columns if f"{BAD_PREFIX}{c}" in table]
        if marks:
            out = dict(out) if out is tables else out
            out[dataset] = table[~table[marks].to_numpy().any(axis=1)]
    return out


_USED: dict[str, dict[str, set[str]]] = {}


def _columns_used(indicator: Indicator) -> dict[str, set[str]]:
    # Worked out once per calculation: this runs for every indicator and month.
    key = repr(sorted(indicator.calculation.items(), key=lambda item: item[0]))
    if key not in _USED:
        _USED[key] = columns_used(indicator)
    return _USED[key]


def _own_figures(indicator: Indicator, tables: Tables) -> Tables:
    # The typed figures of this indicator only: every month's look-up then scans its own few
    # rows, not every typed figure of the authority (a tenth of the Kent catalogue's compute).
    figures = tables.get("figures")
    if figures is None or "indicator" not in figures:
        return tables
    names = {indicator.id, indicator.calculation.get("figure") or indicator.id}
    return {**tables, "figures": figures[figures["indicator"].isin(names)]}


def _typed(indicator: Indicator, tables: Tables, window: Window) -> pd.DataFrame | None:
    """Figures typed by staff for a computed indicator (None when there are none)."""
    if "figures" not in tables:
        return None
    return CALCULATIONS["typed_figure"](tables, window, indicator_id=indicator.id, unit_scale=indicator.scale)


def compute_all(
    catalogue: list[Indicator],
    tables: Tables,
    periods: list[Month],
    districts: list[str],
    missing: dict[str, set[str]] | None = None,
    saved: SavedFigures | None = None,
) -> pd.DataFrame:
    """Results for every indicator, area and period (long format, one row each), with a
    ``typed`` column; ``missing`` gives, per indicator id, the districts with no data for it.
    With ``saved``, an indicator whose figures the last refresh saved under the same key (the
    same tables, months, districts and definition) takes them instead of computing them, and
    the figures computed are kept in it to save."""
    if not catalogue or not periods:
        return pd.DataFrame(columns=[*RESULT_COLUMNS, "typed"])
    missing = missing or {}
    with one_run():  # the tables are not changed while every indicator and month is computed
        arrays = [_indicator_arrays(ind, tables, periods, districts, missing.get(ind.id, set()), saved) for ind in catalogue]
    size = len(districts) + 1
    return pd.DataFrame(
        {
            "indicator": np.repeat([ind.id for ind in catalogue], len(periods) * size),
            "area": np.tile(np.array([*districts, AUTHORITY], dtype=object), len(catalogue) * len(periods)),
            "period": np.tile(np.repeat([str(p) for p in periods], size), len(catalogue)),
            "numerator": np.concatenate([a["numerator"].ravel() for a in arrays]),
            "denominator": np.concatenate([a["denominator"].ravel() for a in arrays]),
            "value": np.concatenate([a["value"].ravel() for a in arrays]),
            "typed": np.concatenate([a["typed"].ravel() for a in arrays]),
        }
    )


def _indicator_arrays(
    ind: Indicator, tables: Tables, periods: list[Month], districts: list[str], absent: set[str], saved: SavedFigures | None
) -> dict[str, Any]:
    # One indicator's figures for every month: saved ones taken, the others computed (and kept to save).
    key = saved.key(ind, absent) if saved is not None else ""
    found = saved.get(key) if saved is not None else None
    if found is None:
        # The rows an indicator can use do not depend on the month: filtered once per
        # indicator, not once per indicator and month (300k rows filtered 400 times was a
        # tenth of a refresh).
        usable = _own_figures(ind, valid_rows(ind, tables))
        # With figures to save, the tables the computation looks at are noted: they key them.
        looked_at = TableReads(usable) if saved is not None else usable
        found = as_arrays(figures_for_months(ind, looked_at, periods, districts, absent))
        if saved is not None and isinstance(looked_at, TableReads):
            saved.put(key, looked_at.read(), found)
    return found


def figures_for_months(
    ind: Indicator, tables: Tables, periods: list[Month], districts: list[str], absent: set[str]
) -> list[dict[str, Any]]:
    """``indicator_figures`` for each of ``periods``, ``tables`` already the indicator's valid
    rows (``valid_rows``). A calculation with an every-month version (``months``) is worked out
    for all the windows in one go: the same figures, without pandas' cost per call paid 13
    times or more."""
    every = ALL_MONTHS.get(ind.calculation["name"])
    if every is None:
        return [indicator_figures(ind, tables, period, districts, absent, valid=True) for period in periods]
    windows = [window_for(period, ind.period) for period in periods]
    try:
        months = every(tables, windows, **_parameters(ind))
    except MissingData as exc:
        log.debug("indicator %s: no %s data", ind.id, exc)
        return [
            _figures(ind, tables, period, window, districts, absent, None, None) for period, window in zip(periods, windows, strict=True)
        ]
    return [
        _figures(ind, tables, period, window, districts, absent, _placed(np.column_stack([top, bottom]), names, districts), None)
        for period, window, (top, bottom, names) in zip(periods, windows, months, strict=True)
    ]
