"""Every-month versions of the calculations (indicators/months.py) give, month by month, exactly
what each month's calculation gives: on awkward tables (blank dates and child ids, a child on
several rows, rows without a district, districts the population lacks, a district column that
is not categorical), for every period type, and they look at the same tables (so figures saved
under one are found by the other). The hand-worked figures of every shipped indicator are
checked through both paths in test_worked_examples.py."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from xl_scorecard.indicators.calculations import CALCULATIONS, one_run
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.compute import compute_all, indicator_figures, valid_rows
from xl_scorecard.indicators.months import ALL_MONTHS
from xl_scorecard.indicators.saved import TableReads
from xl_scorecard.periods import Month, months_ending

DISTRICTS = ["NG", "EB", "SM"]  # SM has no population row; "XX" rows belong to no configured district
PERIODS = months_ending(Month(2026, 10), 14)  # across a financial and a calendar year


def _dates(rng: np.random.Generator, size: int, blank: float) -> pd.Series:
    days = rng.integers(0, 1100, size)
    dates = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"))
    return dates.mask(rng.random(size) < blank)


def tables(seed: int, categorical: bool = True) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 400

    def district(size: int) -> pd.Series:
        values = pd.Series(rng.choice(["NG", "EB", "SM", "XX", None], size, p=[0.35, 0.3, 0.2, 0.1, 0.05]), dtype=object)
        return values.astype("category") if categorical else values

    def children(size: int) -> pd.Series:
        # Few ids, so children repeat (several rows, plans recorded twice); some blank.
        ids = pd.Series([f"C{i}" for i in rng.integers(0, 60, size)], dtype=object)
        return ids.mask(rng.random(size) < 0.05)

    def cases(start: str, end: str, **more: object) -> pd.DataFrame:
        began = _dates(rng, n, 0.03)
        ended = (began + pd.to_timedelta(rng.integers(0, 900, n), unit="D")).mask(rng.random(n) < 0.4)
        frame = pd.DataFrame({"district": district(n), "child_id": children(n), start: began, end: ended, **more})
        return frame

    referrals = pd.DataFrame(
        {
            "district": district(n),
            "child_id": children(n),
            "referral_date": _dates(rng, n, 0.05),
            "referral_nfa": rng.choice(["Yes", "No", None], n),
            "previous_referrals": pd.Series(rng.integers(0, 3, n), dtype="float64").mask(rng.random(n) < 0.2),
        }
    )
    assessments = pd.DataFrame(
        {"district": district(n), "child_id": children(n), "start_date": _dates(rng, n, 0.05), "authorised_date": _dates(rng, n, 0.3)}
    )
    cla = cases("cla_start", "cla_end", uasc=rng.choice(["Yes", "No"], n), placements=rng.integers(1, 5, n))
    # With a time of day, so "whole days" must round down as pandas' ``.dt.days`` does.
    cla["placement_start"] = cla["cla_start"] + pd.to_timedelta(rng.integers(0, 400 * 24, n), unit="h")
    cla.loc[rng.random(n) < 0.1, "placement_start"] = pd.NaT
    cla["reason_ceased"] = rng.choice(["E11", "E12", "E2", None], n)
    cp_plans = cases("plan_start", "plan_end")
    reviews = pd.DataFrame(
        {
            "district": district(n),
            "review_type": rng.choice(["CP", "CLA"], n),
            "due_date": _dates(rng, n, 0.05),
        }
    )
    reviews["review_date"] = (reviews["due_date"] + pd.to_timedelta(rng.integers(-10, 20, n), unit="D")).mask(rng.random(n) < 0.2)
    visits = pd.DataFrame({"district": district(n * 2), "child_id": children(n * 2), "visit_date": _dates(rng, n * 2, 0.05)})
    unallocated = pd.DataFrame({"district": district(n), "unallocated_since": _dates(rng, n, 0.1)})
    unallocated["as_at"] = (unallocated["unallocated_since"] + pd.to_timedelta(rng.integers(0, 30, n), unit="D")).mask(rng.random(n) < 0.1)
    months = pd.date_range("2024-01-01", periods=36, freq="MS")
    staff = pd.DataFrame(
        {
            "district": district(n),
            "month": rng.choice(months, n),
            "cases": pd.Series(rng.integers(0, 25, n), dtype="float64").mask(rng.random(n) < 0.1),
            "fte": rng.choice([0.5, 1.0, np.nan], n),
            "qualified": rng.choice(["Yes", "No"], n),
            # Names typed as people type them: the same worker in other case and spacing, some blank.
            "worker": rng.choice(["Ann Lee", "ann  lee", "Bo Day", "BO DAY ", "Cy Fox", None, "Di Ray"], n),
        }
    )
    supervision = pd.DataFrame(
        {
            "district": district(n),
            "worker": rng.choice(["Ann Lee", "bo day", "Cy  Fox", None, "Ed Moe"], n),
            "supervision_date": _dates(rng, n, 0.05),
        }
    )
    population = pd.DataFrame(
        {
            "district": ["NG", "EB", "NG", "EB", "XX"],
            "year": [2024, 2024, 2026, 2026, 2025],
            "population": [20_000.0, 9_000, 21_000, np.nan, 500],
        }
    )
    return {
        "referrals": referrals,
        "assessments": assessments,
        "cla": cla,
        "cp_plans": cp_plans,
        "reviews": reviews,
        "cp_visits": visits,
        "unallocated": unallocated,
        "staff": staff,
        "supervision": supervision,
        "population": population,
    }


CALCULATIONS_TRIED = [
    {"name": "rate_per_population", "dataset": "referrals", "date": "referral_date"},
    {"name": "rate_per_population", "dataset": "referrals", "date": "referral_date", "where": {"referral_nfa": "Yes"}},
    {"name": "open_per_population", "dataset": "cla", "start": "cla_start", "end": "cla_end", "exclude": {"uasc": "Yes"}},
    {"name": "open_per_population", "dataset": "reviews", "start": "due_date", "end": "review_date"},  # no child id: rows
    {"name": "share_where", "dataset": "referrals", "date": "referral_date", "column": "referral_nfa", "op": "==", "value": "Yes"},
    {"name": "share_where", "dataset": "referrals", "date": "", "column": "previous_referrals", "op": ">=", "value": 1},
    {"name": "share_where", "dataset": "cla", "date": "cla_end", "column": "reason_ceased", "op": "in", "value": ["E11", "E12"]},
    {"name": "share_where", "dataset": "referrals", "date": "referral_date", "column": "referral_nfa", "op": "blank"},
    {"name": "share_rereferred", "dataset": "referrals", "date": "referral_date", "count": "previous_referrals"},
    {"name": "ratio_of_sums", "dataset": "staff", "numerator": "cases", "denominator": "fte", "where": {"qualified": "Yes"}},
    {"name": "ratio_of_sums", "dataset": "staff", "numerator": "fte", "numerator_where": {"qualified": "No"}},
    {"name": "share_supervised"},
    {"name": "share_supervised", "where": {"qualified": "Yes"}},
    {"name": "share_on_time", "dataset": "reviews", "due": "due_date", "done": "review_date", "where": {"review_type": "CP"}},
    {"name": "share_on_time", "dataset": "reviews", "due": "due_date", "done": "review_date"},
    {"name": "share_within_working_days", "dataset": "assessments", "start": "start_date", "end": "authorised_date", "days": 45},
    {
        "name": "share_within_working_days",
        "dataset": "assessments",
        "start": "start_date",
        "end": "authorised_date",
        "days": 20,
        "started_in_window": True,
    },
    {"name": "share_within_working_days", "dataset": "cla", "start": "cla_start", "end": "cla_end", "days": 12, "counting": "months"},
    {"name": "share_within_working_days", "dataset": "cla", "start": "cla_start", "end": "cla_end", "days": 200, "counting": "days"},
    {"name": "average_days", "dataset": "cla", "start": "placement_start", "end": "cla_end"},
    {
        "name": "share_open_since",
        "dataset": "cla",
        "start": "cla_start",
        "end": "cla_end",
        "since": "placement_start",
        "days": 300,
        "eligible_days": 400,
        "where": {"uasc": "No"},
    },
    {"name": "share_open_where", "dataset": "cla", "start": "cla_start", "end": "cla_end", "column": "placements", "op": ">=", "value": 3},
    {"name": "share_lasting", "dataset": "cp_plans", "start": "plan_start", "end": "plan_end", "days": 365},
    {"name": "share_lasting", "dataset": "cp_plans", "start": "plan_start", "end": "plan_end", "days": 180, "basis": "open"},
    {"name": "count_older_than", "dataset": "unallocated", "since": "unallocated_since", "as_at": "as_at", "days": 7},
    {
        "name": "share_with_events",
        "dataset": "cp_plans",
        "start": "plan_start",
        "end": "plan_end",
        "events": "cp_visits",
        "date": "visit_date",
    },
    {
        "name": "share_with_events",
        "dataset": "cp_plans",
        "start": "plan_start",
        "end": "plan_end",
        "events": "cp_visits",
        "date": "visit_date",
        "at_least": 2,
    },
]


def indicator(calculation: dict, period: str) -> Indicator:
    unit = "count" if calculation["name"] == "count_older_than" else "%"
    return Indicator(
        id="X",
        section="How long is it taking us?",
        title="t",
        definition="d",
        unit=unit,
        polarity="H",
        period=period,
        calculation=calculation,
    )


def month_by_month(ind: Indicator, given: dict[str, pd.DataFrame]) -> pd.DataFrame:
    # The reference: each month's calculation on its own (indicator_figures, one period each).
    with one_run():
        rows = [indicator_figures(ind, given, period, DISTRICTS) for period in PERIODS]
    return pd.DataFrame(
        {name: np.concatenate([np.asarray(r[name]) for r in rows]) for name in ["numerator", "denominator", "value", "typed"]}
    )


def together(ind: Indicator, given: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = compute_all([ind], given, PERIODS, DISTRICTS)
    return frame[["numerator", "denominator", "value", "typed"]].reset_index(drop=True)


def test_every_month_version_takes_the_calculations_own_parameters():
    for name, every in ALL_MONTHS.items():

        def keywords(function):
            return [
                (p.name, p.default) for p in inspect.signature(function).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY
            ]

        assert keywords(every) == keywords(CALCULATIONS[name]), name


def test_every_every_month_version_is_tried_here():
    assert {c["name"] for c in CALCULATIONS_TRIED} == set(ALL_MONTHS)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("categorical", [True, False], ids=["categorical", "plain districts"])
@pytest.mark.parametrize("period", ["month", "ytd", "rolling12", "snapshot"])
@pytest.mark.parametrize("calculation", CALCULATIONS_TRIED, ids=[f"{c['name']}-{i}" for i, c in enumerate(CALCULATIONS_TRIED)])
def test_every_month_gives_each_months_figures_exactly(calculation, period, categorical, seed):
    ind = indicator(calculation, period)
    given = valid_rows(ind, tables(seed, categorical))
    expected = month_by_month(ind, given)
    assert np.isfinite(expected["denominator"]).any()  # figures to compare, not only blanks
    pd.testing.assert_frame_equal(together(ind, given), expected, check_exact=True)


@pytest.mark.parametrize("calculation", CALCULATIONS_TRIED[:: len(CALCULATIONS_TRIED) // 8], ids=lambda c: c["name"])
def test_every_month_looks_at_the_tables_a_month_looks_at(calculation):
    # Saved figures are keyed by the tables a computation read: the two paths must agree.
    ind = indicator(calculation, "rolling12")
    one, every = TableReads(tables(4)), TableReads(tables(4))
    indicator_figures(ind, one, PERIODS[-1], DISTRICTS)
    compute_all([ind], every, PERIODS, DISTRICTS)
    assert one.read() == every.read() and one.read()


@pytest.mark.parametrize("calculation", [c for c in CALCULATIONS_TRIED if c["name"] in ("rate_per_population", "share_with_events")][:2])
def test_a_missing_list_gives_no_figure_in_every_month(calculation):
    ind = indicator(calculation, "month")
    given = tables(5)
    del given["population" if calculation["name"] == "rate_per_population" else "cp_visits"]
    got = together(ind, given)
    pd.testing.assert_frame_equal(got, month_by_month(ind, given), check_exact=True)
    assert got[["numerator", "denominator", "value"]].isna().all().all()
