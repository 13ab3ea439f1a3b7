"""History: every period's results kept, so trends and sparklines work across refreshes.

The history lives in the master workbook's "History data" sheet. Recomputing a period restates
it; it never duplicates it, and never replaces a month stored complete with a worse (incomplete
or no-data) recomputation: an unreadable file this month does not rewrite last year.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from xl_scorecard.indicators.completeness import COMPLETE
from xl_scorecard.master_cells import sheet_rows

HISTORY_SHEET = "History data"
HISTORY_COLUMNS = ["indicator", "area", "period", "numerator", "denominator", "value", "rag", "status", "reason"]
# Masters written before figures carried their completeness have the first seven columns.
LEGACY_COLUMNS = HISTORY_COLUMNS[:7]
_KEY = ["indicator", "area", "period"]


def worse_than_stored(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``new`` that would replace a figure stored complete with one that is not:
    ``merge_history`` keeps the stored figure instead (indicator, area, period, new status)."""
    if old is None or old.empty or "status" not in new:
        return new.iloc[0:0][[*_KEY, "status"]]
    stored = old[old["status"] == COMPLETE][_KEY]
    worse = new[new["status"] != COMPLETE]
    return worse.merge(stored, on=_KEY, how="inner")[[*_KEY, "status"]]


def merge_history(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``new`` replace rows of ``old`` with the same indicator, area and period, except
    where ``old`` is complete and ``new`` is not (see ``worse_than_stored``)."""
    new = _with_status(new)[HISTORY_COLUMNS]
    if old is None or old.empty:
        merged = new
    else:
        old = _with_status(old)[HISTORY_COLUMNS]
        protected = pd.MultiIndex.from_frame(worse_than_stored(old, new)[_KEY])
        new = new[~pd.MultiIndex.from_frame(new[_KEY]).isin(protected)]
        keys = pd.MultiIndex.from_frame(new[_KEY])
        kept = old[~pd.MultiIndex.from_frame(old[_KEY]).isin(keys)]
        merged = pd.concat([kept, new], ignore_index=True)
    return merged.sort_values(_KEY, kind="stable").reset_index(drop=True)


def _with_status(frame: pd.DataFrame) -> pd.DataFrame:
    # Rows without a status (older masters, results scored without completeness) are complete
    # where they have a value and "no data" where they do not.
    if "status" in frame and "reason" in frame:
        return frame
    out = frame.copy()
    if "status" not in out:
        out["status"] = out["value"].notna().map({True: COMPLETE, False: "no data"})
    if "reason" not in out:
        out["reason"] = ""
    return out


def read_history(master: Path) -> pd.DataFrame | None:
    """The history stored in an existing master, or None when there is none."""
    rows = _sheet_rows(master, HISTORY_SHEET)
    if rows is None:
        return None
    header = [str(c) for c in rows[0]] if rows else []
    columns = HISTORY_COLUMNS if header[: len(HISTORY_COLUMNS)] == HISTORY_COLUMNS else LEGACY_COLUMNS
    if header[: len(columns)] != columns:
        return None
    frame = pd.DataFrame([r[: len(columns)] for r in rows[1:]], columns=columns)
    for column in ("numerator", "denominator", "value"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    for column in ("indicator", "area", "period", "rag", *columns[len(LEGACY_COLUMNS) :]):
        frame[column] = frame[column].astype(str)
    return _with_status(frame)


RESTATEMENTS_SHEET = "Restatements"
RESTATEMENT_COLUMNS = ["Recorded", "Month", "Indicator", "Area", "Unit", "Old value", "New value", "Inputs"]


def restated(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Figures stored complete that this run, complete too, computes differently: restatements
    (indicator, area, period, old, new). The new figure replaces the stored one; the change is
    recorded, not hidden."""
    columns = [*_KEY, "old", "new"]
    if old is None or old.empty or "status" not in new:
        return pd.DataFrame(columns=columns)
    stored = _with_status(old)
    stored = stored[stored["status"] == COMPLETE][[*_KEY, "value"]].rename(columns={"value": "old"})
    fresh = new[new["status"] == COMPLETE][[*_KEY, "value"]].rename(columns={"value": "new"})
    both = stored.merge(fresh, on=_KEY, how="inner")
    old_values, new_values = both["old"].astype("float64"), both["new"].astype("float64")
    # Differences past the 12th significant digit are arithmetic, not a change in the data.
    changed = (old_values - new_values).abs() > 1e-9 * old_values.abs().clip(lower=1.0)
    changed |= old_values.isna() != new_values.isna()
    return both[changed][columns].reset_index(drop=True)


def read_restatements(master: Path) -> pd.DataFrame:
    """The Restatements record kept in ``master`` (empty when there is none yet)."""
    empty = pd.DataFrame(columns=RESTATEMENT_COLUMNS)
    rows = _sheet_rows(master, RESTATEMENTS_SHEET)
    if rows is None:
        return empty
    header = next((i for i, r in enumerate(rows) if [str(c) for c in r[: len(RESTATEMENT_COLUMNS)]] == RESTATEMENT_COLUMNS), None)
    if header is None:
        return empty
    # A record has its month; anything else under the header (a note) is not one.
    kept = [r[: len(RESTATEMENT_COLUMNS)] for r in rows[header + 1 :] if len(r) > 1 and r[0] not in ("", None) and r[1] not in ("", None)]
    frame = pd.DataFrame(kept, columns=RESTATEMENT_COLUMNS)
    for column in ("Old value", "New value"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    return frame


def _sheet_rows(master: Path, sheet: str) -> list[list[Any]] | None:
    """The cells of one of the tool's own sheets in ``master``; None when it has none."""
    if not master.is_file():
        return None
    return sheet_rows(master, [sheet]).get(sheet)


# The early-warning record (issue 20): at each refresh, per timescale and district, how many open
# cases were due soon, and, as later refreshes find, how many of them then went past their due
# date. Kept as a table under the Districts sheet's figures, headed by this text.
WARNING_RECORD = "Early warning record"
WARNING_COLUMNS = ["as_at", "within", "clock", "district", "due_soon", "went_past", "not_yet_due"]
WARNING_KEPT = 12  # refreshes (as-at days) kept
_WARNING_LABEL = re.compile(r"^(\d\d)/(\d\d)/(\d{4}), (\d+) working days: (.+)$")


def warning_label(as_at: dt.date, within: int, clock: str) -> str:
    """A record row's label: the day, the window and the timescale (read back by the next refresh)."""
    return f"{as_at:%d/%m/%Y}, {within} working days: {clock}"


def read_warning_record(master: Path, sheet: str, districts: dict[str, str]) -> pd.DataFrame:
    """The early-warning record the last refresh wrote on ``sheet`` of ``master``: one row per
    day, timescale and district, the due-soon count (NaN where it said "no data"). Districts
    are found by the names heading the sheet's area columns (``districts``: name -> code), so a
    district added or removed since does not shift the counts onto another; a district no
    longer configured is left out. Empty when there is none yet."""
    rows = _sheet_rows(master, sheet) or []
    top = next((i for i, r in enumerate(rows) if r and str(r[0]).startswith(WARNING_RECORD)), None)
    # The area names head their two columns in the sheet's third row (the authority's first).
    names = rows[2] if len(rows) > 2 else []
    columns = {districts[str(name)]: col for col, name in enumerate(names) if col % 2 == 1 and str(name) in districts}
    records = []
    for row in rows[top + 2 :] if top is not None else []:
        found = _WARNING_LABEL.match(str(row[0]) if row else "")
        if not found:
            break
        day, month, year, within, clock = found.groups()
        for code, col in columns.items():
            value = row[col] if len(row) > col else None
            records.append(
                {
                    "as_at": dt.date(int(year), int(month), int(day)),
                    "within": int(within),
                    "clock": clock,
                    "district": code,
                    "due_soon": float(value) if isinstance(value, (int, float)) else float("nan"),
                    "went_past": float("nan"),
                    "not_yet_due": float("nan"),
                }
            )
    return pd.DataFrame(records, columns=WARNING_COLUMNS)
