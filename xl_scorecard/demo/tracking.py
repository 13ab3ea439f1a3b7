"""The lists practice-support staff keep beside the Annex A lists (early help, statutory reviews,
the unallocated list, child protection visits) and the pre-2014 initial and core assessments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from xl_scorecard.demo.common import MONTHS, District, Era, People, add_working_days, dates_between, working_calendar
from xl_scorecard.periods import Month


def initial_and_core(
    rng: np.random.Generator, people: People, child: np.ndarray, referred: np.ndarray, teams: list[str], pick: Any, end: dt.date
) -> pd.DataFrame:
    """List 4 before 2014: an initial assessment for each referral not closed as NFA (7 working
    days from the referral: about 80% in time) and, for about 40% of them, a core assessment
    starting when the initial one ends (35 working days from its start: about 75% in time)."""
    n = len(child)
    ia_start = add_working_days(referred, rng.integers(0, 2, n))
    ia_late = rng.random(n) < 0.2
    ia_done = add_working_days(referred, np.where(ia_late, rng.integers(8, 20, n), rng.integers(1, 8, n)))
    core = rng.random(n) < 0.4
    ca_start = add_working_days(ia_done[core], rng.integers(0, 3, int(core.sum())))
    ca_late = rng.random(len(ca_start)) < 0.25
    ca_done = add_working_days(ca_start, np.where(ca_late, rng.integers(36, 60, len(ca_start)), rng.integers(10, 36, len(ca_start))))
    who = np.concatenate([child, child[core]])
    kind = np.array(["Initial"] * n + ["Core"] * len(ca_start), dtype=object)
    start = np.concatenate([ia_start, ca_start])
    done = np.concatenate([ia_done, ca_done])
    order = np.argsort(start, kind="stable")
    who, kind, start, done = who[order], kind[order], start[order], done[order]
    referral = np.concatenate([referred, referred[core]])[order]
    return pd.DataFrame(
        {
            **people.columns(who, start),
            "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"], len(who), p=[0.08, 0.92]),
            "Assessment Type": kind,
            "Referral Date": referral.astype(object),
            "Continuous Assessment Start Date": start.astype(object),
            "Child Seen During Continuous Assessment": rng.choice(["a) Yes", "b) No"], len(who), p=[0.93, 0.07]),
            "Continuous Assessment Date of Authorisation": np.where(done > np.datetime64(end, "D"), np.datetime64("NaT"), done).astype(
                object
            ),
            "Allocated Team": rng.choice(teams, len(who)),
            "Allocated Worker": pick(len(who)),
        }
    )


def _months_after(day: pd.Timestamp, months: int) -> pd.Timestamp:
    return day + pd.DateOffset(months=months)


def _review_rows(rng: np.random.Generator, frame: pd.DataFrame, kind: str, start: str, stop: str, end: dt.date, team: str) -> list[dict]:
    """The statutory reviews due for each episode: CP conferences 3 months after the plan starts,
    then every 6 months; looked-after reviews 20 working days after care starts, then 3 months,
    then every 6 months. About 93% held on or before the due date."""
    rows: list[dict] = []
    last = pd.Timestamp(end)
    calendar = working_calendar()
    for child, begin, finish in zip(frame["Child Unique ID"], pd.to_datetime(frame[start]), pd.to_datetime(frame[stop])):
        closes = min(finish, last) if pd.notna(finish) else last
        if kind == "CP":
            due = [_months_after(begin, 3)]
        else:
            first = pd.Timestamp(np.busday_offset(np.datetime64(begin.date(), "D"), 20, roll="forward", busdaycal=calendar))
            due = [first, _months_after(first, 3)]
        while due[-1] <= closes:
            due.append(_months_after(due[-1], 6))
        for when in due:
            if when > closes:
                break
            luck = rng.random()
            held = when - pd.Timedelta(days=int(rng.integers(0, 15))) if luck < 0.93 else when + pd.Timedelta(days=int(rng.integers(1, 26)))
            rows.append(
                {
                    "Child Unique ID": child,
                    "Review Type": "Child Protection" if kind == "CP" else "Looked After",
                    "Review Due Date": when.date(),
                    "Review Date": held.date() if held <= last and luck < 0.985 else None,
                    "Team": team,
                }
            )
    return rows


def tracking_lists(
    rng: np.random.Generator, d: District, population: float, lists: dict[str, pd.DataFrame], start: dt.date, end: dt.date, era: Era
) -> None:
    """What practice-support staff track beside the Annex A lists: early help assessments
    (List 2), statutory reviews, the month-end unallocated list and child protection visits; and
    in the care list the current placement's start and why care ended. Drawn from their own
    random stream, so the lists above do not change."""
    window_start = pd.Timestamp(start)
    last = pd.Timestamp(end)
    referrals = lists["referrals"]
    # Early help assessments: about 80 per 10,000 children a year.
    n_eh = rng.poisson(population * 0.008 * MONTHS / 12)
    eh_start = dates_between(rng, start, end, n_eh)
    eh_end = eh_start + rng.integers(5, 60, n_eh).astype("timedelta64[D]")
    eh_ids = [f"{d.code}E{i + 1:05d}" for i in range(n_eh)]
    lists["early_help"] = pd.DataFrame(
        {
            "Child Unique ID": eh_ids,
            "Assessment start date": eh_start.astype(object),
            "Assessment completion date": np.where(eh_end <= np.datetime64(end, "D"), eh_end, np.datetime64("NaT")).astype(object),
            "Organisation completing assessment": rng.choice(["School", "Health visitor", "Children's centre", "Early help team"], n_eh),
        }
    )
    reviews = _review_rows(
        rng, lists["cp_plans"], "CP", "Child Protection Plan Start Date", "Child Protection Plan End Date", end, f"{d.name} Safeguarding"
    )
    reviews += _review_rows(
        rng, lists["cla"], "CLA", "Date Started to be Looked After", "Date Ceased to be Looked After", end, f"{d.name} Children in Care"
    )
    review_frame = pd.DataFrame(reviews)
    lists["reviews"] = review_frame[pd.to_datetime(review_frame["Review Due Date"]) >= window_start].reset_index(drop=True)
    # The month-end unallocated list: most cases wait a few days, some weeks.
    unallocated = []
    month = Month.of(start)
    while month.first_day <= end:
        as_at = month.last_day
        # A few cases a month, most allocated within the week, some waiting weeks.
        for _ in range(rng.poisson(max(2.0, len(referrals) / MONTHS * 0.06))):
            waited = int(rng.choice([rng.integers(1, 8), rng.integers(8, 29), rng.integers(29, 60)], p=[0.6, 0.28, 0.12]))
            unallocated.append(
                {
                    "Child Unique ID": str(rng.choice(referrals["Child Unique ID"])),
                    "Case Type": str(rng.choice(["Assessment", "Child in need", "Child protection"], p=[0.6, 0.3, 0.1])),
                    "Unallocated Since": as_at - dt.timedelta(days=waited),
                    "As at": as_at,
                    "Team": f"{d.name} Assessment",
                }
            )
        month = month.shift(1)
    lists["unallocated"] = pd.DataFrame(unallocated)
    # Child protection visits: every 5 to 14 working days while the plan is open.
    calendar = working_calendar()
    visits = []
    cp = lists["cp_plans"]
    for child, begin, finish in zip(
        cp["Child Unique ID"], pd.to_datetime(cp["Child Protection Plan Start Date"]), pd.to_datetime(cp["Child Protection Plan End Date"])
    ):
        stop = min(finish, last) if pd.notna(finish) else last
        day = np.datetime64(max(begin, window_start).date(), "D")
        day = np.busday_offset(day, int(rng.integers(1, 10)), roll="forward", busdaycal=calendar)
        while day <= np.datetime64(stop.date(), "D"):
            visits.append(
                {"Child Unique ID": child, "Visit Date": day.astype(dt.date), "Seen Alone": "Yes" if rng.random() < 0.8 else "No"}
            )
            day = np.busday_offset(day, int(rng.integers(5, 15)), roll="forward", busdaycal=calendar)
    lists["cp_visits"] = pd.DataFrame(visits, columns=["Child Unique ID", "Visit Date", "Seen Alone"])
    # Care: the current placement's start (most children stay where they were first placed) and,
    # for a closed period, why it ended (codes of the era).
    cla = lists["cla"]
    begin = pd.to_datetime(cla["Date Started to be Looked After"])
    finish = pd.to_datetime(cla["Date Ceased to be Looked After"])
    open_until = finish.fillna(last)
    moved = rng.random(len(cla)) < 0.35
    span = (open_until - begin).dt.days.clip(lower=1).to_numpy()
    offset = np.where(moved, (rng.random(len(cla)) * span).astype(int), rng.integers(0, 30, len(cla)))
    placed = (begin + pd.to_timedelta(np.minimum(offset, span - 1), unit="D")).dt.date
    cla["Start Date of Most Recent Placement"] = placed.astype(object)
    if era.initial_core:
        reasons, weights = ["E11", "E12", "E13", "E41", "E43", "E4A", "E8", "E5"], [0.08, 0.06, 0.25, 0.05, 0.06, 0.3, 0.1, 0.1]
    else:
        reasons, weights = ["E11", "E12", "E13", "E41", "E45", "E4A", "E8", "E5"], [0.08, 0.05, 0.25, 0.05, 0.08, 0.29, 0.1, 0.1]
    cla["Reason Ceased to be Looked After"] = np.where(finish.notna(), rng.choice(reasons, len(cla), p=weights), "")
