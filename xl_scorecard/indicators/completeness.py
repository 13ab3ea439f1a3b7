"""Whether each figure could be computed from everything it needs.

A figure is *complete* (every district's files for every list it reads were read, have rows and
have the columns it uses), *incomplete* (the authority total of districts some of which are
missing) or *no data* (nothing to compute from: the file is missing, unreadable, empty or lacks
a column, or no case was counted). Only complete figures are rated; the others say why, and a
district with no data adds nothing to the authority total (its population neither).

Pure functions over the sources stage's file reports: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.indicators.definitions import column_references, columns_used
from xl_scorecard.sources import FileReport

COMPLETE, INCOMPLETE, NO_DATA = "complete", "incomplete", "no data"
# Lists that complete a figure without being needed by it: typed figures replace computed ones
# where they exist, and comparators only add context.
OPTIONAL_DATASETS = {"figures", "comparators"}


@dataclass(frozen=True)
class Coverage:
    """A figure's status and, when it is not complete, why (names files and districts, never data)."""

    status: str
    reason: str = ""


def figure_coverage(
    catalogue: list[Indicator],
    files: list[FileReport],
    districts: list[tuple[str, str]],
    tables: dict[str, pd.DataFrame] | None = None,
) -> dict[tuple[str, str], Coverage]:
    """Coverage of every indicator for each district code and for the authority (``ALL``);
    with ``tables``, an indicator selecting a value the lists never record has no data."""
    never = unrecorded(catalogue, tables) if tables is not None else {}
    by_list: dict[tuple[str, str], list[FileReport]] = {}
    for report in files:
        by_list.setdefault((report.dataset, report.district), []).append(report)
    coverage: dict[tuple[str, str], Coverage] = {}
    for indicator in catalogue:
        if indicator.id in never:
            for code in [*(c for c, _ in districts), AUTHORITY]:
                coverage[(indicator.id, code)] = Coverage(NO_DATA, never[indicator.id])
            continue
        needed = sorted(indicator.datasets - OPTIONAL_DATASETS)
        columns = columns_used(indicator)
        gaps: list[tuple[str, str]] = []  # (district name, reason) of the districts with no data
        for code, name in districts:
            reasons = [_gap(dataset, columns.get(dataset, set()), code, name, by_list) for dataset in needed]
            found = list(dict.fromkeys(r for r in reasons if r))  # one file may hold several lists
            coverage[(indicator.id, code)] = Coverage(NO_DATA, "; ".join(found)) if found else Coverage(COMPLETE)
            if found:
                gaps.append((name, "; ".join(found)))
        if not gaps:
            coverage[(indicator.id, AUTHORITY)] = Coverage(COMPLETE)
        elif len(gaps) == len(districts):
            coverage[(indicator.id, AUTHORITY)] = Coverage(NO_DATA, "; ".join(reason for _, reason in gaps))
        else:
            left_out = "; ".join(f"{name} ({reason})" for name, reason in gaps)
            coverage[(indicator.id, AUTHORITY)] = Coverage(INCOMPLETE, f"leaves out {left_out}")
    return coverage


def unrecorded(catalogue: list[Indicator], tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Indicators whose ``where`` selects a value no row of the lists has, in any month or
    district (Kent's initial assessments, from lists that record single assessments only):
    their zero would be a statement about the lists, not about children, so they have no data.
    ``exclude`` and ``numerator_where`` are left alone: no agency worker at all is a real 0%."""
    found: dict[str, str] = {}
    for indicator in catalogue:
        for label, dataset, column, wanted, _ in column_references(indicator):
            table = tables.get(dataset)
            if not label.startswith("where.") or table is None or column not in table or not len(table):
                continue
            values = wanted if isinstance(wanted, list) else [wanted]
            if not table[column].isin(values).any():
                shown = " or ".join(repr(v) for v in values)
                found[indicator.id] = f"no {dataset} row has {column} {shown}: the lists do not record it"
    return found


def list_gaps(needed: dict[str, set[str]], files: list[FileReport], districts: list[tuple[str, str]]) -> dict[str, str]:
    """For each district code without a usable list for one of ``needed`` (dataset -> the
    columns it must have), why not, in the words figure_coverage uses; districts with every
    list are left out."""
    by_list: dict[tuple[str, str], list[FileReport]] = {}
    for report in files:
        by_list.setdefault((report.dataset, report.district), []).append(report)
    gaps = {}
    for code, name in districts:
        found = list(dict.fromkeys(r for dataset, columns in needed.items() if (r := _gap(dataset, columns, code, name, by_list))))
        if found:
            gaps[code] = "; ".join(found)
    return gaps


def _gap(dataset: str, columns: set[str], code: str, name: str, by_list: dict[tuple[str, str], list[FileReport]]) -> str:
    # Why the district has no usable list for ``dataset``, or "" when it has one. A list that
    # covers every district (population) counts for each.
    reports = by_list.get((dataset, code), []) + by_list.get((dataset, ""), [])
    if not reports:
        return f"no {dataset} file for {name}"
    for report in reports:
        if not report.readable:
            return f"{report.file} could not be used"
        if report.empty:
            return f"{report.file} has no rows"
        missing = sorted(columns - set(report.columns))
        if missing:
            return f"{report.file} has no {', '.join(missing)} column"
    return ""


def with_status(results: pd.DataFrame, coverage: dict[tuple[str, str], Coverage]) -> pd.DataFrame:
    """``results`` (compute stage, with its ``typed`` column) plus ``status`` and ``reason``.

    A typed figure is complete as typed. A complete or incomplete figure without a value is no
    data: no case was counted (a zero denominator) or nothing was typed. A no-data figure shows
    no numbers at all, never a zero.
    """
    out = results.copy()
    found = [coverage.get((i, a), Coverage(COMPLETE)) for i, a in zip(out["indicator"], out["area"])]
    status = np.array([c.status for c in found], dtype=object)
    reason = np.array([c.reason for c in found], dtype=object)
    typed = out["typed"].to_numpy(dtype=bool) if "typed" in out else np.zeros(len(out), dtype=bool)
    status[typed] = COMPLETE
    reason[typed] = ""
    blank = out["value"].isna().to_numpy() & (status != NO_DATA)
    nothing_counted = blank & (out["denominator"].fillna(0).to_numpy() == 0)
    reason[blank] = np.where(nothing_counted[blank], "no cases counted in the period", "no figure for the period")
    status[blank] = NO_DATA
    out["status"], out["reason"] = status, reason
    out.loc[out["status"] == NO_DATA, ["numerator", "denominator", "value"]] = np.nan
    return out.drop(columns=["typed"], errors="ignore")


def missing_districts(coverage: dict[tuple[str, str], Coverage], indicator: Indicator, districts: list[str]) -> set[str]:
    """The district codes with no data for ``indicator``: the compute stage leaves them out of
    the authority total (numerator and denominator alike)."""
    return {code for code in districts if coverage.get((indicator.id, code), Coverage(COMPLETE)).status == NO_DATA}
