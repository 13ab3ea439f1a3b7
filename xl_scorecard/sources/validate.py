"""Turning raw rows into a canonical table, collecting every problem as a record.

Nothing is raised for bad data and nothing is dropped without a record: a row with a problem in
a required column is excluded from the table *and* listed; a bad optional value is blanked and
listed as a warning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import operator
import re
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd

from xl_scorecard.sources.columns import BAD_PREFIX, SheetResult, frame_of
from xl_scorecard.sources.problems import Problem, Severity
from xl_scorecard.sources.read import RawSheet
from xl_scorecard.sources.schema import ColumnSpec, DatasetSpec, normalise_header

HEADER_SEARCH_ROWS = 30
# Markers people type for "nothing here"; they count as blank, not as bad values.
BLANK_TOKENS = {"", "-", "--", "..", "n/a", "na", "null", "none", "<blank>", "#n/a"}
_SHORT = 8  # no blank token or DfE symbol is longer: longer strings skip the token lookup
# The Annex A letter before a code ("a) Yes", "p1) 5D: LA services", "a. Yes").
_CODE_PREFIX = re.compile(r"^[a-z]{1,2}\d?(\)\s*|\.\s+)")
# A number before a spelled-out value ("1 - Yes", "0 - No"): the text after it is the value.
_NUMBER_PREFIX = re.compile(r"^\d+\s*[-\u2013:]\s*(\D.*)$")
_CODE_TOKEN = re.compile(r"[A-Z]{0,2}\d{1,2}[A-Z]?|[A-Z]\d[A-Z]?")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# Day-first forms only: a US month-first date is never guessed.
# Day first, always; then the unambiguous forms people also type: "01-Mar-2021", "1 March 2021",
# "2021/03/01", and a two-digit year ("01/03/21" is 1 March 2021). A US month-first date matches
# none of them (a 13th month or more) and is reported, never guessed.
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%d/%m/%y")


def find_header(
    rows: list[list[object]], patterns: dict[str, set[str]], regexes: dict[str, list[re.Pattern[str]]] | None = None
) -> tuple[int, dict[str, int]] | None:
    """Find the header row below any title rows: the row (within the first 30) matching the most
    canonical columns. Returns its index and ``{canonical column: column index}``. A heading
    matches a column by one of its header texts or, failing any, by one of its ``regexes``
    (patterns on the folded heading, as liia-tools describes headings people vary)."""
    best: tuple[int, dict[str, int]] | None = None
    regexes = regexes or {}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        # Headings are text: a number or a date below the header (the first data rows are
        # searched too) is no heading, and folding each one cost a millisecond a sheet.
        if best is not None and min(len(patterns), sum(type(cell) is str and cell != "" for cell in row)) <= len(best[1]):
            continue  # too few texts to map more columns than the best row: it cannot win
        cells = [normalise_header(cell) if type(cell) is str and cell else "" for cell in row]
        # Each text's positions, so a column's header texts are looked up, not every cell
        # tried against them (a row of data has none of them).
        positions: dict[str, list[int]] = {}
        for position, text in enumerate(cells):
            if text:
                positions.setdefault(text, []).append(position)
        mapping: dict[str, int] = {}
        taken: set[int] = set()
        for name, wanted in patterns.items():
            hits = wanted & positions.keys() if len(wanted) > len(positions) else positions.keys() & wanted
            # The leftmost cell with one of its texts that no earlier column took.
            free = [p for text in hits for p in positions[text] if p not in taken]
            if free:
                mapping[name] = min(free)
                taken.add(mapping[name])
        for name, expressions in regexes.items():
            if name in mapping:
                continue
            for position, text in enumerate(cells):
                if text and position not in taken and any(e.fullmatch(text) for e in expressions):
                    mapping[name] = position
                    taken.add(position)
                    break
        if len(mapping) >= min(2, len(patterns)) and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
            if len(mapping) == len(patterns):
                break  # every column found: no later row can map more
    return best


# How alike (difflib's ratio of the folded texts) a heading and a known one must be for the
# heading to be taken as that one mistyped: "Date of referal" is 0.97 like "Date of referral",
# "Date of Birth" 0.69.
SLIP_LIKENESS = 0.85


def _closest_heading(header_row: list[object], mapping: dict[str, int], col: ColumnSpec) -> str:
    """The heading in ``header_row`` (none already mapped) so like one of ``col``'s header texts
    that it is likely that column mistyped ("Date of referal"), or "". As close as the typing
    slips ``unknown_headings`` reports (``SLIP_LIKENESS``), so "Date of Birth" is not offered for "Date of
    referral" (0.69)."""
    mapped = set(mapping.values())
    wanted = [normalise_header(h) for h in col.headers]
    best, score = "", 0.0
    for position, cell in enumerate(header_row):
        if position in mapped or type(cell) is not str or not cell.strip():
            continue
        folded = normalise_header(cell)
        for text in wanted:
            ratio = difflib.SequenceMatcher(None, folded, text).ratio()
            if ratio >= SLIP_LIKENESS and ratio > score:
                best, score = cell.strip(), ratio
    return best


def header_regexes(spec: DatasetSpec) -> dict[str, list[re.Pattern[str]]]:
    """The compiled ``header_patterns`` of each column of ``spec`` that has any."""
    return {name: [re.compile(p) for p in col.header_patterns] for name, col in spec.columns.items() if col.header_patterns}


def validate_sheet(
    raw: RawSheet,
    spec: DatasetSpec,
    *,
    dataset: str,
    district: str,
    extra_headers: dict[str, list[str]] | None = None,
    file_label: str | None = None,
) -> SheetResult:
    """Validate one sheet against a dataset description.

    ``extra_headers`` adds header texts per canonical column (from the authority configuration),
    so a renamed column is mapped without touching Python.
    """
    label = file_label or raw.path.name
    where: dict[str, Any] = {"district": district, "dataset": dataset, "file": label, "sheet": raw.sheet}
    patterns = {name: {normalise_header(h) for h in col.headers} for name, col in spec.columns.items()}
    for name, headers in (extra_headers or {}).items():
        patterns.setdefault(name, set()).update(normalise_header(h) for h in headers)

    if all(_is_blank_row(row) for row in raw.rows):
        return SheetResult(_empty_table(spec), [Problem("sheet-empty", "error", **where)])
    found = find_header(raw.rows, patterns, header_regexes(spec))
    if found is None:
        return SheetResult(_empty_table(spec), [Problem("header-not-found", "error", value=str(HEADER_SEARCH_ROWS), **where)])
    header_index, mapping = found
    problems: list[Problem] = []
    for name, col in spec.columns.items():
        if col.required and name not in mapping:
            likely = _closest_heading(raw.rows[header_index], mapping, col)
            problems.append(
                Problem(
                    "column-missing",
                    "error",
                    column=col.headers[0],
                    value=", ".join(f'"{h}"' for h in col.headers),
                    other=f'; the closest heading in the sheet is "{likely}"' if likely else "",
                    **where,
                )
            )
    if any(p.code == "column-missing" for p in problems):
        count = sum(1 for row in raw.rows[header_index + 1 :] if not _is_blank_row(row))
        return SheetResult(_empty_table(spec), problems, rows_read=count, rows_excluded=count)

    header_row = raw.rows[header_index]
    # A header text the configuration gives that matches nothing in the sheet is a slip in the
    # configuration, not in the data: reported as such (the run stops on it).
    texts = [str(c).strip() for c in header_row if c not in (None, "")]
    for name, headers in (extra_headers or {}).items():
        if name not in mapping:
            near = difflib.get_close_matches(headers[0], texts, n=1, cutoff=0.6)
            problems.append(
                Problem(
                    "configured-header-missing",
                    "error",
                    column=name,
                    value=", ".join(f'"{h}"' for h in headers),
                    other=f' (did you mean "{near[0]}"?)' if near else "",
                    **where,
                )
            )
    problems.extend(unknown_headings(header_row, mapping, spec, patterns, where))
    data_rows, row_numbers = _non_blank_rows(raw.rows[header_index + 1 :], first_number=header_index + 2)
    shortest = min(map(len, data_rows), default=0)
    # Columns as arrays, put in one frame at the end, in its final order: a district's list is a
    # few hundred rows, and pandas' cost per Series made, per column inserted and per frame
    # reordered was most of validating it (100 districts' 1,600 sheets: ~2 ms a sheet).
    columns: dict[str, Any] = {}
    flagged: dict[str, np.ndarray] = {}
    excluded = np.zeros(len(data_rows), dtype=bool)

    for name, col in spec.columns.items():
        if name not in mapping:
            columns[name] = _typed_empty(col, len(data_rows))
            continue
        position = mapping[name]
        header_text = str(header_row[position]).strip()
        raw_values = _column(data_rows, position, shortest)
        values, blank, bad = coerce_values(raw_values, col)
        columns[name] = values
        # A row without its identity (a child id, a worker's name) is nothing: it leaves every
        # figure. A bad or missing value elsewhere leaves the row out only of the figures that
        # read that column: "_bad_<column>" marks it, and the compute stage filters on it.
        identity = col.required and col.type == "text"
        invalid = bad | blank if col.required else bad
        for index in np.flatnonzero(bad).tolist():
            problems.append(_problem_for(col, "bad", header_text, raw_values[index], row_numbers[index], where, name, identity))
        if col.required:
            for index in np.flatnonzero(blank).tolist():
                problems.append(_problem_for(col, "blank", header_text, "", row_numbers[index], where, name, identity))
        if identity:
            excluded |= invalid
        elif invalid.any():
            flagged[f"{BAD_PREFIX}{name}"] = invalid
    # The population dataset names its districts in a column of its own.
    if "district" not in spec.columns:
        columns["district"] = district
    columns["source_row"] = np.array(row_numbers, dtype="int64")
    columns |= flagged
    # Codes used outside the years they were collected in are rare: the frame they are looked
    # for in is made only when the sheet uses such a code at all.
    if _uses_dated_codes(columns, spec, mapping):
        problems.extend(codes_out_of_use(frame_of(columns, len(data_rows)), spec, header_row, mapping, where))
    # The row checks on the arrays (not on a frame's Series: a few hundred rows a sheet, and
    # pandas' cost per operation was most of it at 100 districts).
    for check in spec.checks:
        if check.kind == "any_of":
            none_given = np.logical_and.reduce([np.asarray(pd.isna(columns[c]), dtype=bool) for c in check.columns])
            names = " or ".join(f'"{_header_for(header_row, mapping, spec, c)}"' for c in check.columns)
            for index in np.flatnonzero(none_given).tolist():
                problems.append(Problem("missing-any", "error", row=row_numbers[index], column=names, excluded=True, **where))
            excluded |= none_given
            continue
        # Both date columns (the dataset description is checked for it at load): datetime64 arrays.
        later, earlier = columns[check.column], columns[check.other]
        wrong = ~np.isnat(later) & ~np.isnat(earlier) & (later < earlier)
        for index in np.flatnonzero(wrong).tolist():
            problems.append(
                Problem(
                    "date-order",
                    "error",
                    row=row_numbers[index],
                    column=_header_for(header_row, mapping, spec, check.column),
                    other=_header_for(header_row, mapping, spec, check.other),
                    value=pd.Timestamp(later[index]).strftime("%d/%m/%Y"),
                    excluded=True,
                    **where,
                )
            )
        excluded |= wrong

    length = len(data_rows)
    if excluded.any():  # the rows left out, left out of every column before the frame is made
        kept = ~excluded
        columns = {name: values if isinstance(values, str) else values[kept] for name, values in columns.items()}
        length = int(kept.sum())
    mapped = {name: str(header_row[position]).strip() for name, position in mapping.items()}
    # The table stays its columns until asked for as a frame (``columns.SheetResult``).
    return SheetResult(
        None, problems, rows_read=len(data_rows), rows_excluded=int(excluded.sum()), mapped=mapped, columns=columns, length=length
    )


def _uses_dated_codes(columns: dict[str, Any], spec: DatasetSpec, mapping: dict[str, int]) -> bool:
    # Whether any column with codes collected only in some years (``in_use``) holds one of them.
    for name, col in spec.columns.items():
        if col.in_use and name in mapping and not set(col.in_use).isdisjoint(columns[name].tolist()):
            return True
    return False


def _return_years(table: pd.DataFrame, spec: DatasetSpec) -> pd.Series:
    # The statutory return a row belongs to, from its latest date: the year April to March ends
    # in (a row dated 1 June 2018 is in the 2018/19 return, "2019").
    dates = [table[name] for name, col in spec.columns.items() if col.type == "date" and name in table]
    if not dates:
        return pd.Series(pd.NA, index=table.index, dtype="Int64")
    latest = pd.concat(dates, axis=1).max(axis=1)
    return (latest.dt.year + (latest.dt.month >= 4).astype("Int64")).astype("Int64")


def codes_out_of_use(
    table: pd.DataFrame, spec: DatasetSpec, header_row: list[object], mapping: dict[str, int], where: dict[str, Any]
) -> list[Problem]:
    """A code used in a row dated outside the return years it was collected in (E43 in a 2023
    return, whose special guardianship codes are E45 to E48): read as given, and said once per
    code with the rows using it, so a list keyed in from an old code sheet is noticed."""
    problems: list[Problem] = []
    years: pd.Series | None = None
    for name, col in spec.columns.items():
        if not col.in_use or name not in mapping:
            continue
        # Only the codes the list uses are looked at (a district's list uses a few of them).
        used = set(table[name].dropna().unique().tolist())
        for code, span in col.in_use.items():
            if code not in used:
                continue
            if years is None:
                years = _return_years(table, spec)
            first, _, last = span.partition("-")
            rows = table[name] == code
            outside = rows & ((years < int(first)) | ((years > int(last)) if last else False)).fillna(False)
            if outside.any():
                numbers = table.loc[outside, "source_row"].astype(int).tolist()
                shown = ", ".join(map(str, numbers[:5])) + (", ..." if len(numbers) > 5 else "")
                years_text = span.replace("-", " to ") if last else f"{first} onwards"
                problems.append(
                    Problem(
                        "code-out-of-use",
                        "warning",
                        row=numbers[0],
                        column=str(header_row[mapping[name]]).strip(),
                        value=code,
                        other=f"{years_text}; {len(numbers)} row(s) dated outside that: {shown}",
                        **where,
                    )
                )
    return problems


def unknown_headings(
    header_row: list[object], mapping: dict[str, int], spec: DatasetSpec, patterns: dict[str, set[str]], where: dict[str, Any]
) -> list[Problem]:
    """A heading the dataset description does not know, each reported with the closest known
    heading: in an official return (a dataset with ``other_headings``) every one; elsewhere
    only one so close to a column's heading that it is likely a typing slip."""
    mapped = set(mapping.values())
    others = {normalise_header(h) for h in spec.other_headings}
    wanted = {text: name for name, texts in patterns.items() if name not in mapping for text in texts}
    known: dict[str, str] = {}
    for heading in [h for col in spec.columns.values() for h in col.headers] + spec.other_headings:
        known.setdefault(normalise_header(heading), heading)  # the first spelling: the official one
    problems = []
    for position, cell in enumerate(header_row):
        if position in mapped or cell in (None, "") or not str(cell).strip():
            continue
        folded = normalise_header(cell)
        if folded in others or folded in known:
            continue
        near = difflib.get_close_matches(folded, list(known), n=1, cutoff=0.6)
        slip = bool(near) and near[0] in wanted and difflib.SequenceMatcher(None, folded, near[0]).ratio() >= SLIP_LIKENESS
        if not (spec.other_headings or slip):
            continue
        problems.append(
            Problem(
                "header-unknown",
                "warning",
                column=str(cell).strip(),
                other=f'the closest known heading is "{known[near[0]]}"' if near else "no known heading is close",
                **where,
            )
        )
    return problems


def _non_blank_rows(rows: list[list[object]], first_number: int) -> tuple[list[list[object]], list[int]]:
    """The rows with something in them, and their spreadsheet row numbers. Most rows are
    settled by a filled first cell, found at C speed; only the others are looked at cell by cell."""
    firsts = [row[0] if row else None for row in rows]
    suspect = {i for i, value in enumerate(firsts) if value is None or (type(value) is str and (not value or value.isspace()))}
    if not suspect:
        return rows, list(range(first_number, first_number + len(rows)))
    keep = [i for i in range(len(rows)) if i not in suspect or not _is_blank_row(rows[i])]
    return [rows[i] for i in keep], [first_number + i for i in keep]


def _column(rows: list[list[object]], position: int, shortest: int) -> list[object]:
    """One column's cells, "" past the end of a short (CSV) row. Only the mapped columns are
    taken: transposing every column of a wide sheet cost more than validating it."""
    if position < shortest:
        return list(map(operator.itemgetter(position), rows))
    return [row[position] if position < len(row) else "" for row in rows]


def _header_for(header_row: list[object], mapping: dict[str, int], spec: DatasetSpec, name: str) -> str:
    if name in mapping:
        return str(header_row[mapping[name]]).strip()
    return spec.columns[name].headers[0]


def _problem_for(
    col: ColumnSpec, kind: str, header: str, value: object, row: int, where: dict[str, Any], name: str, identity: bool
) -> Problem:
    severity: Severity = "error" if col.required else "warning"
    if kind == "blank":
        code = "missing-value"
    else:
        code = {"date": "bad-date", "integer": "bad-number", "decimal": "bad-number", "code": "bad-code"}[col.type]
    return Problem(
        code,
        severity,
        row=row,
        column=header,
        value=_show(value),
        personal=col.personal,
        excluded=identity,
        field="" if identity else name,
        **where,
    )


def _show(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f'"{value}"' if value.strip() else ""
    return str(value)


def _is_blank_row(row: list[object]) -> bool:
    # A plain loop: most rows are settled by their first cell.
    for cell in row:
        if cell is None or cell == "":
            continue
        if type(cell) is str and not cell.strip():
            continue
        return False
    return True


def _typed_empty(col: ColumnSpec, length: int) -> Any:
    # An unmapped optional column: missing in every row, typed as a mapped one would be.
    if col.type == "date":
        return np.full(length, np.datetime64("NaT"), dtype="datetime64[ns]")
    if col.type == "integer":
        return pd.array([None] * length, dtype="Int64")
    if col.type == "decimal":
        return np.full(length, np.nan)
    return np.full(length, None, dtype=object)


def _empty_table(spec: DatasetSpec) -> pd.DataFrame:
    # A sheet that gave no rows: the dataset's columns, none of them typed.
    return pd.DataFrame(columns=list(dict.fromkeys([*spec.columns, "district", "source_row"])))


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


def coerce_column(values: pd.Series | list[object], col: ColumnSpec) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Convert raw cell values (a list as read, or a Series) to the column's type.

    Returns ``(typed values, blank mask, bad mask)`` as Series on the values' index; bad values
    become missing in the typed series so a caller can never count them by accident."""
    raw = values if isinstance(values, list) else values.tolist()
    index = pd.RangeIndex(len(raw)) if isinstance(values, list) else values.index
    typed, blank, bad = coerce_values(raw, col)
    series = pd.Series(typed, index=index, dtype=object) if col.type in ("text", "code") else pd.Series(typed, index=index)
    return series, pd.Series(blank, index=index), pd.Series(bad, index=index)


def coerce_values(raw: list[object], col: ColumnSpec) -> tuple[Any, np.ndarray, np.ndarray]:
    """``coerce_column`` on a list as read: the typed values as an array (Python objects for
    text and codes, ``datetime64[ns]``, ``float64``, or pandas' ``Int64`` for whole numbers),
    and the blank and bad masks as boolean arrays. One plain pass per column: cells the reader
    already typed (dates, numbers) are taken as they are; only typed-in strings are cleaned, and
    they are parsed in bulk."""
    tokens = BLANK_TOKENS | {token.casefold() for token in col.not_available}
    blank = [False] * len(raw)
    if col.type in ("text", "code"):
        text: list[str | None] = [None] * len(raw)
        seen: dict[str, str | None] = {}  # team names, codes and workers repeat: clean each once
        for i, v in enumerate(raw):
            if type(v) is str:
                cleaned = seen.get(v, "")
                if cleaned == "":
                    cleaned = " ".join(v.split())
                    if len(cleaned) < _SHORT and cleaned.casefold() in tokens:
                        cleaned = None
                    seen[v] = cleaned
                if cleaned is None:
                    blank[i] = True
                else:
                    text[i] = cleaned
            elif v is None:
                blank[i] = True
            else:
                text[i] = clean_text(v)
        blanks = np.array(blank, dtype=bool)
        if col.type == "text":
            # A text value is missing only where the cell was blank: nothing is bad.
            return _objects(text), blanks, np.zeros(len(raw), dtype=bool)
        reader = code_reader(col)
        memo: dict[str, str | None] = {t: reader(t) for t in {t for t in text if t is not None}}
        codes = [None if t is None else memo[t] for t in text]
        unread = np.fromiter((c is None for c in codes), dtype=bool, count=len(codes))
        return _objects(codes), blanks, unread & ~blanks
    if col.type == "date":
        days = _to_days(raw, blank, tokens)
        missing = np.isnan(days)
        stamps = np.where(missing, np.iinfo("int64").min, days).astype("int64").astype("datetime64[D]").astype("datetime64[ns]")
        blanks = np.array(blank, dtype=bool)
        return stamps, blanks, missing & ~blanks
    numbers = [float("nan")] * len(raw)
    for i, v in enumerate(raw):
        kind = type(v)
        if kind is float or kind is int:
            numbers[i] = float(cast(float, v))
        elif kind is str:
            cleaned = " ".join(cast(str, v).split())
            if cleaned.casefold() in tokens:
                blank[i] = True
                continue
            if col.fractions == "floor" and cleaned.startswith("<"):
                cleaned = "0"  # "<1": under one year old
            with contextlib.suppress(ValueError):
                numbers[i] = float(cleaned.replace(",", ""))
        elif v is None:
            blank[i] = True
    array = np.array(numbers, dtype="float64")
    blanks = np.array(blank, dtype=bool)
    if col.type == "integer":
        # A whole number only: 2.5 children is a bad value (missing, and reported), unless the
        # column counts whole years ("floor": an age of 4.7 is 4).
        array = np.floor(array) if col.fractions == "floor" else np.where(array == np.round(array), array, np.nan)
        return pd.array(array, dtype="Int64"), blanks, np.isnan(array) & ~blanks
    return array, blanks, np.isnan(array) & ~blanks


def _objects(values: list[str | None]) -> np.ndarray:
    # An object array, one cell per value (np.array would read a list of lists as rows).
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _code_key(value: str) -> str:
    folded = " ".join(value.casefold().split())
    return _CODE_PREFIX.sub("", folded).strip()


def code_reader(col: ColumnSpec) -> Callable[[str], str | None]:
    """A function reading one cleaned value of a code column as its code, or None, in the order
    vocabularies.toml describes: the value or an alias (letter or number prefix ignored), a code
    at the start or in brackets, then the column's patterns."""
    lookup = {_code_key(code): code for code in col.codes}
    lookup.update({_code_key(alias): code for alias, code in col.aliases.items()})
    # Codes that look like codes ("E11", "F1", "4A"), longest first so E11 wins over E1.
    tokens = sorted((c for c in col.codes if _CODE_TOKEN.fullmatch(c)), key=len, reverse=True)
    alternation = "|".join(re.escape(t.casefold()) for t in tokens)
    prefix = "|".join(re.escape(p.casefold()) for p in col.prefixes)
    leading = re.compile(rf"^(?:{prefix})?({alternation})(?=$|[\s:;,.)\]\-\u2013])") if tokens else None
    bracketed = re.compile(rf"[\[(]({alternation})[\])]") if tokens else None
    by_token = {t.casefold(): t for t in tokens}
    patterns = [(re.compile(p.match), p.code) for p in col.patterns]

    def read(value: str) -> str | None:
        key = _code_key(value)
        if key in lookup:
            return lookup[key]
        numbered = _NUMBER_PREFIX.match(key)
        if numbered and numbered.group(1) in lookup:
            return lookup[numbered.group(1)]
        for found in (leading.match(key) if leading else None, bracketed.search(key) if bracketed else None):
            if found:
                return by_token[found.group(1)]
        for pattern, code in patterns:
            if pattern.search(key):
                return code
        return None

    return read


_ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()
_ORDINAL_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()


def _to_days(raw: list[object], blank: list[bool], tokens: set[str]) -> np.ndarray:
    # Days since 1970 per cell (NaN = no date): date cells directly, bare numbers as Excel serials
    # (1900 system) of cells without a date format, strings parsed in bulk, day first only.
    days = np.full(len(raw), np.nan)
    pending: dict[int, str] = {}
    for i, v in enumerate(raw):
        kind = type(v)
        # type(v) is compared, not isinstance: faster on 10^5 cells; cast() tells mypy what it found.
        if kind is dt.date or kind is dt.datetime:
            days[i] = cast(dt.date, v).toordinal() - _ORDINAL_1970
        elif kind is str:
            cleaned = " ".join(cast(str, v).split())
            if cleaned.casefold() in tokens:
                blank[i] = True
            else:
                pending[i] = cleaned
        elif kind is float or kind is int:
            number = cast(float, v)
            if 1 <= number < 2958466:
                days[i] = int(number) + _ORDINAL_EXCEL_EPOCH - _ORDINAL_1970
        elif v is None:
            blank[i] = True
        elif isinstance(v, dt.date):
            days[i] = v.toordinal() - _ORDINAL_1970
    if pending:
        # The common form, "dd/mm/yyyy" (every date of a CSV export), read with array arithmetic;
        # what that does not read exactly goes through the formats below one by one.
        positions = np.fromiter(pending.keys(), dtype=np.int64, count=len(pending))
        quick = _day_first(list(pending.values()))
        read = ~np.isnan(quick)
        days[positions[read]] = quick[read]
        if read.all():
            return days
        pending = {int(i): pending[int(i)] for i in positions[~read]}
        strings = pd.Series(pending)
        timed = strings.str.len() > 10  # "dd/mm/yyyy" is 10: only longer strings can carry a time
        if timed.any():
            strings[timed] = strings[timed].str.replace(_TIME_SUFFIX, "", regex=True)
        for fmt in _DATE_FORMATS:
            parsed = pd.to_datetime(strings, format=fmt, errors="coerce")
            done = parsed.notna()
            if done.any():
                days[parsed.index[done].to_numpy()] = parsed[done].to_numpy().astype("datetime64[D]").astype("int64")
            strings = strings[~done]
            if strings.empty:
                break
    return days


_DIGIT = (ord("0"), ord("9"))


def _day_first(strings: list[str]) -> np.ndarray:
    """Days since 1970 of each string written exactly "dd/mm/yyyy" (two digits, a slash, two
    digits, a slash, four digits) that is a real date between 1900 and 2199; NaN for any other
    string (a caller parses those another way). The same dates ``pandas.to_datetime(format=
    "%d/%m/%Y")`` reads from such strings, without its cost per call."""
    result = np.full(len(strings), np.nan)
    width = max(map(len, strings), default=0)
    if width < 10:
        return result
    # Each string as its code points, one row per string: fixed-width unicode viewed as integers.
    codes = np.array(strings, dtype=f"U{width}").view(np.uint32).reshape(len(strings), width).astype(np.int64)
    # Nothing after the tenth character.
    shaped = codes[:, 10] == 0 if width > 10 else np.ones(len(strings), dtype=bool)
    digits = codes[:, [0, 1, 3, 4, 6, 7, 8, 9]]
    shaped &= (codes[:, 2] == ord("/")) & (codes[:, 5] == ord("/"))
    shaped &= ((digits >= _DIGIT[0]) & (digits <= _DIGIT[1])).all(axis=1)
    number = digits - _DIGIT[0]
    day = number[:, 0] * 10 + number[:, 1]
    month = number[:, 2] * 10 + number[:, 3]
    year = number[:, 4] * 1000 + number[:, 5] * 100 + number[:, 6] * 10 + number[:, 7]
    shaped &= (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1900) & (year <= 2199)
    month_start = np.where(shaped, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    length = ((month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")).astype(np.int64)
    shaped &= day <= length
    dates = month_start.astype("datetime64[D]").astype(np.int64) + day - 1
    result[shaped] = dates[shaped]
    return result
