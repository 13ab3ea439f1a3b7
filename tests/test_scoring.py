"""RAG with polarity, direction of travel, and the Kent summary sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.periods import Month
from xl_scorecard.scoring import disclosure_bases, disclosure_basis, rate, score_results, summary_counts, summary_sentence, travel

CALC = {"name": "share_where", "dataset": "referrals", "date": "referral_date", "column": "x", "op": ">=", "value": 1}


def ind(**bands) -> Indicator:
    base = {
        "id": "X",
        "section": "How well are we doing it?",
        "title": "t",
        "definition": "d",
        "unit": "%",
        "period": "month",
        "calculation": CALC,
    }
    return Indicator(**{**base, **bands})


HIGH = ind(polarity="H", target=0.85, floor=0.80)
LOW = ind(polarity="L", target=0.22, floor=0.25)
CLOSE = ind(polarity="T", target=500.0, tolerance=0.10, floor_tolerance=0.20, relative=True)
CLOSE_ABS = ind(polarity="T", target=35.0, tolerance=2.0, floor_tolerance=5.0)
DATA_ONLY = ind(polarity="T")


@pytest.mark.parametrize(
    "indicator, value, expected",
    [
        (HIGH, 0.85, "G"),
        (HIGH, 0.849999, "A"),
        (HIGH, 0.80, "A"),
        (HIGH, 0.7999, "R"),
        (LOW, 0.22, "G"),
        (LOW, 0.2201, "A"),
        (LOW, 0.25, "A"),
        (LOW, 0.2501, "R"),
        (CLOSE, 550.0, "G"),
        (CLOSE, 449.0, "A"),
        (CLOSE, 600.0, "A"),
        (CLOSE, 601.0, "R"),
        (CLOSE, 399.0, "R"),
        (CLOSE_ABS, 37.0, "G"),
        (CLOSE_ABS, 30.0, "A"),
        (CLOSE_ABS, 29.9, "R"),
        (DATA_ONLY, 12.0, ""),
        (HIGH, float("nan"), ""),
    ],
)
def test_rag(indicator, value, expected):
    assert rate(value, indicator) == expected


def test_rag_without_floor_is_green_or_red():
    assert rate(0.84, ind(polarity="H", target=0.85)) == "R"


@pytest.mark.parametrize(
    "indicator, value, previous, expected",
    [
        (HIGH, 0.9, 0.8, "Improved"),
        (HIGH, 0.8, 0.9, "Worse"),
        (HIGH, 0.8, 0.8, "Same"),
        (LOW, 0.2, 0.3, "Improved"),
        (LOW, 0.3, 0.2, "Worse"),
        (CLOSE, 510.0, 450.0, "Improved"),
        (CLOSE, 450.0, 510.0, "Worse"),
        (CLOSE, 490.0, 510.0, "Same"),
        (HIGH, 0.9, float("nan"), ""),
        (DATA_ONLY, 1.0, 2.0, ""),
    ],
)
def test_travel_respects_polarity(indicator, value, previous, expected):
    assert travel(value, previous, indicator) == expected


def test_comparisons_use_unrounded_values():
    # Both display as 85.0%, but 0.8504 is an improvement on 0.8496 and only it meets target.
    assert travel(0.8504, 0.8496, HIGH) == "Improved"
    assert (rate(0.8496, HIGH), rate(0.8504, HIGH)) == ("A", "G")


def test_score_results_adds_previous_month():
    results = pd.DataFrame(
        {
            "indicator": ["X", "X"],
            "area": ["ALL", "ALL"],
            "period": ["2026-09", "2026-10"],
            "numerator": [8, 9],
            "denominator": [10, 10],
            "value": [0.8, 0.9],
        }
    )
    scored = score_results(results, [HIGH]).set_index("period")
    assert scored.loc["2026-10", "previous"] == 0.8 and scored.loc["2026-10", "travel"] == "Improved"
    assert scored.loc["2026-10", "rag"] == "G" and scored.loc["2026-09", "rag"] == "A"
    assert pd.isna(scored.loc["2026-09", "previous"]) and scored.loc["2026-09", "travel"] == ""


def test_kent_summary_sentence():
    # Kent, May 2012: 16 green, 16 amber, 12 red; 28 improved, 3 same, 13 reduced.
    rags = ["G"] * 16 + ["A"] * 16 + ["R"] * 12
    travels = ["Improved"] * 28 + ["Same"] * 3 + ["Worse"] * 13
    scored = pd.DataFrame({"indicator": [f"I{n}" for n in range(44)], "area": "ALL", "period": "2012-05", "rag": rags, "travel": travels})
    assert summary_counts(scored, Month(2012, 5))["indicators"] == 44
    assert summary_sentence(scored, Month(2012, 5), "Kent, inc UASC", wording="kent") == (
        "As at 31/05/2012, Kent, inc UASC has 16 indicators rated as Green, 16 indicators rated as Amber and "
        "12 indicators rated as Red. When comparing performance from last month to this month, 28 indicators "
        "have shown an improvement, 3 indicators have remained the same and 13 indicators have shown a reduction."
    )


def test_summary_sentence_singular():
    scored = pd.DataFrame({"indicator": ["A", "B"], "area": "ALL", "period": "2026-10", "rag": ["G", "R"], "travel": ["Same", ""]})
    sentence = summary_sentence(scored, Month(2026, 10), "Northshire")
    assert "has 1 indicator rated as Green, 0 indicators rated as Amber and 1 indicator rated as Red" in sentence
    assert "performance is better on 0 indicators, the same on 1 indicator and worse on 0 indicators." in sentence
    assert "1 indicator has remained the same" in summary_sentence(scored, Month(2026, 10), "Northshire", wording="kent")


def test_previous_six_month_average_is_the_mean_of_the_six_months_before():
    # Values Jan..Oct 2026 = 1..10. October's previous 6-month average is the mean of April..
    # September (4..9) = 6.5; February's is January's alone (1.0); January has none.
    months = [str(Month(2026, m)) for m in range(1, 11)]
    results = pd.DataFrame(
        {"indicator": "X", "area": "ALL", "period": months, "numerator": 0.0, "denominator": 0.0, "value": [float(m) for m in range(1, 11)]}
    )
    scored = score_results(results, [HIGH]).set_index("period")
    assert scored.loc["2026-10", "previous_6m"] == pytest.approx(6.5)
    assert scored.loc["2026-10", "previous"] == 9.0
    assert scored.loc["2026-02", "previous_6m"] == 1.0
    assert pd.isna(scored.loc["2026-01", "previous_6m"])


def test_a_gap_in_history_is_left_out_of_the_average():
    # September is missing: October's average is over April..August (4..8) = 6.0.
    months = [str(Month(2026, m)) for m in range(1, 11) if m != 9]
    results = pd.DataFrame(
        {
            "indicator": "X",
            "area": "ALL",
            "period": months,
            "numerator": 0.0,
            "denominator": 0.0,
            "value": [float(Month.parse(m).month) for m in months],
        }
    )
    scored = score_results(results, [HIGH]).set_index("period")
    assert scored.loc["2026-10", "previous_6m"] == pytest.approx(6.0)
    assert pd.isna(scored.loc["2026-10", "previous"])


def test_comparators_give_england_neighbours_and_a_polarity_aware_comparison():
    from xl_scorecard.indicators.comparators import comparator_figures

    # DfE publishes percentages as 0-100. Latest year 2023/24: England 82.0 -> 0.82. Neighbours
    # Surrey 90 and Medway suppressed ("c" -> no figure): the average is Surrey's alone, 0.90.
    # An older year's figures are ignored. For HIGH (higher is better) 0.84 is better than
    # England's 0.82; for LOW (lower is better) the same 0.84 is worse.
    dfe = pd.DataFrame(
        {
            "indicator": "X",
            "time_period": ["202324", "202324", "202324", "202324", "202223"],
            "geographic_level": ["National", "Regional", "Local authority", "Local authority", "National"],
            "region_name": [None, "South East", "South East", "South East", None],
            "la_name": [None, None, "Surrey", "Medway", None],
            "value": [82.0, 80.0, 90.0, float("nan"), 70.0],
        }
    )
    figures = comparator_figures({"comparators": dfe}, [HIGH], region="South East", neighbours=["surrey", "Medway"])
    row = figures.set_index("indicator").loc["X"]
    assert (row["national"], row["regional"], row["neighbours"], row["neighbours_found"]) == (
        pytest.approx(0.82),
        pytest.approx(0.80),
        pytest.approx(0.90),
        1,
    )
    results = pd.DataFrame(
        {"indicator": "X", "area": "ALL", "period": ["2026-10"], "numerator": 84.0, "denominator": 100.0, "value": [0.84]}
    )
    scored = score_results(results, [HIGH], figures).iloc[0]
    assert scored["national"] == pytest.approx(0.82) and scored["vs_national"] == "Better"
    low = score_results(results.assign(indicator="X"), [LOW], figures).iloc[0]  # L: 0.84 vs 0.82 is worse
    assert low["vs_national"] == "Worse"


# (unit, numerator, denominator) -> the people a figure rests on, by hand: a count and a rate on
# the numerator; a share on the smaller count above zero (0 when neither is); an average on its
# denominator; None when what it rests on is missing.
BASES = [
    ("count", 7.0, None, 7.0),
    ("count", None, 12.0, None),
    ("per 10,000", 3.0, 21400.0, 3.0),
    ("%", 3.0, 4.0, 3.0),
    ("%", 0.0, 3.0, 3.0),
    ("%", 0.0, 0.0, 0.0),
    ("%", None, 5.0, 5.0),
    ("%", float("nan"), float("nan"), None),
    ("days", 900.0, 20.0, 20.0),
    ("days", 900.0, None, None),
    ("FTE", None, None, None),
    ("ratio", 5.0, 2.5, 2.5),
]


def test_the_bases_of_whole_columns_are_each_figures_basis():
    units, numerators, denominators, expected = zip(*BASES, strict=True)
    assert disclosure_bases(units, numerators, denominators) == list(expected)
    # Every combination, against the one-figure function copies have always used.
    values = [None, float("nan"), 0.0, 1.0, 3.0, 12.5, -1.0]
    grid = [(u, n, d) for u in ("count", "per 10,000", "%", "days", "FTE", "ratio") for n in values for d in values]
    got = disclosure_bases(*zip(*grid, strict=True))
    assert got == [disclosure_basis(u, n, d) for u, n, d in grid]
