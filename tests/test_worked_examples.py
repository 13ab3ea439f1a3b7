"""Worked examples for the Kent 2012 and London 2010 presets and the default catalogue,
computed from datasets.

One tiny hand-made authority (two districts, EAST with 10,000 children and SOUTH with 5,000) is
reported for October 2026. Windows: "ytd" is 1 April - 31 October 2026, "rolling12" is
1 November 2025 - 31 October 2026, "snapshot" is 31 October 2026. Each expectation below says,
in its comment, which rows count and why; working days exclude England & Wales bank holidays
(Summer bank holiday: Monday 31 August 2026) and count the days after the start up to and
including the end.

A last test checks that every indicator of every shipped catalogue is named in a worked
example somewhere in the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from xl_scorecard.indicators import AUTHORITY, compute_all, compute_indicator, load_catalogue
from xl_scorecard.indicators.catalogue import default_catalogue_path
from xl_scorecard.periods import Month

D = pd.Timestamp
NaT = pd.NaT
OCT = Month(2026, 10)
PRESETS = default_catalogue_path().parent / "presets"
KENT = {i.id: i for i in load_catalogue(PRESETS / "kent_2012.toml")}
LONDON = {i.id: i for i in load_catalogue(PRESETS / "london_2010.toml")}
DEFAULT = {i.id: i for i in load_catalogue(default_catalogue_path())}


def frame(columns: str, *rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns.split())


TABLES = {
    "population": frame("district year population", ("EAST", 2026, 10_000), ("SOUTH", 2026, 5_000)),
    "referrals": frame(
        "district child_id referral_date referral_nfa referrals_last_12m",
        ("EAST", "R1", D("2026-10-05"), "No", 0),
        ("EAST", "R2", D("2026-05-10"), "Yes", 2),
        ("EAST", "R3", D("2025-12-01"), "No", 1),  # rolling 12 months only
        ("EAST", "R4", D("2025-10-15"), "No", 0),  # too old for either window
        ("SOUTH", "R5", D("2026-04-01"), "No", 1),
    ),
    "early_help": frame(
        "district child_id assessment_end",
        ("EAST", "E1", D("2026-01-10")),
        ("EAST", "E2", D("2025-10-31")),
        ("SOUTH", "E3", D("2026-10-31")),
    ),
    "assessments": frame(
        "district child_id referral_date start_date authorised_date assessment_type child_seen",
        # Initial: referral Thu 1 Oct -> Fri 9 Oct is 6 working days, -> Mon 12 Oct 7, -> Tue 13 Oct 8.
        ("EAST", "A1", D("2026-10-01"), D("2026-10-01"), D("2026-10-09"), "Initial", "Yes"),
        ("EAST", "A2", D("2026-10-01"), D("2026-10-01"), D("2026-10-12"), "Initial", "No"),
        ("EAST", "A3", D("2026-10-01"), D("2026-10-01"), D("2026-10-13"), "Initial", "Yes"),
        ("SOUTH", "A4", D("2026-03-20"), D("2026-03-20"), D("2026-03-25"), "Initial", "Yes"),  # before 1 April
        # In progress on 31 Oct: A5 referred Mon 19 Oct (9 working days), A6 Mon 26 Oct (4).
        ("EAST", "A5", D("2026-10-19"), D("2026-10-19"), NaT, "Initial", None),
        ("SOUTH", "A6", D("2026-10-26"), D("2026-10-26"), NaT, "Initial", None),
        # Core C1: started Thu 20 Aug -> Fri 2 Oct = 30 working days (within 35 from commencement);
        # referred Mon 3 Aug -> 2 Oct = 43 working days (over Kent's 42 from referral).
        ("EAST", "C1", D("2026-08-03"), D("2026-08-20"), D("2026-10-02"), "Core", "No"),
        # Core C2: 1 Sep -> 30 Sep = 21 working days either way.
        ("SOUTH", "C2", D("2026-09-01"), D("2026-09-01"), D("2026-09-30"), "Core", "Yes"),
        # Core C3: referred 1 June, still open on 31 October: far past 42 working days.
        ("EAST", "C3", D("2026-06-01"), D("2026-07-01"), NaT, "Core", None),
    ),
    "s47": frame(
        "district child_id strategy_date icpc_date",
        ("EAST", "S1", D("2026-05-01"), D("2026-05-20")),
        ("EAST", "S2", D("2026-09-01"), NaT),
        ("SOUTH", "S3", D("2025-12-15"), D("2026-01-10")),
    ),  # rolling 12 months only
    "cin": frame(
        "district child_id cin_start cin_closure",
        ("EAST", "N1", D("2026-01-01"), NaT),
        ("EAST", "N2", D("2026-02-01"), D("2026-10-31")),  # closed on the day: not open at its end
        ("EAST", "N3", D("2026-11-05"), NaT),  # starts later
        ("SOUTH", "N4", D("2025-05-01"), NaT),
    ),
    "cp_plans": frame(
        "district child_id plan_start plan_end previous_plans",
        ("EAST", "K1", D("2024-01-01"), NaT, 0),  # open 1,034 days on 31 Oct
        ("EAST", "K2", D("2026-06-01"), NaT, 1),  # started this year, a repeat plan
        ("EAST", "K3", D("2024-03-01"), D("2026-07-01"), 0),  # ended this year after 852 days
        ("SOUTH", "K4", D("2026-05-01"), D("2026-09-30"), 0),  # started and ended this year, 152 days
        ("SOUTH", "K5", D("2026-10-10"), NaT, 0),
    ),
    "cla": frame(
        "district child_id cla_start cla_end uasc placements_12m placement_start age reason_ceased",
        # L1 (also on a CP plan, K1): in care 1,399 days, same placement 882 days, aged 10.
        ("EAST", "K1", D("2023-01-01"), NaT, "No", 3, D("2024-06-01"), 10, None),
        # L2: in care 1,034 days, placement only 518 days, aged 12.
        ("EAST", "K9", D("2024-01-01"), NaT, "No", 1, D("2025-06-01"), 12, None),
        # L3: unaccompanied asylum seeker, aged 16.
        ("EAST", "K10", D("2025-01-01"), NaT, "Yes", 0, D("2025-01-01"), 16, None),
        # Reasons as the sources stage leaves them: "E11 - Adopted (application unopposed)" is read as E11.
        ("EAST", "K11", D("2020-01-01"), D("2026-08-01"), "No", 0, NaT, 6, "E11"),
        ("SOUTH", "K12", D("2026-02-01"), D("2026-06-30"), "No", 1, NaT, 4, "E43"),
        # L6: on a CP plan too (K5), in care 60 days.
        ("SOUTH", "K5", D("2026-09-01"), NaT, "No", 1, D("2026-09-01"), 3, None),
    ),
    "unallocated": frame(
        "district child_id unallocated_since as_at",
        ("EAST", "U1", D("2026-09-01"), D("2026-10-31")),  # 60 days
        ("EAST", "U2", D("2026-10-10"), D("2026-10-31")),  # 21 days
        ("SOUTH", "U3", D("2026-10-02"), D("2026-10-31")),
    ),  # 29 days
    "reviews": frame(
        "district child_id review_type due_date review_date",
        ("EAST", "V1", "CP", D("2026-05-10"), D("2026-05-08")),  # early: on time
        ("EAST", "V2", "CP", D("2026-10-20"), D("2026-10-21")),  # a day late
        ("EAST", "V3", "CP", D("2026-10-30"), NaT),  # due, not held: late
        ("SOUTH", "V4", "CP", D("2026-03-01"), D("2026-03-09")),  # due before 1 April
        ("SOUTH", "V5", "CLA", D("2026-07-01"), D("2026-07-01")),  # on the day: on time
        ("EAST", "V6", "CLA", D("2026-11-15"), NaT),
    ),  # not due yet
    "adoption": frame(
        "district child_id entered_care adm_decision placement_order matched placed",
        ("EAST", "D1", D("2024-01-01"), D("2025-09-15"), D("2025-10-01"), D("2026-02-01"), D("2026-09-14")),  # 11 whole months
        ("EAST", "D2", D("2024-01-01"), D("2025-05-01"), D("2025-06-01"), D("2026-05-15"), D("2026-06-02")),  # 13 whole months
        ("SOUTH", "D3", D("2024-01-01"), D("2025-04-10"), D("2026-01-10"), D("2026-03-01"), D("2026-04-10")),
    ),  # exactly 12
    "establishment": frame(
        "district month post_id post_type fte filled_by qualified",
        ("EAST", D("2026-10-31"), "P1", "Social Worker", 1.0, "Permanent", "Yes"),
        ("EAST", D("2026-10-31"), "P2", "Social Worker", 1.0, "Agency", "Yes"),
        ("EAST", D("2026-10-31"), "P3", "Social Worker", 0.5, "Vacant", "Yes"),
        ("EAST", D("2026-10-31"), "P4", "Team Manager", 1.0, "Vacant", "No"),
        ("EAST", D("2026-09-30"), "P9", "Social Worker", 1.0, "Vacant", "Yes"),  # September's sheet
        ("SOUTH", D("2026-10-31"), "P5", "Social Worker", 1.0, "Permanent", "Yes"),
        ("SOUTH", D("2026-10-31"), "P6", "Social Worker", 1.0, "Permanent", "Yes"),
    ),
    "staff": frame(
        "district month worker fte cases qualified",
        ("EAST", D("2026-10-01"), "W1", 1.0, 20, "Yes"),
        ("EAST", D("2026-10-01"), "W2", 0.5, 12, "Yes"),
        ("EAST", D("2026-10-01"), "W3", 1.0, 5, "No"),  # not a qualified social worker
        ("SOUTH", D("2026-10-01"), "W4", 1.0, 18, "Yes"),
    ),
}

# (EAST numerator, denominator), (SOUTH numerator, denominator); the authority is their sum.
SAME_IN_BOTH = {
    # Referrals since 1 April: EAST R1 (went on) and R2 (NFA) -> 1/2; SOUTH R5 -> 1/1.
    ("NI68_REFERRALS_TO_IA", "NI68"): ((1, 2), (1, 1)),
    # Initial assessments completed since 1 April: EAST A1 (6), A2 (7) within 7, A3 (8) not -> 2/3;
    # SOUTH's only one (A4) was in March -> 0/0.
    ("NI59_IA_7WD", "NI59"): ((2, 3), (0, 0)),
    # Three or more placements, of children looked after on 31 Oct: EAST K1 of K1, K9, K10 -> 1/3;
    # SOUTH K5 has 1 -> 0/1.
    ("NI62_3_PLACEMENTS", "NI62"): ((1, 3), (0, 1)),
    # Placed since 1 April within 12 months of the decision: EAST D1 (11) yes, D2 (13) no -> 1/2;
    # SOUTH D3 (exactly 12) yes -> 1/1.
    ("ADOPTION_12M_ADM", "NI61"): ((1, 2), (1, 1)),
    # CLA reviews due since 1 April: SOUTH V5 on the day -> 1/1; EAST V6 is due in November -> 0/0.
    ("NI66_LAC_REVIEWS", "NI66"): ((0, 0), (1, 1)),
    # CP reviews due since 1 April: EAST V1 on time, V2 late, V3 not held -> 1/3; SOUTH V4 was due
    # in March -> 0/0.
    ("NI67_CP_REVIEWS", "NI67"): ((1, 3), (0, 0)),
    # Under 16, in care 913+ days on 31 Oct: EAST K1 (same placement 882 days: yes) and K9 (518: no)
    # -> 1/2; K10 is 16. SOUTH K5 has been in care 60 days -> 0/0.
    ("NI63_SAME_PLACEMENT", "NI63"): ((1, 2), (0, 0)),
    # Plans started since 1 April: EAST K2 is a repeat -> 1/1; SOUTH K4, K5 first plans -> 0/2.
    ("NI65_REPEAT_CP", "NI65"): ((1, 1), (0, 2)),
    # Plans ended since 1 April lasting 730+ days: EAST K3 (852) -> 1/1; SOUTH K4 (152) -> 0/1.
    ("NI64_CP_2YEARS", "NI64"): ((1, 1), (0, 1)),
}

KENT_ONLY = {
    # Early help assessments completed Nov 2025 - Oct 2026: EAST E1 (E2 is a day early) -> 1 per
    # 10,000; SOUTH E3 -> 1 per 5,000.
    "CAF_RATE": ((1, 10_000), (1, 5_000)),
    # Referrals Nov 2025 - Oct 2026: EAST R1, R2, R3 -> 3; SOUTH R5 -> 1.
    "REFERRALS_RATE": ((3, 10_000), (1, 5_000)),
    # Initial assessments completed Nov 2025 - Oct 2026: EAST A1-A3 -> 3; SOUTH A4 (March) -> 1.
    "IA_RATE": ((3, 10_000), (1, 5_000)),
    # Core assessments completed: EAST C1, SOUTH C2.
    "CA_RATE": ((1, 10_000), (1, 5_000)),
    # S47 enquiries started Nov 2025 - Oct 2026: EAST S1, S2; SOUTH S3 (December).
    "S47_RATE": ((2, 10_000), (1, 5_000)),
    # S47s started since 1 April going to conference: EAST S1 yes, S2 no -> 1/2; SOUTH none -> 0/0.
    "S47_TO_ICPC": ((1, 2), (0, 0)),
    # Conferences held Nov 2025 - Oct 2026: EAST S1 (May), SOUTH S3 (January).
    "ICPC_RATE": ((1, 10_000), (1, 5_000)),
    # Children in need open on 31 Oct: EAST N1 (N2 closed that day, N3 starts later); SOUTH N4.
    "CIN_RATE": ((1, 10_000), (1, 5_000)),
    # CP plans open on 31 Oct: EAST K1, K2; SOUTH K5.
    "CP_RATE": ((2, 10_000), (1, 5_000)),
    # Looked after on 31 Oct, asylum seekers excluded: EAST K1, K9 (not K10); SOUTH K5.
    "CLA_RATE": ((2, 10_000), (1, 5_000)),
    # Looked after and on a CP plan on 31 Oct: EAST K1; SOUTH K5 (a count: denominator 1).
    "LAC_WITH_CP_PLAN": ((1, 1), (1, 1)),
    # Unallocated for more than 28 days on 31 Oct: EAST U1 (60; U2 21); SOUTH U3 (29).
    "UNALLOCATED_28D": ((1, 1), (1, 1)),
    # Initial assessments open on 31 Oct over 7 working days from referral: EAST A5 (9); SOUTH A6 (4) no.
    "IA_OUT_OF_TIMESCALE": ((1, 1), (0, 1)),
    # Core assessments completed since 1 April within 42 working days of referral: EAST C1 (43) no
    # -> 0/1; SOUTH C2 (21) -> 1/1.
    "NI60_CA_TIMESCALE": ((0, 1), (1, 1)),
    # Core assessments open on 31 Oct over 42 working days from referral: EAST C3; SOUTH none.
    "CA_OUT_OF_TIMESCALE": ((1, 1), (0, 0)),
    # Initial assessments completed since 1 April with the child seen: EAST A1, A3 of 3; SOUTH 0/0.
    "SEEN_AT_IA": ((2, 3), (0, 0)),
    # Core assessments completed since 1 April with the child seen: EAST C1 no -> 0/1; SOUTH C2 -> 1/1.
    "SEEN_AT_CA": ((0, 1), (1, 1)),
    # Referrals since 1 April with one in the previous 12 months: EAST R2 of R1, R2; SOUTH R5.
    "REREFERRALS": ((1, 2), (1, 1)),
    # Open plans lasting 548+ days on 31 Oct: EAST K1 (1,034) of K1, K2 -> 1/2; SOUTH K5 -> 0/1.
    "CP_18_MONTHS": ((1, 2), (0, 1)),
    # Ceased to be looked after since 1 April: EAST K11 adopted (E11) -> 1/1; SOUTH K12 (E43) -> 0/1.
    "LEAVING_CARE_ADOPTED": ((1, 1), (0, 1)),
    # ... and by special guardianship (E43/E44): EAST 0/1; SOUTH 1/1.
    "LEAVING_CARE_SGO": ((0, 1), (1, 1)),
    # Qualified posts in October (September's sheet ignored): EAST 2.5 FTE of which 0.5 vacant,
    # 1.0 agency, 1.0 permanent; SOUTH 2.0 FTE, both permanent.
    "POSTS_UNFILLED": ((0.5, 2.5), (0, 2)),
    "POSTS_AGENCY": ((1.0, 2.5), (0, 2)),
    "POSTS_QSW": ((1.0, 2.5), (2, 2)),
    # Qualified workers' cases / FTE in October: EAST (20 + 12) / 1.5 (W3 unqualified); SOUTH 18 / 1.
    "AVERAGE_CASELOAD": ((32, 1.5), (18, 1)),
}

LONDON_ONLY = {
    # Core assessments completed since 1 April within 35 working days of commencement: EAST C1
    # (30) -> 1/1; SOUTH C2 (21) -> 1/1. (Kent's 42-from-referral reads C1 as late.)
    "NI60": ((1, 1), (1, 1)),
    # Vacant qualified FTE on 31 Oct: EAST P3 0.5 (of 2.5); SOUTH none.
    "L0508": ((0.5, 2.5), (0, 2)),
    # Vacant team manager FTE: EAST P4 1.0 of 1.0; SOUTH has no manager post -> 0/0.
    "L0509": ((1.0, 1.0), (0, 0)),
}


# The default catalogue's indicators beyond the eight of tests/test_indicators.py, on the same
# authority plus a late conference, a visits log, care leavers and a match with no placement order.
DEFAULT_TABLES = {
    **TABLES,
    # S4: strategy discussion Tue 1 Sep 2026, conference Wed 23 Sep: 16 working days (2-4, 7-11,
    # 14-18, 21-23 September).
    "s47": pd.concat(
        [TABLES["s47"], frame("district child_id strategy_date icpc_date", ("SOUTH", "S4", D("2026-09-01"), D("2026-09-23")))]
    ),
    "cp_visits": frame(
        "district child_id visit_date",
        ("EAST", "K1", D("2026-10-05")),
        ("EAST", "K1", D("2026-10-19")),
        ("EAST", "K2", D("2026-09-28")),  # September: not this month
        ("EAST", "K2", D("2026-10-12")),
        ("SOUTH", "K2", D("2026-10-20")),  # another district's child of the same id: not K2's visit
        ("SOUTH", "K5", D("2026-10-12")),
        ("SOUTH", "K5", D("2026-10-26")),
    ),
    "care_leavers": frame(
        "district child_id activity suitable",
        ("EAST", "CL1", "F1", "Suitable"),
        ("EAST", "CL2", "G4", "Unsuitable"),
        ("EAST", "CL3", "P2", "Suitable"),
        ("SOUTH", "CL4", "G6", "Suitable"),
        ("SOUTH", "CL5", None, None),  # nothing recorded: counted, neither in EET nor suitable
    ),
    # D4: matched with no placement order date: left out of A2 (no start to count from).
    "adoption": pd.concat(
        [
            TABLES["adoption"],
            frame(
                "district child_id entered_care adm_decision placement_order matched placed",
                ("SOUTH", "D4", D("2025-01-01"), NaT, NaT, D("2026-05-01"), NaT),
            ),
        ]
    ),
}

DEFAULT_WORKED = {
    # Early help assessments completed Nov 2025 - Oct 2026: EAST E1 (E2 is a day early); SOUTH E3.
    "EARLY_HELP_RATE": ((1, 10_000), (1, 5_000)),
    # Referrals since 1 April closed as NFA: EAST R2 of R1, R2; SOUTH R5 went on -> 0/1.
    "REFERRALS_NFA": ((1, 2), (0, 1)),
    # Assessments of any type authorised Nov 2025 - Oct 2026: EAST A1-A3, C1 (A5, C3 open) -> 4;
    # SOUTH A4 (March), C2 -> 2.
    "ASSESSMENTS_RATE": ((4, 10_000), (2, 5_000)),
    # S47s started Nov 2025 - Oct 2026: EAST S1, S2; SOUTH S3, S4.
    "S47_RATE": ((2, 10_000), (2, 5_000)),
    # Conferences held Nov 2025 - Oct 2026: EAST S1; SOUTH S3 (January), S4.
    "ICPC_RATE": ((1, 10_000), (2, 5_000)),
    # Conferences held since 1 April within 15 working days of the strategy discussion: EAST S1,
    # Fri 1 May -> Wed 20 May = 12 working days (Mon 4 May a bank holiday) -> 1/1; SOUTH S4 (16) -> 0/1.
    "ICPC_15WD": ((1, 1), (0, 1)),
    "CIN_RATE": ((1, 10_000), (1, 5_000)),  # as Kent's: EAST N1, SOUTH N4
    "UNALLOCATED_28D": ((1, 1), (1, 1)),  # EAST U1 (60 days), SOUTH U3 (29)
    # Plans open at some time in October: EAST K1 (visits 5 and 19 Oct) yes, K2 (12 Oct only; the
    # 28 Sep visit and SOUTH's K2 do not count) no -> 1/2; SOUTH K5 (12, 26 Oct) -> 1/1. K3 and
    # K4 ended before October.
    "CP_VISITS": ((1, 2), (1, 1)),
    "CP_REVIEWS": ((1, 3), (0, 0)),  # as NI 67
    "CLA_REVIEWS": ((0, 0), (1, 1)),  # as NI 66
    # Placed Nov 2023 - Oct 2026: EAST D1 987 days (1 Jan 2024 -> 14 Sep 2026) + D2 883 (-> 2 Jun);
    # SOUTH D3 830 (-> 10 Apr). D4 not placed.
    "ADOPTION_A10": ((987 + 883, 2), (830, 1)),
    # Matched Nov 2023 - Oct 2026, placement order to match: EAST D1 123 days (1 Oct 2025 ->
    # 1 Feb 2026) + D2 348 (1 Jun 2025 -> 15 May 2026); SOUTH D3 50 (10 Jan -> 1 Mar); D4 has no order.
    "ADOPTION_A2": ((123 + 348, 2), (50, 1)),
    # Assessments authorised since 1 April with the child seen: EAST A1, A3 of A1-A3 and C1 -> 2/4;
    # SOUTH C2 of C2 (A4 in March) -> 1/1.
    "SEEN_AT_ASSESSMENT": ((2, 4), (1, 1)),
    "REPEAT_CP": ((1, 1), (0, 2)),  # as NI 65
    "CP_2YEARS": ((1, 1), (0, 1)),  # as NI 64
    "CLA_3_PLACEMENTS": ((1, 3), (0, 1)),  # as NI 62
    "CLA_LONG_TERM_STABILITY": ((1, 2), (0, 0)),  # as NI 63
    # Ceased since 1 April: EAST K11 adopted (E11) -> 1/1; SOUTH K12 special guardianship -> 0/1.
    "CLA_ADOPTED": ((1, 1), (0, 1)),
    # Care leavers on the list: EAST CL1 (F1), CL3 (P2) of 3; SOUTH none of CL4 (G6), CL5.
    "CARE_LEAVERS_EET": ((2, 3), (0, 2)),
    # ... in suitable accommodation: EAST CL1, CL3 of 3; SOUTH CL4 of 2.
    "CARE_LEAVERS_SUITABLE": ((2, 3), (1, 2)),
    "VACANCY_RATE": ((0.5, 2.5), (0, 2)),  # as POSTS_UNFILLED: EAST P3 0.5 of 2.5 FTE
}


def parts(indicator, tables=TABLES) -> dict[str, tuple[float, float]]:
    result = compute_indicator(indicator, tables, OCT, ["EAST", "SOUTH"])
    # A refresh works the months out together (compute_all: an every-month version where the
    # calculation has one): October among other months gives the very figures worked by hand here.
    together = compute_all([indicator], tables, [Month(2026, 8), Month(2026, 9), OCT], ["EAST", "SOUTH"])
    pd.testing.assert_frame_equal(
        together[together["period"] == str(OCT)][result.columns].reset_index(drop=True), result, check_exact=True, obj=indicator.id
    )
    return {r.area: (r.numerator, r.denominator, r.value) for r in result.itertuples()}


def check(indicator, expected, tables=TABLES) -> None:
    got = parts(indicator, tables)
    (east, south) = expected
    assert got["EAST"][:2] == pytest.approx(east), indicator.id
    assert got["SOUTH"][:2] == pytest.approx(south), indicator.id
    assert got[AUTHORITY][:2] == pytest.approx((east[0] + south[0], east[1] + south[1])), indicator.id


@pytest.mark.parametrize(("kent", "london"), list(SAME_IN_BOTH), ids=[k for k, _ in SAME_IN_BOTH])
def test_same_definition_in_kent_and_london(kent, london):
    check(KENT[kent], SAME_IN_BOTH[(kent, london)])
    check(LONDON[london], SAME_IN_BOTH[(kent, london)])


@pytest.mark.parametrize("ident", list(KENT_ONLY))
def test_kent_indicator(ident):
    check(KENT[ident], KENT_ONLY[ident])


@pytest.mark.parametrize("ident", list(LONDON_ONLY))
def test_london_indicator(ident):
    check(LONDON[ident], LONDON_ONLY[ident])


@pytest.mark.parametrize("ident", list(DEFAULT_WORKED))
def test_default_indicator(ident):
    check(DEFAULT[ident], DEFAULT_WORKED[ident], DEFAULT_TABLES)


def test_the_default_catalogue_is_about_thirty_indicators_each_with_a_target_and_a_worked_example():
    from test_indicators import WORKED_IN_TEST_INDICATORS

    assert 25 <= len(DEFAULT) <= 35
    assert [i for i, ind in DEFAULT.items() if ind.target is None] == []  # every one rated
    assert set(DEFAULT) == set(DEFAULT_WORKED) | WORKED_IN_TEST_INDICATORS


def test_values_of_rates_counts_and_fte():
    # Rates scale by 10,000: CP_RATE EAST 2 / 10,000 -> 2.0. Counts and FTE show the numerator:
    # UNALLOCATED_28D for the authority is 2 cases, L0508 is 0.5 FTE (not 0.5 / 2.5).
    assert parts(KENT["CP_RATE"])["EAST"][2] == pytest.approx(2.0)
    assert parts(KENT["UNALLOCATED_28D"])[AUTHORITY][2] == 2
    assert parts(LONDON["L0508"])["EAST"][2] == pytest.approx(0.5)
    assert parts(KENT["AVERAGE_CASELOAD"])["EAST"][2] == pytest.approx(32 / 1.5)


TYPED = [
    "CASE_AUDITS_ADEQUATE",
    "ETHNICITY_RECORDED",
    "SEEN_AT_S47",
    "LAC_PEP",
    "LAC_REVIEW_PARTICIPATION",
    "CP_NOT_ALLOCATED_QSW",
    "LAC_NOT_ALLOCATED_QSW",
    "FOSTER_10_MILES",
    "LAC_DENTAL",
    "LAC_HEALTH",
]


def test_indicators_without_a_district_list_are_typed():
    # Kent's 10 typed indicators and London's NI 51: EAST types 8 of 10 (numerator/denominator),
    # SOUTH types a bare value; a row for September is ignored.
    assert sorted(i for i, ind in KENT.items() if ind.calculation["name"] == "typed_figure") == sorted(TYPED)
    rows = []
    for ident in [*TYPED, "NI51"]:
        rows += [
            (ident, "EAST", D("2026-10-01"), 8.0, 10.0, None),
            (ident, "SOUTH", D("2026-10-01"), None, None, 0.5),
            (ident, "SOUTH", D("2026-09-01"), None, None, 0.9),
        ]
    rows[-3:] = [("NI51", "ALL", D("2026-10-01"), None, None, 15.0)]  # NI 51: one score for the partnership
    tables = {"figures": frame("indicator district period numerator denominator value", *rows)}
    for ident in TYPED:
        got = parts(KENT[ident], tables)
        unit_scale = KENT[ident].scale
        assert got["EAST"][:2] == (8, 10) and got["SOUTH"][:2] == (0.5, unit_scale), ident
    assert parts(LONDON["NI51"], tables)[AUTHORITY][2] == 15


def test_a_typed_figure_takes_the_place_of_a_computed_one():
    # CP_RATE computes EAST 2/10,000 and SOUTH 1/5,000. SOUTH's manager types 4 children for
    # October (numerator 4, denominator 5,000): SOUTH shows 8.0 and the authority (2 + 4) / 15,000.
    # EAST keeps its computed figure. A typed figure for September changes nothing in October.
    figures = frame(
        "indicator district period numerator denominator value",
        ("CP_RATE", "SOUTH", D("2026-10-01"), 4.0, 5000.0, None),
        ("CP_RATE", "EAST", D("2026-09-01"), 9.0, 10000.0, None),
    )
    got = parts(KENT["CP_RATE"], {**TABLES, "figures": figures})
    assert got["SOUTH"][:3] == (4, 5000, pytest.approx(8.0))
    assert got["EAST"][:2] == (2, 10_000)
    assert got[AUTHORITY][:2] == (6, 15_000)


def test_typed_figures_alone_fill_a_computed_indicator_without_its_dataset():
    # No cp_plans list at all, but EAST typed 3 of 10,000: EAST 3.0, SOUTH no figure, the
    # authority is what was typed (3 / 10,000).
    figures = frame("indicator district period numerator denominator value", ("CP_RATE", "EAST", D("2026-10-01"), 3.0, 10000.0, None))
    got = parts(KENT["CP_RATE"], {"population": TABLES["population"], "figures": figures})
    assert got["EAST"][2] == pytest.approx(3.0)
    assert pd.isna(got["SOUTH"][2])
    assert got[AUTHORITY][:2] == (3, 10_000)


def test_every_shipped_indicator_has_a_worked_example():
    # A worked example names the indicator id in a test; the catalogue files list them all.
    catalogues = [default_catalogue_path(), *sorted(PRESETS.glob("*.toml"))]
    ids = {ind.id for path in catalogues for ind in load_catalogue(path)}
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py") if p.name != Path(__file__).name)
    tests += "\n".join(repr(k) for k in [*SAME_IN_BOTH, *KENT_ONLY, *LONDON_ONLY, *DEFAULT_WORKED, *TYPED, "NI51"])
    missing = sorted(i for i in ids if not re.search(rf"[\"']{i}[\"']", tests))
    assert not missing, f"indicators without a worked example: {missing}"
