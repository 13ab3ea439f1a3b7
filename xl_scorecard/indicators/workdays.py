"""Working days: Monday to Friday, excluding England & Wales bank holidays.

Convention (explicit, because public tools differ): the working days *between* a start and an
end date are those after the start day up to and including the end day. An assessment
authorised on the day it started took 0 working days; one started on a Friday and authorised
the next Monday took 1. "Within 45 working days" means ``working_days_between(...) <= 45``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd


@lru_cache(maxsize=32)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England & Wales bank holidays (incl. substitute days and one-off ones such as the 2022
    state funeral and the 2023 coronation) as ``datetime64[D]``, from the ``holidays`` package.

    The list is kept in a small cache file per ``holidays`` version, because importing the
    package and building the years costs more than the rest of a small refresh's date work
    (a ribbon button press starts a fresh Python each time)."""
    cache = _cache_file(first_year, last_year)
    if cache is not None:
        try:
            return np.array(json.loads(cache.read_text(encoding="utf-8")), dtype="datetime64[D]")
        except (OSError, ValueError):
            pass
    import holidays

    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    found = np.array(sorted(days), dtype="datetime64[D]")
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            temp = cache.with_suffix(f".{os.getpid()}.tmp")
            temp.write_text(json.dumps([str(d) for d in found]), encoding="utf-8")
            os.replace(temp, cache)
    return found


def _cache_file(first_year: int, last_year: int) -> Path | None:
    # XL_SCORECARD_CACHE overrides (tests; an empty value turns the cache off).
    configured = os.environ.get("XL_SCORECARD_CACHE")
    if configured == "":
        return None
    if configured is None:
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = Path(base) / "xl-scorecard"
    else:
        folder = Path(configured)
    try:
        from importlib.metadata import version

        tag = version("holidays")
    except Exception:
        return None
    return Path(folder) / f"bank-holidays-ENG-{tag}-{first_year}-{last_year}.json"


def working_days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days after ``start`` up to and including ``end``, row by row (vectorised).

    Missing dates give a missing count. When ``end`` is before ``start`` the count is minus the
    working days from ``end`` to ``start`` (so swapping the dates only flips the sign).
    """
    start = pd.to_datetime(start)
    end = pd.to_datetime(end)
    counts = working_days_array(start.to_numpy(dtype="datetime64[ns]"), end.to_numpy(dtype="datetime64[ns]"))
    return pd.Series(counts, index=start.index, dtype="float64")


def working_days_array(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``working_days_between`` on numpy datetime64 arrays (NaT gives NaN): the calculations
    call this once per indicator and month, where pandas' own overhead was most of the cost."""
    result = np.full(len(start), np.nan)
    valid = ~(np.isnat(start) | np.isnat(end))
    if not valid.any():
        return result
    begin = start[valid].astype("datetime64[D]")
    finish = end[valid].astype("datetime64[D]")
    years = np.concatenate([begin, finish]).astype("datetime64[Y]").astype(int) + 1970
    calendar = np.busdaycalendar(holidays=bank_holidays(int(years.min()) - 1, int(years.max()) + 1))
    one = np.timedelta64(1, "D")
    low, high = np.minimum(begin, finish), np.maximum(begin, finish)
    sign = np.where(finish < begin, -1.0, 1.0)
    # busday_count counts [begin, end): shifting both by a day gives (start, end].
    result[valid] = sign * np.busday_count(low + one, high + one, busdaycal=calendar)
    return result


def deadlines_array(start: np.ndarray, days: int) -> np.ndarray:
    """``days`` working days after each ``start`` (datetime64; NaT stays NaT): the working day
    on which ``working_days_between(start, deadline)`` reaches ``days``. A start on a weekend or
    bank holiday counts from the working day before it (Saturday + 1 = Monday), as the counting
    does; 0 days is the start itself."""
    begin = start.astype("datetime64[D]")
    out = begin.copy()
    valid = ~np.isnat(begin)
    if days <= 0 or not valid.any():
        return out
    years = begin[valid].astype("datetime64[Y]").astype(int) + 1970
    calendar = np.busdaycalendar(holidays=bank_holidays(int(years.min()) - 1, int(years.max()) + 2 + days // 200))
    out[valid] = np.busday_offset(begin[valid], days, roll="backward", busdaycal=calendar)
    return out


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (the deadline for a timescale; see
    ``deadlines_array``)."""
    return deadlines_array(np.array([np.datetime64(start, "D")]), days)[0].astype(dt.date)
