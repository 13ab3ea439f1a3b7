"""Calculations worked out for every month of a run at once.

``calculations`` defines each calculation for one month's window, and that definition is the
reference. A refresh asks every indicator for 13 months (more with history), and most
calculations are a mask of the rows dated in the window, counted per district: worked out month
by month, nearly all the time went in pandas' cost per call on tables of a few thousand rows
(national scale: ~0.3 s an authority). The functions here give exactly what calling the
month's calculation for each window would give, doing the work that does not depend on the
month once: the masks of ``where``, the column arrays, the districts' codes, a case's elapsed
days. They take the same keyword parameters as the calculation of the same name (a test checks
the signatures agree and the figures are equal, month by month).

Each returns, per window in order, (numerators, denominators, districts): counts for the
districts the month's calculation would give a row for (NaN where it would give none), which
the engine places in the authority's order as it does a month's result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from xl_scorecard.indicators.calculations import (
    OPS,
    Tables,
    completed_rows,
    district_codes,
    elapsed_between,
    month_bounds,
    population_at,
    rereferral_flags,
    rows_where,
    table_of,
    worker_keys,
)
from xl_scorecard.indicators.workdays import working_days_array
from xl_scorecard.periods import Window

MonthParts = tuple[np.ndarray, np.ndarray, pd.Index]
AllMonths = Callable[..., list[MonthParts]]
# calculation name -> its every-month version
ALL_MONTHS: dict[str, AllMonths] = {}


def every_month(function: AllMonths) -> AllMonths:
    """Register ``function`` as the every-month version of the calculation of its name."""
    ALL_MONTHS[function.__name__] = function
    return function


def _dates(table: pd.DataFrame, column: str) -> np.ndarray:
    return table[column].to_numpy(dtype="datetime64[ns]")


def _on(values: np.ndarray, window: Window) -> np.ndarray:
    # ``calculations._dates_in``: on start..end, inclusive, to the midnight of the end.
    return (values >= np.datetime64(window.start, "ns")) & (values <= np.datetime64(window.end, "ns"))


def _in_months(values: np.ndarray, window: Window) -> np.ndarray:
    # ``calculations._months_in``: in one of the window's calendar months.
    first, after = month_bounds(window)
    return (values >= np.datetime64(first, "ns")) & (values < np.datetime64(after, "ns"))


def _whole_days(later: np.ndarray | np.datetime64, earlier: np.ndarray) -> np.ndarray:
    # ``(later - earlier).dt.days``: whole days rounded down (as Timedelta.days is), NaN where
    # either date is blank.
    later, earlier = np.broadcast_arrays(later, earlier)
    out = np.full(len(earlier), np.nan)
    known = ~(np.isnat(later) | np.isnat(earlier))
    out[known] = (later[known] - earlier[known]) // np.timedelta64(1, "D")
    return out


def _counts(codes: np.ndarray, size: int, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    # ``calculations._count``: rows (or the sum of weights, blanks adding nothing) per district.
    keep = (codes >= 0) & mask
    return np.bincount(codes[keep], weights=None if weights is None else weights[keep], minlength=size).astype("float64")


def _weights(table: pd.DataFrame, column: str) -> np.ndarray:
    return np.nan_to_num(table[column].to_numpy(dtype="float64", na_value=np.nan))


def _per_population(counts: np.ndarray, names: pd.Index, population: pd.Series) -> MonthParts:
    # ``counts.reindex(population.index)`` over the population: a district the table lacks counts 0.
    at = names.get_indexer(population.index)
    numerator = np.append(counts, 0.0)[at]
    return numerator, population.to_numpy(dtype="float64", na_value=np.nan), population.index


@every_month
def rate_per_population(tables: Tables, windows: list[Window], *, dataset: str, date: str, where: dict | None = None) -> list[MonthParts]:
    """``calculations.rate_per_population`` for every window."""
    table = table_of(tables, dataset)
    populations = [population_at(tables, window) for window in windows]
    codes, names = district_codes(table)
    chosen = rows_where(table, where)
    dates = _dates(table, date)
    return [
        _per_population(_counts(codes, len(names), chosen & _on(dates, window)), names, population)
        for window, population in zip(windows, populations, strict=True)
    ]


@every_month
def open_per_population(
    tables: Tables, windows: list[Window], *, dataset: str, start: str, end: str, where: dict | None = None, exclude: dict | None = None
) -> list[MonthParts]:
    """``calculations.open_per_population`` for every window: children with a case open at
    each window's end, a child with two open rows once."""
    table = table_of(tables, dataset)
    counted = rows_where(table, where)
    for column, value in (exclude or {}).items():
        counted &= ~rows_where(table, {column: value})
    began, ended = _dates(table, start), _dates(table, end)
    populations = [population_at(tables, window) for window in windows]
    codes, names = district_codes(table)
    pairs = _child_pairs(table, codes)
    out = []
    for window, population in zip(windows, populations, strict=True):
        day = np.datetime64(window.end, "ns")
        is_open = counted & (began <= day) & (np.isnat(ended) | (ended > day))
        if pairs is None:  # a list without a child id counts rows
            counts = _counts(codes, len(names), is_open)
        else:
            children = np.unique(pairs[0][(codes >= 0) & is_open])
            counts = np.bincount(children // pairs[1], minlength=len(names)).astype("float64")
        out.append(_per_population(counts, names, population))
    return out


def _child_pairs(table: pd.DataFrame, codes: np.ndarray) -> tuple[np.ndarray, int] | None:
    # (one number per (district, child) pair, the divisor giving back the district): what
    # ``_count_children``'s drop_duplicates tells apart, a blank child id being one value
    # (pandas' ``duplicated`` lifts the missing label to its own group, as here).
    return _pair_numbers(table, codes) if "child_id" in table else None


def _pair_numbers(table: pd.DataFrame, codes: np.ndarray) -> tuple[np.ndarray, int]:
    labels, uniques = pd.factorize(table["child_id"].to_numpy())
    width = len(uniques) + 1
    return codes.astype("int64") * width + (labels + 1), width


@every_month
def share_where(
    tables: Tables,
    windows: list[Window],
    *,
    dataset: str,
    date: str | None,
    column: str,
    op: str,
    value: Any = None,
    where: dict | None = None,
) -> list[MonthParts]:
    """``calculations.share_where`` for every window."""
    table = table_of(tables, dataset)
    chosen = rows_where(table, where)
    dates = _dates(table, date) if date else None
    meets = OPS[op](table[column], value).fillna(False).to_numpy(dtype=bool)
    codes, names = district_codes(table)
    out = []
    for window in windows:
        rows = chosen & _on(dates, window) if dates is not None else chosen
        out.append((_counts(codes, len(names), rows & meets), _counts(codes, len(names), rows), names))
    return out


@every_month
def share_rereferred(tables: Tables, windows: list[Window], *, dataset: str, date: str, count: str) -> list[MonthParts]:
    """``calculations.share_rereferred`` for every window (the flags do not depend on it)."""
    table = table_of(tables, dataset)
    from_dates, from_column = rereferral_flags(table, date, count)
    again = np.where(np.isnan(from_dates), np.nan_to_num(from_column), from_dates) == 1
    dates = _dates(table, date)
    codes, names = district_codes(table)
    out = []
    for window in windows:
        rows = _on(dates, window)
        out.append((_counts(codes, len(names), rows & again), _counts(codes, len(names), rows), names))
    return out


@every_month
def ratio_of_sums(
    tables: Tables,
    windows: list[Window],
    *,
    dataset: str,
    numerator: str,
    denominator: str | None = None,
    month: str = "month",
    where: dict | None = None,
    numerator_where: dict | None = None,
) -> list[MonthParts]:
    """``calculations.ratio_of_sums`` for every window; a district without a row in the
    window's months gives no figure."""
    table = table_of(tables, dataset)
    months = _dates(table, month)
    chosen = rows_where(table, where)
    top_rows = rows_where(table, numerator_where)
    top_weights, bottom_weights = _weights(table, numerator), _weights(table, denominator or numerator)
    codes, names = district_codes(table)
    out = []
    for window in windows:
        rows = _in_months(months, window) & chosen
        present = _counts(codes, len(names), rows) > 0
        top = _counts(codes, len(names), rows & top_rows, top_weights)
        bottom = _counts(codes, len(names), rows, bottom_weights)
        out.append((np.where(present, top, np.nan), np.where(present, bottom, np.nan), names))
    return out


@every_month
def share_on_time(
    tables: Tables, windows: list[Window], *, dataset: str, due: str, done: str, where: dict | None = None
) -> list[MonthParts]:
    """``calculations.share_on_time`` for every window: of the reviews due in it, those held on
    or before their due date (one not held is late)."""
    table = table_of(tables, dataset)
    chosen = rows_where(table, where)
    due_dates, held = _dates(table, due), _dates(table, done)
    on_time = ~np.isnat(held) & (held <= due_dates)
    codes, names = district_codes(table)
    out = []
    for window in windows:
        rows = chosen & _on(due_dates, window)
        out.append((_counts(codes, len(names), rows & on_time), _counts(codes, len(names), rows), names))
    return out


@every_month
def share_within_working_days(
    tables: Tables,
    windows: list[Window],
    *,
    dataset: str,
    start: str,
    end: str,
    days: int,
    where: dict | None = None,
    counting: str = "working days",
    started_in_window: bool = False,
) -> list[MonthParts]:
    """``calculations.share_within_working_days`` for every window; each case's time is worked
    out once, for the cases completed in any of them."""
    table = table_of(tables, dataset)
    done = [completed_rows(table, window, start, end, where, counting, started_in_window) for window in windows]
    began, ended = _dates(table, start), _dates(table, end)
    counted = np.logical_or.reduce(done) if done else np.zeros(len(table), dtype=bool)
    if counting == "working days":
        elapsed = working_days_array(began[counted], ended[counted])
    else:
        elapsed = elapsed_between(table[start][counted], table[end][counted], counting).to_numpy()
    in_time = np.zeros(len(table), dtype=bool)
    in_time[np.flatnonzero(counted)] = elapsed <= days
    codes, names = district_codes(table)
    return [(_counts(codes, len(names), rows & in_time), _counts(codes, len(names), rows), names) for rows in done]


@every_month
def average_days(tables: Tables, windows: list[Window], *, dataset: str, start: str, end: str) -> list[MonthParts]:
    """``calculations.average_days`` for every window: total calendar days over cases."""
    table = table_of(tables, dataset)
    began, ended = _dates(table, start), _dates(table, end)
    dated = ~np.isnat(began)
    whole = np.nan_to_num(_whole_days(ended, began))  # the rows counted have both dates
    codes, names = district_codes(table)
    out = []
    for window in windows:
        rows = _on(ended, window) & dated
        out.append((_counts(codes, len(names), rows, whole), _counts(codes, len(names), rows), names))
    return out


def _latest_per_child(table: pd.DataFrame, codes: np.ndarray, start: str) -> Callable[[np.ndarray], np.ndarray]:
    # ``calculations._one_per_child`` as a function of a mask: of each (district, child)'s rows
    # in it, the latest begun (a stable sort by start, the last kept), as row positions in
    # table order. A list without a child id keeps every row.
    pairs = _child_pairs(table, codes)
    if pairs is None:
        return np.flatnonzero
    order = np.argsort(_dates(table, start), kind="stable")  # NaT last, as pandas sorts

    def latest(mask: np.ndarray) -> np.ndarray:
        rows = order[mask[order]][::-1]  # by start, latest first
        _, first = np.unique(pairs[0][rows], return_index=True)
        return np.sort(rows[first])

    return latest


def _open_rows(table: pd.DataFrame, start: str, end: str) -> Callable[[Window], np.ndarray]:
    # ``calculations._open_at`` at each window's last day: begun by it and not ended by it.
    began, ended = _dates(table, start), _dates(table, end)
    still = np.isnat(ended)

    def open_at(window: Window) -> np.ndarray:
        day = np.datetime64(window.end, "ns")
        return (began <= day) & (still | (ended > day))

    return open_at


def _chosen_counts(codes: np.ndarray, size: int, rows: np.ndarray, meets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Per district, of the rows at positions ``rows``: those where ``meets`` holds, and all.
    where = codes[rows]
    keep = where >= 0
    return (
        np.bincount(where[keep & meets], minlength=size).astype("float64"),
        np.bincount(where[keep], minlength=size).astype("float64"),
    )


@every_month
def share_open_since(
    tables: Tables,
    windows: list[Window],
    *,
    dataset: str,
    start: str,
    end: str,
    since: str,
    days: int,
    eligible_days: int = 0,
    where: dict | None = None,
) -> list[MonthParts]:
    """``calculations.share_open_since`` for every window."""
    table = table_of(tables, dataset)
    chosen = rows_where(table, where)
    codes, names = district_codes(table)
    open_at, latest = _open_rows(table, start, end), _latest_per_child(table, codes, start)
    began, settled = _dates(table, start), _dates(table, since)
    out = []
    for window in windows:
        day = np.datetime64(window.end, "ns")
        rows = latest(chosen & open_at(window))
        rows = rows[_whole_days(day, began[rows]) >= eligible_days]
        top, bottom = _chosen_counts(codes, len(names), rows, _whole_days(day, settled[rows]) >= days)
        out.append((top, bottom, names))
    return out


@every_month
def share_open_where(
    tables: Tables,
    windows: list[Window],
    *,
    dataset: str,
    start: str,
    end: str,
    column: str,
    op: str,
    value: Any = None,
    where: dict | None = None,
) -> list[MonthParts]:
    """``calculations.share_open_where`` for every window (the test on ``column`` is the row's own)."""
    table = table_of(tables, dataset)
    chosen = rows_where(table, where)
    codes, names = district_codes(table)
    open_at, latest = _open_rows(table, start, end), _latest_per_child(table, codes, start)
    meets = OPS[op](table[column], value).fillna(False).to_numpy(dtype=bool)
    out = []
    for window in windows:
        rows = latest(chosen & open_at(window))
        top, bottom = _chosen_counts(codes, len(names), rows, meets[rows])
        out.append((top, bottom, names))
    return out


@every_month
def share_lasting(
    tables: Tables, windows: list[Window], *, dataset: str, start: str, end: str, days: int, basis: str = "ended"
) -> list[MonthParts]:
    """``calculations.share_lasting`` for every window."""
    table = table_of(tables, dataset)
    codes, names = district_codes(table)
    began, ended = _dates(table, start), _dates(table, end)
    out = []
    if basis == "ended":
        lasted = _whole_days(ended, began) >= days
        for window in windows:
            rows = _on(ended, window)
            out.append((_counts(codes, len(names), rows & lasted), _counts(codes, len(names), rows), names))
        return out
    open_at, latest = _open_rows(table, start, end), _latest_per_child(table, codes, start)
    for window in windows:
        rows = latest(open_at(window))
        top, bottom = _chosen_counts(codes, len(names), rows, _whole_days(np.datetime64(window.end, "ns"), began[rows]) >= days)
        out.append((top, bottom, names))
    return out


@every_month
def count_older_than(tables: Tables, windows: list[Window], *, dataset: str, since: str, as_at: str, days: int) -> list[MonthParts]:
    """``calculations.count_older_than`` for every window: the count, over 1 for each district."""
    table = table_of(tables, dataset)
    listed, waiting = _dates(table, as_at), _dates(table, since)
    older = _whole_days(listed, waiting) > days
    codes, names = district_codes(table)
    # The month's count has a denominator of 1 for every district of the list's districts (all
    # of them when the districts are categorical, as the sources stage makes them; else those
    # with a row that month).
    every = isinstance(table["district"].dtype, pd.CategoricalDtype)
    out = []
    for window in windows:
        rows = _in_months(listed, Window(window.end, window.end))
        listed_counts = _counts(codes, len(names), rows)
        ones = np.ones(len(names)) if every else np.where(listed_counts > 0, 1.0, np.nan)
        out.append((_counts(codes, len(names), rows & older), ones, names))
    return out


@every_month
def share_with_events(
    tables: Tables, windows: list[Window], *, dataset: str, start: str, end: str, events: str, date: str, at_least: int = 1
) -> list[MonthParts]:
    """``calculations.share_with_events`` for every window: of each (district, child)'s first
    case open at any time in the window, those with ``at_least`` events in it."""
    table = table_of(tables, dataset)
    began, ended = _dates(table, start), _dates(table, end)
    log = table_of(tables, events)
    dated = _dates(log, date)
    codes, names = district_codes(table)
    # Cases and events matched on (district, child id) by value, as the calculation's dict
    # look-up does; an event without either is not counted (group-by leaves it out).
    districts = pd.factorize(np.concatenate([table["district"].to_numpy(dtype=object), log["district"].to_numpy(dtype=object)]))[0]
    children, found = pd.factorize(np.concatenate([table["child_id"].to_numpy(dtype=object), log["child_id"].to_numpy(dtype=object)]))
    width = len(found) + 1
    pairs = districts.astype("int64") * width + children + 1
    case_pairs, event_pairs = pairs[: len(table)], pairs[len(table) :]
    countable = (districts[len(table) :] >= 0) & (children[len(table) :] >= 0)
    own = _pair_numbers(table, codes)  # the cases' own duplicates, as drop_duplicates tells them apart
    out = []
    for window in windows:
        first, last = np.datetime64(window.start, "ns"), np.datetime64(window.end, "ns")
        open_rows = np.flatnonzero((began <= last) & (np.isnat(ended) | (ended >= first)))
        _, firsts = np.unique(own[0][open_rows], return_index=True)
        rows = open_rows[np.sort(firsts)]
        seen, times = np.unique(event_pairs[countable & _on(dated, window)], return_counts=True)
        count = np.zeros(len(rows))
        if len(seen):  # each case's events: found by its pair among the distinct pairs seen
            at = np.minimum(np.searchsorted(seen, case_pairs[rows]), len(seen) - 1)
            count = np.where(seen[at] == case_pairs[rows], times[at], 0)
        top, bottom = _chosen_counts(codes, len(names), rows, ~(count < at_least))
        out.append((top, bottom, names))
    return out


@every_month
def share_supervised(
    tables: Tables,
    windows: list[Window],
    *,
    staff: str = "staff",
    supervision: str = "supervision",
    month: str = "month",
    where: dict | None = None,
) -> list[MonthParts]:
    """``calculations.share_supervised`` for every window: of the workers in post in its months,
    those with a supervision dated in it, matched by name within their district."""
    staff_table = table_of(tables, staff)
    months, chosen = _dates(staff_table, month), rows_where(staff_table, where)
    log = table_of(tables, supervision)
    dated = _dates(log, "supervision_date")
    # Each (district, cleaned name) a number, the staff list's and the log's alike.
    numbers: dict[tuple[str, str], int] = {}
    in_post = np.array([numbers.setdefault(key, len(numbers)) for key in worker_keys(staff_table[["district", "worker"]])], dtype="int64")
    logged = np.array([numbers.setdefault(key, len(numbers)) for key in worker_keys(log[["district", "worker"]])], dtype="int64")
    place, names = pd.factorize(pd.Series([district for district, _ in numbers], dtype="object"))
    names = pd.Index(names, name="district")
    out = []
    for window in windows:
        people = np.unique(in_post[chosen & _in_months(months, window)])
        seen = np.isin(people, logged[_on(dated, window)])
        out.append(
            (
                np.bincount(place[people[seen]], minlength=len(names)).astype("float64"),
                np.bincount(place[people], minlength=len(names)).astype("float64"),
                names,
            )
        )
    return out
