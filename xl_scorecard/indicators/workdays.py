"""Working days: Monday to Friday, excluding England & Wales bank holidays.

Convention (explicit, because public tools differ): the working days *between* a start and an
end date are those after the start day up to and including the end day. An assessment
authorised on the day it started took 0 working days; one started on a Friday and authorised
the next Monday took 1. "Within 45 working days" means ``working_days_between(...) <= 45``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd


@lru_cache(maxsize=32)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England & Wales bank holidays (incl. substitute days and one-off ones such as the 2022
    state funeral and the 2023 coronation) as ``datetime64[D]``, from the ``holidays`` package."""
    import holidays

    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days after ``start`` up to and including ``end``, row by row (vectorised).

    Missing dates give a missing count. When ``end`` is before ``start`` the count is minus the
    working days from ``end`` to ``start`` (so swapping the dates only flips the sign).
    """
    start = pd.to_datetime(start)
    end = pd.to_datetime(end)
    valid = start.notna() & end.notna()
    result = pd.Series(np.nan, index=start.index, dtype="float64")
    if not valid.any():
        return result
    begin = start[valid].values.astype("datetime64[D]")
    finish = end[valid].values.astype("datetime64[D]")
    years = np.concatenate([begin, finish]).astype("datetime64[Y]").astype(int) + 1970
    calendar = np.busdaycalendar(holidays=bank_holidays(int(years.min()) - 1, int(years.max()) + 1))
    one = np.timedelta64(1, "D")
    low, high = np.minimum(begin, finish), np.maximum(begin, finish)
    sign = np.where(finish < begin, -1.0, 1.0)
    # busday_count counts [begin, end): shifting both by a day gives (start, end].
    result[valid] = sign * np.busday_count(low + one, high + one, busdaycal=calendar)
    return result


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (the deadline for a timescale)."""
    holidays_ = bank_holidays(start.year - 1, start.year + 2)
    calendar = np.busdaycalendar(holidays=holidays_)
    return np.busday_offset(np.datetime64(start, "D"), days, roll="forward", busdaycal=calendar).astype(dt.date)
