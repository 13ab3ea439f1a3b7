"""London's NI table: last year's outturn, each of the last two months on its own, the year to
date, and the "detailed analysis" block, worked out by hand on the worked-example authority
(tests/test_worked_examples.py: EAST and SOUTH, reported for October 2026), then end to end
from CSV files into a master, read back with calamine."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from test_worked_examples import LONDON, OCT, TABLES

from xl_scorecard.config import load_config
from xl_scorecard.errors import ConfigError
from xl_scorecard.indicators import AUTHORITY
from xl_scorecard.indicators.views import compute_detail, compute_views, detail_variant
from xl_scorecard.periods import Month
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.layout import LAYOUTS_DIR, load_layout

DISTRICTS = ["EAST", "SOUTH"]


def view(frame: pd.DataFrame, indicator: str, name: str, area: str = AUTHORITY) -> tuple[float, float]:
    row = frame[(frame["indicator"] == indicator) & (frame["view"] == name) & (frame["area"] == area)].iloc[0]
    return row["numerator"], row["denominator"]


def test_views_of_an_event_indicator_recount_over_their_own_windows():
    views = compute_views([LONDON["NI59"]], TABLES, OCT, DISTRICTS)
    # Initial assessments within 7 working days of referral. October: A1 (6 days) and A2 (7)
    # in time, A3 (8) late. September: none completed. Year to date (from 1 April): October's
    # three; A4 (completed 25 March) belongs to last year. Last year (April 2025 - March 2026):
    # A4, 20 -> 25 March, 3 working days, in time, in SOUTH.
    assert view(views, "NI59", "this month") == (2, 3)
    assert view(views, "NI59", "last month") == (0, 0)
    assert view(views, "NI59", "year to date") == (2, 3)
    assert view(views, "NI59", "last year") == (1, 1)
    assert view(views, "NI59", "last year", "SOUTH") == (1, 1) and view(views, "NI59", "last year", "EAST") == (0, 0)
    value = views[(views["view"] == "last month") & (views["area"] == AUTHORITY)]["value"].iloc[0]
    assert math.isnan(value)  # no cases: no figure, not 0%


def test_views_of_a_snapshot_read_its_own_window_at_each_month():
    views = compute_views([LONDON["NI62"]], TABLES, OCT, DISTRICTS)
    # Children looked after with 3+ placements. On 31 October: K1 (3), K9, K10, K5 open -> 1 of 4.
    # On 31 March 2026 (last year's outturn): K1, K9, K10, K11 (left in August), K12 (left in
    # June) open -> 1 of 5. The year to date of a snapshot is this month's snapshot.
    assert view(views, "NI62", "this month") == (1, 4)
    assert view(views, "NI62", "year to date") == (1, 4)
    assert view(views, "NI62", "last year") == (1, 5)


def test_detailed_analysis_rows_per_month():
    layout = load_layout("london_ni")
    ni59, ni60 = layout.detail
    rows = [(detail_variant(LONDON[b.indicator], r.change, "test"), r.show) for b in (ni59, ni60) for r in b.row]
    detail = compute_detail(rows, TABLES, [Month(2026, 9), OCT], DISTRICTS)
    october = detail[detail["period"] == "2026-10"].set_index("row")
    september = detail[detail["period"] == "2026-09"].set_index("row")
    # NI 59 in October: 3 completed; 2 within 7 days (A1, A2); all 3 within 10 (A3 took 8);
    # all 3 were referred in October too, 2 of them in 7 days and 3 in 10.
    assert list(october["number"][:6]) == [3, 2, 3, 3, 2, 3]
    assert october["share"][1] == pytest.approx(2 / 3) and october["share"][2] == 1.0
    assert math.isnan(october["share"][0]) and math.isnan(october["share"][3])  # counts have no %
    # NI 60: C2 completed in September in 21 working days; C1 completed 2 October in 30.
    assert list(september["number"][6:]) == [1, 1] and list(october["number"][6:]) == [1, 1]
    # Started and completed in the month (a variant of NI 60 with started_in_window): C2 started
    # 1 September and was completed then; C1 started in August.
    started = detail_variant(LONDON["NI60"], {"started_in_window": True}, "test")
    both = compute_detail([(started, "denominator")], TABLES, [Month(2026, 9), OCT], DISTRICTS)
    assert list(both["number"]) == [1, 0]


def test_the_month_trend_compares_this_month_with_last_month_by_polarity():
    from xl_scorecard.scoring import score_views

    views = pd.DataFrame(
        {
            "indicator": ["NI59", "NI59", "NI62", "NI62"],
            "area": "ALL",
            "view": ["this month", "last month"] * 2,
            "numerator": 0.0,
            "denominator": 0.0,
            "value": [0.6, 0.5, 0.12, 0.10],
        }
    )
    travel = score_views(views, [LONDON["NI59"], LONDON["NI62"]]).set_index(["indicator", "view"])["travel"]
    # NI 59: higher is better, 50% -> 60% improved. NI 62: lower is better, 10% -> 12% worse.
    assert travel[("NI59", "this month")] == "Improved" and travel[("NI62", "this month")] == "Worse"
    assert travel[("NI59", "last month")] == ""


def test_a_change_the_calculation_does_not_take_is_an_error_naming_the_layout(tmp_path):
    text = (LAYOUTS_DIR / "london_ni.toml").read_text(encoding="utf-8").replace("days = 10 }", "dayz = 10 }", 1)
    layout = tmp_path / "mine.toml"
    layout.write_text(text, encoding="utf-8")
    load_layout(layout)  # the layout file itself is well formed...
    from xl_scorecard.pipeline import detail_variants

    with pytest.raises(ConfigError, match=r"mine.toml.*within 10 days.*dayz"):  # ...but NI 59 takes no `dayz`
        detail_variants(load_layout(layout), list(LONDON.values()), layout)


# -- end to end: the worked-example tables as CSV files a district might keep -----------------

DATASETS = tomllib.loads((Path(__file__).resolve().parents[1] / "xl_scorecard" / "sources" / "datasets.toml").read_text(encoding="utf-8"))


def write_authority(folder: Path) -> Path:
    """CSV files per district and dataset, with the first header each column is known by, and
    an authority configuration using the London preset and layout."""
    lines = [
        "[authority]",
        'name = "Worked"',
        'period = "2026-10"',
        'layout = "london_ni"',
        'catalogue = "london_2010"',
        "[[district]]",
        'code = "EAST"',
        'name = "East"',
        "[[district]]",
        'code = "SOUTH"',
        'name = "South"',
    ]
    population = TABLES["population"].rename(columns={"district": "District", "year": "Year", "population": "Population aged 0-17"})
    population["District"] = population["District"].map({"EAST": "East", "SOUTH": "South"})
    population.to_csv(folder / "population.csv", index=False)
    lines += ["[[source]]", 'dataset = "population"', 'file = "population.csv"']
    for dataset in ("assessments", "cla"):
        columns = DATASETS[dataset]["columns"]
        table = TABLES[dataset]
        for district in DISTRICTS:
            rows = table[table["district"] == district].drop(columns="district")
            rows = rows.rename(columns={c: columns[c]["headers"][0] for c in rows.columns})
            for column in rows.columns:  # dates as people type them
                if pd.api.types.is_datetime64_any_dtype(rows[column]):
                    rows[column] = rows[column].dt.strftime("%d/%m/%Y")
            name = f"{district} {dataset}.csv"
            rows.to_csv(folder / name, index=False)
            lines += ["[[source]]", f'district = "{district}"', f'dataset = "{dataset}"', f'file = "{name}"']
    config = folder / "authority.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def test_london_table_and_detailed_analysis_end_to_end(tmp_path):
    config = write_authority(tmp_path)
    master = tmp_path / "master.xlsx"
    refresh(load_config(config), master=master)
    book = CalamineWorkbook.from_path(str(master))
    rows = book.get_sheet_by_name("Scorecard").to_python()
    header = rows[3]
    assert header[:9] == ["NI code", "NI description", "2025/26", "Sep 2026", "Oct 2026", "Trend", "2026/27 value", "Status", "Target"]
    ni59 = dict(zip(header, next(r for r in rows if r[0] == "NI59")))
    assert ni59["2025/26"] == 1.0 and ni59["Sep 2026"] == "" and ni59["Oct 2026"] == pytest.approx(2 / 3)
    assert ni59["2026/27 value"] == pytest.approx(2 / 3) and ni59["Status"] == "OK"  # target 53%
    ni62 = dict(zip(header, next(r for r in rows if r[0] == "NI62")))
    assert ni62["2025/26"] == pytest.approx(1 / 5) and ni62["Oct 2026"] == pytest.approx(1 / 4)
    # The trend compares the two months beside it: NI 62 is 1 of 4 on 30 September and on 31
    # October; NI 59 had no assessment completed in September, so no trend.
    assert ni62["Sep 2026"] == pytest.approx(1 / 4) and ni62["Trend"] == "No change"
    assert ni59["Trend"] == ""
    assert book.sheet_names[book.sheet_names.index("Scorecard") + 1] == "Detailed analysis"  # read after the table
    detail = book.get_sheet_by_name("Detailed analysis").to_python()
    top = next(n for n, r in enumerate(detail) if r[0] == "NI 59 - Initial assessments: detailed analysis")
    months = detail[top + 1]
    assert [m for m in months if m] == ["May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"]
    assert detail[top + 2][11:13] == ["No.", "%"]
    within_7 = detail[top + 4]
    assert within_7[0] == "Number of initial assessments completed within 7 days"
    assert within_7[11] == 2 and within_7[12] == pytest.approx(2 / 3)  # October: No. and %
    assert detail[top + 3][11:13] == [3, ""]  # completed in the month: a count, no %
