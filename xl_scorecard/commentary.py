"""Staff commentary on the scorecard: read back before a refresh, kept month by month.

Commentary is typed into the Commentary column of the Scorecard sheet. Before each refresh the
tool reads it, keyed by indicator and by the month the scorecard showed, and keeps every month's
text in the workbook's Commentary sheet. A new month shows last month's text, marked as carried
forward, until someone edits it. Clearing a cell does not delete kept commentary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from xl_scorecard.periods import Month

COMMENTARY_SHEET = "Commentary"
COMMENTARY_COLUMNS = ["indicator", "area", "period", "text", "recorded"]
# The Commentary sheet's headings: what a reader sees first (title, area name, month), then the
# keys the next refresh reads back (outside the printed area). Masters written before these
# headings carry COMMENTARY_COLUMNS as they are, and are still read.
COMMENTARY_HEADINGS = ["Indicator", "Area", "Month", "Commentary", "Recorded", "Id", "Area code", "Period"]
_KEY_HEADINGS = {"indicator": "Id", "area": "Area code", "period": "Period", "text": "Commentary", "recorded": "Recorded"}
SCORECARD_SHEET = "Scorecard"
ID_HEADER = "Id"
TEXT_HEADER = "Commentary"


def carried_prefix(period: str) -> str:
    return f"[Carried forward from {Month.parse(period).label}] "


def read_commentary(master: Path) -> tuple[pd.DataFrame, dict[str, str], str | None]:
    """(kept commentary, text now in the scorecard's commentary cells by indicator id, the
    month that scorecard showed). Empty when the master is new."""
    empty = pd.DataFrame(columns=COMMENTARY_COLUMNS)
    if not master.is_file():
        return empty, {}, None
    from xl_scorecard.master_cells import sheet_rows

    commentary = sheet_rows(master, [COMMENTARY_SHEET]).get(COMMENTARY_SHEET)
    scorecard = sheet_rows(master, [SCORECARD_SHEET], skip_empty_area=False).get(SCORECARD_SHEET)
    kept = empty if commentary is None else _kept(commentary)
    typed: dict[str, str] = {}
    shown: str | None = None
    if scorecard is not None:
        typed, shown = _scorecard_text(scorecard)
    return kept, typed, shown


def _kept(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """The kept commentary of a Commentary sheet, in either heading style; empty when the sheet
    is not one the tool wrote."""
    if not rows:
        return pd.DataFrame(columns=COMMENTARY_COLUMNS)
    header = [str(c) for c in rows[0]]
    if header[:5] == COMMENTARY_COLUMNS:
        at = list(range(5))
    elif all(h in header for h in _KEY_HEADINGS.values()):
        at = [header.index(_KEY_HEADINGS[c]) for c in COMMENTARY_COLUMNS]
    else:
        return pd.DataFrame(columns=COMMENTARY_COLUMNS)
    records = [[str(r[i]) if i < len(r) else "" for i in at] for r in rows[1:] if r and len(r) > at[0] and r[at[0]]]
    return pd.DataFrame(records, columns=COMMENTARY_COLUMNS)


def _scorecard_text(rows: Sequence[Sequence[object]]) -> tuple[dict[str, str], str | None]:
    header = next((i for i, r in enumerate(rows) if TEXT_HEADER in r and ID_HEADER in r), None)
    if header is None:
        return {}, None
    text_col, id_col = rows[header].index(TEXT_HEADER), rows[header].index(ID_HEADER)
    shown = str(rows[0][id_col]) if rows and len(rows[0]) > id_col and rows[0][id_col] else None
    typed = {}
    for row in rows[header + 1 :]:
        if len(row) > max(text_col, id_col) and row[id_col]:
            typed[str(row[id_col])] = str(row[text_col]).strip() if row[text_col] is not None else ""
    return typed, shown


def merge_commentary(kept: pd.DataFrame, typed: dict[str, str], shown: str | None, area: str, today: dt.date | None = None) -> pd.DataFrame:
    """Record text typed on the scorecard for the month it showed; carried-forward text that
    nobody edited is not recorded again."""
    if not shown:
        return kept
    today = today or dt.date.today()
    records = kept.copy()
    for indicator, text in typed.items():
        if not text:
            continue
        carried = commentary_for(records, Month.parse(shown), [indicator], area).get(indicator)
        if text == carried:
            continue
        if text.startswith("[Carried forward from ") and "] " in text:
            text = text.split("] ", 1)[1].strip()  # edited, prefix left in: keep the words
        same = (records["indicator"] == indicator) & (records["area"] == area) & (records["period"] == shown)
        records = records[~same]
        records = pd.concat(
            [records, pd.DataFrame([[indicator, area, shown, text, today.isoformat()]], columns=COMMENTARY_COLUMNS)], ignore_index=True
        )
    return records.sort_values(["indicator", "area", "period"], kind="stable").reset_index(drop=True)


def commentary_for(kept: pd.DataFrame, period: Month, indicators: list[str], area: str) -> dict[str, str]:
    """Text to show for each indicator: its own for ``period``, else the latest earlier one,
    marked as carried forward."""
    shown = {}
    rows = kept[(kept["area"] == area) & (kept["period"] <= str(period))]
    for indicator in indicators:
        mine = rows[rows["indicator"] == indicator].sort_values("period")
        if mine.empty:
            continue
        last = mine.iloc[-1]
        shown[indicator] = last["text"] if last["period"] == str(period) else carried_prefix(last["period"]) + last["text"]
    return shown
