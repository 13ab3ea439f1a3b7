"""Sources stage: read every configured file and validate it into canonical tables.

``read_sources(config)`` never raises for bad data: it returns the tables it could build and a
record of every problem, with row accounting per file (read = loaded + excluded).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import numpy as np
import pandas as pd

from xl_scorecard.sources.cache import ReadingCache, SheetReuse, Target, store
from xl_scorecard.sources.children import (
    BROKEN_CHAIN,
    EXTRACT_YEAR,
    REREFERRAL_FROM_DATES,
    drop_stacked_repeats,
    is_episode_table,
    overlapping_rows,
    periods_of_care,
    rereferrals_from_dates,
)
from xl_scorecard.sources.columns import concat_columns
from xl_scorecard.sources.problems import Problem
from xl_scorecard.sources.read import MAX_INFLATED_BYTES, OpenWorkbooks, SourceFileError, pick_sheet, read_sheet, sheet_names
from xl_scorecard.sources.schema import ANNEX_A, ANNEX_A_LISTS, DatasetSpec, normalise_header
from xl_scorecard.sources.validate import BAD_PREFIX, SheetResult, find_header, header_regexes, validate_sheet

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


# How people name the sheets of an Annex A workbook: "List 1", "List_1", "List 1 - Contacts",
# "List 3 (Referrals)", "L3"; or by the list's title alone ("Contacts", "CP plans").
_LIST_NUMBER = re.compile(r"^\s*(?:list|l)\s*[_\-.:]?\s*(\d{1,2})(?!\d)", flags=re.IGNORECASE)
LIST_TITLES: dict[int, tuple[str, ...]] = {
    1: ("contacts",),
    2: ("early help",),
    3: ("referrals",),
    4: ("assessments", "single assessments"),
    5: ("section 47", "s47", "s 47", "section 47s and icpcs"),
    6: ("children in need", "cin"),
    7: ("child protection", "cp plans", "cpp", "cp"),
    8: ("children in care", "children looked after", "looked after children", "cla", "lac", "cic"),
    9: ("care leavers",),
    10: ("adoption", "adoptions"),
    11: ("adopters",),
}
# Sheets of the official template that hold no list.
_NOT_LISTS = re.compile(r"guidance|codes?|front|faq|notes?|lookups?|instructions|validation|changes|contents|cover", flags=re.IGNORECASE)


def list_number(sheet: str) -> int | None:
    """The Annex A list a sheet's name says it holds, or None."""
    match = _LIST_NUMBER.match(sheet)
    if match:
        number = int(match.group(1))
        return number if number in ANNEX_A_LISTS else None
    words = " ".join(re.sub(r"[^0-9a-z]+", " ", sheet.casefold()).split())
    for number, titles in LIST_TITLES.items():
        if any(words == title or words.startswith(f"{title} ") for title in titles):
            return number
    return None


@dataclass(frozen=True)
class AnnexASheets:
    """Where the lists of one Annex A workbook are: ``found`` as (sheet, dataset, how found:
    "name" or "headers"), and the sheets that hold none of them."""

    found: list[tuple[str, str, str]]
    unrecognised: list[str]

    def summary(self) -> str:
        """One line: each list and its sheet, the lists not found and the sheets not used."""
        numbers = {dataset: number for number, dataset in ANNEX_A_LISTS.items()}
        by_number = sorted(self.found, key=lambda item: numbers[item[1]])
        parts = [f'List {numbers[d]} in "{s}"' + (" (recognised by its headings)" if how == "headers" else "") for s, d, how in by_number]
        missing = [f"List {n}" for n, d in ANNEX_A_LISTS.items() if d not in {d for _, d, _ in self.found}]
        text = "found " + (", ".join(parts) or "no list")
        if missing:
            text += f"; not found: {', '.join(missing)}"
        if self.unrecognised:
            text += "; sheets holding none of the lists: " + ", ".join(f'"{s}"' for s in self.unrecognised)
        return text


def annex_a_sheets(
    path: Path,
    workbooks: OpenWorkbooks | None = None,
    datasets: dict[str, DatasetSpec] | None = None,
    max_inflated: int = MAX_INFLATED_BYTES,
) -> AnnexASheets:
    """The lists of an Annex A workbook, whatever its sheets are called: by the sheet's name
    ("List 3", "List 3 (Referrals)", "L3", "Referrals"), else, given ``datasets``, by its
    headings (a sheet whose heading row has every required column of one list)."""
    found: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    unnamed = []
    for name in sheet_names(path, workbooks, max_inflated):
        number = list_number(name)
        if number is not None and ANNEX_A_LISTS[number] not in taken:
            found.append((name, ANNEX_A_LISTS[number], "name"))
            taken.add(ANNEX_A_LISTS[number])
        elif not _NOT_LISTS.search(name):
            unnamed.append(name)
    unrecognised = []
    for name in unnamed:
        best: tuple[int, str] | None = None
        if datasets is not None:
            try:
                rows = read_sheet(path, name, max_rows=MAX_ROWS_SCANNED, max_inflated=max_inflated, workbooks=workbooks).rows[:40]
            except SourceFileError:
                rows = []
            for dataset in ANNEX_A_LISTS.values():
                spec = datasets.get(dataset)
                if spec is None or dataset in taken:
                    continue
                patterns = {n: {normalise_header(h) for h in c.headers} for n, c in spec.columns.items()}
                header = find_header(rows, patterns, header_regexes(spec))
                required = {n for n, c in spec.columns.items() if c.required}
                if header and required <= set(header[1]) and (best is None or len(header[1]) > best[0]):
                    best = (len(header[1]), dataset)
        if best is None:
            unrecognised.append(name)
        else:
            found.append((name, best[1], "headers"))
            taken.add(best[1])
    return AnnexASheets(found, unrecognised)


# Sheets read to recognise a list by its headings are read whole (calamine has no row limit);
# a sheet this long is not a list to recognise.
MAX_ROWS_SCANNED = 1_000_000


def read_district(
    config: AuthorityConfig,
    source: SourceEntry,
    workbooks: OpenWorkbooks | None = None,
    reuse: SheetReuse | None = None,
    number: int = -1,
) -> tuple[list[tuple[str, SheetResult]], list[FileReport], list[Problem]]:
    """Read and validate every file one source entry names (a path or a glob).

    Returns ``(dataset, result)`` pairs: one source entry may feed several datasets (an Annex A
    workbook), plus a report per sheet read and the problems found. With ``reuse`` (the source
    being configuration entry ``number``), a sheet of a changed workbook that is as it was when
    last read is taken from that reading, and each sheet's key is recorded for the next.
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
                lists = annex_a_sheets(path, workbooks, config.datasets, source.max_inflated_mb * 1024**2)
                targets: list[tuple[str | list[str] | None, str, dict[str, list[str]]]] = [
                    (sheet, dataset, {}) for sheet, dataset, _ in lists.found
                ]
                if not targets:
                    raise SourceFileError(
                        "sheet-missing", f'no Annex A list ("List 1" .. "List 11", or a sheet with a list\'s headings): {lists.summary()}'
                    )
                if len(lists.found) < len(ANNEX_A_LISTS) or lists.unrecognised or any(how == "headers" for *_, how in lists.found):
                    problems.append(Problem("annex-a-lists", "warning", district, source.dataset, label, value=lists.summary()))
            else:
                targets = [(source.sheet, source.dataset, source.headers)]
        except SourceFileError as exc:
            problems.append(Problem(exc.code, "error", district, source.dataset, label, value=exc.detail))
            reports.append(FileReport(district, source.dataset, label, "", 0, 0, 0, False))
            continue
        for sheet, dataset, headers in targets:
            try:
                exact = source.dataset == ANNEX_A  # the lists' sheets were found by their names
                part = _sheet_key(reuse, number, path, label, sheet, dataset, workbooks, source.max_inflated_mb * 1024**2, exact)
                kept = reuse.take(part, dataset) if reuse is not None and part is not None else None
                if kept is not None:
                    result, report = kept
                    results.append((dataset, result))
                    problems.extend(result.problems)
                    reports.append(report)
                    cast(SheetReuse, reuse).record(number, part, len(reports) - 1)
                    log.info("kept %s/%s from its last reading: the sheet is unchanged", dataset, district)
                    continue
                raw = read_sheet(path, sheet, max_rows=source.max_rows, max_inflated=source.max_inflated_mb * 1024**2, workbooks=workbooks)
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
            if reuse is not None:
                reuse.record(number, part, len(reports) - 1)
            log.info(
                "read %s/%s: %d rows, %d loaded, %d excluded", dataset, district, result.rows_read, result.rows_loaded, result.rows_excluded
            )
    return results, reports, problems


def _sheet_key(
    reuse: SheetReuse | None,
    number: int,
    path: Path,
    label: str,
    sheet: str | list[str] | None,
    dataset: str,
    workbooks: OpenWorkbooks | None,
    max_inflated: int,
    exact: bool,
) -> str | None:
    # The sheet's key for ``reuse`` (None: none to keep or record). The sheet a source names is
    # found among the workbook's sheets as reading it would (opening it: the same checks).
    if reuse is None or path.suffix.lower() not in (".xlsx", ".xlsm") or reuse.digests(path) is None:
        return None  # not a zip workbook laid out as .xlsx (a CSV saved as .xlsx, a missing file)
    name = sheet if exact and isinstance(sheet, str) else pick_sheet(sheet_names(path, workbooks, max_inflated), sheet)
    return reuse.key(number, path, label, name, dataset) if name is not None else None


def read_sources(
    config: AuthorityConfig, workers: int = 2, progress: Callable[[str], None] | None = None, cache: Path | None = None
) -> SourceData:
    """Read and validate every source in ``config`` into one table per dataset.

    Files are read on ``workers`` threads: calamine parses without holding the GIL for much of
    the time, so one file's parsing overlaps another's validation (measured 1.4x on 2 cores).
    Results are combined in configuration order, so the output does not depend on timing.
    ``progress`` is told each file read ("Reading Northgate: 3 of 12 files"), as it finishes.
    With ``cache`` (a folder beside the master: ``cache.cache_folder``), a file whose content,
    source entries, descriptions and tool are unchanged since a refresh saved its reading there
    is not read again (``xl_scorecard.sources.cache``).
    """
    parts: dict[str, list[SheetResult]] = {}
    data = SourceData(tables={})
    # Sources naming the same file go to one task, which opens the workbook once for all of
    # them (an Annex A workbook's eleven lists, a workforce workbook's three sheets).
    groups: dict[tuple[Path, ...], list[int]] = {}
    for number, source in enumerate(config.data.source):
        groups.setdefault(tuple(_paths(config, source)) or (Path(source.file),), []).append(number)

    # The biggest files first, so the workers finish together.
    size = {paths: sum(p.stat().st_size for p in paths if p.is_file()) for paths in groups}
    ordered = sorted(groups, key=lambda paths: size[paths], reverse=True)
    names = {d.code: d.name for d in config.districts}
    count = 0

    def finished(numbers: list[int]) -> None:
        nonlocal count
        count += 1
        if progress is not None:
            district = config.data.source[numbers[0]].district
            progress(f"Reading {names.get(district or '', 'the authority files')}: {count} of {len(ordered)} files")

    done: list[tuple[int, tuple]] = []
    readings = ReadingCache.for_config(cache, config) if cache is not None else None
    tasks: list[tuple[list[int], Target | None]] = []
    task_sizes: list[int] = []  # bytes of each task's files
    unread = 0  # bytes of the files to read: whether processes are worth starting
    for paths in ordered:
        numbers = groups[paths]
        target = readings.target(config, numbers, paths) if readings is not None and all(p.is_file() for p in paths) else None
        if readings is not None and target is not None:
            first = config.data.source[numbers[0]]
            about = Problem("reading-not-used", "warning", first.district or "", first.dataset, _label(config, paths[0]))
            saved = readings.load(target, numbers, about)
            if saved is not None:
                done += saved
                finished(numbers)
                continue
        tasks.append((numbers, target))
        task_sizes.append(size[paths])
        unread += size[paths]

    def read_group(numbers: list[int], target: Target | None) -> list[tuple[int, tuple]]:
        return _read_group(config, numbers, target)

    if workers > 1 and len(tasks) == 1 and len(tasks[0][0]) > 1:
        numbers, target = tasks[0]
        done += _read_one_group_on_threads(config, numbers, target, workers)
        finished(numbers)
    elif workers > 1 and len(tasks) > 1 and unread > process_threshold():
        # Validation is Python and holds the GIL, so for a large authority separate processes
        # read the files; tables come back pickled. The configuration goes to each worker once,
        # not with each file: pickled per task it cost time growing with the square of the
        # district count (316 KB a task at 100 districts, ~550 tasks).
        # Small files go to a process several at a time (``batches``): each task sent and
        # answered costs the parent, which shares the cores with the readers (650 tasks at 100
        # districts).
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(config,)) as pool:
            batched = {pool.submit(_read_groups_in_worker, batch): batch for batch in batches(tasks, task_sizes, workers)}
            for future in as_completed(batched):
                done += future.result()
                for numbers, _ in batched[future]:
                    finished(numbers)
    elif workers > 1 and len(tasks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as threads:
            futures = {threads.submit(read_group, numbers, target): numbers for numbers, target in tasks}
            for future in as_completed(futures):
                done += future.result()
                finished(futures[future])
    else:
        for numbers, target in tasks:
            done += read_group(numbers, target)
            finished(numbers)
    if readings is not None:
        readings.prune()
    outcomes = [outcome for _, outcome in sorted(done, key=lambda pair: pair[0])]  # configuration order
    for results, reports, problems in outcomes:
        data.files.extend(reports)
        data.problems.extend(problems)
        for dataset, result in results:
            parts.setdefault(dataset, []).append(result)
    for dataset, sheets in parts.items():
        sheets = [r for r in sheets if r.rows_loaded] or sheets[:1]
        # Sheets still in their columns (read here or in a reading process) are joined column by
        # column, without a frame each; a sheet whose table was made, or saved and read back,
        # joins as a frame.
        stacked = [(r.columns, r.length) for r in sheets if r.columns is not None]
        table = concat_columns(stacked) if sheets and len(stacked) == len(sheets) else None
        if table is None:
            table = pd.concat([r.table for r in sheets], ignore_index=True) if sheets else pd.DataFrame()
        for column in [c for c in table if c.startswith(BAD_PREFIX)]:  # rows of other files had no bad value there
            table[column] = table[column].fillna(False).astype(bool)
        data.tables[dataset] = table
    for dataset in ("population", "figures"):
        if dataset in data.tables and len(data.tables[dataset]):
            data.tables[dataset] = _assign_districts(config, data, dataset)
    if "cla" in data.tables and is_episode_table(data.tables["cla"]):
        _episodes_to_periods(data)
    for dataset, spec in config.datasets.items():
        if spec.periods and dataset in data.tables:
            _report_overlaps(data, dataset, spec)
    referrals = data.tables.get("referrals")
    if referrals is not None and {"child_id", "referral_date"} <= set(referrals):
        # Worked out once on the whole list (every referral is history for the next), not per
        # figure and month on the rows each figure keeps.
        referrals[REREFERRAL_FROM_DATES] = rereferrals_from_dates(referrals)
    for table in data.tables.values():
        if "district" in table:  # a handful of codes over many rows: counting by category is ~10x faster
            table["district"] = table["district"].astype("category")
    if readings is not None:
        data.problems.extend(readings.notes)
    return data


def _files_of(data: SourceData, dataset: str, district: str) -> str:
    return ", ".join(sorted({f.file for f in data.files if f.dataset == dataset and f.district == district and f.readable}))


def _episodes_to_periods(data: SourceData) -> None:
    # SSDA903 episodes become periods of care; an episode repeated by stacked yearly extracts
    # is counted once (from the latest extract), and the repeats are reported, with their count.
    # They stay "loaded" in the row accounting: a repeat is not a bad row, and counting it as
    # left out would make the list look a quarter invalid.
    kept, dropped = drop_stacked_repeats(data.tables["cla"], "cla_start", "cla_end")
    _report_rows(data, "stacked-repeats", dropped, _extracts)
    periods = periods_of_care(kept, start="cla_start", end="cla_end", reason="reason_ceased")
    _report_rows(data, "episode-missing", periods[periods[BROKEN_CHAIN].astype(bool)] if BROKEN_CHAIN in periods else periods.iloc[0:0])
    data.tables["cla"] = periods.drop(columns=[BROKEN_CHAIN], errors="ignore")
    _join_903_header(data)


def _extracts(rows: pd.DataFrame) -> str:
    years = sorted({int(y) for y in rows[EXTRACT_YEAR].dropna()}) if EXTRACT_YEAR in rows else []
    return f"; from the {', '.join(map(str, years))} extract" if years else ""


def _report_rows(data: SourceData, code: str, rows: pd.DataFrame, more: Callable[[pd.DataFrame], str] = lambda rows: "") -> None:
    # One record per district for a set of looked-after rows: how many, the first five named.
    for district, mine in rows.groupby(rows["district"].astype(str), sort=True):
        shown = ", ".join(str(r) for r in mine["source_row"].head(5)) + (", ..." if len(mine) > 5 else "")
        data.problems.append(
            Problem(
                code,
                "warning",
                district,
                "cla",
                _files_of(data, "cla", district),
                row=int(mine["source_row"].iloc[0]),
                value=str(len(mine)),
                other=f"rows {shown}{more(mine)}",
            )
        )


def _join_903_header(data: SourceData) -> None:
    # The 903 UASC table names the unaccompanied asylum-seeking children, the header their
    # dates of birth: joined to the periods of care when the episodes do not say.
    table = data.tables["cla"]
    uasc = data.tables.get("uasc_903")
    if uasc is not None and len(uasc) and table["uasc"].isna().all():
        table["uasc"] = np.where(table["child_id"].isin(set(uasc["child_id"])), "Yes", "No")
    header = data.tables.get("children_903")
    if header is not None and len(header) and table["age"].isna().all():
        births = header.dropna(subset=["dob"]).drop_duplicates("child_id", keep="last").set_index("child_id")["dob"]
        reference = pd.concat([table["cla_start"], table["cla_end"]]).max()
        born = table["child_id"].map(births)
        years = (
            reference.year
            - born.dt.year
            - ((born.dt.month > reference.month) | ((born.dt.month == reference.month) & (born.dt.day > reference.day)))
        )
        table["age"] = years.astype("Int64")
    data.tables["cla"] = table


def _report_overlaps(data: SourceData, dataset: str, spec: DatasetSpec) -> None:
    # Two rows of one child open at once: reported (rows named, child id kept private); the
    # snapshot figures count the child once.
    start, end = spec.periods
    for overlap in overlapping_rows(data.tables[dataset], start, end):
        data.problems.append(
            Problem(
                "child-rows-overlap",
                "warning",
                overlap.district,
                dataset,
                _files_of(data, dataset, overlap.district),
                row=overlap.rows[0],
                column=spec.columns[start].headers[0],
                value=overlap.child_id,
                other=", ".join(str(r) for r in overlap.rows),
                personal=True,
            )
        )


# Below this much input, threads in one process win: starting processes costs more than it saves.
PROCESS_THRESHOLD_BYTES = 12 * 1024 * 1024
# The same where a reading process starts a fresh Python ("spawn": Windows' only way, and macOS's;
# "forkserver": Linux's default from Python 3.14), which imports the tool and pandas again before
# it reads, instead of being forked with them loaded. Measured on the 2-core VM with spawn,
# whole refreshes, medians of five: the Kent-size inputs (19 MB) take 3.23 s in processes and
# 3.18 s on threads, whose one process peaks at 208 MB against 371 MB summed (forked processes:
# 2.85 s); reading alone, 100 districts (27 MB) 2.63 s in processes against 2.89 s on threads,
# ~1M rows (63 MB) 5.08 against 6.06 s.
FRESH_PROCESS_THRESHOLD_BYTES = 24 * 1024 * 1024


def process_threshold() -> int:
    """Input bytes above which files are read in separate processes, not on threads: more where
    each process is a fresh Python (``FRESH_PROCESS_THRESHOLD_BYTES``) than where it is forked."""
    import multiprocessing

    # The method a pool would use, without fixing it (get_context() would, and a later
    # set_start_method would then fail): the one set, else the platform's default (listed first).
    method = multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_all_start_methods()[0]
    return PROCESS_THRESHOLD_BYTES if method == "fork" else FRESH_PROCESS_THRESHOLD_BYTES


_WORKER_CONFIG: AuthorityConfig | None = None  # a reading process's configuration (_start_worker)


def _start_worker(config: AuthorityConfig) -> None:
    global _WORKER_CONFIG
    _WORKER_CONFIG = config


def _read_groups_in_worker(batch: list[tuple[list[int], Target | None]]) -> list[tuple[int, tuple]]:
    if _WORKER_CONFIG is None:  # only ever run by a pool started with _start_worker
        raise RuntimeError("reading process started without its configuration")
    config = _WORKER_CONFIG
    return [outcome for numbers, target in batch for outcome in _read_group(config, numbers, target)]


T = TypeVar("T")

# About how many tasks per reading process a run is cut into (a little more where a file
# passes the budget): enough that the processes finish together (the largest files go
# first), few enough that sending them costs little.
BATCHES_PER_WORKER = 16


def batches(tasks: list[T], sizes: list[int], workers: int) -> list[list[T]]:
    """``tasks`` (largest first, ``sizes`` their bytes) in consecutive batches of about the
    total over ``workers * BATCHES_PER_WORKER`` bytes each; a task larger than that is a batch
    of its own. Order kept: concatenated, the batches are ``tasks``."""
    budget = sum(sizes) / max(1, workers * BATCHES_PER_WORKER)
    found: list[list[T]] = []
    held = 0.0
    for task, size in zip(tasks, sizes, strict=True):
        if not found or held + size > budget:
            found.append([])
            held = 0.0
        found[-1].append(task)
        held += size
    return found


def _read_group(config: AuthorityConfig, numbers: list[int], target: Target | None = None) -> list[tuple[int, tuple]]:
    # The sources numbered ``numbers`` (they name the same files), each workbook opened once;
    # the reading saved for ``target`` where the worker is (the saving shares the workers), with
    # the sheets its last reading holds unchanged taken from it.
    reuse = SheetReuse.open(target) if target is not None else None
    outcomes = _read_numbers(config, numbers, reuse)
    if target is not None and reuse is not None:
        store(target, [outcome for _, outcome in outcomes], reuse.parts(numbers))
    return outcomes


def _read_numbers(config: AuthorityConfig, numbers: list[int], reuse: SheetReuse | None = None) -> list[tuple[int, tuple]]:
    workbooks = OpenWorkbooks()
    try:
        return [(n, read_district(config, config.data.source[n], workbooks, reuse, n)) for n in numbers]
    finally:
        workbooks.close()


def _read_one_group_on_threads(config: AuthorityConfig, numbers: list[int], target: Target | None, workers: int) -> list[tuple[int, tuple]]:
    """The sources of one file (the only one to read: the others' readings saved) on ``workers``
    threads, each opening the file itself and taking every ``workers``-th sheet: calamine parses
    one sheet while another is validated (one district's Annex A workbook at Kent size: 1.1 s ->
    0.7 s). Combined in configuration order and saved as one reading, as ``_read_group`` does."""
    chunks = [numbers[start::workers] for start in range(workers)]
    reuse = SheetReuse.open(target) if target is not None else None  # each source's keys kept apart: safe to share
    with ThreadPoolExecutor(max_workers=workers) as threads:
        read = list(threads.map(lambda chunk: _read_numbers(config, chunk, reuse), chunks))
    outcomes = sorted((pair for part in read for pair in part), key=lambda pair: pair[0])
    if target is not None and reuse is not None:
        store(target, [outcome for _, outcome in outcomes], reuse.parts([number for number, _ in outcomes]))
    return outcomes


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
