"""Figures typed by staff, checked against the catalogue before they are used.

A typed figure replaces the computed one, so a slip in it goes straight to committee: an id the
catalogue does not have was ignored without a word, and 96.7 typed for 96.7% (the catalogue
keeps shares as fractions) was rated as 9,670%. Each is now a problem record naming the row;
the row is left out (an unknown id, an impossible share) or, for a figure typed twice, only the
last row is used, as before, and the others are listed.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.sources import Problem


def typed_figure_checks(table: pd.DataFrame, catalogue: list[Indicator], file: str) -> tuple[pd.Series, list[Problem]]:
    """(rows to keep, problems) for the ``figures`` table."""
    units = {ind.id: ind.unit for ind in catalogue}
    # An indicator computed from a typed figure under another name (typed_figure's ``figure``).
    for ind in catalogue:
        alias = ind.calculation.get("figure")
        if isinstance(alias, str):
            units.setdefault(alias, ind.unit)
    keep = pd.Series(True, index=table.index)
    problems: list[Problem] = []

    def problem(code: str, index: object, column: str, value: str, other: str = "", warning: bool = False) -> None:
        row = table.at[index, "source_row"] if "source_row" in table else None
        problems.append(
            Problem(
                code,
                "warning" if warning else "error",
                str(table.at[index, "district"]),
                "figures",
                file,
                row=None if row is None or pd.isna(row) else int(row),
                column=column,
                value=value,
                other=other,
                excluded=True,
            )
        )

    for index, indicator in table["indicator"].items():
        if indicator not in units:
            near = difflib.get_close_matches(str(indicator), list(units), n=1, cutoff=0.6)
            problem("unknown-indicator", index, "Indicator", str(indicator), f" (did you mean {near[0]}?)" if near else "")
            keep[index] = False
    shares = table["indicator"].map(units).eq("%")
    value = pd.to_numeric(table.get("value"), errors="coerce") if "value" in table else pd.Series(np.nan, index=table.index)
    numerator = pd.to_numeric(table["numerator"], errors="coerce") if "numerator" in table else value * np.nan
    denominator = pd.to_numeric(table["denominator"], errors="coerce") if "denominator" in table else value * np.nan
    parts = numerator.notna() & denominator.notna()
    too_big = shares & keep & ~parts & (value > 1)
    for index in too_big[too_big].index:
        hint = f": {value[index]:g} looks like {value[index] / 100:g} typed as a percentage number" if value[index] <= 100 else ""
        problem("figure-out-of-range", index, "Value", f"{value[index]:g}", hint)
    parts_wrong = shares & keep & parts & (numerator > denominator)
    for index in parts_wrong[parts_wrong].index:
        problem("figure-out-of-range", index, "Numerator", f"{numerator[index]:g}", f" (the denominator is {denominator[index]:g})")
    keep &= ~(too_big | parts_wrong)
    month = pd.to_datetime(table["period"]).dt.to_period("M").astype(str)
    key = pd.DataFrame({"indicator": table["indicator"], "district": table["district"], "month": month})
    repeated = key[keep].duplicated(keep="last")
    for index in repeated[repeated].index:
        last = key[keep & (key == key.loc[index]).all(axis=1)].index[-1]
        used = table.at[last, "source_row"] if "source_row" in table else "the last row"
        problem("duplicate-figure", index, "Indicator", str(table.at[index, "indicator"]), f"row {used} is used", warning=True)
    keep &= ~key.index.isin(repeated[repeated].index)
    return keep, problems
