"""Column typing on arrays (issue 21): dates typed as "dd/mm/yyyy" (every date of a CSV export)
are read with array arithmetic, and everything else as before. Expected dates come from
pandas' own parser with the day-first format, and from hand-picked cases.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd

from xl_scorecard.sources.schema import ColumnSpec
from xl_scorecard.sources.validate import coerce_column

DATE = ColumnSpec(headers=["Referral Date"], type="date")


def _typed(values: list[object]) -> tuple[list[object], list[bool], list[bool]]:
    typed, blank, bad = coerce_column(values, DATE)
    return [None if pd.isna(v) else v.date() for v in typed], blank.tolist(), bad.tolist()


def test_hand_picked_dates():
    values = [
        "01/03/2021",  # 1 March, never 3 January
        "29/02/2020",  # a leap day
        "29/02/2021",  # no such day: bad
        "31/04/2021",  # no such day: bad
        "13/13/2021",  # no 13th month: bad (a US date is never guessed)
        "1/3/2021",  # one digit: read by the formats one by one
        "01/03/21",  # a two-digit year: 2021
        "01/03/1899",  # outside the quick path's years: still read
        "01/03/2021 14:30",  # with a time: the day is read
        "",  # blank
        dt.date(2021, 3, 1),  # a date cell
        44256.0,  # an Excel serial (1 March 2021)
    ]
    typed, blank, bad = _typed(values)
    march = dt.date(2021, 3, 1)
    assert typed == [march, dt.date(2020, 2, 29), None, None, None, march, march, dt.date(1899, 3, 1), march, None, march, march]
    assert bad == [False, False, True, True, True, False, False, False, False, False, False, False]
    assert blank == [False] * 9 + [True, False, False]


def test_day_first_strings_read_as_pandas_reads_them():
    rng = random.Random(21)
    values = [f"{rng.randint(0, 32):02d}/{rng.randint(0, 13):02d}/{rng.randint(1890, 2210):04d}" for _ in range(20_000)]
    typed, _, bad = coerce_column(values, DATE)
    reference = pd.to_datetime(pd.Series(values), format="%d/%m/%Y", errors="coerce")
    # What the day-first format reads is read to the same day; what it does not is bad (no other
    # format reads "dd/mm/yyyy" with an impossible day or month).
    assert (typed.isna() == reference.isna()).all()
    assert np.array_equal(typed[typed.notna()].to_numpy(), reference[reference.notna()].to_numpy())
    assert (bad == reference.isna()).all()
    assert reference.notna().sum() > 10_000 and reference.isna().sum() > 1_000  # both kinds exercised
