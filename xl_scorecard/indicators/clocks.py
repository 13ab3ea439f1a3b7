"""Early warning: the open cases whose timescale runs out soon, or has run out.

A clock is data, like an indicator's timescale: which list it reads, the date it runs from, the
date that stops it, how long it allows and how that is counted, and the figure a breach will
hurt. Clocks live in the catalogue file (``[[clock]]``), so a preset or an authority's own
catalogue carries its local variants (Kent's 28 days for allocation, Birmingham's 7).

``due_cases`` lists, for a day (the reporting month's end), every open case whose deadline falls
within the next ``within`` working days or has passed, with the working days left (negative when
overdue). Working days are England & Wales working days, counted as the indicators count them:
the days after one date up to and including the other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from xl_scorecard.datafiles import Strict, parse_model, read_toml
from xl_scorecard.errors import ConfigError
from xl_scorecard.indicators.calculations import rows_where
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.compute import AUTHORITY, indicator_figures
from xl_scorecard.indicators.workdays import deadlines_array, working_days_array
from xl_scorecard.periods import Month, financial_year

DUE_COLUMNS = ["clock", "district", "team", "worker", "child_id", "started", "due", "days_left", "indicator"]


class Clock(Strict):
    """One timescale a case runs against."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    title: str = Field(min_length=1)
    dataset: str
    start: str | None = None  # the column the clock runs from (``days`` after it), or
    due: str | None = None  # the column holding the deadline itself (a review's due date)
    done: str | None = None  # the column that stops it (blank: still running)
    days: int = Field(default=0, ge=0)
    counting: Literal["working days", "days", "months"] = "working days"
    # The episode's end (a CP plan's end date): a closed episode runs no clock.
    open_until: str | None = None
    # The clock restarts at the latest event in another list (a CP visit, a supervision): the
    # start is the later of ``start`` and that event. Without ``start``, a case with no event
    # runs from the first event in that list (a worker never supervised since the log began).
    latest: dict[str, str] | None = None
    # The column naming whose clock it is, joining the list to ``latest``'s and ``episode``'s
    # lists: the child, or the worker for supervision.
    key: str = "child_id"
    # The episode the clock belongs to, in another list (a CP plan, a period in care): a case
    # whose child has no episode open on the day runs no clock (a review missed before the plan
    # ended is not overdue for ever).
    episode: dict[str, str] | None = None
    # A later row for the same case that is done by the day stops this one (a missed review
    # superseded by the next one held).
    superseded: bool = False
    # A list that is itself a month-end snapshot (the unallocated list): only the rows of the
    # latest snapshot at or before the day count, by this date column.
    snapshot: str | None = None
    # Rows whose clock never runs out (an S47 whose conference was deemed unnecessary).
    unless: dict[str, Any] | None = None
    where: dict[str, Any] | None = None
    indicator: str | None = None  # the figure a breach will hurt (a catalogue id)

    @model_validator(mode="after")
    def _start_or_due(self) -> Clock:
        if self.start is not None and self.due is not None:
            raise ValueError("a clock needs either `start` (and `days`) or `due`, not both")
        if self.start is None and self.due is None and self.latest is None:
            raise ValueError("a clock needs `start` (and `days`), `due`, or `latest` (and `days`)")
        return self

    def needs(self) -> dict[str, set[str]]:
        """The lists (dataset -> columns) a district must have for this clock to run there."""
        columns = {c for c in (self.start, self.due, self.done, self.open_until, self.snapshot) if c}
        if self.latest or self.episode or self.superseded:
            columns.add(self.key)
        needed = {self.dataset: columns | set(self.unless or {}) | set(self.where or {})}
        if self.latest:
            needed.setdefault(self.latest["dataset"], set()).update({self.latest["date"], self.key})
        if self.episode:
            needed.setdefault(self.episode["dataset"], set()).update({self.episode["start"], self.episode["end"], self.key})
        return needed

    @field_validator("episode")
    @classmethod
    def _episode_names_a_list_and_dates(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) != {"dataset", "start", "end"}:
            raise ValueError("episode needs exactly `dataset`, `start` and `end`")
        return value

    @model_validator(mode="after")
    def _superseded_needs_done(self) -> Clock:
        if self.superseded and not self.done:
            raise ValueError("superseded needs `done` (the date that makes a later row count)")
        return self

    @field_validator("latest")
    @classmethod
    def _latest_names_a_list_and_date(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) != {"dataset", "date"}:
            raise ValueError("latest needs exactly `dataset` and `date`")
        return value


def load_clocks(path: Any) -> list[Clock]:
    """The ``[[clock]]`` entries of a catalogue file (and of the shipped catalogue it extends),
    checked: a misspelt key or a repeated id is an error naming the file."""
    from xl_scorecard.indicators.catalogue import shipped_catalogue

    raw = read_toml(path)
    inherited = load_clocks(shipped_catalogue(raw["extends"])) if raw.get("extends") else []
    own = [parse_model(Clock, entry, f"{path}: clock {entry.get('id', number)}") for number, entry in enumerate(raw.get("clock", []), 1)]
    replaced = {c.id for c in own}
    clocks = [c for c in inherited if c.id not in replaced] + own
    ids = [c.id for c in own]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ConfigError(f"{path}: clock {', '.join(repeated)} is defined more than once")
    return clocks


def deadlines(start: pd.Series, days: int, counting: str) -> pd.Series:
    """The date each clock runs out: ``days`` working days after the start (the working day on
    which the count reaches ``days``), calendar days, or whole months."""
    start = pd.to_datetime(start)
    if counting == "days":
        return start + pd.to_timedelta(days, unit="D")
    if counting == "months":
        return start + pd.DateOffset(months=days)
    return pd.Series(deadlines_array(start.to_numpy(dtype="datetime64[ns]"), days).astype("datetime64[ns]"), index=start.index)


def due_cases(
    clocks: list[Clock], tables: dict[str, pd.DataFrame], day: dt.date, within: int = 5, gaps: dict[str, dict[str, str]] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """(the cases due within ``within`` working days of ``day`` or overdue, one row per case and
    clock; the clocks that cannot run, each with the reason). A clock whose list is not there,
    or lacks a column it needs, is "not available", never "none due"; so is a clock in a
    district ``gaps`` names (clock id -> district code -> why: completeness.list_gaps), whose
    cases are left out rather than counted from a list it does not have."""
    frames, unavailable = [], []
    gaps = gaps or {}
    as_at = pd.Timestamp(day)
    for clock in clocks:
        opened = _open_cases(clock, tables, as_at)
        if isinstance(opened, str):  # said once for the clock, not again for each district
            unavailable.append(f"{clock.title}: not available ({opened})")
            continue
        for reason in gaps.get(clock.id, {}).values():
            unavailable.append(f"{clock.title}: not available in one district ({reason})")
        rows, started, due = opened
        left = working_days_array(np.full(len(due), as_at.to_datetime64()), due.to_numpy(dtype="datetime64[ns]"))
        soon = (left <= within) & ~rows["district"].astype(str).isin(set(gaps.get(clock.id, {}))).to_numpy()
        picked = rows[soon]
        frames.append(
            pd.DataFrame(
                {
                    "clock": clock.title,
                    "district": picked["district"].astype(str).to_numpy(),
                    "team": _column(picked, "team"),
                    "worker": _column(picked, "worker"),
                    "child_id": _column(picked, "child_id"),
                    "started": started[soon].dt.date.to_numpy(),
                    "due": due[soon].dt.date.to_numpy(),
                    "days_left": left[soon].astype(int),
                    "indicator": clock.indicator or "",
                }
            )
        )
    found = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DUE_COLUMNS)
    return found.sort_values(["district", "days_left", "clock", "team", "worker"], kind="stable").reset_index(drop=True), unavailable


# What the callers of _open_cases read of a case besides the clock's own columns.
_CASE_COLUMNS = ("district", "team", "worker", "child_id")


def _open_cases(clock: Clock, tables: dict[str, pd.DataFrame], as_at: pd.Timestamp) -> tuple[pd.DataFrame, pd.Series, pd.Series] | str:
    """(the rows of the clock's list open on ``as_at``, with its own columns and the case's
    district, team, worker, child id and key; the date each clock runs from, the date it runs
    out), or why the clock cannot run."""
    table = tables.get(clock.dataset)
    needed = [clock.start, clock.due, clock.done, clock.open_until, clock.snapshot, *(clock.unless or {}), *(clock.where or {})]
    keyed = clock.latest or clock.episode or clock.superseded
    missing = [c for c in [*needed, clock.key if keyed else None] if c and (table is None or c not in table)]
    if table is None or not len(table):
        return f"no {clock.dataset} list"
    if missing:
        return f"the {clock.dataset} list has no {', '.join(missing)} column"
    # Only the columns the clock and its callers read: each filter below copies what it keeps.
    kept = {*_CASE_COLUMNS, *needed, clock.key}
    table = table[[c for c in table.columns if c in kept]]
    rows = table[rows_where(table, clock.where)]
    if clock.unless:
        rows = rows[~rows_where(rows, clock.unless)]
    if clock.start:  # a case not started by the day has no clock running yet
        rows = rows[pd.to_datetime(rows[clock.start]) <= as_at]
    if clock.snapshot:
        taken = pd.to_datetime(rows[clock.snapshot])
        latest = taken[taken <= as_at].max()
        rows = rows[taken == latest]
    if clock.done:
        stopped = pd.to_datetime(rows[clock.done])
        rows = rows[stopped.isna() | (stopped > as_at)]
    if clock.open_until:
        ended = pd.to_datetime(rows[clock.open_until])
        rows = rows[ended.isna() | (ended > as_at)]
    if clock.superseded and clock.done:
        listed = table[rows_where(table, clock.where)]
        own = clock.due or clock.start or clock.done
        held = listed[pd.to_datetime(listed[clock.done]) <= as_at]
        last_held = held.groupby([held["district"].astype(str), held[clock.key].astype(str).str.strip()])[own].max()
        later = pd.to_datetime(last_held.reindex(_keys(rows, clock.key)).to_numpy())
        rows = rows[~(pd.to_datetime(rows[own]).to_numpy() < later)]  # NaT compares False: kept
    if clock.episode:
        # Without the episodes, a case whose plan or care has ended would look overdue.
        episodes = _other_list(tables, clock.episode["dataset"], clock.key)
        if isinstance(episodes, str):
            return episodes
        began, ended = pd.to_datetime(episodes[clock.episode["start"]]), pd.to_datetime(episodes[clock.episode["end"]])
        current = episodes[(began <= as_at) & (ended.isna() | (ended > as_at))]
        rows = rows[_keys(rows, clock.key).isin(_keys(current, clock.key))]
    started = pd.to_datetime(rows[clock.start or clock.due]) if clock.start or clock.due else pd.Series(pd.NaT, index=rows.index)
    if clock.latest:
        # Counted from the plan's start, every plan would look overdue: not a figure.
        events = _other_list(tables, clock.latest["dataset"], clock.key)
        if isinstance(events, str):
            return events
        dates = pd.to_datetime(events[clock.latest["date"]])
        known = events.assign(_on=dates)[dates <= as_at]
        if not clock.start and known.empty:
            return f"nothing in the {clock.latest['dataset']} list on or before {as_at:%d/%m/%Y}"
        last = known.groupby(["district", clock.key], observed=True)["_on"].max()
        keys = _keys(rows, clock.key)
        last.index = pd.MultiIndex.from_arrays(
            [last.index.get_level_values(0).astype(str), last.index.get_level_values(1).astype(str).str.strip()]
        )
        seen = pd.Series(last.reindex(keys).to_numpy(), index=rows.index)
        started = pd.concat([started, seen], axis=1).max(axis=1)
        if not clock.start:  # no event at all: counted from the first one the list records
            started = started.fillna(known["_on"].min())
    due = pd.to_datetime(rows[clock.due]) if clock.due else deadlines(started, clock.days, clock.counting)
    return rows, started, due


def _other_list(tables: dict[str, pd.DataFrame], dataset: str, key: str) -> pd.DataFrame | str:
    # The list a clock joins to (its episodes, its latest events), or why it cannot.
    table = tables.get(dataset)
    if table is None or not len(table):
        return f"no {dataset} list"
    if key not in table:
        return f"the {dataset} list has no {key} column"
    return table


def _keys(rows: pd.DataFrame, key: str) -> pd.MultiIndex:
    # (district, whose clock it is) for each row, as text: the same child in another district
    # is another case.
    return pd.MultiIndex.from_arrays([rows["district"].astype(str), rows[key].astype(str).str.strip()])


def _column(rows: pd.DataFrame, name: str) -> np.ndarray:
    if name not in rows:
        return np.full(len(rows), "", dtype=object)
    return rows[name].astype(object).where(rows[name].notna(), "").astype(str).str.strip().to_numpy()


def due_counts(due: pd.DataFrame, clocks: list[Clock], gaps: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Per clock (in catalogue order) and district: how many cases are overdue and how many due
    soon; every clock appears, a district with none counting 0, a district without the lists
    the clock needs (``gaps``) with no count at all (NaN), never 0. No child-level data."""
    rows = []
    for clock in clocks:
        for district in (gaps or {}).get(clock.id, {}):
            rows.append(
                {"clock": clock.title, "indicator": clock.indicator or "", "district": district, "overdue": np.nan, "due_soon": np.nan}
            )
        mine = due[due["clock"] == clock.title]
        for district, group in mine.groupby("district", sort=False):
            overdue = int((group["days_left"] < 0).sum())
            rows.append(
                {
                    "clock": clock.title,
                    "indicator": clock.indicator or "",
                    "district": str(district),
                    "overdue": overdue,
                    "due_soon": len(group) - overdue,
                }
            )
        if mine.empty:
            rows.append({"clock": clock.title, "indicator": clock.indicator or "", "district": "", "overdue": 0, "due_soon": 0})
    return pd.DataFrame(rows, columns=["clock", "indicator", "district", "overdue", "due_soon"])


PROJECTION_COLUMNS = [
    *["indicator", "clock", "area", "period", "ends", "cases", "overdue"],
    *["best", "best_numerator", "best_denominator", "worst", "worst_numerator", "worst_denominator"],
]


def projection_period(period_type: str, month: Month) -> Month | None:
    """The reporting period an indicator's figure is still open in once ``month`` has ended:
    next month for a monthly figure; for a year-to-date one the financial year's last month
    (March), or next April's when ``month`` is March. None for a snapshot or a rolling window,
    which the cases coming due do not settle."""
    if period_type == "month":
        return month.shift(1)
    if period_type == "ytd":
        year_end = Month(financial_year(month) + 1, 3)
        return year_end if month < year_end else month.shift(1)
    return None


def projections(
    clocks: list[Clock],
    catalogue: list[Indicator],
    tables: dict[str, pd.DataFrame],
    month: Month,
    districts: list[str],
    gaps: dict[str, dict[str, str]] | None = None,
    missing: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """What each timeliness figure can still become: for every clock whose cases stop with a
    date (``done``) and whose indicator is monthly or year to date, that indicator's figure for
    the period still open after ``month`` (``projection_period``) on two scripted futures of
    the cases open at ``month``'s end and due by that period's end, and nothing else changing:

    - best: each case still in time is completed on its due date; each already overdue the next
      working day (late, but done);
    - worst: each is completed the working day after its due date (or after the day, when
      already overdue) if that is still within the period, otherwise not at all.

    The figures come from the indicator's own calculation on the scripted lists, so when the
    cases are completed as scripted the period's actual figure is the one predicted. One row per
    indicator and area (districts, then the authority) with the number of cases due and already
    overdue; a district without the lists (``gaps``, ``missing``) has no figure and the
    authority none either. Aggregate only: no child-level data."""
    by_id = {ind.id: ind for ind in catalogue}
    as_at = pd.Timestamp(month.last_day)
    rows: list[dict[str, Any]] = []
    for clock in clocks:
        indicator = by_id.get(clock.indicator or "")
        if indicator is None or not clock.done or clock.latest or clock.snapshot:
            continue  # a visit or an allocation is not "completed" by one date the figure reads
        reads = indicator.calculation
        if reads.get("dataset") != clock.dataset or clock.done not in reads.values():
            # The figure does not read the date that stops this clock (a local variant counting
            # from another column): scripting that date would not move it, so no projection.
            continue
        target = projection_period(indicator.period, month)
        if target is None or clock.dataset not in tables:
            continue
        ends = pd.Timestamp(target.last_day)
        base = tables[clock.dataset].reset_index(drop=True)
        opened = _open_cases(clock, {**tables, clock.dataset: base}, as_at)
        if isinstance(opened, str):
            continue
        open_rows, _, due = opened
        coming = (due <= ends).to_numpy()
        due = due[coming]
        index = open_rows.index[coming]
        overdue = (due <= as_at).to_numpy()
        next_day = _next_working_day(np.full(len(due), as_at.to_datetime64()))
        best = np.where(overdue, next_day, due.to_numpy(dtype="datetime64[ns]"))
        worst = _next_working_day(np.maximum(due.to_numpy(dtype="datetime64[ns]"), as_at.to_datetime64()))
        lacking = set(gaps.get(clock.id, {}) if gaps else {}) | set((missing or {}).get(indicator.id, set()))
        figures = {}
        for scenario, done in (("best", best), ("worst", worst)):
            done = np.where(done <= ends.to_datetime64(), done, np.datetime64("NaT"))
            scripted = base.copy()
            scripted[clock.done] = pd.to_datetime(scripted[clock.done])
            scripted.loc[index, clock.done] = pd.to_datetime(done)
            figures[scenario] = indicator_figures(indicator, {**tables, clock.dataset: scripted}, target, districts, lacking)
        district_of = open_rows.loc[index, "district"].astype(str).to_numpy()
        for n, area in enumerate([*districts, AUTHORITY]):
            mine = np.ones(len(index), dtype=bool) if area == AUTHORITY else district_of == area
            unknown = area in lacking or (area == AUTHORITY and bool(lacking))
            record: dict[str, Any] = {
                "indicator": indicator.id,
                "clock": clock.title,
                "area": area,
                "period": str(target),
                "ends": target.last_day,
                "cases": np.nan if unknown else int(mine.sum()),
                "overdue": np.nan if unknown else int((mine & overdue).sum()),
            }
            for scenario in ("best", "worst"):
                value = figures[scenario]["value"][n]
                record[scenario] = np.nan if unknown or value is None or pd.isna(value) else float(value)
                record[f"{scenario}_numerator"] = float(figures[scenario]["numerator"][n])
                record[f"{scenario}_denominator"] = float(figures[scenario]["denominator"][n])
            rows.append(record)
    return pd.DataFrame(rows, columns=PROJECTION_COLUMNS)


def _next_working_day(days: np.ndarray) -> np.ndarray:
    return deadlines_array(days.astype("datetime64[ns]"), 1).astype("datetime64[ns]")


def went_past_due(
    clocks: list[Clock],
    tables: dict[str, pd.DataFrame],
    then: dt.date,
    within: int,
    now: dt.date,
    gaps: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    """Was the due-soon list of ``then`` acted on? Per clock and district: of the cases due
    within ``within`` working days of ``then`` (not yet overdue on it), how many went past their
    due date without the clock being stopped by it (completed, visited, reviewed, the episode
    ended), and how many are not due yet on ``now``, as the lists read on ``now`` show it.

    A case went past its due date when, on that date, its clock was still running with that
    date (a case completed on its due date did not). For a month-end list (allocation) only
    the latest list shows what happened: a case still on it and overdue went past its date; one
    allocated late, between lists, is not seen. Aggregate only; a district in ``gaps`` has no row."""
    rows_out: list[dict[str, Any]] = []
    start, today = pd.Timestamp(then), pd.Timestamp(now)
    for clock in clocks:
        if clock.dataset in tables:  # a case is the same row on both days: its label must be unique
            tables = {**tables, clock.dataset: tables[clock.dataset].reset_index(drop=True)}
        opened = _open_cases(clock, tables, start)
        if isinstance(opened, str):
            continue
        rows, _, due = opened
        left = working_days_array(np.full(len(due), start.to_datetime64()), due.to_numpy(dtype="datetime64[ns]"))
        lacking = set((gaps or {}).get(clock.id, {}))
        soon = (left >= 0) & (left <= within) & ~rows["district"].astype(str).isin(lacking).to_numpy()
        rows, due = rows[soon], due[soon]
        past = pd.Series(False, index=rows.index)
        for day in sorted(set(due[due < today])):
            checked = today if clock.snapshot else pd.Timestamp(day)
            later = _open_cases(clock, tables, checked)
            if isinstance(later, str):
                continue
            later_rows, _, later_due = later
            mine = due.index[(due == day).to_numpy()]
            if clock.snapshot:  # a new list each month: the same case by district and key
                overdue_then = later_rows.index[(later_due < checked).to_numpy()]
                still = set(zip(later_rows.loc[overdue_then, "district"].astype(str), later_rows.loc[overdue_then, clock.key].astype(str)))
                hit = [i for i in mine if (str(rows.at[i, "district"]), str(rows.at[i, clock.key])) in still]
            else:
                running = later_due[later_due.index.isin(mine)]
                hit = list(running.index[(running <= day).to_numpy()])
            past.loc[hit] = True
        pending = (due >= today).to_numpy()
        for district, group in rows.assign(_past=past.to_numpy(), _pending=pending).groupby("district", sort=False, observed=True):
            rows_out.append(
                {
                    "clock": clock.title,
                    "district": str(district),
                    "due_soon": len(group),
                    "went_past": int(group["_past"].sum()),
                    "not_yet_due": int(group["_pending"].sum()),
                }
            )
    return pd.DataFrame(rows_out, columns=["clock", "district", "due_soon", "went_past", "not_yet_due"])
