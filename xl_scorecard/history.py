"""History: every period's results kept, so trends and sparklines work across refreshes.

The history lives in the master workbook's "History data" sheet. Recomputing a period restates
it; it never duplicates it, and never replaces a month stored complete with a worse (incomplete
or no-data) recomputation: an unreadable file this month does not rewrite last year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HISTORY_SHEET = "History data"
HISTORY_COLUMNS = ["indicator", "area", "period", "numerator", "denominator", "value", "rag", "status", "reason"]
# Masters written before figures carried their completeness have the first seven columns.
LEGACY_COLUMNS = HISTORY_COLUMNS[:7]
COMPLETE = "complete"  # indicators.completeness.COMPLETE (history sits below the indicators stage)
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
    if not master.is_file():
        return None
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(master))
    try:
        if HISTORY_SHEET not in workbook.sheet_names:
            return None
        rows = workbook.get_sheet_by_name(HISTORY_SHEET).to_python()
    finally:
        workbook.close()
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
