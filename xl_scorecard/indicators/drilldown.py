"""The cases behind the exceptions: which assessments were late, which cases wait for a worker,
which children on a plan were not visited. Personal data: the writer marks the sheet as such
and emailed copies leave it out unless the configuration allows child-level rows.
"""

from __future__ import annotations

import pandas as pd

from xl_scorecard.indicators.calculations import DRILLDOWNS, MissingData, Tables
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.periods import Month, window_for

DRILLDOWN_COLUMNS = ["indicator", "district", "child_id", "team", "worker", "start", "end", "measured", "limit", "beyond", "meaning"]
MAX_CASES = 5_000  # per indicator: a longer list is a data problem, not a to-do list


def drilldown_cases(catalogue: list[Indicator], tables: Tables, period: Month, max_cases: int = MAX_CASES) -> pd.DataFrame:
    """The exception cases of every indicator whose calculation can list them, for ``period``,
    most overdue first."""
    frames = []
    for indicator in catalogue:
        function = DRILLDOWNS.get(indicator.calculation["name"])
        if function is None:
            continue
        params = {k: v for k, v in indicator.calculation.items() if k != "name"}
        try:
            cases = function(tables, window_for(period, indicator.period), **params)
        except MissingData:
            continue
        rows = cases.rows[cases.exception.fillna(False).astype(bool)]
        if rows.empty:
            continue
        frame = pd.DataFrame(
            {
                "indicator": indicator.id,
                "district": rows["district"],
                "child_id": rows.get("child_id", ""),
                "team": rows.get("team", ""),
                "worker": rows.get("worker", ""),
                "start": cases.start[rows.index],
                "end": cases.end[rows.index],
                "measured": cases.days[rows.index],
                "limit": cases.limit,
                "meaning": cases.meaning,
            }
        )
        # How far from the limit (days over, or visits short); the furthest first.
        frame["beyond"] = (frame["measured"] - frame["limit"]).abs()
        order = frame["beyond"].sort_values(ascending=False, kind="stable").index
        frames.append(frame.loc[order].head(max_cases))
    if not frames:
        return pd.DataFrame(columns=DRILLDOWN_COLUMNS)
    return pd.concat(frames, ignore_index=True)[DRILLDOWN_COLUMNS]
