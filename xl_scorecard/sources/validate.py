"""Turning raw rows into a canonical table, collecting every problem as a record.

Nothing is raised for bad data and nothing is dropped without a record: a row with a problem in
a required column is excluded from the table *and* listed; a bad optional value is blanked and
listed as a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from xl_scorecard.sources.problems import Problem
from xl_scorecard.sources.read import RawSheet
from xl_scorecard.sources.schema import ColumnSpec, DatasetSpec, normalise_header

HEADER_SEARCH_ROWS = 30
# Markers people type for "nothing here"; they count as blank, not as bad values.
BLANK_TOKENS = {"", "-", "--", "..", "n/a", "na", "null", "none", "<blank>", "#n/a"}
_CODE_PREFIX = re.compile(r"^[a-z]{1,2}\d?\)\s*")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# Day-first forms only: a US month-first date is never guessed.
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass
class SheetResult:
    """A validated sheet: the canonical table, its problems and the row accounting."""

    table: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_excluded: int = 0

    @property
    def rows_loaded(self) -> int:
        return len(self.table)


def find_header(rows: list[list[object]], patterns: dict[str, set[str]]) -> tuple[int, dict[str, int]] | None:
    """Find the header row below any title rows: the row (within the first 30) matching the most
    canonical columns. Returns its index and ``{canonical column: column index}``."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [normalise_header(cell) if cell not in (None, "") else "" for cell in row]
        mapping: dict[str, int] = {}
        for name, wanted in patterns.items():
            for position, text in enumerate(cells):
                if text and text in wanted and position not in mapping.values():
                    mapping[name] = position
                    break
        if len(mapping) >= min(2, len(patterns)) and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best


def validate_sheet(raw: RawSheet, spec: DatasetSpec, *, dataset: str, district: str,
                   extra_headers: dict[str, list[str]] | None = None, file_label: str | None = None) -> SheetResult:
    """Validate one sheet against a dataset description.

    ``extra_headers`` adds header texts per canonical column (from the authority configuration),
    so a renamed column is mapped without touching Python.
    """
    label = file_label or raw.path.name
    where = dict(district=district, dataset=dataset, file=label, sheet=raw.sheet)
    patterns = {name: {normalise_header(h) for h in col.headers} for name, col in spec.columns.items()}
    for name, headers in (extra_headers or {}).items():
        patterns.setdefault(name, set()).update(normalise_header(h) for h in headers)

    empty = pd.DataFrame(columns=list(dict.fromkeys([*spec.columns, "district", "source_row"])))
    found = find_header(raw.rows, patterns)
    if found is None:
        return SheetResult(empty, [Problem("header-not-found", "error", value=str(HEADER_SEARCH_ROWS), **where)])
    header_index, mapping = found
    problems: list[Problem] = []
    for name, col in spec.columns.items():
        if col.required and name not in mapping:
            problems.append(Problem("column-missing", "error", column=col.headers[0],
                                    value=", ".join(f'"{h}"' for h in col.headers), **where))
    if any(p.code == "column-missing" for p in problems):
        data_rows = sum(1 for row in raw.rows[header_index + 1:] if not _is_blank_row(row))
        return SheetResult(empty, problems, rows_read=data_rows, rows_excluded=data_rows)

    header_row = raw.rows[header_index]
    kept = [(header_index + 2 + offset, row) for offset, row in enumerate(raw.rows[header_index + 1:])
            if not _is_blank_row(row)]
    row_numbers = [number for number, _ in kept]
    body = [row for _, row in kept]
    table = pd.DataFrame({"source_row": pd.Series(row_numbers, dtype="int64")})
    excluded = pd.Series(False, index=table.index)

    for name, col in spec.columns.items():
        if name not in mapping:
            table[name] = _typed_empty(col, len(table))
            continue
        position = mapping[name]
        header_text = str(header_row[position]).strip()
        raw_values = pd.Series([row[position] if position < len(row) else "" for row in body], dtype="object")
        values, blank, bad = coerce_column(raw_values, col)
        table[name] = values
        for index in bad[bad].index:
            problems.append(_problem_for(col, "bad", header_text, raw_values[index], row_numbers[index], where))
        if col.required:
            for index in blank[blank].index:
                problems.append(_problem_for(col, "blank", header_text, "", row_numbers[index], where))
            excluded |= bad | blank

    for check in spec.checks:
        later, earlier = table[check.column], table[check.other]
        wrong = later.notna() & earlier.notna() & (later < earlier)
        for index in wrong[wrong].index:
            problems.append(Problem("date-order", "error", row=row_numbers[index],
                                    column=_header_for(header_row, mapping, spec, check.column),
                                    other=_header_for(header_row, mapping, spec, check.other),
                                    value=table.at[index, check.column].strftime("%d/%m/%Y"),
                                    excluded=True, **where))
        excluded |= wrong

    # The population dataset names its districts in a column of its own.
    if "district" not in spec.columns:
        table["district"] = district
    columns = list(dict.fromkeys([*spec.columns, "district", "source_row"]))
    kept = table.loc[~excluded, columns].reset_index(drop=True)
    return SheetResult(kept, problems, rows_read=len(body), rows_excluded=int(excluded.sum()))


def _header_for(header_row: list[object], mapping: dict[str, int], spec: DatasetSpec, name: str) -> str:
    if name in mapping:
        return str(header_row[mapping[name]]).strip()
    return spec.columns[name].headers[0]


def _problem_for(col: ColumnSpec, kind: str, header: str, value: object, row: int, where: dict) -> Problem:
    severity = "error" if col.required else "warning"
    if kind == "blank":
        code = "missing-value"
    else:
        code = {"date": "bad-date", "integer": "bad-number", "decimal": "bad-number", "code": "bad-code"}[col.type]
    return Problem(code, severity, row=row, column=header, value=_show(value), personal=col.personal,
                   excluded=col.required, **where)


def _show(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f'"{value}"' if value.strip() else ""
    return str(value)


def _is_blank_row(row: list[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _typed_empty(col: ColumnSpec, length: int) -> pd.Series:
    dtype = {"date": "datetime64[ns]", "integer": "Int64", "decimal": "float64"}.get(col.type, "object")
    return pd.Series([None] * length, dtype=dtype)


def clean_text(value: object) -> str:
    """Text as people meant it: NBSP and repeated spaces folded, ends trimmed, ``1234.0`` -> ``1234``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    # str.split() splits on every Unicode space, NBSP included.
    return " ".join(str(value).split())


def coerce_column(values: pd.Series, col: ColumnSpec) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Convert raw cell values to the column's type.

    Returns ``(typed values, blank mask, bad mask)``; bad values become missing in the typed
    series so a caller can never count them by accident. Cells the reader already typed (dates,
    numbers) skip the text pass: only typed-in strings are cleaned and parsed.
    """
    raw = values.tolist()
    index = values.index
    is_str = pd.Series([type(v) is str for v in raw], index=index)
    is_none = pd.Series([v is None for v in raw], index=index)
    strings = pd.Series([" ".join(v.split()) for v in values[is_str]], index=index[is_str.to_numpy()], dtype="object")
    blank = is_none.copy()
    blank[is_str] = strings.str.casefold().isin(BLANK_TOKENS)
    filled = is_str & ~blank
    if col.type == "text" or col.type == "code":
        text = pd.Series(None, index=index, dtype="object")
        text[filled] = strings[filled[is_str]]
        other = ~is_str & ~is_none  # numbers and dates in a text column: 1234.0 -> "1234"
        if other.any():
            text[other] = [clean_text(v) for v in values[other]]
        text = text.astype("object").where(text.notna(), None)
        if col.type == "text":
            return text, blank, pd.Series(False, index=index)
        lookup = {_code_key(code): code for code in col.codes}
        lookup.update({_code_key(alias): code for alias, code in col.aliases.items()})
        typed = pd.Series([lookup.get(_code_key(v)) if isinstance(v, str) else None for v in text], index=index, dtype="object")
    elif col.type == "date":
        typed = _to_dates(values, strings.where(filled[is_str]))
    else:
        is_number = pd.Series([type(v) in (int, float) for v in raw], index=index)
        numbers = pd.Series(float("nan"), index=index, dtype="float64")
        numbers[is_number] = values[is_number].astype("float64")
        if filled.any():
            numbers[filled] = pd.to_numeric(strings[filled[is_str]].str.replace(",", "", regex=False), errors="coerce")
        if col.type == "integer":
            numbers = numbers.where(numbers.isna() | (numbers == numbers.round()))
            typed = numbers.astype("Int64")
        else:
            typed = numbers
    bad = typed.isna() & ~blank
    return typed, blank, bad


def _code_key(value: str) -> str:
    folded = value.casefold().strip()
    return _CODE_PREFIX.sub("", folded).strip()


def _to_dates(values: pd.Series, strings: pd.Series) -> pd.Series:
    # ``strings``: the cleaned typed-in strings (blank ones missing), indexed like ``values``.
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    raw = values.tolist()
    is_date = pd.Series([isinstance(v, dt.date) for v in raw], index=values.index)
    if is_date.any():
        result[is_date] = pd.to_datetime([dt.datetime(v.year, v.month, v.day) for v in values[is_date]])
    # A bare number in a date column is an Excel serial (1900 system) of a cell without date format.
    is_number = pd.Series([type(v) in (int, float) for v in raw], index=values.index)
    if is_number.any():
        serials = values[is_number].astype("float64").where(lambda s: (s >= 1) & (s < 2958466))
        result[is_number] = _EXCEL_EPOCH + pd.to_timedelta(serials.floordiv(1), unit="D")
    pending = strings.dropna().str.replace(_TIME_SUFFIX, "", regex=True)
    for fmt in _DATE_FORMATS:
        if pending.empty:
            break
        parsed = pd.to_datetime(pending, format=fmt, errors="coerce")
        result[parsed.index] = result[parsed.index].fillna(parsed)
        pending = pending[parsed.isna()]
    return result
