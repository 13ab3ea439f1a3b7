"""History: every period's results kept, so trends and sparklines work across refreshes.

The history lives in the master workbook's "History data" sheet. Recomputing a period restates
it; it never duplicates it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HISTORY_SHEET = "History data"
HISTORY_COLUMNS = ["indicator", "area", "period", "numerator", "denominator", "value", "rag"]
_KEY = ["indicator", "area", "period"]


def merge_history(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``new`` replace rows of ``old`` with the same indicator, area and period."""
    new = new[HISTORY_COLUMNS]
    if old is None or old.empty:
        merged = new
    else:
        old = old[HISTORY_COLUMNS]
        keys = pd.MultiIndex.from_frame(new[_KEY])
        kept = old[~pd.MultiIndex.from_frame(old[_KEY]).isin(keys)]
        merged = pd.concat([kept, new], ignore_index=True)
    return merged.sort_values(_KEY, kind="stable").reset_index(drop=True)


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
    if not rows or [str(c) for c in rows[0][: len(HISTORY_COLUMNS)]] != HISTORY_COLUMNS:
        return None
    frame = pd.DataFrame([r[: len(HISTORY_COLUMNS)] for r in rows[1:]], columns=HISTORY_COLUMNS)
    for column in ("numerator", "denominator", "value"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    for column in ("indicator", "area", "period", "rag"):
        frame[column] = frame[column].astype(str)
    return frame
