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
from xl_scorecard.indicators.workdays import deadlines_array, working_days_array

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
    # The clock restarts at the child's latest event in another list (a CP visit): the start is
    # the later of ``start`` and that event.
    latest: dict[str, str] | None = None
    # A list that is itself a month-end snapshot (the unallocated list): only the rows of the
    # latest snapshot at or before the day count, by this date column.
    snapshot: str | None = None
    # Rows whose clock never runs out (an S47 whose conference was deemed unnecessary).
    unless: dict[str, Any] | None = None
    where: dict[str, Any] | None = None
    indicator: str | None = None  # the figure a breach will hurt (a catalogue id)

    @model_validator(mode="after")
    def _start_or_due(self) -> Clock:
        if (self.start is None) == (self.due is None):
            raise ValueError("a clock needs either `start` (and `days`) or `due`, not both")
        return self

    def needs(self) -> dict[str, set[str]]:
        """The lists (dataset -> columns) a district must have for this clock to run there."""
        columns = {c for c in (self.start, self.due, self.done, self.open_until, self.snapshot) if c}
        needed = {self.dataset: columns | set(self.unless or {}) | set(self.where or {})}
        if self.latest:
            needed.setdefault(self.latest["dataset"], set()).add(self.latest["date"])
        return needed

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
    for clock in clocks:
        for reason in gaps.get(clock.id, {}).values():
            unavailable.append(f"{clock.title}: not available in one district ({reason})")
    as_at = pd.Timestamp(day)
    for clock in clocks:
        table = tables.get(clock.dataset)
        needed = [clock.start, clock.due, clock.done, clock.open_until, clock.snapshot, *(clock.unless or {}), *(clock.where or {})]
        missing = [c for c in needed if c and (table is None or c not in table)]
        if table is None or not len(table):
            unavailable.append(f"{clock.title}: not available (no {clock.dataset} list)")
            continue
        if missing:
            unavailable.append(f"{clock.title}: not available (the {clock.dataset} list has no {', '.join(missing)} column)")
            continue
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
        started = pd.to_datetime(rows[clock.start or clock.due])
        if clock.latest:
            events = tables.get(clock.latest["dataset"])
            if events is None or not len(events):
                # Counted from the plan's start, every plan would look overdue: not a figure.
                unavailable.append(f"{clock.title}: not available (no {clock.latest['dataset']} list)")
                continue
            dates = pd.to_datetime(events[clock.latest["date"]])
            last = events.assign(_on=dates)[dates <= as_at].groupby(["district", "child_id"], observed=True)["_on"].max()
            keys = pd.MultiIndex.from_arrays([rows["district"].astype(str), rows["child_id"].astype(str)])
            last.index = pd.MultiIndex.from_arrays([last.index.get_level_values(0).astype(str), last.index.get_level_values(1).astype(str)])
            seen = pd.Series(last.reindex(keys).to_numpy(), index=rows.index)
            started = pd.concat([started, seen], axis=1).max(axis=1)
        due = pd.to_datetime(rows[clock.due]) if clock.due else deadlines(started, clock.days, clock.counting)
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
