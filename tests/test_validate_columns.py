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


def test_a_sheet_becomes_one_typed_frame_in_the_dataset_order():
    """A sheet's table as the later stages rely on it, whatever way validation builds it: the
    dataset's columns in its order (unmapped optional ones typed and empty), then district,
    source row and the bad-value marks; text as Python objects (never pandas' string type);
    rows excluded by a missing identity or a date-order check gone, the rest renumbered."""
    from pathlib import Path

    from xl_scorecard.sources.read import RawSheet
    from xl_scorecard.sources.schema import DatasetSpec
    from xl_scorecard.sources.validate import BAD_PREFIX, validate_sheet

    spec = DatasetSpec(
        title="Referrals",
        columns={
            "child_id": ColumnSpec(headers=["Child ID"], type="text", required=True),
            "referral_date": ColumnSpec(headers=["Referral date"], type="date", required=True),
            "closed": ColumnSpec(headers=["Closed"], type="date"),
            "team": ColumnSpec(headers=["Team"], type="text"),
            "count": ColumnSpec(headers=["Count"], type="integer"),
            "hours": ColumnSpec(headers=["Hours"], type="decimal"),
            "outcome": ColumnSpec(headers=["Outcome"], type="code", codes=["NFA", "S17"]),
        },
        checks=[{"kind": "not_before", "column": "closed", "other": "referral_date"}],
    )
    rows: list[list[object]] = [
        ["Referrals, EXAMPLE"],
        ["Child ID", "Referral date", "Closed", "Count", "Outcome"],  # no Team, no Hours
        ["C1", "01/03/2021", "05/03/2021", 2, "nfa"],  # row 3
        ["", "02/03/2021", None, 1, "S17"],  # row 4: no child: excluded
        ["C3", "03/03/2021", "01/03/2021", 1, "S17"],  # row 5: closed before referred: excluded
        ["C4", "04/03/2021", None, "two", "maybe"],  # row 6: a bad count and a bad code, kept
        [None, None, None, None, None],  # row 7: blank, not counted
        ["C5", dt.date(2021, 3, 5), None, 3.0, "S17"],  # row 8
    ]
    result = validate_sheet(RawSheet(Path("EXAMPLE.xlsx"), "List 3", rows), spec, dataset="referrals", district="NG")
    table = result.table
    assert list(table) == [
        "child_id", "referral_date", "closed", "team", "count", "hours", "outcome", "district", "source_row",
        f"{BAD_PREFIX}count", f"{BAD_PREFIX}outcome",
    ]  # fmt: skip
    assert table.index.tolist() == [0, 1, 2]
    assert table["source_row"].tolist() == [3, 6, 8] and table["source_row"].dtype == np.int64
    assert table["child_id"].dtype == object and table["child_id"].tolist() == ["C1", "C4", "C5"]
    assert table["team"].dtype == object and table["team"].isna().all()
    assert table["outcome"].dtype == object and table["outcome"].tolist()[0::2] == ["NFA", "S17"] and pd.isna(table["outcome"][1])
    assert table["referral_date"].dtype == "datetime64[ns]" and table["closed"].dtype == "datetime64[ns]"
    assert [d.date() for d in table["referral_date"]] == [dt.date(2021, 3, 1), dt.date(2021, 3, 4), dt.date(2021, 3, 5)]
    assert table["closed"].isna().tolist() == [False, True, True]
    assert str(table["count"].dtype) == "Int64" and table["count"].tolist()[0::2] == [2, 3] and pd.isna(table["count"][1])
    assert table["hours"].dtype == np.float64 and table["hours"].isna().all()
    assert table["district"].tolist() == ["NG"] * 3
    assert table[f"{BAD_PREFIX}count"].tolist() == [False, True, False]
    assert table[f"{BAD_PREFIX}outcome"].tolist() == [False, True, False]
    assert (result.rows_read, result.rows_loaded, result.rows_excluded) == (5, 3, 2)
    assert sorted((p.code, p.row) for p in result.problems) == [
        ("bad-code", 6), ("bad-number", 6), ("date-order", 5), ("missing-value", 4)
    ]  # fmt: skip


def _header_by_hand(rows, patterns, regexes):
    # The rule find_header documents, cell by cell: each row of the first 30, each column in
    # order takes the leftmost cell (not yet taken) holding one of its texts, then, failing
    # that, one matching its patterns; the row mapping most columns (at least two) wins, the
    # first of equals.
    from xl_scorecard.sources.schema import normalise_header

    best = None
    for index, row in enumerate(rows[:30]):
        cells = [normalise_header(c) if isinstance(c, str) and c else "" for c in row]
        mapping = {}
        for name, wanted in patterns.items():
            for position, text in enumerate(cells):
                if text and text in wanted and position not in mapping.values():
                    mapping[name] = position
                    break
        for name, expressions in regexes.items():
            if name in mapping:
                continue
            for position, text in enumerate(cells):
                if text and position not in mapping.values() and any(e.fullmatch(text) for e in expressions):
                    mapping[name] = position
                    break
        if len(mapping) >= min(2, len(patterns)) and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best


def test_header_found_as_the_rule_says_on_awkward_rows():
    """Title rows, a text two columns share, a heading repeated, headings only a pattern knows,
    a later row that maps more, data rows full of text: the header row and the columns found
    are those the documented rule gives, worked cell by cell."""
    import re

    from xl_scorecard.sources.validate import find_header

    patterns = {
        "child_id": {"child id", "id"},
        "date": {"referral date", "date"},
        "start": {"date", "start date"},  # shares "date" with the column before it
        "team": {"team"},
        "worker": {"worker", "allocated worker"},
    }
    regexes = {"worker": [re.compile(r"social\s*worker.*")], "team": [re.compile(r"team\s*name")]}
    words = ["ID", "Child ID", "Date", "date", "Referral Date", "Start date", "Team", "Team name", "Worker",
             "Social worker (allocated)", "Notes", "C123", "Eastbrook", "", None, 3, 4.5, dt.date(2021, 3, 1)]  # fmt: skip
    rng = random.Random(7)
    cases = 0
    for _ in range(3_000):
        rows = [[rng.choice(words) for _ in range(rng.randint(0, 8))] for _ in range(rng.randint(1, 35))]
        expected = _header_by_hand(rows, patterns, regexes)
        assert find_header(rows, patterns, regexes) == expected, rows
        cases += expected is not None and expected[0] > 0
    assert cases > 500  # header rows below the first exercised, not only "nothing found"
    # Hand-checked: a title, then a row mapping two, then one mapping four (it wins); "Date"
    # goes to the first column that names it, the second "Date" to the next.
    rows = [["Referrals 2021"], ["ID", "Team"], ["Child ID", "Date", "Date", "Social Worker (allocated)"], ["C1", "x", "y", "z"]]
    assert find_header(rows, patterns, regexes) == (2, {"child_id": 0, "date": 1, "start": 2, "worker": 3})


def test_a_date_order_check_on_columns_that_are_not_dates_is_refused_at_load():
    # "Not before" compares dates and names the offending date in its message: a description
    # that points it at a number column is a definitions slip, said when it is loaded.
    import pytest
    from pydantic import ValidationError

    from xl_scorecard.sources.schema import DatasetSpec

    columns = {"start": ColumnSpec(headers=["Start"], type="date"), "hours": ColumnSpec(headers=["Hours"], type="decimal")}
    with pytest.raises(ValidationError, match="not_before compares dates: 'hours' is a decimal column"):
        DatasetSpec(title="Work", columns=columns, checks=[{"kind": "not_before", "column": "hours", "other": "start"}])
    assert DatasetSpec(title="Work", columns=columns, checks=[{"kind": "any_of", "columns": ["hours", "start"]}]).checks
