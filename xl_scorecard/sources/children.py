"""Children, not rows: a child's overlapping periods, and SSDA903 episodes as periods of care.

An Annex A list has one row per child (or per plan); the SSDA903 return has one row per
*episode*, and a new episode starts at every change of placement or legal status. Counting
episodes as children in care, or each episode's end as leaving care, makes plausible wrong
figures: here episodes become periods of care (one row per child per period), and stacked yearly
extracts (the same episode in the 2022 and the 2023 file) are counted once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# SSDA903 RNE (reason for new episode): S starts a period of care; L is a change of legal status
# only (the child stays in the same placement); P, T, U and B change the placement.
STARTS_PERIOD = "S"
SAME_PLACEMENT = "L"
# SSDA903 REC X1: the episode ended but the period of care goes on (a new episode follows).
CARE_CONTINUES = "X1"
NEW_EPISODE = "new_episode"
BROKEN_CHAIN = "_x1_without_next_episode"  # a column of the periods, dropped after reporting
EXTRACT_YEAR = "extract_year"


@dataclass(frozen=True)
class Overlap:
    """A child with two or more rows open at the same time: the spreadsheet rows, first first."""

    district: str
    child_id: str
    rows: tuple[int, ...]


def overlapping_rows(table: pd.DataFrame, start: str, end: str) -> list[Overlap]:
    """Children with rows whose periods (``start`` to ``end``, open when ``end`` is blank)
    overlap: the same plan recorded twice, or a period not closed before the next began."""
    if table.empty or "child_id" not in table:
        return []
    begins = table[start].to_numpy(dtype="datetime64[D]")
    dated = ~np.isnat(begins)
    if not dated.any():
        return []
    # In plain numpy (lists of 10^5 rows): sorted by district, child and start, a row overlaps
    # when it starts before the latest end of the same child's earlier rows. Each child's days
    # are offset by a multiple of a million, so one running maximum serves every child.
    district = pd.factorize(table["district"].astype(str))[0][dated]
    child = pd.factorize(table["child_id"])[0][dated]
    first = begins[dated].astype("int64")
    ends = table[end].to_numpy(dtype="datetime64[D]")[dated]
    last = np.where(np.isnat(ends), 400_000, ends.astype("int64"))  # open: the far future
    rows = table["source_row"].to_numpy()[dated]
    order = np.lexsort((rows, first, child, district))
    group = np.cumsum(np.r_[True, (np.diff(child[order]) != 0) | (np.diff(district[order]) != 0)])
    offset = group.astype("int64") * 1_000_000
    running = np.maximum.accumulate(last[order] + offset)
    same = np.r_[False, group[1:] == group[:-1]]
    clash = np.zeros(len(order), dtype=bool)
    clash[1:] = same[1:] & (first[order][1:] + offset[1:] < running[:-1])
    if not clash.any():
        return []
    found = []
    districts, children = table["district"].astype(str).to_numpy()[dated], table["child_id"].to_numpy()[dated]
    bounds = np.r_[np.flatnonzero(np.r_[True, group[1:] != group[:-1]]), len(order)]  # group g is bounds[g - 1]:bounds[g]
    for g in np.unique(group[clash]):
        members = order[bounds[g - 1] : bounds[g]]
        found.append(Overlap(str(districts[members[0]]), str(children[members[0]]), tuple(sorted(int(r) for r in rows[members]))))
    return found


def is_episode_table(table: pd.DataFrame) -> bool:
    """True when the looked-after table holds SSDA903 episodes (an RNE column with values)."""
    return NEW_EPISODE in table and bool(table[NEW_EPISODE].notna().any())


def drop_stacked_repeats(table: pd.DataFrame, start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stacked yearly extracts hold the same episode once per year: each (district, child,
    episode start) is kept from the latest extract only. Within one extract two episodes may
    share a start (an episode that began and ended the same day, then the next): both stay.
    Without a year column, a repeated start is a repeat unless it is such a same-day episode.
    Returns (kept, dropped)."""
    key = ["district", "child_id", start]
    if EXTRACT_YEAR in table and table[EXTRACT_YEAR].notna().any():
        year = table[EXTRACT_YEAR].astype("float64").fillna(-1)
        latest = year.groupby([table[k] for k in key], observed=True, dropna=False).transform("max")
        repeated = year < latest
    else:
        same_day = table[end].notna() & (table[end] == table[start])
        repeated = table.sort_values("source_row", kind="stable").duplicated(key, keep="last").reindex(table.index) & ~same_day
    return table[~repeated], table[repeated]


def periods_of_care(episodes: pd.DataFrame, *, start: str, end: str, reason: str, reference: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per child per period of care, from SSDA903 episodes (already free of stacked
    repeats). A period begins at an episode with RNE "S" (or a child's first episode in the
    data) and ends at the first episode whose REC is not X1; its reason ceased is that REC. The
    current placement began at the latest episode that changed placement (RNE other than "L");
    placements in the last 12 months are counted to ``reference`` (the extract's last date).
    Legal status and placement type are those of the period's last episode."""
    if episodes.empty:
        return episodes
    frame = episodes.sort_values(["district", "child_id", start, "source_row"], kind="stable").reset_index(drop=True)
    if reference is None:
        dates = pd.concat([frame[start], frame[end]])
        reference = dates.max()
    same_child = (frame["child_id"] == frame["child_id"].shift()) & (frame["district"].astype(str) == frame["district"].astype(str).shift())
    previous_reason = frame[reason].shift()
    begins = ~same_child | (frame[NEW_EPISODE] == STARTS_PERIOD) | (previous_reason.notna() & (previous_reason != CARE_CONTINUES))
    period = begins.cumsum()
    changes_placement = frame[NEW_EPISODE] != SAME_PLACEMENT
    placement = (changes_placement | begins).cumsum()
    frame = frame.assign(_period=period, _placement=placement)
    placement_start = frame.groupby("_placement")[start].transform("min")
    placement_end = frame.groupby("_placement")[end].transform(lambda s: s.iloc[-1])
    window_start = reference - pd.DateOffset(months=12)
    in_window = (placement_start <= reference) & (placement_end.isna() | (placement_end >= window_start))
    placements_12m = frame.assign(_in=in_window).drop_duplicates("_placement").groupby("_period")["_in"].sum()
    last = frame.groupby("_period").tail(1).set_index("_period")
    first_start = frame.groupby("_period")[start].min()
    ended = last[reason].notna() & (last[reason] != CARE_CONTINUES)
    out = last.copy()
    # A period whose last episode ceased with X1 (care goes on) but has no later episode: the
    # extract was cut, or an episode is missing. Counted as still in care, and marked so the
    # sources stage can say so.
    out[BROKEN_CHAIN] = (last[reason] == CARE_CONTINUES) & last[end].notna()
    out[start] = first_start
    out[end] = last[end].where(ended)
    out[reason] = last[reason].where(ended)
    if "placement_start" in out:
        out["placement_start"] = placement_start.groupby(frame["_period"]).last()
    if "placements_12m" in out:
        out["placements_12m"] = placements_12m.astype("Int64")
    return out.drop(columns=["_placement"]).reset_index(drop=True)


# The column the sources stage adds to the referrals: re-referral from the dates (see below).
REREFERRAL_FROM_DATES = "rereferral_from_dates"


def rereferrals_from_dates(table: pd.DataFrame, date: str = "referral_date") -> np.ndarray:
    """Per referral: 1.0 when it came within 12 calendar months of the same child's previous
    referral (DfE's re-referral), 0.0 when not, NaN when the dates cannot tell (no earlier
    referral, and the list does not reach back 12 months before this one: its district's
    earliest referral is later than that)."""
    dates = table[date]
    from_dates = np.full(len(table), np.nan)
    if "child_id" not in table or not len(table):
        return from_dates
    when = dates.to_numpy(dtype="datetime64[ns]")
    child = pd.factorize(table["child_id"])[0]
    child[np.isnat(when)] = -1
    # Sorted by child then date, a child's previous referral is the row just before the run of
    # rows sharing this one's date (two rows of one day are one referral). Plain numpy: this
    # runs on lists of 10^5 referrals.
    order = np.lexsort((when, child))
    child_sorted, when_sorted = child[order], when[order]
    position = np.arange(len(order))
    new_run = np.ones(len(order), dtype=bool)
    new_run[1:] = (child_sorted[1:] != child_sorted[:-1]) | (when_sorted[1:] != when_sorted[:-1])
    run_start = np.maximum.accumulate(np.where(new_run, position, 0))
    before = run_start - 1
    has_previous = (before >= 0) & (child_sorted >= 0)
    has_previous[has_previous] &= child_sorted[before[has_previous]] == child_sorted[has_previous]
    previous_sorted = np.full(len(order), np.datetime64("NaT"), dtype="datetime64[ns]")
    previous_sorted[has_previous] = when_sorted[before[has_previous]]
    previous = np.empty_like(previous_sorted)
    previous[order] = previous_sorted
    year_before = (dates - pd.DateOffset(months=12)).to_numpy(dtype="datetime64[ns]")
    earliest = dates.groupby(table["district"], observed=True).transform("min").to_numpy(dtype="datetime64[ns]")
    within = ~np.isnat(previous) & (previous >= year_before)
    reaches_back = earliest <= year_before
    from_dates = np.where(within, 1.0, np.where(reaches_back, 0.0, np.nan))
    from_dates[np.isnat(when)] = np.nan
    return from_dates
