"""Scoring stage: RAG against target and floor, direction of travel, and the summary sentence.

Comparisons use unrounded values: two figures that display the same may still differ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.indicators.completeness import COMPLETE
from xl_scorecard.indicators.compute import AUTHORITY
from xl_scorecard.periods import Month

IMPROVED, SAME, WORSE = "Improved", "Same", "Worse"
BETTER, SIMILAR = "Better", "Same"
AVERAGE_MONTHS = 6


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def rate(value: float | None, indicator: Indicator) -> str:
    """RAG for one value: ``"G"``, ``"A"``, ``"R"``, or ``""`` (no data, or a data-only indicator).

    H/L follow the Kent rule: green = target met, amber = floor met, red = below floor (no floor:
    red once the target is missed). T: green within ``tolerance`` of the target, amber within
    ``floor_tolerance``; with ``relative`` the tolerances are fractions of the target.
    """
    if value is None or _missing(value) or indicator.target is None:
        return ""
    target = indicator.target
    if indicator.polarity == "T":
        scale = abs(target) if indicator.relative else 1.0
        distance = abs(value - target)
        if distance <= (indicator.tolerance or 0.0) * scale:
            return "G"
        if indicator.floor_tolerance is not None and distance <= indicator.floor_tolerance * scale:
            return "A"
        return "R"
    better_or_equal = (lambda a, b: a >= b) if indicator.polarity == "H" else (lambda a, b: a <= b)
    if better_or_equal(value, target):
        return "G"
    if indicator.floor is not None and better_or_equal(value, indicator.floor):
        return "A"
    return "R"


def travel(value: float | None, previous: float | None, indicator: Indicator) -> str:
    """Direction of travel against the previous period, respecting polarity: ``Improved``,
    ``Same`` or ``Worse`` (``""`` when either value is missing, or for T without a target)."""
    if value is None or previous is None or _missing(value) or _missing(previous):
        return ""
    if indicator.polarity == "T":
        if indicator.target is None:
            return ""
        now, before = -abs(value - indicator.target), -abs(previous - indicator.target)
    elif indicator.polarity == "H":
        now, before = value, previous
    else:
        now, before = -value, -previous
    if math.isclose(now, before, rel_tol=1e-12, abs_tol=1e-12):
        return SAME
    return IMPROVED if now > before else WORSE


def score_results(results: pd.DataFrame, catalogue: list[Indicator], comparators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add ``rag``, ``outside`` (denominator less numerator), ``previous`` (value of the month before), ``travel``, ``previous_6m`` (the
    average of the six months before) and, when comparator figures are given (see
    ``indicators.comparators``), ``national``, ``neighbours`` and ``vs_national`` to long results."""
    by_id = {ind.id: ind for ind in catalogue}
    scored = results.copy()
    if "status" not in scored:  # results without completeness (tests, typed-only runs): all complete
        scored["status"], scored["reason"] = COMPLETE, ""
    scored["reason"] = scored["reason"].fillna("") if "reason" in scored else ""
    # Only complete figures are compared: an incomplete month is neither "previous" nor averaged.
    rated = scored["status"] == COMPLETE
    values = scored[["indicator", "area", "period"]].assign(value=scored["value"].where(rated))
    month = {p: Month.parse(p) for p in values["period"].unique()}
    # Each month's value is copied forward to the 1..6 months after it; averaging the copies
    # that land on a month gives that month's previous-6-month average (months without a value
    # are left out, so a new indicator averages what history it has).
    # (The month k later is worked out once per month, not per row: ten years of history is
    # 26,000 rows per lag.)
    shifted = [
        values.assign(period=values["period"].map({p: str(m.shift(k)) for p, m in month.items()}), lag=k)
        for k in range(1, AVERAGE_MONTHS + 1)
    ]
    lagged = pd.concat(shifted, ignore_index=True)
    previous = lagged[lagged["lag"] == 1][["indicator", "area", "period", "value"]].rename(columns={"value": "previous"})
    average = lagged.groupby(["indicator", "area", "period"], as_index=False)["value"].mean().rename(columns={"value": "previous_6m"})
    scored = scored.merge(previous, on=["indicator", "area", "period"], how="left")
    scored = scored.merge(average, on=["indicator", "area", "period"], how="left")
    # Cases counted but outside the measure (Birmingham's "No. outside"; meaningful for shares).
    scored["outside"] = scored["denominator"] - scored["numerator"]
    # As lists: iterating a pandas column yields one element at a time through its array type.
    values, indicators, ok_rows = scored["value"].tolist(), scored["indicator"].tolist(), rated.tolist()
    scored["rag"] = [rate(v, by_id[i]) if ok else "" for v, i, ok in zip(values, indicators, ok_rows)]
    scored["travel"] = [
        travel(v, p, by_id[i]) if ok else "" for v, p, i, ok in zip(values, scored["previous"].tolist(), indicators, ok_rows)
    ]
    if comparators is not None and len(comparators):
        scored = scored.merge(comparators[["indicator", "national", "neighbours"]], on="indicator", how="left")
        words = {IMPROVED: BETTER, SAME: SIMILAR, WORSE: WORSE, "": ""}
        scored["vs_national"] = [words[travel(v, n, by_id[i])] for v, n, i in zip(scored["value"], scored["national"], scored["indicator"])]
    return scored


def score_views(views: pd.DataFrame, catalogue: list[Indicator]) -> pd.DataFrame:
    """``views`` (indicators.views) with ``travel`` on each "this month" row: this month counted
    on its own against last month counted on its own (the London report's trend), respecting
    polarity."""
    by_id = {ind.id: ind for ind in catalogue}
    last = views[views["view"] == "last month"].set_index(["indicator", "area"])["value"]
    scored = views.copy()
    scored["travel"] = [
        travel(v, last.get((i, a)), by_id[i]) if view == "this month" else ""
        for i, a, view, v in zip(scored["indicator"], scored["area"], scored["view"], scored["value"])
    ]
    return scored


def summary_counts(scored: pd.DataFrame, period: Month, area: str = AUTHORITY) -> dict[str, int]:
    """Counts of G/A/R and of improved/same/worse for one area and period."""
    rows = scored[(scored["period"] == str(period)) & (scored["area"] == area)]
    counts = {key: int((rows["rag"] == key).sum()) for key in ("G", "A", "R")}
    counts.update({key: int((rows["travel"] == key).sum()) for key in (IMPROVED, SAME, WORSE)})
    counts["indicators"] = len(rows)
    return counts


def summary_sentence(
    scored: pd.DataFrame,
    period: Month,
    authority: str,
    area: str = AUTHORITY,
    titles: dict[str, str] | None = None,
    wording: str = "plain",
) -> str:
    """The performance summary, then the indicators that could not be rated because their
    figure is incomplete or missing, each with its reason. ``wording`` "kent" says the change
    since last month as Kent's scorecard does ("shown a reduction", which a reader who does not
    know it takes for "the numbers fell"); "plain" says better, the same or worse."""
    c = summary_counts(scored, period, area)
    rows = scored[(scored["period"] == str(period)) & (scored["area"] == area)]
    unrated = rows[rows["status"] != COMPLETE] if "status" in rows else rows.iloc[0:0]

    def n(count: int, verb: str = "") -> str:
        noun = "indicator" if count == 1 else "indicators"
        return f"{count} {noun}" + (f" {verb if count == 1 else 'have'}" if verb else "")

    sentence = (
        f"As at {period.last_day:%d/%m/%Y}, {authority} has {n(c['G'])} rated as Green, "
        f"{n(c['A'])} rated as Amber and {n(c['R'])} rated as Red. "
    )
    if wording == "kent":
        sentence += (
            f"When comparing performance from last month to this month, {n(c[IMPROVED], 'has')} "
            f"shown an improvement, {n(c[SAME], 'has')} remained the same and {n(c[WORSE], 'has')} "
            f"shown a reduction."
        )
    else:
        sentence += (
            f"Compared with last month, performance is better on {n(c[IMPROVED])}, the same on {n(c[SAME])} and worse on {n(c[WORSE])}."
        )

    if len(unrated):
        names = titles or {}
        listed = "; ".join(
            f"{names.get(i, i)} ({status}: {reason})" if reason else f"{names.get(i, i)} ({status})"
            for i, status, reason in zip(unrated["indicator"], unrated["status"], unrated["reason"].fillna(""))
        )
        count = len(unrated)
        sentence += f" {count} {'indicator' if count == 1 else 'indicators'} could not be rated: {listed}."
    return sentence


# --- small-number suppression ------------------------------------------------------------------

SUPPRESSED = "c"  # the DfE's symbol for a figure withheld to protect confidentiality
MAX_SUPPRESSION_THRESHOLD = 11  # the highest threshold a copy may ask for (counts of 1 to 10)


def disclosure_basis(unit: str, numerator: float | None, denominator: float | None) -> float | None:
    """The number of people a figure rests on, for small-number suppression (None: unknown).

    A count rests on itself and a rate per 10,000 on its numerator (the population below it is
    large); a share on the smaller of its two counts that is not zero (3 of 4 children and 0 of 3
    both describe a handful of children); an average (days, caseload, FTE) on its denominator,
    the children or workers averaged over.
    """
    if _missing(numerator) and _missing(denominator):
        return None
    if unit in ("count", "per 10,000"):
        return None if _missing(numerator) else float(numerator)  # type: ignore[arg-type]
    if unit == "%":
        counts = [float(c) for c in (numerator, denominator) if not _missing(c) and float(c) > 0]  # type: ignore[arg-type]
        return min(counts) if counts else 0.0
    return None if _missing(denominator) else float(denominator)  # type: ignore[arg-type]


def disclosure_bases(units: Sequence[str], numerators: Sequence[object], denominators: Sequence[object]) -> list[float | None]:
    """``disclosure_basis`` of each (unit, numerator, denominator), over whole columns at once
    (every stored figure is noted for copies: 66,000 at ten years of the Kent catalogue)."""
    n = pd.to_numeric(pd.Series(list(numerators), dtype=object), errors="coerce").to_numpy(dtype=float)
    d = pd.to_numeric(pd.Series(list(denominators), dtype=object), errors="coerce").to_numpy(dtype=float)
    unit = np.asarray(units, dtype=object)
    n_missing, d_missing = np.isnan(n), np.isnan(d)
    counted = (unit == "count") | (unit == "per 10,000")
    share = unit == "%"
    # A share: the smaller of its two counts above zero, 0 when neither is.
    n_up = np.where(~n_missing & (n > 0), n, np.inf)
    d_up = np.where(~d_missing & (d > 0), d, np.inf)
    smaller = np.minimum(n_up, d_up)
    smaller = np.where(np.isinf(smaller), 0.0, smaller)
    basis = np.where(counted, n, np.where(share, smaller, d))
    missing = (n_missing & d_missing) | (counted & n_missing) | (~counted & ~share & d_missing)
    return [None if gone else float(value) for value, gone in zip(basis.tolist(), missing.tolist(), strict=True)]


def is_small(basis: float | None, below: int) -> bool:
    """Whether a figure resting on ``basis`` people is withheld when counts under ``below`` are
    (1 to below-1: zero says nothing about anyone and is shown)."""
    return below > 1 and basis is not None and 0 < basis < below
