"""Sources stage: read every configured file and validate it into canonical tables.

``read_sources(config)`` never raises for bad data: it returns the tables it could build and a
record of every problem, with row accounting per file (read = loaded + excluded).
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from xl_scorecard.sources.problems import Problem
from xl_scorecard.sources.read import OpenWorkbooks, SourceFileError, read_sheet
from xl_scorecard.sources.schema import ANNEX_A, ANNEX_A_LISTS, DatasetSpec
from xl_scorecard.sources.validate import BAD_PREFIX, SheetResult, validate_sheet

if TYPE_CHECKING:  # for the annotations only: config imports the dataset descriptions from this package
    from xl_scorecard.config import AuthorityConfig, SourceEntry

log = logging.getLogger(__name__)

# Problems after which a sheet contributes nothing: its dataset is incomplete for the district.
UNUSABLE = {"header-not-found", "column-missing", "sheet-empty"}

__all__ = ["FileReport", "Problem", "SourceData", "read_district", "read_sources"]


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file: rows read, loaded and excluded."""

    district: str
    dataset: str
    file: str
    sheet: str
    rows_read: int
    rows_loaded: int
    rows_excluded: int
    readable: bool
    columns: tuple[str, ...] = ()  # the canonical columns its headers matched
    allow_empty: bool = False  # the configuration says no rows can be right (a district with no adoptions)

    @property
    def empty(self) -> bool:
        """Read, with headers, but without a single row: a failed export unless allowed."""
        return self.readable and self.rows_read == 0 and not self.allow_empty

    @property
    def unusable(self) -> bool:
        """Missing, unreadable, without the headers it needs, or empty: nothing to count from."""
        return not self.readable or self.empty


@dataclass
class SourceData:
    """Everything the sources stage produced for one run."""

    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def drop_rows(self, dataset: str, keep: pd.Series, problems: list[Problem]) -> None:
        """Leave out the rows of ``dataset`` where ``keep`` is false (a later stage's check found
        them wrong), record ``problems`` and keep the row accounting true."""
        self.problems.extend(problems)
        dropped = int((~keep).sum())
        if not dropped:
            return
        self.tables[dataset] = self.tables[dataset][keep.to_numpy()].reset_index(drop=True)
        at = next((i for i, f in enumerate(self.files) if f.dataset == dataset and f.readable), None)
        if at is not None:
            report = self.files[at]
            self.files[at] = replace(report, rows_loaded=report.rows_loaded - dropped, rows_excluded=report.rows_excluded + dropped)

    def valid_shares(self, districts: list[str], authority: str = "ALL") -> dict[str, float | None]:
        """Share of input rows valid (loaded / read) for the authority and each district; files
        covering every district (population, typed figures) count for the authority only."""
        totals: dict[str, list[int]] = {authority: [0, 0]}
        for report in self.files:
            for area in {authority, report.district or authority}:
                counts = totals.setdefault(area, [0, 0])
                counts[0] += report.rows_loaded
                counts[1] += report.rows_read
        return {a: (totals[a][0] / totals[a][1] if a in totals and totals[a][1] else None) for a in [authority, *districts]}

    def unusable_lists(self, districts: list[str], authority: str = "ALL") -> dict[str, int]:
        """Lists missing, unreadable, unusable or empty, for the authority (all of them) and
        each district: the share of valid rows alone would read 100% for a district whose
        file could not be opened at all."""
        counts = dict.fromkeys([authority, *districts], 0)
        for report in self.files:
            if report.unusable:
                counts[authority] += 1
                if report.district in counts:
                    counts[report.district] += 1
        return counts

    def dated_months(self, datasets: dict[str, DatasetSpec]) -> dict[str, set[str]]:
        """For each case or workforce list and the typed figures, the months ("YYYY-MM") in
        which any of its date columns has a row. Population and comparator files are left out:
        their dates are not activity."""
        found: dict[str, set[str]] = {}
        for dataset, table in self.tables.items():
            if dataset in ("population", "comparators") or dataset not in datasets or not len(table):
                continue
            months: set[str] = set()
            for name, column in datasets[dataset].columns.items():
                if column.type == "date" and name in table:
                    values = table[name].to_numpy(dtype="datetime64[M]")
                    months.update(str(m) for m in np.unique(values[~np.isnat(values)]))
            if months:
                found[dataset] = months
        return found

    @property
    def incomplete(self) -> set[tuple[str, str]]:
        """(dataset, district) pairs where a whole file could not be used or has no rows."""
        return {(f.dataset, f.district) for f in self.files if f.unusable}


def _label(config: AuthorityConfig, path: Path) -> str:
    try:
        return path.relative_to(config.base_dir).as_posix()
    except ValueError:
        return path.name


def _paths(config: AuthorityConfig, source: SourceEntry) -> list[Path]:
    pattern = config.resolve(source.file)
    if any(c in source.file for c in "*?["):
        return sorted(pattern.parent.glob(pattern.name))
    return [pattern]


def annex_a_sheets(path: Path, workbooks: OpenWorkbooks | None = None) -> list[tuple[str, str]]:
    """(sheet, dataset) for every "List N" sheet of an Annex A workbook (guidance and code
    sheets are skipped)."""
    from xl_scorecard.sources.read import sheet_names

    found = []
    for name in sheet_names(path, workbooks):
        match = re.fullmatch(r"list\s*_?\s*(\d+)", name.strip(), flags=re.IGNORECASE)
        if match and int(match.group(1)) in ANNEX_A_LISTS:
            found.append((name, ANNEX_A_LISTS[int(match.group(1))]))
    return found


def read_district(
    config: AuthorityConfig, source: SourceEntry, workbooks: OpenWorkbooks | None = None
) -> tuple[list[tuple[str, SheetResult]], list[FileReport], list[Problem]]:
    """Read and validate every file one source entry names (a path or a glob).

    Returns ``(dataset, result)`` pairs: one source entry may feed several datasets (an Annex A
    workbook), plus a report per sheet read and the problems found.
    """
    district = source.district or ""
    results, reports, problems = [], [], []
    paths = _paths(config, source)
    if not paths:
        problems.append(Problem("file-missing", "error", district, source.dataset, source.file, value=source.file))
        reports.append(FileReport(district, source.dataset, source.file, "", 0, 0, 0, False))
    for path in paths:
        label = _label(config, path)
        try:
            if source.dataset == ANNEX_A:
                targets: list[tuple[str | list[str] | None, str, dict[str, list[str]]]] = [
                    (sheet, dataset, {}) for sheet, dataset in annex_a_sheets(path, workbooks)
                ]
                if not targets:
                    raise SourceFileError("sheet-missing", 'no "List 1" .. "List 11" sheets')
            else:
                targets = [(source.sheet, source.dataset, source.headers)]
        except SourceFileError as exc:
            problems.append(Problem(exc.code, "error", district, source.dataset, label, value=exc.detail))
            reports.append(FileReport(district, source.dataset, label, "", 0, 0, 0, False))
            continue
        for sheet, dataset, headers in targets:
            try:
                raw = read_sheet(path, sheet, max_rows=source.max_rows, workbooks=workbooks)
            except SourceFileError as exc:
                problems.append(Problem(exc.code, "error", district, dataset, label, value=exc.detail))
                reports.append(FileReport(district, dataset, label, sheet if isinstance(sheet, str) else "", 0, 0, 0, False))
                continue
            for code, detail in raw.notes:
                problems.append(Problem(code, "warning", district, dataset, label, raw.sheet, value=detail))
            result = validate_sheet(
                raw, config.datasets[dataset], dataset=dataset, district=district, extra_headers=headers, file_label=label
            )
            usable = not any(p.code in UNUSABLE for p in result.problems)
            if usable and result.rows_read == 0 and not source.allow_empty:
                result.problems.append(Problem("no-rows", "warning", district, dataset, label, raw.sheet))
            if source.indicator:
                result.table["indicator"] = source.indicator
            results.append((dataset, result))
            problems.extend(result.problems)
            reports.append(
                FileReport(
                    district,
                    dataset,
                    label,
                    raw.sheet,
                    result.rows_read,
                    result.rows_loaded,
                    result.rows_excluded,
                    usable,
                    tuple(result.mapped),
                    source.allow_empty,
                )
            )
            log.info(
                "read %s/%s: %d rows, %d loaded, %d excluded", dataset, district, result.rows_read, result.rows_loaded, result.rows_excluded
            )
    return results, reports, problems


def read_sources(config: AuthorityConfig, workers: int = 2) -> SourceData:
    """Read and validate every source in ``config`` into one table per dataset.

    Files are read on ``workers`` threads: calamine parses without holding the GIL for much of
    the time, so one file's parsing overlaps another's validation (measured 1.4x on 2 cores).
    Results are combined in configuration order, so the output does not depend on timing.
    """
    parts: dict[str, list[pd.DataFrame]] = {}
    data = SourceData(tables={})
    # Sources naming the same file go to one task, which opens the workbook once for all of
    # them (an Annex A workbook's eleven lists, a workforce workbook's three sheets).
    groups: dict[tuple[Path, ...], list[int]] = {}
    for number, source in enumerate(config.data.source):
        groups.setdefault(tuple(_paths(config, source)) or (Path(source.file),), []).append(number)

    def read_group(numbers: list[int]) -> list[tuple[int, tuple]]:
        return _read_group(config, numbers)

    # The biggest files first, so the workers finish together.
    size = {paths: sum(p.stat().st_size for p in paths if p.is_file()) for paths in groups}
    tasks = [groups[paths] for paths in sorted(groups, key=lambda paths: size[paths], reverse=True)]
    if workers > 1 and len(tasks) > 1 and sum(size.values()) > PROCESS_THRESHOLD_BYTES:
        # Validation is Python and holds the GIL, so for a large authority separate processes
        # read the files (the configuration goes to them pickled; tables come back pickled).
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = [pair for group in pool.map(_read_group, [config] * len(tasks), tasks) for pair in group]
    elif workers > 1 and len(tasks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as threads:
            done = [pair for group in threads.map(read_group, tasks) for pair in group]
    else:
        done = [pair for group in map(read_group, tasks) for pair in group]
    outcomes = [outcome for _, outcome in sorted(done, key=lambda pair: pair[0])]  # configuration order
    for results, reports, problems in outcomes:
        data.files.extend(reports)
        data.problems.extend(problems)
        for dataset, result in results:
            parts.setdefault(dataset, []).append(result.table)
    for dataset, frames in parts.items():
        frames = [f for f in frames if len(f)] or frames[:1]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        for column in [c for c in table if c.startswith(BAD_PREFIX)]:  # rows of other files had no bad value there
            table[column] = table[column].fillna(False).astype(bool)
        data.tables[dataset] = table
    for dataset in ("population", "figures"):
        if dataset in data.tables and len(data.tables[dataset]):
            data.tables[dataset] = _assign_districts(config, data, dataset)
    for table in data.tables.values():
        if "district" in table:  # a handful of codes over many rows: counting by category is ~10x faster
            table["district"] = table["district"].astype("category")
    return data


# Below this much input, threads in one process win: starting processes costs more than it saves.
PROCESS_THRESHOLD_BYTES = 12 * 1024 * 1024


def _read_group(config: AuthorityConfig, numbers: list[int]) -> list[tuple[int, tuple]]:
    # The sources numbered ``numbers`` (they name the same files), each workbook opened once.
    workbooks = OpenWorkbooks()
    try:
        return [(n, read_district(config, config.data.source[n], workbooks)) for n in numbers]
    finally:
        workbooks.close()


def _assign_districts(config: AuthorityConfig, data: SourceData, dataset: str) -> pd.DataFrame:
    # Population and typed figures name districts by code or by name (typed figures may also
    # name the whole authority); rows for unknown districts are reported, not silently ignored.
    table = data.tables[dataset]
    lookup = {d.code.casefold(): d.code for d in config.districts}
    lookup.update({d.name.casefold(): d.code for d in config.districts})
    if dataset == "figures":
        lookup.update({"all": "ALL", config.name.casefold(): "ALL"})
    codes = table["district"].map(lambda v: lookup.get(str(v).casefold()))
    source = next(s for s in config.data.source if s.dataset == dataset)
    unknown = codes[codes.isna()].index
    for index in unknown:
        data.problems.append(
            Problem(
                "unknown-district",
                "error",
                "",
                dataset,
                source.file,
                row=int(table.at[index, "source_row"]),
                column="District",
                value=str(table.at[index, "district"]),
                excluded=True,
            )
        )
    if len(unknown):  # keep the row accounting true: these rows were read but are not loaded
        at = next(i for i, f in enumerate(data.files) if f.dataset == dataset and f.readable)
        report = data.files[at]
        data.files[at] = replace(report, rows_loaded=report.rows_loaded - len(unknown), rows_excluded=report.rows_excluded + len(unknown))
    kept = table.assign(district=codes)[codes.notna()].reset_index(drop=True)
    return kept
