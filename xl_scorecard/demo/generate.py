"""Deterministic generator of the spreadsheets districts really keep (fictional data only).

Four fictional districts of a fictional county, Northshire, each with 24 months of Annex A case
lists (contacts, referrals, assessments, S47 enquiries, children in need, child protection, care,
care leavers, adoption) and monthly workforce sheets (supervision log, caseloads, establishment),
plus a population table. Rates follow national figures: about 85% of assessments within 45
working days, about 22% re-referrals, about 35 CP plans per 10,000 children.

Each district keeps its files its own way, as real ones do: title rows above the header, renamed
headers, dates typed as dd/mm/yyyy text, stray and non-breaking spaces, codes with and without
their "a)" prefix, one district in CSV, and a handful of genuinely bad rows for validation.

Run ``python -m xl_scorecard.demo.generate DIR [--size large]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xl_scorecard.demo.authority_files import config_text, toml_value, write_comparators, write_typed_figures
from xl_scorecard.demo.common import (
    AUTHORITY,
    CREATED,
    CURRENT,
    DISTRICTS,
    EASTBROOK_HEADERS,
    END,
    FIRST_NAMES,
    LIST_DATASETS,
    LIST_TITLES,
    MONTHS,
    NATIONAL_AUTHORITIES,
    NATIONAL_SCALE,
    PRESET_ERAS,
    SEED,
    SIZES,
    SOURCES,
    SURNAMES,
    District,
    Era,
    People,
    add_working_days,
    dates_between,
    national_names,
    working_calendar,
    write_csv,
    write_xlsx,
)
from xl_scorecard.demo.tracking import initial_and_core, tracking_lists
from xl_scorecard.periods import Month

__all__ = [
    "AUTHORITY",
    "DISTRICTS",
    "END",
    "MONTHS",
    "config_text",
    "generate_example",
    "generate_national",
    "national_names",
    "simulate_district",
    "toml_value",
]


def _episodes(
    rng: np.random.Generator, people: People, steady: float, mean_days: float, start: dt.date, end: dt.date, history_days: int
) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """Open/closed episodes with a steady caseload: a stock open at ``start`` plus new starts."""
    per_day = steady / mean_days
    new_n = rng.poisson(per_day * (end - start).days)
    stock_n = round(steady)
    starts_new = dates_between(rng, start, end, new_n)
    starts_old = dates_between(rng, start - dt.timedelta(days=history_days), start - dt.timedelta(days=1), stock_n)
    durations = rng.gamma(2.0, mean_days / 2.0, new_n + stock_n).astype(int) + 1
    begin = np.concatenate([starts_old, starts_new])
    finish = begin + durations.astype("timedelta64[D]")
    # Stock episodes must still be open at the window start.
    finish[:stock_n] = np.maximum(
        finish[:stock_n], np.datetime64(start, "D") + rng.integers(1, int(mean_days * 1.5), stock_n).astype("timedelta64[D]")
    )
    closed = finish <= np.datetime64(end, "D")
    return people.new(len(begin)), begin, np.where(closed, finish, np.datetime64("NaT")), closed


def simulate_district(d: District, scale: float, seed: int, era: Era = CURRENT) -> dict[str, pd.DataFrame]:
    """All case lists and workforce sheets of one district, as canonical-looking DataFrames
    with the 2019 Annex A headings (styling is applied when writing)."""
    rng = np.random.default_rng(seed)
    end = era.end.last_day
    start = era.end.shift(-(MONTHS - 1)).first_day
    lead_in = start - dt.timedelta(days=365)
    pop = d.population * scale
    people = People(rng, d.code, end)
    lists: dict[str, pd.DataFrame] = {}

    # Referrals over 36 months (12 months lead-in so "previous referral within 12 months" is real).
    n_ref = rng.poisson(pop * 0.050 * 3)
    ref_dates = dates_between(rng, lead_in, end, n_ref)
    child = np.empty(n_ref, dtype=np.int64)
    reuse = rng.random(n_ref) < 0.24
    window_start = 0
    for i in range(n_ref):
        while ref_dates[i] - ref_dates[window_start] > np.timedelta64(365, "D"):
            window_start += 1
        child[i] = child[rng.integers(window_start, i)] if reuse[i] and i > window_start else people.new(1)[0]
    previous = np.zeros(n_ref, dtype=np.int64)
    last_seen: dict[int, list[np.datetime64]] = {}
    # DfE's re-referral: within 12 calendar months of an earlier referral (not 365 days: a year
    # over 29 February has 366), so the column agrees with the dates.
    year_before = (pd.DatetimeIndex(ref_dates) - pd.DateOffset(months=12)).to_numpy().astype("datetime64[D]")
    for i in range(n_ref):
        seen = last_seen.setdefault(int(child[i]), [])
        previous[i] = sum(1 for s in seen if year_before[i] <= s < ref_dates[i])  # the same day is the same referral
        seen.append(ref_dates[i])
    keep = ref_dates >= np.datetime64(start, "D")
    ref_dates, child, previous = ref_dates[keep], child[keep], previous[keep]
    nfa = rng.random(len(child)) < 0.07
    teams = [f"{d.name} Assessment {n}" for n in (1, 2)]
    workers = [f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES]

    def worker_pick(n):
        return list(rng.choice(workers[:40], n))

    lists["referrals"] = pd.DataFrame(
        {
            **people.columns(child, ref_dates),
            "Date of referral": ref_dates.astype(object),
            "Referral Source": rng.choice(SOURCES, len(child)),
            "Referral NFA?": np.where(nfa, "a) Yes", "b) No"),
            "Number of Referrals in Last 12 Months": previous,
            "Allocated Team": rng.choice(teams, len(child)),
            "Allocated Worker": worker_pick(len(child)),
        }
    )

    # Contacts: every referral came from a contact, plus contacts that went no further.
    extra = rng.poisson(len(child) * 1.5)
    contact_child = np.concatenate([child, people.new(extra)])
    contact_dates = np.concatenate(
        [ref_dates - rng.integers(0, 3, len(child)).astype("timedelta64[D]"), dates_between(rng, start, end, extra)]
    )
    order = np.argsort(contact_dates, kind="stable")
    lists["contacts"] = pd.DataFrame(
        {
            **people.columns(contact_child[order], contact_dates[order]),
            "Date of Contact": contact_dates[order].astype(object),
            "Contact Source": rng.choice(SOURCES, extra + len(child)),
        }
    )

    # Assessments for referrals not closed as NFA: about 85% within 45 working days.
    a_child, a_ref = child[~nfa], ref_dates[~nfa]
    a_start = add_working_days(a_ref, rng.integers(0, 3, len(a_child)))
    late = rng.random(len(a_child)) < 0.15
    a_days = np.where(late, rng.integers(46, 80, len(a_child)), rng.integers(5, 46, len(a_child)))
    a_done = add_working_days(a_start, a_days)
    a_open = a_done > np.datetime64(end, "D")
    if era.initial_core:
        lists["assessments"] = initial_and_core(rng, people, a_child, a_ref, teams, worker_pick, end)
    else:
        lists["assessments"] = pd.DataFrame(
            {
                **people.columns(a_child, a_start),
                "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"], len(a_child), p=[0.08, 0.92]),
                "Continuous Assessment Start Date": a_start.astype(object),
                "Child Seen During Continuous Assessment": rng.choice(["a) Yes", "b) No"], len(a_child), p=[0.93, 0.07]),
                "Continuous Assessment Date of Authorisation": np.where(a_open, np.datetime64("NaT"), a_done).astype(object),
                "Was the child assessed as requiring LA children’s social care support": rng.choice(["a) Yes", "b) No"], len(a_child)),
                "Allocated Team": rng.choice(teams, len(a_child)),
                "Allocated Worker": worker_pick(len(a_child)),
            }
        )

    # Section 47 enquiries: about a third of assessments; a third go to ICPC.
    s_pick = rng.random(len(a_child)) < 0.32
    s_child, s_date = a_child[s_pick], add_working_days(a_start[s_pick], rng.integers(0, 4, s_pick.sum()))
    icpc = rng.random(len(s_child)) < 0.35
    icpc_date = add_working_days(s_date, rng.integers(6, 19, len(s_child)))
    icpc_date = np.where(icpc & (icpc_date <= np.datetime64(end, "D")), icpc_date, np.datetime64("NaT"))
    lists["s47"] = pd.DataFrame(
        {
            **people.columns(s_child, s_date),
            "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"], len(s_child), p=[0.08, 0.92]),
            "Strategy discussion initiating Section 47 Enquiry Start Date": s_date.astype(object),
            "Was an Initial Child Protection Conference deemed unnecessary?": np.where(icpc, "b) No", "a) Yes"),
            "Date of Initial Child Protection Conference": icpc_date.astype(object),
            "Did the Initial Child Protection Conference Result in a Child Protection Plan": np.where(
                ~np.isnat(icpc_date), rng.choice(["a) Yes", "b) No"], len(s_child), p=[0.85, 0.15]), ""
            ),
            "Allocated Team": rng.choice(teams, len(s_child)),
            "Allocated Worker": worker_pick(len(s_child)),
        }
    )

    # Children in need, CP plans and children in care: steady caseloads with realistic durations.
    idx, begin, finish, closed = _episodes(rng, people, pop * 300 / 10_000, 220, start, end, 600)
    lists["cin"] = pd.DataFrame(
        {
            **people.columns(idx, begin),
            "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"], len(idx), p=[0.1, 0.9]),
            "CIN Start Date": begin.astype(object),
            "Primary Need Code": rng.choice(
                ["N1 - Abuse or neglect", "N2 - Child's disability", "N4 - Family in acute stress", "N5 - Family dysfunction"], len(idx)
            ),
            "Date Child Was Last Seen": np.where(
                closed, finish, np.datetime64(end, "D") - rng.integers(0, 40, len(idx)).astype("timedelta64[D]")
            ).astype(object),
            "CIN Closure Date": finish.astype(object),
            "Reason for Closure": np.where(closed, "RC4 - Case closed after assessment", ""),
            "Case status": np.where(closed, "e) Closed episode", "c) Child in need plan"),
        }
    )
    idx, begin, finish, closed = _episodes(rng, people, pop * 35 / 10_000, 300, start, end, 700)
    lists["cp_plans"] = pd.DataFrame(
        {
            **people.columns(idx, begin),
            "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"], len(idx), p=[0.08, 0.92]),
            "Child Protection Plan Start Date": begin.astype(object),
            "Initial Category of Abuse": rng.choice(
                ["a) Neglect", "b) Physical abuse", "c) Sexual abuse", "d) Emotional abuse"], len(idx), p=[0.5, 0.1, 0.05, 0.35]
            ),
            "Latest Category of Abuse": rng.choice(["a) Neglect", "d) Emotional abuse"], len(idx)),
            "Date of the Last Statutory Visit": np.where(
                closed, finish, np.datetime64(end, "D") - rng.integers(0, 20, len(idx)).astype("timedelta64[D]")
            ).astype(object),
            "Was the Child Seen Alone?": rng.choice(["a) Yes", "b) No"], len(idx), p=[0.8, 0.2]),
            "Child Protection Plan End Date": finish.astype(object),
            "Number of Previous Child Protection Plans": rng.choice([0, 1, 2], len(idx), p=[0.78, 0.18, 0.04]),
            "Allocated Team": [f"{d.name} Safeguarding"] * len(idx),
            "Allocated Worker": worker_pick(len(idx)),
        }
    )
    idx, begin, finish, closed = _episodes(rng, people, pop * 62 / 10_000, 900, start, end, 3000)
    lists["cla"] = pd.DataFrame(
        {
            **people.columns(idx, begin),
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": rng.choice(
                ["a) Yes", "b) No"], len(idx), p=[0.06, 0.94]
            ),
            "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"], len(idx), p=[0.1, 0.9]),
            "Date Started to be Looked After": begin.astype(object),
            "Child's Category of Need": rng.choice(["N1 - Abuse or neglect", "N4 - Family in acute stress"], len(idx)),
            "Child's Legal Status": rng.choice(
                ["C2: FCO", "C1: ICO", "V2: Single period under S20", "E1: Placement order"], len(idx), p=[0.5, 0.2, 0.25, 0.05]
            ),
            "Number of Placements in the Last 12 months": rng.choice([1, 2, 3, 4], len(idx), p=[0.7, 0.19, 0.08, 0.03]),
            "Date Ceased to be Looked After": finish.astype(object),
            "Reason Ceased to be Looked After": np.where(closed, "l) E13", ""),
            "Placement Type": rng.choice(["f) U4", "d) U2", "j) K2", "b) P1"], len(idx)),
            "Allocated Team": [f"{d.name} Children in Care"] * len(idx),
            "Allocated Worker": worker_pick(len(idx)),
        }
    )
    n_cl = max(3, int(pop * 45 / 10_000))
    cl = people.new(n_cl)
    lists["care_leavers"] = pd.DataFrame(
        {
            **people.columns(cl, np.full(n_cl, np.datetime64(end, "D"))),
            "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"], n_cl, p=[0.1, 0.9]),
            "Allocated Team": [f"{d.name} Leaving Care"] * n_cl,
            "Allocated Worker": worker_pick(n_cl),
            "Eligibility Category": rng.choice(["a) Relevant child", "b) Former relevant child"], n_cl, p=[0.2, 0.8]),
            "LA In Touch": rng.choice(["a) Yes", "b) No"], n_cl, p=[0.92, 0.08]),
            "Type of Accommodation": rng.choice(["B", "C", "D", "S", "T"], n_cl),
            "Suitability of Accommodation": rng.choice(["a) Suitable", "b) Unsuitable"], n_cl, p=[0.9, 0.1]),
            "Activity Status": rng.choice(["F1", "P1", "F2", "G4", "G6"], n_cl, p=[0.3, 0.1, 0.2, 0.25, 0.15]),
        }
    )
    n_ad = max(2, int(pop * 8 / 10_000))
    ad = people.new(n_ad)
    # Children entering care up to two years before the window and in its first year, so
    # placements fall across the whole window; a step not yet reached by its end is blank.
    entered = dates_between(rng, start - dt.timedelta(days=700), start + dt.timedelta(days=300), n_ad)
    decision = entered + rng.integers(90, 300, n_ad).astype("timedelta64[D]")
    placed = decision + rng.integers(60, 300, n_ad).astype("timedelta64[D]")
    order_ = placed + rng.integers(60, 200, n_ad).astype("timedelta64[D]")
    last_day = np.datetime64(end, "D")

    def by_end(dates: np.ndarray) -> np.ndarray:
        return np.where(dates <= last_day, dates, np.datetime64("NaT")).astype(object)

    lists["adoption"] = pd.DataFrame(
        {
            **people.columns(ad, entered),
            "Does the Child have a Disability": ["b) No"] * n_ad,
            "Date the Child Entered Care": entered.astype(object),
            "Date of Decision that Child Should be Placed for Adoption": by_end(decision),
            "Date of Placement Order": by_end(decision + np.timedelta64(30, "D")),
            "Date of Matching Child and Prospective Adopters": by_end(placed - np.timedelta64(14, "D")),
            "Date Placed for Adoption": by_end(placed),
            "Date of Adoption Order": by_end(order_),
        }
    )
    lists.update(_workforce(rng, d, scale, start))
    tracking_lists(np.random.default_rng(seed + 424_242), d, pop, lists, start, end, era)
    return {name: _to_dates(frame) for name, frame in lists.items()}


def _to_dates(frame: pd.DataFrame) -> pd.DataFrame:
    # numpy datetime64 values -> datetime.date (None for NaT), so every writer sees plain dates.
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, np.datetime64)).any():
            frame[column] = frame[column].map(lambda v: None if np.isnat(v) else v.astype("datetime64[D]").astype(dt.date))
    return frame


def _workforce(rng: np.random.Generator, d: District, scale: float, start: dt.date) -> dict[str, pd.DataFrame]:
    """Monthly staff (caseloads), supervision log and establishment for one district."""
    team_types = ["Assessment", "Safeguarding", "Children in Care"]
    size = max(6, int(d.population * scale / 450))
    roles = ["Social Worker"] * 14 + ["Senior Practitioner"] * 3 + ["Team Manager"] * 2 + ["Family Support Worker"]
    names = [f"{f} {s}" for s in SURNAMES for f in FIRST_NAMES]
    rng.shuffle(names)
    next_name = iter(names * 50)
    staff: list[dict[str, Any]] = [
        {
            "worker": next(next_name),
            "team_type": team_types[i % 3],
            "role": roles[i % len(roles)],
            "fte": float(rng.choice([1.0, 1.0, 1.0, 0.8, 0.6])),
            "agency": rng.random() < 0.17,
        }
        for i in range(size)
    ]
    caseloads, supervision, establishment = [], [], []
    calendar = working_calendar()
    month = Month.of(start)
    for _ in range(MONTHS):
        for person in staff:  # about 2% turnover a month
            if rng.random() < 0.02:
                person.update(worker=next(next_name), agency=rng.random() < 0.17)
        for number, person in enumerate(staff, start=1):
            qualified = person["role"] != "Family Support Worker"
            mean = {"Social Worker": 17, "Senior Practitioner": 14, "Team Manager": 1, "Family Support Worker": 9}[person["role"]]
            team = f"{d.name} {person['team_type']}"
            caseloads.append(
                {
                    "Month": month.first_day,
                    "Worker": person["worker"],
                    "Team": team,
                    "Team Type": person["team_type"],
                    "Role": person["role"],
                    "FTE": person["fte"],
                    "Qualified": "Yes" if qualified else "No",
                    "Agency": "Yes" if person["agency"] else "No",
                    "Cases": int(rng.poisson(mean * person["fte"])),
                }
            )
            if qualified and rng.random() < 0.86:
                days = np.arange(np.datetime64(month.first_day, "D"), np.datetime64(month.last_day, "D") + 1)
                day = rng.choice(days[np.is_busday(days, busdaycal=calendar)])
                supervision.append(
                    {
                        "Worker": person["worker"],
                        "Team": team,
                        "Role": person["role"],
                        "Supervision Date": day.astype(dt.date),
                        "Supervisor": f"{d.name} Team Manager",
                    }
                )
            establishment.append(
                {
                    "Month": month.first_day,
                    "Post ID": f"{d.code}-P{number:03d}",
                    "Team": team,
                    "Post Type": person["role"],
                    "FTE": person["fte"],
                    "Filled By": "Agency" if person["agency"] else "Permanent",
                    "Qualified": "Yes" if qualified else "No",
                }
            )
        for vacancy in range(max(1, size // 12)):
            establishment.append(
                {
                    "Month": month.first_day,
                    "Post ID": f"{d.code}-V{vacancy + 1:03d}",
                    "Team": f"{d.name} Assessment",
                    "Post Type": "Social Worker",
                    "FTE": 1.0,
                    "Filled By": "Vacant",
                    "Qualified": "Yes",
                }
            )
        month = month.shift(1)
    supervision.sort(key=lambda r: r["Supervision Date"])
    return {"supervision": pd.DataFrame(supervision), "staff": pd.DataFrame(caseloads), "establishment": pd.DataFrame(establishment)}


def _spoil(d: District, lists: dict[str, pd.DataFrame], era: Era = CURRENT) -> None:
    """Plant the genuinely bad rows validation must report (each in the last month, so they
    would change the figures if they were counted)."""
    last = era.end.first_day
    if d.style == "renamed":
        a = lists["assessments"]
        done = a.index[a["Continuous Assessment Date of Authorisation"].map(lambda v: v is not None and v >= last)]
        a.loc[done[:2], "Child Unique ID"] = ""
        a.loc[done[2], "Continuous Assessment Start Date"] = a.loc[done[2], "Continuous Assessment Date of Authorisation"] + dt.timedelta(
            days=5
        )
        lists["referrals"]["Number of Referrals in Last 12 Months"] = lists["referrals"]["Number of Referrals in Last 12 Months"].astype(
            object
        )
        lists["referrals"].loc[lists["referrals"].index[-3], "Number of Referrals in Last 12 Months"] = "unknown"
    elif d.style == "titles":
        cp = lists["cp_plans"]
        ended = cp.index[cp["Child Protection Plan End Date"].notna()]
        cp.loc[ended[0], "Child Protection Plan End Date"] = cp.loc[ended[0], "Child Protection Plan Start Date"] - dt.timedelta(days=10)
        cp["Child Protection Plan Start Date"] = cp["Child Protection Plan Start Date"].astype(object)
        cp.loc[cp.index[-1], "Child Protection Plan Start Date"] = f"31/02/{era.end.year}"
    elif d.style == "csv":
        r = lists["referrals"]
        r.loc[r.index[-5], "Child Unique ID"] = ""
        r["Date of referral"] = r["Date of referral"].astype(object)
        r.loc[r.index[-8], "Date of referral"] = f"{era.end.year}-13-01"
    else:
        s = lists["staff"]
        s["Cases"] = s["Cases"].astype(object)
        s.loc[s.index[-1], "Cases"] = "n/k"


def _restyle(d: District, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    frame = frame.copy()
    if d.style == "renamed":
        frame = frame.rename(columns=EASTBROOK_HEADERS)
        for column in ("Allocated Team", "Team"):
            if column in frame:  # trailing spaces and non-breaking spaces from copy-paste
                frame[column] = [v + ("\u00a0" if i % 3 == 0 else " ") for i, v in enumerate(frame[column])]
        for column in frame.columns:
            if frame[column].map(lambda v: v in ("a) Yes", "b) No")).all():
                frame[column] = frame[column].map(lambda v: v[3:] + ("\u00a0" if rng.random() < 0.2 else ""))
    elif d.style == "titles":
        for column in frame.columns:
            if frame[column].map(lambda v: isinstance(v, str) and len(v) > 3 and v[1:3] == ") ").all():
                frame[column] = frame[column].map(lambda v: v[3:])
        frame = frame.rename(columns={"Child Unique ID": "Child Unique ID ", "Referral NFA?": "Referral NFA"})
    return frame


WORKFORCE_SHEETS = {"supervision": "Supervision log", "staff": "Caseloads", "establishment": "Establishment"}
# Kept by practice-support staff beside the Annex A lists, in a workbook of their own.
TRACKING_SHEETS = {"reviews": "Reviews", "unallocated": "Unallocated cases", "cp_visits": "CP visits"}


def write_district(d: District, lists: dict[str, pd.DataFrame], out: Path, seed: int) -> list[dict]:
    """Write one district's files in its own style; return its [[source]] entries."""
    rng = np.random.default_rng(seed + 7)
    folder = out / d.name
    folder.mkdir(parents=True, exist_ok=True)
    sources: list[dict] = []
    if d.style == "csv":
        for number, dataset in LIST_DATASETS.items():
            name = f"list{number}_{dataset}.csv"
            write_csv(folder / name, lists[dataset], "utf-8-sig")
            sources.append({"district": d.code, "dataset": dataset, "file": f"{d.name}/{name}"})
        for dataset, title in {**WORKFORCE_SHEETS, **TRACKING_SHEETS}.items():
            name = title.lower().replace(" ", "_") + ".csv"
            write_csv(folder / name, lists[dataset], "cp1252")  # saved from Excel on Windows
            sources.append({"district": d.code, "dataset": dataset, "file": f"{d.name}/{name}"})
        return sources
    text_dates = d.style == "renamed"
    annex = {"clean": f"{d.name} Annex A lists.xlsx", "renamed": "EB Annex A 2026.xlsx", "titles": f"{d.name} Annex A.xlsx"}[d.style]
    sheets = []
    for number, dataset in LIST_DATASETS.items():
        sheet = f"List_{number}" if d.style == "renamed" else f"List {number}"
        titles = {
            "clean": [f"List {number}: {LIST_TITLES[number]}", ""],
            "renamed": [],
            "titles": [f"{d.name} District", f"Annex A extract run {CREATED:%d/%m/%Y}", ""],
        }[d.style]
        sheets.append((sheet, titles, _restyle(d, lists[dataset], rng)))
        entry: dict[str, Any] = {"district": d.code, "dataset": dataset, "file": f"{d.name}/{annex}", "sheet": sheet}
        if d.style == "renamed" and dataset == "assessments":
            # Eastbrook's own wording for the authorisation date, mapped in the configuration alone.
            entry["headers"] = {"authorised_date": ["Date assessment signed off"]}
        sources.append(entry)
    write_xlsx(folder / annex, sheets, text_dates)
    workforce = f"{d.name} workforce.xlsx"
    write_xlsx(
        folder / workforce, [(title, [], _restyle(d, lists[dataset], rng)) for dataset, title in WORKFORCE_SHEETS.items()], text_dates
    )
    for dataset, title in WORKFORCE_SHEETS.items():
        sources.append({"district": d.code, "dataset": dataset, "file": f"{d.name}/{workforce}", "sheet": title})
    tracking = f"{d.name} reviews, visits and allocation.xlsx"
    write_xlsx(folder / tracking, [(title, [], _restyle(d, lists[dataset], rng)) for dataset, title in TRACKING_SHEETS.items()], text_dates)
    for dataset, title in TRACKING_SHEETS.items():
        sources.append({"district": d.code, "dataset": dataset, "file": f"{d.name}/{tracking}", "sheet": title})
    return sources


def generate_national(out: Path, count: int = NATIONAL_AUTHORITIES, seed: int = SEED, workers: int = 2) -> list[Path]:
    """``count`` fictional authorities, each in its own folder under ``out`` with its own
    configuration (``refresh --all out`` finds them); ~2M case-list rows for 150."""
    from concurrent.futures import ProcessPoolExecutor

    out = Path(out)
    jobs = [(out / name.lower(), "national", seed + 7919 * number, name) for number, name in enumerate(national_names(count))]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_generate_job, jobs))


def _generate_job(job: tuple) -> Path:
    folder, size, seed, name = job
    return generate_example(folder, size, seed, name)


def generate_example(out: Path, size: str = "small", seed: int = SEED, name: str = AUTHORITY, preset: str | None = None) -> Path:
    """Generate the example authority into ``out``; return the configuration's path.

    With ``preset`` (``kent_2012``, ``london_2010``, ``birmingham_2017``) the authority lives in
    the preset's era (initial and core assessments before 2014) and its configuration uses the
    preset, with the typed figures the preset needs; without, it uses the default catalogue,
    with example England and neighbour figures."""
    sizes = {**SIZES, "national": NATIONAL_SCALE}
    if size not in sizes:
        raise ValueError(f"size must be one of {', '.join(sizes)}")
    if preset is not None and preset not in PRESET_ERAS:
        raise ValueError(f"preset must be one of {', '.join(PRESET_ERAS)}")
    era = PRESET_ERAS[preset] if preset else CURRENT
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sources: list[dict] = []
    population = []
    for number, d in enumerate(DISTRICTS):
        lists = simulate_district(d, sizes[size], seed + 1000 * number, era)
        _spoil(d, lists, era)
        sources += write_district(d, lists, out, seed + number)
        for back, factor in ((2, 0.985), (1, 0.993), (0, 1.0)):
            year = era.end.year - back
            population.append({"District": d.name, "Year": year, "Population aged 0-17": round(d.population * sizes[size] * factor)})
    write_csv(out / "population.csv", pd.DataFrame(population), "utf-8")
    neighbours: list[str] = []
    if preset:
        sources += write_typed_figures(out, preset, era, seed)
    elif size != "national":  # the national run is for speed: no comparators
        comparator_sources, neighbours = write_comparators(out, seed, name)
        sources += comparator_sources
    config = out / "authority.toml"
    config.write_text(config_text(sources, name=name, era=era, preset=preset, neighbours=neighbours), encoding="utf-8")
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the fictional Northshire example data.")
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--size", choices=[*sorted(SIZES), "national"], default="small", help="national: 150 authorities, each in its own folder"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--preset", choices=sorted(PRESET_ERAS), help="an example authority for a seed scorecard's preset")
    args = parser.parse_args(argv)
    if args.size == "national":
        print(f"{len(generate_national(args.out, seed=args.seed))} authorities in {args.out}")
    else:
        print(generate_example(args.out, args.size, args.seed, preset=args.preset))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
