"""Worked examples for the Birmingham 2017 preset and the calculations it brings.

Each test is a tiny hand-made dataset; the expected numerator and denominator are worked out in
the comments. Period: October 2026 unless a test says otherwise.
"""

from __future__ import annotations

import pandas as pd
import pytest

from xl_scorecard.indicators import AUTHORITY, compute_indicator, load_catalogue
from xl_scorecard.indicators.calculations import CALCULATIONS
from xl_scorecard.indicators.catalogue import default_catalogue_path
from xl_scorecard.periods import Month, window_for

D = pd.Timestamp
OCT = Month(2026, 10)
PRESET = {i.id: i for i in load_catalogue(default_catalogue_path().parent / "presets" / "birmingham_2017.toml")}
POP = pd.DataFrame({"district": ["EAST", "SOUTH"], "year": [2026, 2026], "population": [10_000, 5_000]})


def result(ident: str, tables: dict, period: Month = OCT) -> dict[str, tuple]:
    frame = compute_indicator(PRESET[ident], tables, period, ["EAST", "SOUTH"])
    return {r.area: (r.numerator, r.denominator, r.value) for r in frame.itertuples()}


def test_unallocated_more_than_7_days():
    # October list (as at 31/10): EAST A waited 30 days (counts), B 7 days (not more than 7),
    # SOUTH C 8 days (counts). September's list is another month. Counts: EAST 1, SOUTH 1, all 2.
    tables = {
        "unallocated": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "SOUTH", "EAST"],
                "child_id": ["A", "B", "C", "D"],
                "unallocated_since": [D("2026-10-01"), D("2026-10-24"), D("2026-10-23"), D("2026-08-01")],
                "as_at": [D("2026-10-31"), D("2026-10-31"), D("2026-10-31"), D("2026-09-30")],
            }
        )
    }
    got = result("UNALLOCATED_7D", tables)
    assert got["EAST"][2] == 1 and got["SOUTH"][2] == 1 and got[AUTHORITY][2] == 2
    assert PRESET["UNALLOCATED_7D"].unit == "count"


def test_children_seen_at_assessment():
    # Authorised in October: EAST seen, seen, not seen -> 2/3; SOUTH not recorded -> 0/1.
    tables = {
        "assessments": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "EAST", "SOUTH", "SOUTH"],
                "authorised_date": [D("2026-10-02"), D("2026-10-20"), D("2026-10-31"), D("2026-10-05"), D("2026-09-30")],
                "child_seen": ["Yes", "Yes", "No", None, "Yes"],
            }
        )
    }
    got = result("SEEN_AT_ASSESSMENT", tables)
    assert got["EAST"][:2] == (2, 3) and got["SOUTH"][:2] == (0, 1) and got[AUTHORITY][:2] == (2, 4)


def test_icpc_within_15_working_days():
    # ICPCs held in October: strategy Thu 1 Oct -> ICPC Thu 22 Oct = 15 working days (within);
    # strategy Thu 1 Oct -> Fri 23 Oct = 16 (late). One S47 without ICPC is not counted. 1/2.
    tables = {
        "s47": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "EAST"],
                "strategy_date": [D("2026-10-01")] * 3,
                "icpc_date": [D("2026-10-22"), D("2026-10-23"), pd.NaT],
            }
        )
    }
    assert result("ICPC_15WD", tables)["EAST"][:2] == (1, 2)


def test_cp_count_and_rate():
    # Open on 31/10: EAST 2 (one ended 31/10 is closed), SOUTH 1. Count = numerator; rate per
    # 10,000: EAST 2/10,000 -> 2.0; SOUTH 1/5,000 -> 2.0; all 3/15,000 -> 2.0.
    tables = {
        "population": POP,
        "cp_plans": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "EAST", "SOUTH"],
                "child_id": ["A", "B", "C", "D"],
                "plan_start": [D("2026-01-01"), D("2026-05-01"), D("2026-02-01"), D("2026-03-03")],
                "plan_end": [pd.NaT, pd.NaT, D("2026-10-31"), pd.NaT],
            }
        ),
    }
    count, rate = result("CP_COUNT", tables), result("CP_RATE", tables)
    assert (count["EAST"][2], count["SOUTH"][2], count[AUTHORITY][2]) == (2, 1, 3)
    assert rate["EAST"][2] == rate["SOUTH"][2] == rate[AUTHORITY][2] == pytest.approx(2.0)


def test_cp_visited_at_least_twice_in_the_month():
    # Plans open at some time in October: EAST A (visited 3 and 17 Oct: twice), B (once), C
    # (ended 15 Oct, visited 2 and 9 Oct: twice); D ended in September is not counted. SOUTH E
    # has two visits but one is in November. A visit to A logged by SOUTH does not count for EAST's
    # A twice. EAST 2/3, SOUTH 0/1, all 2/4.
    tables = {
        "cp_plans": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "EAST", "EAST", "SOUTH"],
                "child_id": ["A", "B", "C", "D", "E"],
                "plan_start": [D("2026-01-01")] * 5,
                "plan_end": [pd.NaT, pd.NaT, D("2026-10-15"), D("2026-09-20"), pd.NaT],
            }
        ),
        "cp_visits": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "EAST", "EAST", "EAST", "SOUTH", "SOUTH", "SOUTH"],
                "child_id": ["A", "A", "B", "C", "C", "E", "E", "A"],
                "visit_date": [
                    D("2026-10-03"),
                    D("2026-10-17"),
                    D("2026-10-10"),
                    D("2026-10-02"),
                    D("2026-10-09"),
                    D("2026-10-20"),
                    D("2026-11-02"),
                    D("2026-10-20"),
                ],
            }
        ),
    }
    got = result("CP_VISITED_MONTH", tables)
    assert got["EAST"][:2] == (2, 3) and got["SOUTH"][:2] == (0, 1) and got[AUTHORITY][:2] == (2, 4)


def test_children_in_care_count_excludes_uasc():
    tables = {
        "population": POP,
        "cla": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "SOUTH"],
                "uasc": ["Yes", "No", "No"],
                "cla_start": [D("2025-01-01")] * 3,
                "cla_end": [pd.NaT] * 3,
            }
        ),
    }
    got = result("CIC_COUNT", tables)
    assert (got["EAST"][2], got["SOUTH"][2], got[AUTHORITY][2]) == (1, 1, 2)


def test_care_leavers_in_education_employment_or_training():
    # Codes as the sources stage leaves them (reading "a) F1: Full time in higher education"
    # and "f5" as F1 and F5 is tested in test_real_returns.py).
    # EAST: F1 and P2 are ETE; G4 (NEET) and a blank are not. 2/4. SOUTH: F5 is ETE. 1/1.
    tables = {
        "care_leavers": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "EAST", "EAST", "SOUTH"],
                "activity": ["F1", "P2", "G4", None, "F5"],
            }
        )
    }
    got = result("CARE_LEAVERS_ETE", tables)
    assert got["EAST"][:2] == (2, 4) and got["SOUTH"][:2] == (1, 1) and got[AUTHORITY][2] == pytest.approx(3 / 5)


def test_adoption_a1_three_year_average():
    # Placed within Nov 2023..Oct 2026: 365 days (2025-01-01 -> 2026-01-01) and 500 days
    # (2024-01-01 -> 2025-05-15). Placed in Oct 2023 is outside the 3 years. (365+500)/2 = 432.5.
    tables = {
        "adoption": pd.DataFrame(
            {
                "district": ["EAST", "EAST", "SOUTH"],
                "entered_care": [D("2025-01-01"), D("2024-01-01"), D("2022-01-01")],
                "placed": [D("2026-01-01"), D("2025-05-15"), D("2023-10-31")],
            }
        )
    }
    got = result("ADOPTION_A1", tables)
    assert got["EAST"] == (865, 2, 432.5) and got[AUTHORITY] == (865, 2, 432.5)
    assert window_for(OCT, "rolling36").start.isoformat() == "2023-11-01"


def test_caseload_by_team_type_and_agency_shares():
    # October: Assessment SWs 20 cases/1.0 FTE and 10/0.5 -> 30/1.5 = 20; Safeguarding SW 12/1.0.
    # Agency case holders: 0.5 agency of 2.5 FTE = 20%; team managers: 1 agency of 2 = 50%.
    tables = {
        "staff": pd.DataFrame(
            {
                "district": ["EAST"] * 6,
                "month": [D("2026-10-01")] * 6,
                "team_type": ["Assessment", "Assessment", "Safeguarding", "Assessment", "Safeguarding", "Assessment"],
                "role": ["Social Worker", "Senior Practitioner", "Social Worker", "Team Manager", "Team Manager", "Family Support Worker"],
                "qualified": ["Yes", "Yes", "Yes", "Yes", "Yes", "No"],
                "agency": ["No", "Yes", "No", "Yes", "No", "Yes"],
                "cases": [20, 10, 12, 1, 0, 8],
                "fte": [1.0, 0.5, 1.0, 1.0, 1.0, 1.0],
            }
        )
    }
    assert result("CASELOAD_ASSESSMENT", tables)["EAST"] == (30, 1.5, 20.0)
    assert result("CASELOAD_SAFEGUARDING", tables)["EAST"] == (12, 1.0, 12.0)
    assert result("AGENCY_SOCIAL_WORKERS", tables)["EAST"][2] == pytest.approx(0.2)
    assert result("AGENCY_TEAM_MANAGERS", tables)["EAST"][2] == pytest.approx(0.5)


def test_caseload_in_children_in_care_teams():
    # October, Children in Care teams: qualified SW 15 cases / 1.0 FTE and senior practitioner
    # 9 / 0.5; an unqualified worker (6 / 1.0) and an Assessment-team SW are not counted.
    # EAST (15 + 9) / 1.5 = 16.0.
    tables = {
        "staff": pd.DataFrame(
            {
                "district": ["EAST"] * 4,
                "month": [D("2026-10-31")] * 4,
                "team_type": ["Children in Care", "Children in Care", "Children in Care", "Assessment"],
                "role": ["Social Worker", "Senior Practitioner", "Social Worker", "Social Worker"],
                "qualified": ["Yes", "Yes", "No", "Yes"],
                "agency": ["No"] * 4,
                "cases": [15, 9, 6, 30],
                "fte": [1.0, 0.5, 1.0, 1.0],
            }
        )
    }
    assert result("CASELOAD_CIC", tables)["EAST"] == (24, 1.5, 16.0)


def test_family_assessments_within_45_working_days_in_the_month():
    # Authorised in October: started Thu 20 Aug -> Thu 22 Oct = 44 working days (31 Aug is a bank
    # holiday), within; started Mon 17 Aug -> Fri 23 Oct = 48, late. One authorised in September
    # is another month. EAST 1/2.
    tables = {
        "assessments": pd.DataFrame(
            {
                "district": ["EAST"] * 3,
                "start_date": [D("2026-08-20"), D("2026-08-17"), D("2026-08-01")],
                "authorised_date": [D("2026-10-22"), D("2026-10-23"), D("2026-09-30")],
            }
        )
    }
    assert result("FAMILY_ASSESS_45WD", tables)["EAST"][:2] == (1, 2)


def test_rereferrals_in_the_month():
    # Referrals received in October: EAST 2 of 4 had a referral in the previous 12 months;
    # SOUTH 0 of 1; a September re-referral is not counted. All 2/5 = 40%.
    tables = {
        "referrals": pd.DataFrame(
            {
                "district": ["EAST"] * 5 + ["SOUTH"],
                "referral_date": [D("2026-10-01"), D("2026-10-09"), D("2026-10-30"), D("2026-10-31"), D("2026-09-30"), D("2026-10-15")],
                "referrals_last_12m": [1, 3, 0, 0, 2, 0],
            }
        )
    }
    got = result("REREFERRALS_MONTH", tables)
    assert got["EAST"][:2] == (2, 4) and got["SOUTH"][:2] == (0, 1) and got[AUTHORITY][2] == pytest.approx(0.4)


# --- the registered calculations the presets do not use yet --------------------------------


def test_share_open_where_three_or_more_placements():
    # Open on 31/10: A (3 placements), B (1), C (4); D ceased 30/10. 2/3 with 3 or more.
    table = pd.DataFrame(
        {
            "district": ["EAST"] * 4,
            "cla_start": [D("2025-01-01")] * 4,
            "cla_end": [pd.NaT, pd.NaT, pd.NaT, D("2026-10-30")],
            "placements_12m": [3, 1, 4, 5],
        }
    )
    got = CALCULATIONS["share_open_where"](
        {"cla": table},
        window_for(OCT, "snapshot"),
        dataset="cla",
        start="cla_start",
        end="cla_end",
        column="placements_12m",
        op=">=",
        value=3,
    )
    assert tuple(got.loc["EAST"]) == (2, 3)


def test_share_lasting_ended_and_open():
    # Ended in the year to date (Apr-Oct 2026): 730 days (2024-05-01 -> 2026-05-01: 2 years,
    # lasting) and 100 days. 1/2. Open on 31/10: started 2025-04-01 (578 days >= 548: 18 months)
    # and 2026-01-01 (303 days). 1/2.
    table = pd.DataFrame(
        {
            "district": ["EAST"] * 4,
            "plan_start": [D("2024-05-01"), D("2026-05-01"), D("2025-04-01"), D("2026-01-01")],
            "plan_end": [D("2026-05-01"), D("2026-08-09"), pd.NaT, pd.NaT],
        }
    )
    ended = CALCULATIONS["share_lasting"]({"cp": table}, window_for(OCT, "ytd"), dataset="cp", start="plan_start", end="plan_end", days=730)
    current = CALCULATIONS["share_lasting"](
        {"cp": table}, window_for(OCT, "snapshot"), dataset="cp", start="plan_start", end="plan_end", days=548, basis="open"
    )
    assert tuple(ended.loc["EAST"]) == (1, 2) and tuple(current.loc["EAST"]) == (1, 2)


def test_preset_runs_on_the_example_authority(example_dir, tmp_path):
    import shutil

    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    folder = tmp_path / "b"
    shutil.copytree(example_dir, folder)
    config = folder / "authority.toml"
    config.write_text(config.read_text().replace("backups = 10", 'backups = 10\ncatalogue = "birmingham_2017"'))
    result = refresh(load_config(config), master=tmp_path / "m.xlsx")
    october = result.scored[(result.scored["period"] == "2026-10") & (result.scored["area"] == AUTHORITY)].set_index("indicator")
    assert len(october) == 17
    # The example keeps an unallocated list and a CP visits log too: every figure is there.
    assert october["value"].notna().all(), october[october["value"].isna()].index.tolist()
