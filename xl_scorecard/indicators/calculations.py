"""The registry of named calculations the catalogue refers to.

Each calculation takes the canonical tables and the date window of the period, plus keyword-only
parameters named exactly as in the catalogue, and returns one row per district with a
``numerator`` and a ``denominator``. The value is always numerator / denominator (times the
unit's scale), so the authority figure is the ratio of the summed parts and every figure can be
recomputed by hand from the two numbers shown beside it.

Pure functions: pandas in, pandas out, no I/O.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from xl_scorecard.indicators.workdays import working_days_array, working_days_between
from xl_scorecard.periods import Window
from xl_scorecard.sources.children import REREFERRAL_FROM_DATES, rereferrals_from_dates

Tables = dict[str, pd.DataFrame]
Calculation = Callable[..., pd.DataFrame]
CALCULATIONS: dict[str, Calculation] = {}

OPS: dict[str, Callable[[pd.Series, Any], pd.Series]] = {
    "==": lambda s, v: s == v,
    "!=": lambda s, v: s != v,
    ">=": lambda s, v: s >= v,
    ">": lambda s, v: s > v,
    "<=": lambda s, v: s <= v,
    "<": lambda s, v: s < v,
    "in": lambda s, v: s.isin(v),
    "not in": lambda s, v: ~s.isin(v),
    "filled": lambda s, v: s.notna() & (s.astype(str).str.strip() != ""),
    "blank": lambda s, v: s.isna(),
    # Codes typed with their labels ("F1: Full time in higher education") match by their start.
    "starts with": lambda s, v: (
        s.fillna("").astype(str).str.upper().str.startswith(tuple(x.upper() for x in (v if isinstance(v, list) else [v])))
    ),
}


@dataclass
class Cases:
    """The cases behind an indicator, for its drill-down: the rows considered, which of them
    are exceptions (late, waiting, not visited), their start and end dates, the days (or
    visits) measured, the limit those are held against, and what an exception means."""

    rows: pd.DataFrame
    exception: pd.Series
    start: pd.Series
    end: pd.Series
    days: pd.Series
    limit: float
    meaning: str


# calculation name -> function giving its Cases, for indicators that list their exceptions.
DRILLDOWNS: dict[str, Callable[..., Cases]] = {}


def drilldown(name: str) -> Callable[[Callable[..., Cases]], Callable[..., Cases]]:
    """Register the function giving the cases behind calculation ``name``."""

    def register(function: Callable[..., Cases]) -> Callable[..., Cases]:
        DRILLDOWNS[name] = function
        return function

    return register


class MissingData(Exception):
    """A dataset the calculation needs was not supplied by any source."""


def calculation(function: Calculation) -> Calculation:
    """Register ``function`` under its own name."""
    CALCULATIONS[function.__name__] = function
    return function


# Parameters the engine fills in itself; a catalogue may not set them.
INJECTED = {"indicator_id", "unit_scale"}


def parameters(name: str) -> tuple[set[str], set[str]]:
    """(keyword parameters a catalogue may set, required ones) of a registered calculation."""
    signature = inspect.signature(CALCULATIONS[name])
    params = {p.name: p for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in INJECTED}
    return set(params), {n for n, p in params.items() if p.default is inspect.Parameter.empty}


def injected(name: str) -> frozenset[str]:
    """The engine-filled parameters a calculation takes."""
    found = _INJECTED_BY_NAME.get(name)
    if found is None:  # asked for every indicator and month: the signature is read once
        found = _INJECTED_BY_NAME[name] = frozenset(INJECTED & set(inspect.signature(CALCULATIONS[name]).parameters))
    return found


_INJECTED_BY_NAME: dict[str, frozenset[str]] = {}


def table_of(tables: Tables, dataset: str) -> pd.DataFrame:
    """The table of ``dataset``; ``MissingData`` when no source supplied it."""
    if dataset not in tables:
        raise MissingData(dataset)
    return tables[dataset]


def _filter(table: pd.DataFrame, where: dict[str, Any] | None) -> pd.DataFrame:
    """The rows matching ``where`` ({column: value} or {column: [values]})."""
    return table[rows_where(table, where)] if where else table


def _in_window(dates: pd.Series, window: Window) -> pd.Series:
    return pd.Series(_between(dates, window.start, window.end), index=dates.index)


def _open_at(table: pd.DataFrame, start: str, end: str, day: pd.Timestamp) -> pd.Series:
    return (table[start] <= day) & (table[end].isna() | (table[end] > day))


def _result(numerator: pd.Series, denominator: pd.Series) -> pd.DataFrame:
    if numerator.index.equals(denominator.index) and numerator.index.is_unique:
        # Both per the same districts (most calculations): the frame pandas would align,
        # without aligning it (a millisecond a call, and this runs every indicator and month).
        columns = {}
        for name, values in (("numerator", numerator), ("denominator", denominator)):
            array = values.to_numpy(dtype="float64", na_value=np.nan)
            columns[name] = np.where(np.isnan(array), 0.0, array)
        return pd.DataFrame(columns, index=numerator.index.rename("district"), copy=False)
    frame = pd.DataFrame({"numerator": numerator, "denominator": denominator}).fillna(0.0)
    frame.index.name = "district"
    return frame.astype("float64")


# Every calculation runs once per indicator and month (hundreds of times a refresh) over tables
# of up to ~100k rows. Masks and per-district counts on numpy arrays, instead of filtered data
# frames and group-bys, cut the Kent-size compute stage from 1.2 s to 0.5 s (benchmarks/refresh.py).


def district_codes(table: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """(code per row, district names): the sources stage makes districts categorical. The
    names are one Index object per set of districts, so the counts of one table share it and
    are combined without aligning (``_result``)."""
    district = table["district"]
    if not isinstance(district.dtype, pd.CategoricalDtype):
        district = district.astype("category")
    # The Categorical itself: its codes and categories without the accessor's checks.
    values = cast(pd.Categorical, district.array)
    categories = values.categories
    key = (categories.dtype.name, *categories.tolist())
    names = _NAMES.get(key)
    if names is None:
        if len(_NAMES) > 256:  # a handful per run; never grows without bound
            _NAMES.clear()
        names = _NAMES[key] = pd.Index(categories, name="district")
    return values.codes, names


_NAMES: dict[tuple, pd.Index] = {}


def _count(table: pd.DataFrame, mask: pd.Series | np.ndarray | None = None, weights: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Rows (or the sum of ``weights``) per district, over the rows where ``mask`` holds."""
    codes, names = district_codes(table)
    keep = codes >= 0
    if mask is not None:
        keep &= np.asarray(mask, dtype=bool)
    values = None
    if weights is not None:  # a blank (NaN, or pandas' NA in an integer column) adds nothing, as in a sum
        numbers = (
            weights.to_numpy(dtype="float64", na_value=np.nan) if isinstance(weights, pd.Series) else np.asarray(weights, dtype="float64")
        )
        values = np.nan_to_num(numbers[keep])
    counts = np.bincount(codes[keep], weights=values, minlength=len(names))
    return pd.Series(counts.astype("float64"), index=names)


def _count_children(table: pd.DataFrame, mask: pd.Series | np.ndarray) -> pd.Series:
    """Distinct children per district over the rows where ``mask`` holds: a child with two open
    rows (a plan recorded twice, two overlapping episodes) is one child. Lists without a child
    id (staff, posts) count rows."""
    if "child_id" not in table:
        return _count(table, mask)
    codes, names = district_codes(table)
    keep = (codes >= 0) & np.asarray(mask, dtype=bool)
    pairs = pd.DataFrame({"district": codes[keep], "child": table["child_id"].to_numpy()[keep]}).drop_duplicates()
    counts = np.bincount(pairs["district"].to_numpy(), minlength=len(names))
    return pd.Series(counts.astype("float64"), index=names)


def _one_per_child(rows: pd.DataFrame, start: str) -> pd.DataFrame:
    """One row per child and district: of a child's several open rows, the latest begun (their
    current episode), so a snapshot share counts children, not rows."""
    if "child_id" not in rows or rows.empty:
        return rows
    return rows.sort_values(start, kind="stable").drop_duplicates(["district", "child_id"], keep="last")


def rows_where(table: pd.DataFrame, where: dict[str, Any] | None) -> np.ndarray:
    """Mask of the rows matching ``where``: {column: value} keeps equal rows, {column: [values]}
    rows in the list."""
    mask = np.ones(len(table), dtype=bool)
    for column, wanted in (where or {}).items():
        mask &= table[column].isin(wanted if isinstance(wanted, list) else [wanted]).to_numpy()
    return mask


def _between(dates: pd.Series, start: dt.date, end: dt.date) -> np.ndarray:
    """Mask of ``dates`` on ``start``..``end`` (inclusive, to the midnight of ``end``)."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    return (values >= np.datetime64(start, "ns")) & (values <= np.datetime64(end, "ns"))


def _dates_in(table: pd.DataFrame, column: str, start: dt.date, end: dt.date) -> np.ndarray:
    """Rows whose ``column`` falls on ``start``..``end``."""
    return _between(table[column], start, end)


def month_bounds(window: Window) -> tuple[dt.date, dt.date]:
    """(first day of the window's first calendar month, first day after its last month)."""
    return window.start.replace(day=1), (window.end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _months_in(table: pd.DataFrame, column: str, window: Window) -> np.ndarray:
    """Rows whose ``column`` falls in one of the window's calendar months."""
    first, after = month_bounds(window)
    values = table[column].to_numpy(dtype="datetime64[ns]")
    return (values >= np.datetime64(first, "ns")) & (values < np.datetime64(after, "ns"))


def population_at(tables: Tables, window: Window) -> pd.Series:
    """Population aged 0-17 per district for the window's year (latest estimate not after it).
    Within ``one_run``, worked out once per population table and year (every rate asks for
    every month), and the Series returned is shared, not to be changed."""
    population = table_of(tables, "population")
    if _POPULATION is None:  # outside ``one_run``: worked out afresh
        return _population_in(population, window.end.year)
    held = _POPULATION.get(id(population))
    if held is None or held[0] is not population:  # held by reference, so an id is never reused
        _POPULATION.clear()
        held = _POPULATION[id(population)] = (population, {})
    by_year = held[1]
    if window.end.year not in by_year:
        by_year[window.end.year] = _population_in(population, window.end.year)
    return by_year[window.end.year]


# The populations worked out while ``one_run`` is open (None otherwise).
_POPULATION: dict[int, tuple[pd.DataFrame, dict[int, pd.Series]]] | None = None


@contextmanager
def one_run() -> Iterator[None]:
    """While open, work that does not depend on the month (the population per year) is done
    once per table; the caller promises not to change the tables meanwhile (``compute_all``
    opens it around one run of every indicator and month). Nothing is kept after it closes."""
    global _POPULATION
    _POPULATION = {}
    try:
        yield
    finally:
        _POPULATION = None


def _population_in(population: pd.DataFrame, year: int) -> pd.Series:
    # A few rows (districts x years): plain Python beats pandas' per-call overhead here.
    rows = list(zip(population["district"].astype(str), population["year"].astype(int), population["population"]))
    estimates = [estimate for _, estimate, _ in rows]
    cutoff = year if any(estimate <= year for estimate in estimates) else min(estimates, default=0)
    latest: dict[str, tuple[int, float]] = {}
    for district, estimate, count in rows:
        if estimate <= cutoff and (district not in latest or estimate >= latest[district][0]):
            latest[district] = (estimate, float(count))
    return pd.Series({district: count for district, (_, count) in latest.items()}, dtype="float64").rename_axis("district")


@calculation
def rate_per_population(tables: Tables, window: Window, *, dataset: str, date: str, where: dict | None = None) -> pd.DataFrame:
    """Events dated within the window (numerator) over the population aged 0-17 (denominator)."""
    table = table_of(tables, dataset)
    population = population_at(tables, window)
    events = rows_where(table, where) & _dates_in(table, date, window.start, window.end)
    return _result(_count(table, events).reindex(population.index), population)


@calculation
def open_per_population(
    tables: Tables, window: Window, *, dataset: str, start: str, end: str, where: dict | None = None, exclude: dict | None = None
) -> pd.DataFrame:
    """Children with a case open at the end of the window (started on or before it, not ended
    by it) over the population aged 0-17; a child with two open rows counts once."""
    table = table_of(tables, dataset)
    counted = rows_where(table, where)
    for column, value in (exclude or {}).items():
        counted &= ~rows_where(table, {column: value})
    day = np.datetime64(window.end, "ns")
    began, ended = table[start].to_numpy(dtype="datetime64[ns]"), table[end].to_numpy(dtype="datetime64[ns]")
    is_open = counted & (began <= day) & (np.isnat(ended) | (ended > day))
    population = population_at(tables, window)
    return _result(_count_children(table, is_open).reindex(population.index), population)


def elapsed_between(start: pd.Series, end: pd.Series, counting: str) -> pd.Series:
    """Time from ``start`` to ``end`` in working days, calendar days or whole months."""
    if counting == "working days":
        return working_days_between(start, end)
    if counting == "days":
        return (end - start).dt.days.astype("float64")
    # Whole months: placed on 14 March after a decision on 15 March last year is 11 months.
    months = (end.dt.year - start.dt.year) * 12 + (end.dt.month - start.dt.month)
    return (months - (end.dt.day < start.dt.day)).astype("float64")


COUNTING = ("working days", "days", "months")


def completed_rows(
    table: pd.DataFrame, window: Window, start: str, end: str, where: dict | None, counting: str, started_in_window: bool
) -> np.ndarray:
    """The cases a timeliness measure counts: completed in the window (and started in it too,
    with ``started_in_window``), matching ``where``. Shared by the figure and its drill-down."""
    if counting not in COUNTING:
        raise ValueError(f"counting must be one of {COUNTING}")
    done = rows_where(table, where) & _dates_in(table, end, window.start, window.end)
    if started_in_window:
        done &= _dates_in(table, start, window.start, window.end)
    return done


@calculation
def share_within_working_days(
    tables: Tables,
    window: Window,
    *,
    dataset: str,
    start: str,
    end: str,
    days: int,
    where: dict | None = None,
    counting: str = "working days",
    started_in_window: bool = False,
) -> pd.DataFrame:
    """Of the cases completed (``end``) within the window, how many took at most ``days`` working
    days from ``start`` (see ``workdays`` for the counting convention). ``counting = "days"``
    counts calendar days and ``"months"`` whole months instead (adoption within 12 months of
    the agency decision), so local variants stay parameters. ``started_in_window`` counts only
    cases started in the window too (London's "started and completed in the month")."""
    table = table_of(tables, dataset)
    done = completed_rows(table, window, start, end, where, counting, started_in_window)
    if counting == "working days":  # the usual case, on arrays
        elapsed = working_days_array(table[start].to_numpy(dtype="datetime64[ns]")[done], table[end].to_numpy(dtype="datetime64[ns]")[done])
    else:
        elapsed = elapsed_between(table[start][done], table[end][done], counting).to_numpy()
    in_time = np.zeros(len(table), dtype=bool)
    in_time[np.flatnonzero(done)] = elapsed <= days
    return _result(_count(table, in_time), _count(table, done))


@drilldown("share_within_working_days")
def _timeliness_cases(
    tables: Tables,
    window: Window,
    *,
    dataset: str,
    start: str,
    end: str,
    days: int,
    where: dict | None = None,
    counting: str = "working days",
    started_in_window: bool = False,
) -> Cases:
    table = table_of(tables, dataset)
    done = table[completed_rows(table, window, start, end, where, counting, started_in_window)]
    elapsed = elapsed_between(done[start], done[end], counting)
    return Cases(done, ~(elapsed <= days), done[start], done[end], elapsed, days, f"over {days} {counting}")


@calculation
def share_on_time(tables: Tables, window: Window, *, dataset: str, due: str, done: str, where: dict | None = None) -> pd.DataFrame:
    """Of the events due within the window (reviews), how many were held on or before their due
    date. One due and not yet held counts as late: the NI 66/67 reading of "reviewed within
    required timescales", month by month."""
    cases = _review_cases(tables, window, dataset=dataset, due=due, done=done, where=where)
    return _result(_count(cases.rows, ~cases.exception), _count(cases.rows))


@drilldown("share_on_time")
def _review_cases(tables: Tables, window: Window, *, dataset: str, due: str, done: str, where: dict | None = None) -> Cases:
    table = _filter(table_of(tables, dataset), where)
    rows = table[_in_window(table[due], window)]
    on_time = rows[done].notna() & (rows[done] <= rows[due])
    held = rows[done].fillna(pd.Timestamp(window.end))
    return Cases(
        rows, ~on_time, rows[due], rows[done], (held - rows[due]).dt.days.astype("float64"), 0, "held after the due date, or not held"
    )


def _per_district_count(rows: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    # A count has no denominator: 1 for every district with rows, so the value is the count.
    counts = _count(rows, mask)
    return _result(counts, pd.Series(1.0, index=counts.index.union(rows["district"].unique())))


@calculation
def count_open_beyond(
    tables: Tables,
    window: Window,
    *,
    dataset: str,
    start: str,
    end: str,
    days: int,
    where: dict | None = None,
    counting: str = "working days",
) -> pd.DataFrame:
    """Cases still in progress at the end of the window (started, not completed) that are
    already more than ``days`` past their start: assessments in progress outside timescale."""
    cases = _open_beyond_cases(tables, window, dataset=dataset, start=start, end=end, days=days, where=where, counting=counting)
    return _per_district_count(cases.rows, cases.exception)


@drilldown("count_open_beyond")
def _open_beyond_cases(
    tables: Tables,
    window: Window,
    *,
    dataset: str,
    start: str,
    end: str,
    days: int,
    where: dict | None = None,
    counting: str = "working days",
) -> Cases:
    table = _filter(table_of(tables, dataset), where)
    day = pd.Timestamp(window.end)
    rows = table[_open_at(table, start, end, day)]
    as_at = pd.Series(day, index=rows.index)
    elapsed = elapsed_between(rows[start], as_at, counting)
    return Cases(rows, elapsed > days, rows[start], as_at, elapsed, days, f"open over {days} {counting}")


@calculation
def count_open_in_both(
    tables: Tables, window: Window, *, dataset: str, start: str, end: str, other: str, other_start: str, other_end: str
) -> pd.DataFrame:
    """Children open on both lists at the end of the window, matched on child id within the
    district (looked-after children who also have a child protection plan). Unit: count."""
    day = pd.Timestamp(window.end)
    first, second = table_of(tables, dataset), table_of(tables, other)
    a = first[_open_at(first, start, end, day)].drop_duplicates(["district", "child_id"])
    b = second[_open_at(second, other_start, other_end, day)]
    both = pd.MultiIndex.from_frame(a[["district", "child_id"]]).isin(pd.MultiIndex.from_frame(b[["district", "child_id"]]))
    return _per_district_count(a, pd.Series(both, index=a.index))


@calculation
def share_open_since(
    tables: Tables,
    window: Window,
    *,
    dataset: str,
    start: str,
    end: str,
    since: str,
    days: int,
    eligible_days: int = 0,
    where: dict | None = None,
) -> pd.DataFrame:
    """Of the cases open at the end of the window that began at least ``eligible_days`` before
    it, how many have had ``since`` (e.g. the current placement's start) for ``days`` or more.
    NI 63: children under 16 looked after for 2.5 years or more (913 days), in the same
    placement for 2 years or more (730 days)."""
    table = _filter(table_of(tables, dataset), where)
    day = pd.Timestamp(window.end)
    rows = _one_per_child(table[_open_at(table, start, end, day)], start)
    rows = rows[(day - rows[start]).dt.days >= eligible_days]
    stable = (day - rows[since]).dt.days >= days
    return _result(_count(rows, stable.fillna(False).astype(bool)), _count(rows))


@calculation
def share_where(
    tables: Tables, window: Window, *, dataset: str, date: str | None, column: str, op: str, value: Any = None, where: dict | None = None
) -> pd.DataFrame:
    """Of the rows dated within the window, how many have ``column <op> value`` (e.g. referrals
    with one or more referrals in the previous 12 months). ``date = ""`` takes every row, for
    lists that are themselves a snapshot (care leavers)."""
    table = table_of(tables, dataset)
    rows = rows_where(table, where)
    if date:
        rows &= _dates_in(table, date, window.start, window.end)
    meets = rows & OPS[op](table[column], value).fillna(False).to_numpy(dtype=bool)
    return _result(_count(table, meets), _count(table, rows))


def rereferral_flags(table: pd.DataFrame, date: str, count: str) -> tuple[np.ndarray, np.ndarray]:
    """Per referral: 1.0 when it came within 12 months of the same child's previous referral,
    0.0 when not, from the dates wherever the list reaches back 12 months before it (its
    district's earliest referral is at least that old). Returns (from the dates, NaN where the
    list does not reach back; from the column ``count`` >= 1, NaN where blank or absent)."""
    from_column = np.full(len(table), np.nan)
    if count in table:
        numbers = table[count].to_numpy(dtype="float64", na_value=np.nan)
        from_column = np.where(np.isnan(numbers), np.nan, (numbers >= 1).astype("float64"))
    if date == "referral_date" and REREFERRAL_FROM_DATES in table:  # worked out once by the sources stage
        return table[REREFERRAL_FROM_DATES].to_numpy(dtype="float64"), from_column
    return rereferrals_from_dates(table, date), from_column


@calculation
def share_rereferred(tables: Tables, window: Window, *, dataset: str, date: str, count: str) -> pd.DataFrame:
    """Of the referrals dated within the window, how many came within 12 months of the same
    child's previous referral (DfE's re-referral). Taken from the dates where the list reaches
    back 12 months before the referral; before that, from the column ``count`` (the Annex A
    "Number of Referrals in Last 12 Months", 1 or more; blank counts as none)."""
    table = table_of(tables, dataset)
    from_dates, from_column = rereferral_flags(table, date, count)
    flags = np.where(np.isnan(from_dates), np.nan_to_num(from_column), from_dates)
    rows = _dates_in(table, date, window.start, window.end)
    return _result(_count(table, rows & (flags == 1)), _count(table, rows))


@calculation
def ratio_of_sums(
    tables: Tables,
    window: Window,
    *,
    dataset: str,
    numerator: str,
    denominator: str | None = None,
    month: str = "month",
    where: dict | None = None,
    numerator_where: dict | None = None,
) -> pd.DataFrame:
    """For monthly workforce sheets: sum of ``numerator`` (rows also matching ``numerator_where``)
    over sum of ``denominator`` (default: the same column), rows of the window's months.
    Average caseload = cases / FTE; % agency = agency FTE / establishment FTE."""
    table = table_of(tables, dataset)
    rows = _months_in(table, month, window) & rows_where(table, where)
    top = _count(table, rows & rows_where(table, numerator_where), weights=table[numerator])
    bottom = _count(table, rows, weights=table[denominator or numerator])
    present = _count(table, rows) > 0  # districts without a sheet for the month give no figure
    return _result(top[present], bottom[present])


def worker_keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Per row, (district, worker name ignoring case and spacing): how a supervision log's rows
    are matched to the staff list's."""
    # (district, worker name ignoring case and spacing). A plain loop over a month's rows (a
    # thousand or so): pandas' string methods cost more than the work here.
    cleaned: dict[object, str] = {}
    keys = []
    for district, name in zip(frame["district"].tolist(), frame["worker"].tolist()):
        if name not in cleaned:
            cleaned[name] = " ".join(str(name).casefold().split())
        keys.append((str(district), cleaned[name]))
    return keys


@calculation
def share_supervised(
    tables: Tables,
    window: Window,
    *,
    staff: str = "staff",
    supervision: str = "supervision",
    month: str = "month",
    where: dict | None = None,
) -> pd.DataFrame:
    """Of the staff in post in the window's month(s) (matching ``where``), how many have a
    supervision dated within the window. Workers are matched by name within their district,
    ignoring case and spacing, since supervision logs rarely carry staff numbers."""
    staff_table = table_of(tables, staff)
    in_post = staff_table.loc[_months_in(staff_table, month, window) & rows_where(staff_table, where), ["district", "worker"]]
    log = table_of(tables, supervision)
    log = log.loc[_dates_in(log, "supervision_date", window.start, window.end), ["district", "worker"]]
    seen = set(worker_keys(log))
    people = dict.fromkeys(worker_keys(in_post))  # each worker once, however many rows
    staffed = pd.Series([district for district, _ in people], dtype="object").value_counts()
    supervised = pd.Series([key[0] for key in people if key in seen], dtype="object").value_counts()
    return _result(supervised.reindex(staffed.index), staffed.rename_axis("district"))


@calculation
def typed_figure(tables: Tables, window: Window, *, indicator_id: str, unit_scale: float, figure: str | None = None) -> pd.DataFrame:
    """A figure typed by staff for the window's last month (``figures`` dataset), by district,
    and for the authority when a row names it (district ``ALL`` or the authority's name).

    A row with numerator and denominator is used as they are; a row with only a value counts as
    numerator = value and denominator = the unit's scale (so the value shows unchanged).
    ``figure`` names the typed indicator when it differs from the catalogue id.
    """
    figures = table_of(tables, "figures")
    rows = figures[figures["indicator"] == (figure or indicator_id)]
    if len(rows):  # most indicators have no typed figure: the month is looked for only where there are some
        rows = rows[rows["period"].dt.to_period("M") == pd.Period(window.end, "M")]
    if not len(rows):  # the same empty frame, without the dozen pandas steps (run for every indicator and month)
        empty = np.empty(0, dtype="float64")
        return pd.DataFrame({"numerator": empty, "denominator": empty}, index=pd.Index(np.empty(0, dtype=object), name="district"))
    parts = rows["numerator"].notna() & rows["denominator"].notna()
    numerator = rows["numerator"].where(parts, rows["value"])
    denominator = rows["denominator"].where(parts, unit_scale)
    frame = pd.DataFrame(
        {"numerator": numerator.to_numpy(), "denominator": denominator.to_numpy()},
        index=pd.Index(rows["district"].to_numpy(), name="district"),
    ).astype("float64")
    return frame[~frame.index.duplicated(keep="last")]


@calculation
def share_open_where(
    tables: Tables,
    window: Window,
    *,
    dataset: str,
    start: str,
    end: str,
    column: str,
    op: str,
    value: Any = None,
    where: dict | None = None,
) -> pd.DataFrame:
    """Of the cases open at the end of the window, how many have ``column <op> value``
    (e.g. children looked after with 3 or more placements in the last 12 months)."""
    table = _filter(table_of(tables, dataset), where)
    rows = _one_per_child(table[_open_at(table, start, end, pd.Timestamp(window.end))], start)
    meets = OPS[op](rows[column], value).fillna(False).astype(bool)
    return _result(_count(rows, meets), _count(rows))


@calculation
def share_lasting(tables: Tables, window: Window, *, dataset: str, start: str, end: str, days: int, basis: str = "ended") -> pd.DataFrame:
    """Share of cases lasting ``days`` calendar days or more: of those that ended within the
    window (``basis = "ended"``: CP plans lasting 2 years or more at de-registration), or of
    those open at its end (``basis = "open"``: current plans lasting 18 months or more)."""
    table = table_of(tables, dataset)
    if basis == "ended":
        rows = table[_in_window(table[end], window)]
        length = (rows[end] - rows[start]).dt.days
    else:
        day = pd.Timestamp(window.end)
        rows = _one_per_child(table[_open_at(table, start, end, day)], start)
        length = (day - rows[start]).dt.days
    return _result(_count(rows, length >= days), _count(rows))


@calculation
def average_days(tables: Tables, window: Window, *, dataset: str, start: str, end: str) -> pd.DataFrame:
    """Average calendar days from ``start`` to ``end`` for cases whose ``end`` falls within the
    window: numerator = total days, denominator = cases (adoption A1: entering care to moving in
    with the adoptive family, over 3 years)."""
    table = table_of(tables, dataset)
    rows = table[_in_window(table[end], window) & table[start].notna()]
    days = (rows[end] - rows[start]).dt.days
    return _result(_count(rows, weights=days), _count(rows))


@calculation
def count_older_than(tables: Tables, window: Window, *, dataset: str, since: str, as_at: str, days: int) -> pd.DataFrame:
    """Cases on the list for the window's last month that had waited more than ``days``
    calendar days at its date (unallocated cases open more than 7 days). Unit: count."""
    cases = _waiting_cases(tables, window, dataset=dataset, since=since, as_at=as_at, days=days)
    return _per_district_count(cases.rows, cases.exception)


@drilldown("count_older_than")
def _waiting_cases(tables: Tables, window: Window, *, dataset: str, since: str, as_at: str, days: int) -> Cases:
    table = table_of(tables, dataset)
    rows = table[_months_in(table, as_at, Window(window.end, window.end))]
    waited = (rows[as_at] - rows[since]).dt.days.astype("float64")
    return Cases(rows, waited > days, rows[since], rows[as_at], waited, days, f"waiting over {days} days")


@calculation
def share_with_events(
    tables: Tables, window: Window, *, dataset: str, start: str, end: str, events: str, date: str, at_least: int = 1
) -> pd.DataFrame:
    """Of the cases open at any time in the window, how many had at least ``at_least`` events
    in it, matched on child id within the district (child protection visits in the month)."""
    cases = _visit_cases(tables, window, dataset=dataset, start=start, end=end, events=events, date=date, at_least=at_least)
    return _result(_count(cases.rows, ~cases.exception), _count(cases.rows))


@drilldown("share_with_events")
def _visit_cases(tables: Tables, window: Window, *, dataset: str, start: str, end: str, events: str, date: str, at_least: int = 1) -> Cases:
    table = table_of(tables, dataset)
    first, last = pd.Timestamp(window.start), pd.Timestamp(window.end)
    rows = table[(table[start] <= last) & (table[end].isna() | (table[end] >= first))].drop_duplicates(["district", "child_id"])
    log = table_of(tables, events)
    log = log[_in_window(log[date], window)]
    visits = dict(log.groupby(["district", "child_id"], observed=True).size().items())  # a dict: a pandas look-up per case was slow
    count = pd.Series([visits.get((d, c), 0) for d, c in zip(rows["district"], rows["child_id"])], index=rows.index, dtype="float64")
    return Cases(
        rows,
        count < at_least,
        rows[start],
        rows[end],
        count,
        at_least,
        f"fewer than {at_least} visit(s) in the period (days column: visits)",
    )
