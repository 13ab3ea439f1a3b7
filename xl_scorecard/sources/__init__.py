"""Sources stage: read every configured file and validate it into canonical tables.

``read_sources(config)`` never raises for bad data: it returns the tables it could build and a
record of every problem, with row accounting per file (read = loaded + excluded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from xl_scorecard.sources.problems import Problem
from xl_scorecard.sources.read import SourceFileError, read_sheet
from xl_scorecard.sources.validate import SheetResult, validate_sheet

if TYPE_CHECKING:  # config imports the dataset descriptions from this package
    from xl_scorecard.config import AuthorityConfig, SourceEntry

log = logging.getLogger(__name__)

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


@dataclass
class SourceData:
    """Everything the sources stage produced for one run."""

    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def incomplete(self) -> set[tuple[str, str]]:
        """(dataset, district) pairs where a whole file could not be used."""
        return {(f.dataset, f.district) for f in self.files if not f.readable}


def _label(config: AuthorityConfig, path: Path) -> str:
    try:
        return path.relative_to(config.base_dir).as_posix()
    except ValueError:
        return path.name


def read_district(config: AuthorityConfig, source: SourceEntry) -> tuple[list[SheetResult], list[FileReport], list[Problem]]:
    """Read and validate every file one source entry names (a path or a glob)."""
    spec = config.datasets[source.dataset]
    district = source.district or ""
    pattern = config.resolve(source.file)
    paths = sorted(pattern.parent.glob(pattern.name)) if any(c in source.file for c in "*?[") else [pattern]
    results, reports, problems = [], [], []
    if not paths:
        problems.append(Problem("file-missing", "error", district, source.dataset, source.file, value=source.file))
        reports.append(FileReport(district, source.dataset, source.file, "", 0, 0, 0, False))
    for path in paths:
        label = _label(config, path)
        try:
            raw = read_sheet(path, source.sheet)
        except SourceFileError as exc:
            problems.append(Problem(exc.code, "error", district, source.dataset, label, value=exc.detail))
            reports.append(FileReport(district, source.dataset, label, "", 0, 0, 0, False))
            continue
        result = validate_sheet(raw, spec, dataset=source.dataset, district=district,
                                extra_headers=source.headers, file_label=label)
        usable = not any(p.code in ("header-not-found", "column-missing") for p in result.problems)
        results.append(result)
        problems.extend(result.problems)
        reports.append(FileReport(district, source.dataset, label, raw.sheet, result.rows_read,
                                  result.rows_loaded, result.rows_excluded, usable))
        log.info("read %s/%s: %d rows, %d loaded, %d excluded", source.dataset, district,
                 result.rows_read, result.rows_loaded, result.rows_excluded)
    return results, reports, problems


def read_sources(config: AuthorityConfig) -> SourceData:
    """Read and validate every source in ``config`` into one table per dataset."""
    parts: dict[str, list[pd.DataFrame]] = {}
    data = SourceData(tables={})
    for source in config.data.source:
        results, reports, problems = read_district(config, source)
        data.files.extend(reports)
        data.problems.extend(problems)
        parts.setdefault(source.dataset, []).extend(r.table for r in results)
    for dataset, frames in parts.items():
        frames = [f for f in frames if len(f)] or frames[:1]
        data.tables[dataset] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if "population" in data.tables:
        data.tables["population"] = _assign_population_districts(config, data)
    return data


def _assign_population_districts(config: AuthorityConfig, data: SourceData) -> pd.DataFrame:
    # The population sheet names districts by code or by name; rows for unknown districts are
    # reported rather than silently ignored.
    table = data.tables["population"]
    lookup = {d.code.casefold(): d.code for d in config.districts}
    lookup.update({d.name.casefold(): d.code for d in config.districts})
    codes = table["district"].map(lambda v: lookup.get(str(v).casefold()))
    source = next(s for s in config.data.source if s.dataset == "population")
    for index in codes[codes.isna()].index:
        data.problems.append(Problem("unknown-district", "error", "", "population", source.file,
                                     row=int(table.at[index, "source_row"]), column="District",
                                     value=str(table.at[index, "district"]), excluded=True))
    kept = table.assign(district=codes)[codes.notna()].reset_index(drop=True)
    return kept
