"""National and statistical-neighbour figures for each indicator, from the ``comparators``
dataset (DfE Explore Education Statistics tidy files, one source per indicator).

The latest published period is used. DfE publishes percentages as 0-100; the catalogue keeps
them as fractions, so a percentage indicator's comparators are divided by 100.
"""

from __future__ import annotations

import pandas as pd

from xl_scorecard.indicators.catalogue import Indicator

COMPARATOR_COLUMNS = ["indicator", "period", "national", "regional", "neighbours", "neighbours_found"]


def comparator_figures(
    tables: dict[str, pd.DataFrame], catalogue: list[Indicator], region: str | None = None, neighbours: list[str] | tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per indicator with comparator figures: England, the region (when named) and the
    average of the named statistical neighbours that have a figure (``neighbours_found`` says
    how many did: DfE suppresses small numbers)."""
    table = tables.get("comparators")
    if table is None or table.empty:
        return pd.DataFrame(columns=COMPARATOR_COLUMNS)
    units = {ind.id: ind.unit for ind in catalogue}
    wanted = {name.casefold() for name in neighbours}
    rows = []
    for indicator, figures in table[table["indicator"].isin(units)].groupby("indicator"):
        latest = figures[figures["time_period"] == figures["time_period"].astype(str).max()]
        level = latest["geographic_level"].astype(str).str.casefold()
        scale = 0.01 if units[indicator] == "%" else 1.0

        def first(mask: pd.Series, latest: pd.DataFrame = latest, scale: float = scale) -> float:
            values = latest.loc[mask, "value"].dropna()
            return float(values.iloc[0]) * scale if len(values) else float("nan")

        national = first(level == "national")
        regional = first((level == "regional") & (latest["region_name"].astype(str) == (region or ""))) if region else float("nan")
        names = latest["la_name"].fillna("").astype(str).str.casefold()
        peers = latest.loc[(level == "local authority") & names.isin(wanted), "value"].dropna()
        rows.append(
            {
                "indicator": indicator,
                "period": str(latest["time_period"].iloc[0]),
                "national": national,
                "regional": regional,
                "neighbours": float(peers.mean()) * scale if len(peers) else float("nan"),
                "neighbours_found": len(peers),
            }
        )
    return pd.DataFrame(rows, columns=COMPARATOR_COLUMNS)
