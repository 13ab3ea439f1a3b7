"""A validated sheet kept as its columns (sources/columns.py): joined per dataset column by
column, it gives the very frame pandas' concatenation of the sheets' frames gives; its frame is
made once, when asked for; it travels to and from a reading process as columns; and it is saved
as a reading byte for byte as its frame would be."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xl_scorecard.sources as sources_module
from xl_scorecard.config import load_config
from xl_scorecard.sources import read_sources
from xl_scorecard.sources.cache import encode
from xl_scorecard.sources.columns import BAD_PREFIX, SheetResult, concat_columns, frame_of

ROOT = Path(__file__).resolve().parents[1]


def sheet(rng: np.random.Generator, district: str, bad: list[str], rows: int | None = None) -> tuple[dict, int]:
    n = int(rng.integers(0, 40)) if rows is None else rows
    columns = {
        "child_id": np.array([f"C{i}" if i % 7 else None for i in rng.integers(0, 99, n)], dtype=object),
        "referral_date": (np.datetime64("2025-01-01", "ns") + rng.integers(0, 400, n).astype("timedelta64[D]")).astype("datetime64[ns]"),
        "fte": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
        "cases": pd.array([None if v % 5 == 0 else int(v) for v in rng.integers(0, 30, n)], dtype="Int64"),
        "district": district,
        "source_row": np.arange(2, n + 2, dtype="int64"),
    }
    for name in bad:
        columns[f"{BAD_PREFIX}{name}"] = rng.random(n) < 0.3
    return columns, n


def by_pandas(parts: list[tuple[dict, int]]) -> pd.DataFrame:
    # What read_sources did with the sheets' frames, and still does where they are frames.
    table = pd.concat([frame_of(columns, n) for columns, n in parts], ignore_index=True)
    for column in [c for c in table if c.startswith(BAD_PREFIX)]:
        table[column] = table[column].fillna(False).astype(bool)
    return table


@pytest.mark.parametrize("seed", range(8))
def test_columns_joined_give_pandas_concatenation_of_the_frames(seed):
    rng = np.random.default_rng(seed)
    marks = ["fte", "cases", "referral_date"]
    parts = []
    for number in range(int(rng.integers(1, 7))):
        # Each sheet marks a different set of columns bad, in its own order, or none.
        bad = [m for m in rng.permutation(marks) if rng.random() < 0.4]
        parts.append(sheet(rng, f"D{number}", bad, rows=int(rng.integers(1, 40))))
    got = concat_columns(parts)
    assert got is not None
    pd.testing.assert_frame_equal(got, by_pandas(parts), check_exact=True)


def test_sheets_not_alike_are_left_to_pandas():
    rng = np.random.default_rng(1)
    one, two = sheet(rng, "A", [], 5), sheet(rng, "B", [], 5)
    lacking = ({k: v for k, v in two[0].items() if k != "fte"}, two[1])
    assert concat_columns([one, lacking]) is None  # a column one sheet lacks is not a mark
    other_type = ({**two[0], "fte": two[0]["fte"].astype("float32")}, two[1])
    assert concat_columns([one, other_type]) is None


def test_a_sheets_frame_is_made_once_and_then_is_the_table():
    columns, n = sheet(np.random.default_rng(2), "NG", ["fte"], 12)
    result = SheetResult(None, [], rows_read=n, columns=columns, length=n)
    assert result.rows_loaded == n and result.columns is not None
    table = result.table
    pd.testing.assert_frame_equal(table, frame_of(columns, n))
    table["indicator"] = "X"  # read_district adds a column to a figures sheet's table
    assert result.table is table and "indicator" in result.table and result.columns is None


def test_a_sheet_travels_to_and_from_a_reading_process_as_columns():
    columns, n = sheet(np.random.default_rng(3), "NG", [], 30)
    result = SheetResult(None, [], rows_read=n, columns=columns, length=n)
    back = pickle.loads(pickle.dumps(result))  # noqa: S301 - the bytes just made here
    assert back.columns is not None  # not made into a frame on the way
    pd.testing.assert_frame_equal(back.table, frame_of(columns, n), check_exact=True)


@pytest.mark.parametrize("rows", [25, 1, 0])
def test_a_sheet_is_saved_as_a_reading_byte_for_byte_as_its_frame_would_be(rows):
    columns, n = sheet(np.random.default_rng(4), "NG", ["cases"], rows)
    # Every kind of column validation makes (the district's code a text in every row), and one
    # it never does (text mixed with a number).
    columns["mixed"] = np.array((["A", 3, None, float("nan"), "B"] * 5)[:n], dtype=object)
    columns["floats32"] = np.ones(n, dtype="float32")
    as_columns = SheetResult(None, [], rows_read=n, columns=columns, length=n)
    as_frame = SheetResult(frame_of(columns, n), [], rows_read=n)
    key = "k" * 64
    assert b"".join(encode([([("referrals", as_columns)], [], [])], key)) == b"".join(encode([([("referrals", as_frame)], [], [])], key))


def test_read_sources_gives_the_same_tables_joined_either_way(monkeypatch):
    config = load_config(ROOT / "examples" / "northshire" / "authority.toml")
    joined = read_sources(config, workers=1)
    monkeypatch.setattr(sources_module, "concat_columns", lambda parts: None)
    by_frames = read_sources(config, workers=1)
    assert list(joined.tables) == list(by_frames.tables)
    for name in joined.tables:
        pd.testing.assert_frame_equal(joined.tables[name], by_frames.tables[name], check_exact=True, obj=name)
    assert joined.problems == by_frames.problems


@pytest.mark.parametrize("size", [499, 500, 5000])
def test_a_long_text_column_is_numbered_as_the_plain_pass_numbers_it(size, monkeypatch):
    # Longer columns go through pandas' factorize: the same words in the order first met, None
    # and NaN told apart, anything not text (a number, NaT, pandas' NA, a str subclass) left to
    # the column-by-column encoding; against the plain pass, written out here.
    from xl_scorecard.sources import cache

    def plain(values):
        number, codes = {}, []
        for value in values:
            if type(value) is str:
                codes.append(number.setdefault(value, len(number)))
            elif value is None:
                codes.append(-1)
            elif isinstance(value, float) and value != value:
                codes.append(-2)
            else:
                return None
        return list(number), codes

    rng = np.random.default_rng(size)
    pool = ["Yes", "No", "", " N1", "n1", "Team A", None, float("nan")]
    cases = [[pool[i] for i in rng.integers(0, len(pool), size)]]
    for odd in (3, 2.5, pd.NaT, pd.NA, np.str_("Yes"), np.str_("new"), True, np.float64(2.5), np.float64("nan")):
        column = list(cases[0])
        column[size // 2] = odd
        cases.append(column)
    taken: list[int] = []
    factorized = cache._encode_words_factorized
    monkeypatch.setattr(cache, "_encode_words_factorized", lambda v, b: taken.append(len(v)) or factorized(v, b))
    for values in cases:
        array = np.empty(size, dtype=object)
        array[:] = values
        buffers: list = []
        taken.clear()
        found = cache._encode_words(array, buffers)
        if values is cases[0]:  # text, None and NaN only: the long way from 500 rows
            assert taken == ([size] if size >= 500 else [])
        expected = plain(values)
        if expected is None:
            assert found is None
        else:
            assert found is not None and found["words"] == expected[0]
            assert all(type(word) is str for word in found["words"])
            assert np.frombuffer(bytes(buffers[0]), dtype=np.int32).tolist() == expected[1]
