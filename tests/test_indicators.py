"""Worked examples for every calculation, working days, and the catalogue loader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from xl_scorecard.errors import ConfigError
from xl_scorecard.indicators import AUTHORITY, compute_indicator, load_catalogue
from xl_scorecard.indicators.calculations import CALCULATIONS, one_run
from xl_scorecard.indicators.workdays import add_working_days, working_days_between
from xl_scorecard.periods import Month, window_for

D = pd.Timestamp
OCT = Month(2026, 10)
CATALOGUE = {ind.id: ind for ind in load_catalogue()}
POPULATION = pd.DataFrame({"district": ["NG", "EB"], "year": [2026, 2026], "population": [20_000, 10_000]})


def result(indicator_id: str, tables: dict, period: Month = OCT) -> dict[str, tuple[float, float, float]]:
    frame = compute_indicator(CATALOGUE[indicator_id], tables, period, ["NG", "EB"])
    return {r.area: (r.numerator, r.denominator, r.value) for r in frame.itertuples()}


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, expected, why",
    [
        ("2026-10-02", "2026-10-02", 0, "same day"),
        ("2026-10-02", "2026-10-05", 1, "Friday to Monday"),
        ("2024-12-20", "2025-01-03", 7, "Christmas, Boxing Day and New Year's Day excluded"),
        ("2026-12-24", "2026-12-29", 1, "Christmas on a Friday, Boxing Day on a Saturday: substitute Monday 28th excluded"),
        ("2026-04-02", "2026-04-07", 1, "Good Friday 3 April and Easter Monday 6 April excluded"),
        ("2022-06-01", "2022-06-06", 1, "2022 Spring bank holiday moved to 2 June plus Platinum Jubilee 3 June"),
        ("2022-09-16", "2022-09-20", 1, "state funeral of Queen Elizabeth II, 19 September 2022"),
        ("2023-05-05", "2023-05-09", 1, "coronation of King Charles III, 8 May 2023"),
        ("2026-10-20", "2026-10-10", -7, "end before start: minus the working days from end to start"),
    ],
)
def test_working_days_between(start, end, expected, why):
    got = working_days_between(pd.Series([D(start)]), pd.Series([D(end)]))[0]
    assert got == expected, why


def test_working_days_missing_dates_give_missing():
    got = working_days_between(pd.Series([D("2026-10-01"), pd.NaT]), pd.Series([pd.NaT, D("2026-10-01")]))
    assert got.isna().all()


def test_add_working_days_skips_christmas():
    assert add_working_days(dt.date(2026, 12, 23), 2) == dt.date(2026, 12, 29)


def test_a_deadline_counted_from_a_weekend_or_bank_holiday_agrees_with_the_count():
    # Saturday 3 October 2026 + 1 working day is Monday 5 October (one working day after the
    # Saturday up to and including the Monday), not Tuesday; from Easter Monday 6 April 2026
    # (a bank holiday), 1 working day is Tuesday 7 April.
    assert add_working_days(dt.date(2026, 10, 3), 1) == dt.date(2026, 10, 5)
    assert add_working_days(dt.date(2026, 4, 6), 1) == dt.date(2026, 4, 7)
    # Every start in two years and every timescale up to 50: the deadline is counted back as
    # exactly that many working days, by the independent count in tests/independent.py.
    from independent import working_days

    for offset in range(0, 730, 7):
        start = dt.date(2025, 1, 1) + dt.timedelta(days=offset)
        for days in (1, 2, 5, 10, 15, 20, 45):
            deadline = add_working_days(start, days)
            assert working_days(start, deadline) == days and deadline.weekday() < 5, (start, days)


# --- periods --------------------------------------------------------------------------------


def test_period_windows():
    assert window_for(Month(2026, 10), "ytd").start == dt.date(2026, 4, 1)
    assert window_for(Month(2027, 2), "ytd").start == dt.date(2026, 4, 1)
    assert window_for(Month(2026, 10), "rolling12").start == dt.date(2025, 11, 1)
    snapshot = window_for(Month(2026, 2), "snapshot")
    assert snapshot.start == snapshot.end == dt.date(2026, 2, 28)


# --- worked examples --------------------------------------------------------------------------


def test_assessments_within_45_working_days():
    # NG: three authorised in October 2026. A: 1 Sep -> 2 Oct = 23 WD (within). B: 1 Aug -> 6 Oct:
    # Aug has 20 WD after the 1st (31 Aug bank holiday excluded) + 22 in Sep + 4 in Oct = 46 (late).
    # C: 5 Oct -> 6 Oct = 1 (within). D authorised in September is outside the window; E is open.
    # EB: one, 1 Oct -> 2 Oct (within). So NG 2/3, EB 1/1, authority 3/4.
    tables = {
        "assessments": pd.DataFrame(
            {
                "district": ["NG", "NG", "NG", "NG", "NG", "EB"],
                "start_date": [D("2026-09-01"), D("2026-08-01"), D("2026-10-05"), D("2026-08-01"), D("2026-10-01"), D("2026-10-01")],
                "authorised_date": [D("2026-10-02"), D("2026-10-06"), D("2026-10-06"), D("2026-09-15"), pd.NaT, D("2026-10-02")],
            }
        )
    }
    got = result("ASSESS_45WD", tables)
    assert got["NG"] == (2, 3, pytest.approx(2 / 3))
    assert got["EB"] == (1, 1, 1.0)
    assert got[AUTHORITY] == (3, 4, 0.75)


def test_exactly_45_working_days_is_within_and_46_is_not():
    start = D("2026-06-01")
    day45 = pd.Timestamp(add_working_days(start.date(), 45))
    day46 = pd.Timestamp(add_working_days(start.date(), 46))
    tables = {"assessments": pd.DataFrame({"district": ["NG", "NG"], "start_date": [start, start], "authorised_date": [day45, day46]})}
    period = Month.of(day46.date())
    frame = compute_indicator(CATALOGUE["ASSESS_45WD"], tables, period, ["NG"])
    ng = frame[frame["area"] == "NG"].iloc[0]
    assert Month.of(day45.date()) == period and (ng.numerator, ng.denominator) == (1, 2)


def test_referrals_per_10000_rolling_12_months():
    # Rolling 12 months to Oct 2026 = 1 Nov 2025 .. 31 Oct 2026. NG: 3 in window (31 Oct 2025
    # is out); EB: 1. Rates: NG 3/20,000*10,000 = 1.5; EB 1/10,000*10,000 = 1; all 4/30,000*10,000.
    tables = {
        "population": POPULATION,
        "referrals": pd.DataFrame(
            {
                "district": ["NG", "NG", "NG", "NG", "EB"],
                "referral_date": [D("2025-10-31"), D("2025-11-01"), D("2026-05-05"), D("2026-10-31"), D("2026-01-01")],
            }
        ),
    }
    got = result("REFERRALS_RATE", tables)
    assert got["NG"] == (3, 20_000, 1.5) and got["EB"] == (1, 10_000, 1.0)
    assert got[AUTHORITY] == (4, 30_000, pytest.approx(4 / 3))


def test_cp_plans_open_at_month_end_per_10000():
    # Open on 31/10/2026: started on/before it and not ended by it. Ended on the 31st = closed.
    tables = {
        "population": POPULATION,
        "cp_plans": pd.DataFrame(
            {
                "district": ["NG", "NG", "NG", "NG", "EB"],
                "plan_start": [D("2026-01-01"), D("2026-10-31"), D("2026-11-01"), D("2025-01-01"), D("2026-02-02")],
                "plan_end": [pd.NaT, pd.NaT, pd.NaT, D("2026-10-31"), D("2026-11-15")],
            }
        ),
    }
    got = result("CP_RATE", tables)
    assert got["NG"] == (2, 20_000, 1.0) and got["EB"] == (1, 10_000, 1.0)


def test_children_looked_after_excludes_uasc():
    tables = {
        "population": POPULATION,
        "cla": pd.DataFrame(
            {"district": ["NG", "NG", "EB"], "uasc": ["Yes", "No", None], "cla_start": [D("2020-01-01")] * 3, "cla_end": [pd.NaT] * 3}
        ),
    }
    got = result("CLA_RATE", tables)
    assert got["NG"][:2] == (1, 20_000) and got["EB"][:2] == (1, 10_000)


def test_rereferrals_year_to_date():
    # YTD for Oct 2026 starts 1 April 2026. NG: 4 referrals in window, 1 with a previous referral
    # (the 31 March one is outside the window). EB: 2 in window, 2 re-referrals. All: 3/6.
    tables = {
        "referrals": pd.DataFrame(
            {
                "district": ["NG"] * 5 + ["EB"] * 2,
                "referral_date": [
                    D("2026-03-31"),
                    D("2026-04-01"),
                    D("2026-06-01"),
                    D("2026-09-01"),
                    D("2026-10-31"),
                    D("2026-05-01"),
                    D("2026-07-01"),
                ],
                "referrals_last_12m": pd.array([3, 0, 1, 0, None, 1, 2], dtype="Int64"),
            }
        )
    }
    got = result("REREFERRALS", tables)
    assert got["NG"] == (1, 4, 0.25) and got["EB"] == (2, 2, 1.0) and got[AUTHORITY] == (3, 6, 0.5)


def test_share_supervised_matches_names_within_district():
    # NG October: qualified staff Ann Lee, Bo Chan (unqualified Cy Day not counted). Ann was
    # supervised (name typed differently), Bo only in September. EB: Di Eve supervised -> 1/1.
    # A supervision of "Bo Chan" in EB does not count for NG's Bo Chan.
    tables = {
        "staff": pd.DataFrame(
            {
                "district": ["NG", "NG", "NG", "NG", "EB"],
                "month": [D("2026-10-01")] * 3 + [D("2026-09-01"), D("2026-10-01")],
                "worker": ["Ann Lee", "Bo Chan", "Cy Day", "Old Timer", "Di Eve"],
                "qualified": ["Yes", "Yes", "No", "Yes", "Yes"],
            }
        ),
        "supervision": pd.DataFrame(
            {
                "district": ["NG", "NG", "EB", "EB"],
                "worker": ["ann  LEE", "Bo Chan", "Di Eve", "Bo Chan"],
                "supervision_date": [D("2026-10-14"), D("2026-09-30"), D("2026-10-01"), D("2026-10-02")],
            }
        ),
    }
    got = result("SUPERVISED", tables)
    assert got["NG"] == (1, 2, 0.5) and got["EB"] == (1, 1, 1.0)


def test_average_caseload_is_cases_over_fte_of_qualified_case_holders():
    # NG October: SW 20 cases at 1.0 FTE, SP 6 at 0.5, team manager (not a case holder) 2 at 1.0,
    # FSW unqualified 9. Caseload = (20 + 6) / (1.0 + 0.5) = 17.33.
    tables = {
        "staff": pd.DataFrame(
            {
                "district": ["NG"] * 5,
                "month": [D("2026-10-01")] * 4 + [D("2026-09-01")],
                "role": ["Social Worker", "Senior Practitioner", "Team Manager", "Family Support Worker", "Social Worker"],
                "qualified": ["Yes", "Yes", "Yes", "No", "Yes"],
                "cases": [20, 6, 2, 9, 99],
                "fte": [1.0, 0.5, 1.0, 1.0, 1.0],
            }
        )
    }
    got = result("CASELOAD", tables)
    assert got["NG"] == (26, 1.5, pytest.approx(26 / 1.5))


def test_a_blank_caseload_adds_nothing_to_the_sum():
    # As the sources stage types it: an integer column with a blank cell (pandas' NA). The
    # senior practitioner's blank caseload counts 0 cases but their 0.5 FTE still counts.
    tables = {
        "staff": pd.DataFrame(
            {
                "district": pd.Categorical(["NG", "NG"]),
                "month": [D("2026-10-01")] * 2,
                "role": ["Social Worker", "Senior Practitioner"],
                "qualified": ["Yes", "Yes"],
                "cases": pd.array([20, None], dtype="Int64"),
                "fte": [1.0, 0.5],
            }
        )
    }
    assert result("CASELOAD", tables)["NG"] == (20, 1.5, pytest.approx(20 / 1.5))


def test_agency_fte_over_establishment():
    # Qualified posts in October: 1.0 agency + 0.6 agency + 1.0 permanent + 1.0 vacant = 3.6 FTE;
    # agency 1.6 -> 44.4%. The unqualified agency post is not counted anywhere.
    tables = {
        "establishment": pd.DataFrame(
            {
                "district": ["NG"] * 5,
                "month": [D("2026-10-01")] * 5,
                "fte": [1.0, 0.6, 1.0, 1.0, 1.0],
                "filled_by": ["Agency", "Agency", "Permanent", "Vacant", "Agency"],
                "qualified": ["Yes", "Yes", "Yes", "Yes", "No"],
            }
        )
    }
    got = result("AGENCY_FTE", tables)
    assert got["NG"][0] == pytest.approx(1.6) and got["NG"][1] == pytest.approx(3.6)


def test_missing_dataset_gives_no_data_not_an_error():
    got = result("CASELOAD", {})
    assert all(pd.isna(v) for values in got.values() for v in values)


def test_district_with_no_rows_counts_zero_not_missing():
    tables = {"population": POPULATION, "referrals": pd.DataFrame({"district": ["NG"], "referral_date": [D("2026-10-01")]})}
    assert result("REFERRALS_RATE", tables)["EB"] == (0, 10_000, 0.0)


# The default catalogue's indicators worked out here; the others are in tests/test_worked_examples.py.
WORKED_IN_TEST_INDICATORS = {"ASSESS_45WD", "REFERRALS_RATE", "CP_RATE", "CLA_RATE", "REREFERRALS", "SUPERVISED", "CASELOAD", "AGENCY_FTE"}


def test_every_catalogue_indicator_has_a_worked_example_here():
    from test_worked_examples import DEFAULT_WORKED

    assert set(CATALOGUE) == WORKED_IN_TEST_INDICATORS | set(DEFAULT_WORKED)


# --- catalogue loader -----------------------------------------------------------------------

GOOD = """
[[indicator]]
id = "X1"
section = "How long is it taking us?"
title = "t"
definition = "d"
unit = "%"
polarity = "H"
period = "month"
calculation = { name = "share_within_working_days", dataset = "assessments", start = "start_date", end = "authorised_date", days = 45 }
target = 0.85
floor = 0.80
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_catalogue_loads(tmp_path):
    (indicator,) = load_catalogue(write(tmp_path, GOOD))
    assert indicator.id == "X1" and indicator.scale == 1.0


@pytest.mark.parametrize(
    "change, says",
    [
        (("floor = 0.80", "flor = 0.80"), "indicator X1: flor: unknown key"),
        (('name = "share_within_working_days"', 'name = "share_within_workdays"'), "unknown calculation 'share_within_workdays'"),
        (("days = 45", "dayz = 45"), "has no parameter(s) ['dayz']"),
        (("floor = 0.80", "floor = 0.90"), "bands out of order"),
        (('polarity = "H"', 'polarity = "X"'), "indicator X1: polarity"),
        (('period = "month"', 'period = "quarter"'), "indicator X1: period"),
        (("days = 45", 'days = 45, counting = "weekdays"'), "counting must be one of working days, days, months"),
        (
            (
                'name = "share_within_working_days", dataset = "assessments", start = "start_date", end = "authorised_date", days = 45',
                'name = "share_where", dataset = "assessments", date = "start_date", column = "child_seen", op = "=", value = "Yes"',
            ),
            "unknown op '='",
        ),
        (
            (
                'name = "share_within_working_days", dataset = "assessments", start = "start_date", end = "authorised_date", days = 45',
                'name = "share_where", dataset = "assessments", date = "start_date", column = "child_seen", op = ">="',
            ),
            "op '>=' needs a value",
        ),
    ],
)
def test_catalogue_mistakes_are_rejected_naming_file_and_id(tmp_path, change, says):
    with pytest.raises(ConfigError) as caught:
        load_catalogue(write(tmp_path, GOOD.replace(*change)))
    assert says in str(caught.value) and "catalogue.toml" in str(caught.value)


def test_duplicate_ids_are_rejected(tmp_path):
    with pytest.raises(ConfigError, match="X1: duplicate id"):
        load_catalogue(write(tmp_path, GOOD + GOOD))


def test_registry_names_are_the_catalogue_vocabulary():
    assert {
        "rate_per_population",
        "open_per_population",
        "share_within_working_days",
        "share_where",
        "ratio_of_sums",
        "share_supervised",
    } <= set(CALCULATIONS)


def test_an_authority_catalogue_extends_a_preset_with_its_differences(tmp_path):
    # Kent's 44, with a local CP target, NI 59 at 10 working days (a parameter, not a copy),
    # dental checks dropped and one indicator of its own: 44 - 1 + 1 = 44, in the preset's order.
    path = write(
        tmp_path,
        """
extends = "kent_2012"
drop = ["LAC_DENTAL"]
[[change]]
id = "CP_RATE"
target = 30.0
[[change]]
id = "NI59_IA_7WD"
title = "Initial assessments within 10 working days of referral"
calculation = { name = "share_within_working_days", dataset = "assessments", start = "referral_date", \
  end = "authorised_date", days = 10, where = { assessment_type = "Initial" } }
"""
        + GOOD,
    )
    catalogue = load_catalogue(path)
    by_id = {ind.id: ind for ind in catalogue}
    assert len(catalogue) == 44 and "LAC_DENTAL" not in by_id and catalogue[-1].id == "X1"
    assert by_id["CP_RATE"].target == 30.0 and by_id["CP_RATE"].tolerance == 0.10  # the rest kept
    assert by_id["NI59_IA_7WD"].calculation["days"] == 10
    assert [i.id for i in catalogue][:3] == ["CAF_RATE", "REFERRALS_RATE", "NI68_REFERRALS_TO_IA"]


@pytest.mark.parametrize(
    "text, says",
    [
        ('extends = "kent_2013"\n', "no shipped catalogue 'kent_2013'"),
        ('extends = "kent_2012"\n[[change]]\nid = "CP_RAT"\ntarget = 1.0\n', "change CP_RAT: no such indicator"),
        ('extends = "kent_2012"\ndrop = ["NOPE"]\n', "drop NOPE: no such indicator"),
        (
            'extends = "kent_2012"\n[[change]]\nid = "NI59_IA_7WD"\nfloor = 0.99\n',
            "change NI59_IA_7WD: (top level): Value error, bands out of order",
        ),
        ('extends = "kent_2012"\n[[change]]\nid = "CP_RATE"\ntargett = 1.0\n', "targett: unknown key"),
        ('[[change]]\nid = "CP_RATE"\ntarget = 1.0\n', "need `extends`"),
        (
            'extends = "kent_2012"\n[[indicator]]\nid = "CP_RATE"\nsection = "How long is it taking us?"\ntitle = "t"\n'
            'definition = "d"\nunit = "%"\npolarity = "H"\nperiod = "month"\ncalculation = { name = "typed_figure" }\n',
            "CP_RATE: duplicate id",
        ),
    ],
)
def test_extension_mistakes_are_rejected(tmp_path, text, says):
    with pytest.raises(ConfigError) as caught:
        load_catalogue(write(tmp_path, text))
    assert says in str(caught.value)


def test_bank_holiday_cache_gives_what_the_holidays_package_gives(tmp_path, monkeypatch):
    # First call fills a cache file for this holidays version; a second process-like call (the
    # in-memory cache cleared) reads it back, identical to the package's own list.
    import holidays

    from xl_scorecard.indicators import workdays

    monkeypatch.setenv("XL_SCORECARD_CACHE", str(tmp_path))
    workdays.bank_holidays.cache_clear()
    first = workdays.bank_holidays(2021, 2024)
    (cached,) = tmp_path.glob("bank-holidays-ENG-*-2021-2024.json")
    workdays.bank_holidays.cache_clear()
    again = workdays.bank_holidays(2021, 2024)
    expected = sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2021, 2025)))
    assert [str(d) for d in first] == [str(d) for d in again] == [d.isoformat() for d in expected]
    assert "2022-09-19" in cached.read_text() and "2023-05-08" in cached.read_text()  # funeral, coronation
    workdays.bank_holidays.cache_clear()


def test_a_district_the_calculation_gave_nothing_for_counts_zero_of_zero():
    # EB has no assessment at all, so the calculation's result does not name it: EB is 0 of 0
    # (no value: nothing to divide), NG's 1 of 2 stands, and the authority is NG's 1 of 2.
    tables = {
        "assessments": pd.DataFrame(
            {
                "district": ["NG", "NG"],
                "start_date": [D("2026-10-01"), D("2026-07-01")],
                "authorised_date": [D("2026-10-02"), D("2026-10-20")],  # the second 78 working days on: late
            }
        )
    }
    got = result("ASSESS_45WD", tables)
    assert got["NG"] == (1, 2, 0.5)
    assert got["EB"][:2] == (0, 0) and pd.isna(got["EB"][2])
    assert got[AUTHORITY] == (1, 2, 0.5)


def test_population_worked_out_once_is_never_another_tables():
    # The population per year is kept per table (every rate asks for it every month): a second
    # authority's table, and the first's again, each give their own denominators, and a later
    # estimate is taken in its own year (NG 2027: 30,000; EB has none for 2027, so 2026's).
    referrals = pd.DataFrame({"district": ["NG", "EB"], "referral_date": [D("2026-10-01"), D("2027-10-01")]})
    other = pd.DataFrame({"district": ["NG", "EB", "NG"], "year": [2026, 2026, 2027], "population": [40_000, 5_000, 30_000]})
    first = {"population": POPULATION, "referrals": referrals}
    second = {"population": other, "referrals": referrals}
    with one_run():  # as compute_all runs every indicator and month
        assert result("REFERRALS_RATE", first)["NG"] == (1, 20_000, 0.5)
        assert result("REFERRALS_RATE", second)["NG"] == (1, 40_000, 0.25)
        assert result("REFERRALS_RATE", first)["EB"] == (0, 10_000, 0.0)
        later = compute_indicator(CATALOGUE["REFERRALS_RATE"], second, Month(2027, 10), ["NG", "EB"]).set_index("area")
        assert (later.at["NG", "denominator"], later.at["EB", "denominator"]) == (30_000, 5_000)
        assert (later.at["NG", "numerator"], later.at["EB", "numerator"]) == (0, 1)  # NG's 2026 referral is out of the 12 months
    # Nothing is kept once the run is over: a table changed in place afterwards gives its new figures.
    other.loc[(other["district"] == "NG") & (other["year"] == 2027), "population"] = 80_000
    again = compute_indicator(CATALOGUE["REFERRALS_RATE"], second, Month(2027, 10), ["NG", "EB"]).set_index("area")
    assert again.at["NG", "denominator"] == 80_000
