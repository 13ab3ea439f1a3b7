"""The catalogue checked against the dataset descriptions before any file is read.

A misspelt dataset, column or code in an indicator's calculation used to give a blank or a
zero figure without a word (``value = "yes"`` for the code ``"Yes"`` made every district 0 %,
Red). Here each one is a message naming the catalogue, the indicator, the wrong word and the
nearest right one, and the run stops before reading (``ConfigError``, exit code 2).

Which parameter names a dataset and which names a column of which dataset is declared below,
next to the calculations' own parameter names, so a new calculation states it once.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable, Iterator
from typing import Any

from xl_scorecard.errors import ConfigError
from xl_scorecard.indicators.calculations import CALCULATIONS
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.sources.schema import DatasetSpec

# Parameters whose value is a dataset name.
DATASET_PARAMETERS = ("dataset", "other", "staff", "supervision", "events")
# Parameters whose value is a column name, and the dataset parameter that column belongs to.
COLUMN_PARAMETERS = {
    "date": "dataset",
    "start": "dataset",
    "end": "dataset",
    "due": "dataset",
    "done": "dataset",
    "column": "dataset",
    "since": "dataset",
    "as_at": "dataset",
    "month": "dataset",
    "numerator": "dataset",
    "denominator": "dataset",
    "count": "dataset",
    "other_start": "other",
    "other_end": "other",
}
# Parameters whose value is a row filter {column: value or [values]}.
FILTER_PARAMETERS = {"where": "dataset", "exclude": "dataset", "numerator_where": "dataset"}
# Calculations whose parameters belong to another dataset parameter than the default.
OWNERS = {
    ("share_with_events", "date"): "events",
    ("share_supervised", "month"): "staff",
    ("share_supervised", "where"): "staff",
}
# Comparisons whose value is one or more codes of the column (``starts with`` takes prefixes).
CODE_OPS = {"==", "!=", "in", "not in"}


def column_references(indicator: Indicator) -> Iterator[tuple[str, str, str, Any, str]]:
    """(parameter label, dataset, column, compared value or None, operator) for every column
    the indicator's calculation names: its column parameters and the keys of its filters."""
    params = _with_defaults(indicator.calculation)
    name = indicator.calculation["name"]
    for parameter, value in params.items():
        owner = OWNERS.get((name, parameter)) or COLUMN_PARAMETERS.get(parameter) or FILTER_PARAMETERS.get(parameter)
        dataset = params.get(owner) if owner else None
        if not isinstance(dataset, str):
            continue
        if parameter in FILTER_PARAMETERS and isinstance(value, dict):
            for column, wanted in value.items():
                yield f"{parameter}.{column}", dataset, column, wanted, "=="
        elif parameter not in FILTER_PARAMETERS and isinstance(value, str) and value:  # "" = not used
            compared = params.get("value") if parameter == "column" else None
            yield parameter, dataset, value, compared, params.get("op", "==")


def columns_used(indicator: Indicator) -> dict[str, set[str]]:
    """The columns of each dataset the indicator's calculation reads by name (a figure whose
    list lacks one of them cannot be computed)."""
    used: dict[str, set[str]] = {}
    for _, dataset, column, _, _ in column_references(indicator):
        used.setdefault(dataset, set()).add(column)
    return used


def definition_problems(catalogue: Iterable[Indicator], datasets: dict[str, DatasetSpec], source: str) -> list[str]:
    """One message per dataset, column or code in ``catalogue`` that ``datasets`` does not know."""
    problems: list[str] = []
    for indicator in catalogue:
        where = f"{source}: indicator {indicator.id}"
        params = _with_defaults(indicator.calculation)
        for parameter in DATASET_PARAMETERS:
            value = params.get(parameter)
            if isinstance(value, str) and value not in datasets:
                problems.append(f"{where}: {parameter} = {value!r} is not a dataset{_nearest(value, datasets)}")
        for label, dataset, column, wanted, op in column_references(indicator):
            if dataset in datasets:  # an unknown dataset is reported above
                problems += _column_problems(f"{where}: {label}", column, datasets[dataset], dataset, wanted, op)
    return problems


def check_definitions(catalogue: Iterable[Indicator], datasets: dict[str, DatasetSpec], source: str) -> None:
    """Raise ``ConfigError`` listing every problem ``definition_problems`` finds."""
    problems = definition_problems(catalogue, datasets, source)
    if problems:
        raise ConfigError("\n".join(problems))


def _with_defaults(calculation: dict[str, Any]) -> dict[str, Any]:
    # The calculation's own defaults count too (share_supervised reads "staff" unless told).
    signature = inspect.signature(CALCULATIONS[calculation["name"]])
    defaults = {
        name: p.default for name, p in signature.parameters.items() if p.default is not inspect.Parameter.empty and p.default is not None
    }
    return {**defaults, **{k: v for k, v in calculation.items() if k != "name"}}


def _column_problems(label: str, column: str, spec: DatasetSpec, dataset: str, wanted: Any, op: str) -> list[str]:
    if column not in spec.columns:
        return [f"{label} = {column!r} is not a column of {dataset}{_nearest(column, spec.columns)}"]
    codes = spec.columns[column].codes
    if not codes or wanted is None or op not in (*CODE_OPS, "starts with"):
        return []
    values = wanted if isinstance(wanted, list) else [wanted]
    problems = []
    for value in values:
        if not isinstance(value, str):
            problems.append(f"{label}: {value!r} is not one of the codes of {dataset}.{column} ({', '.join(codes)})")
        elif op == "starts with":
            if not any(code.upper().startswith(value.upper()) for code in codes):
                problems.append(f"{label}: no code of {dataset}.{column} starts with {value!r}{_nearest(value, codes)}")
        elif value not in codes:
            problems.append(f"{label}: {value!r} is not a code of {dataset}.{column}{_nearest(value, codes)}")
    return problems


def _nearest(word: str, known: Iterable[str]) -> str:
    choices = list(known)
    by_case = {choice.casefold(): choice for choice in choices}
    if word.casefold() in by_case:
        return f" (did you mean {by_case[word.casefold()]!r}?)"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(choices)}"
