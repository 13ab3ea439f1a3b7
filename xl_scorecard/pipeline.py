"""The whole run, used by every front-end: read -> validate -> compute -> score -> history -> write."""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xl_scorecard.commentary import commentary_for, merge_commentary, read_commentary
from xl_scorecard.config import AuthorityConfig
from xl_scorecard.errors import ConfigError, IncompleteInputs, PeriodError
from xl_scorecard.history import (
    RESTATEMENT_COLUMNS,
    WARNING_COLUMNS,
    WARNING_KEPT,
    merge_history,
    read_history,
    read_restatements,
    read_warning_record,
    restated,
    worse_than_stored,
)
from xl_scorecard.indicators import AUTHORITY, compute_all, load_catalogue
from xl_scorecard.indicators.calculations import population_at, rereferral_flags
from xl_scorecard.indicators.catalogue import Indicator, default_catalogue_path, format_value
from xl_scorecard.indicators.clocks import Clock, due_cases, due_counts, load_clocks, projections, went_past_due
from xl_scorecard.indicators.comparators import comparator_figures
from xl_scorecard.indicators.completeness import COMPLETE, figure_coverage, list_gaps, missing_districts, with_status
from xl_scorecard.indicators.definitions import check_definitions, columns_used
from xl_scorecard.indicators.drilldown import drilldown_cases
from xl_scorecard.indicators.saved import FILE_NAME as FIGURES_FILE
from xl_scorecard.indicators.saved import SavedFigures
from xl_scorecard.indicators.typed import typed_figure_checks
from xl_scorecard.indicators.views import compute_detail, compute_views, detail_variant
from xl_scorecard.periods import Month, months_ending, window_for
from xl_scorecard.scoring import score_results, score_views, summary_counts, summary_sentence
from xl_scorecard.sources import SourceData, read_sources
from xl_scorecard.sources.cache import cache_folder
from xl_scorecard.sources.problems import NO_FIGURE, Problem
from xl_scorecard.sources.schema import AUTHORITY_WIDE

if TYPE_CHECKING:  # the writer's layout types; the writer itself is imported last, when needed
    from xl_scorecard.render.layout import Detail, Layout

log = logging.getLogger(__name__)
Progress = Callable[[str], None]  # told what the run is doing, in words for a status bar

# Months computed each run: the sparkline's twelve plus one for the first month's trend.
COMPUTED_MONTHS = 13


@dataclass
class RunResult:
    """What a refresh produced, for the front-ends to show."""

    master: Path
    backup: Path | None
    period: Month
    catalogue: list[Indicator]
    sources: SourceData
    scored: pd.DataFrame
    summary: str
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks and logs
    # Stored complete figures this run's incomplete inputs did not overwrite (history.merge_history).
    kept_stored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # figures of the month that are not complete, and why
    restated: list[str] = field(default_factory=list)  # stored figures this run computed differently
    # Early warning, aggregate only (indicators.clocks.due_counts) and the line that heads it.
    due_counts: pd.DataFrame | None = None
    due_heading: str = ""
    # What the timeliness figures can still become (indicators.clocks.projections), aggregate only.
    projections: pd.DataFrame | None = None

    @property
    def valid(self) -> bool:
        return not self.sources.errors


def default_period(today: dt.date | None = None) -> Month:
    """The last complete month before ``today``."""
    return Month.of(today or dt.date.today()).shift(-1)


def figure_notes(scored: pd.DataFrame, period: Month, titles: dict[str, str], names: dict[str, str]) -> list[str]:
    """One line per figure of the month that is not complete, authority first: which figure,
    its status and why (shown under the Scorecard and listed by the command line)."""
    rows = scored[(scored["period"] == str(period)) & (scored["status"] != COMPLETE)]
    rows = rows.assign(order=(rows["area"] != AUTHORITY)).sort_values(["order", "indicator", "area"], kind="stable")
    return [
        f"{titles.get(i, i)}{'' if a == AUTHORITY else ' - ' + names.get(a, a)}: {status}" + (f" ({reason})" if reason else "")
        for i, a, status, reason in zip(rows["indicator"], rows["area"], rows["status"], rows["reason"])
    ]


def _month_ranges(months: list[Month]) -> str:
    # "Oct 2025 to Sep 2026, Nov 2026": consecutive months as one range.
    runs: list[list[Month]] = []
    for month in months:
        if runs and runs[-1][-1].shift(1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(run[0].label if len(run) == 1 else f"{run[0].label} to {run[-1].label}" for run in runs)


def restatement_records(
    changes: pd.DataFrame, catalogue: list[Indicator], sources: SourceData, config: AuthorityConfig, now: dt.datetime
) -> pd.DataFrame:
    """One Restatements row per restated figure: when, which month, indicator and area, the old
    and new values, and the input files behind it with their last-modified times (the one
    changed since the figure was stored is among them)."""
    by_id = {ind.id: ind for ind in catalogue}
    names = {d.code: d.name for d in config.districts}
    # A new extract restates hundreds of figures: each indicator and area's inputs are listed
    # once, and each file's time looked up once.
    listed: dict[tuple[str, str], str] = {}
    modified: dict[str, str] = {}
    rows = []
    for change in changes.itertuples():
        indicator = by_id.get(str(change.indicator))
        if indicator is None:
            continue
        inputs = listed.get((indicator.id, str(change.area)))
        if inputs is None:
            datasets = indicator.datasets
            files = sorted(
                {f.file for f in sources.files if f.dataset in datasets and (change.area == AUTHORITY or f.district in (change.area, ""))}
            )
            for file in files:
                if file not in modified:
                    modified[file] = _modified(config.base_dir / file)
            inputs = listed[(indicator.id, str(change.area))] = "; ".join(f"{file} ({modified[file]})" for file in files)
        rows.append(
            [
                f"{now:%d/%m/%Y %H:%M}",
                Month.parse(str(change.period)).label,
                indicator.title,
                config.name if change.area == AUTHORITY else names.get(str(change.area), str(change.area)),
                indicator.unit,
                change.old,
                change.new,
                inputs,
            ]
        )
    return pd.DataFrame(rows, columns=RESTATEMENT_COLUMNS)


def _modified(path: Path) -> str:
    try:
        return f"modified {dt.datetime.fromtimestamp(path.stat().st_mtime):%d/%m/%Y %H:%M}"
    except OSError:
        return "not found"


def restated_lines(records: pd.DataFrame, authority: str) -> list[str]:
    """The run's restatements, one line each, for the command line and the email."""

    def shown(value: Any, unit: str) -> str:
        return format_value(None if value is None or pd.isna(value) else float(value), unit, "no figure")

    return [
        f"{r['Indicator']}{'' if r['Area'] == authority else ' - ' + r['Area']}, {r['Month']}: "
        f"{shown(r['Old value'], r['Unit'])} -> {shown(r['New value'], r['Unit'])}"
        for r in records.to_dict("records")
    ]


def kept_lines(protected: pd.DataFrame, titles: dict[str, str], names: dict[str, str]) -> list[str]:
    """What ``history.worse_than_stored`` kept, one line per indicator and area with its months."""
    lines = []
    for (indicator, area), rows in protected.groupby(["indicator", "area"], sort=True):
        months = _month_ranges(sorted(Month.parse(p) for p in rows["period"]))
        where = "" if area == AUTHORITY else f" - {names.get(area, area)}"
        lines.append(f"{titles.get(indicator, indicator)}{where}: kept the complete figures stored for {months}")
    return lines


def input_range(sources: SourceData, config: AuthorityConfig) -> tuple[str, str, set[str]] | None:
    """(first month, last month, months with any dated row) the inputs report on. The range runs
    from the median of the lists' first months to the median of their last: a child in care
    since 2016 does not make 2016 a month of data, nor one list extracted late a month after."""
    by_dataset = sources.dated_months(config.datasets)
    if not by_dataset:
        return None
    first = statistics.median_low(min(months) for months in by_dataset.values())
    last = statistics.median_high(max(months) for months in by_dataset.values())
    return first, last, set().union(*by_dataset.values())


def check_period(period: Month, sources: SourceData, config: AuthorityConfig) -> None:
    """Refuse a reporting month the inputs do not report on (before they start, after they end,
    or a month in between without a single dated row), naming the months they do cover."""
    covered = input_range(sources, config)
    if covered is None:
        raise PeriodError(
            f"{config.name}: no input file has a dated row, so there is nothing to report for {period.label}. "
            "Check that the district files are in place (xl-scorecard check --config ... lists what was read)."
        )
    first, last, months = Month.parse(covered[0]), Month.parse(covered[1]), covered[2]
    if period < first or period > last or str(period) not in months:
        where = "after the inputs end" if period > last else "before the inputs start" if period < first else "a month missing from them"
        raise PeriodError(
            f"{config.name}: the input files have no data for {period.label} ({where}: they cover {first.label} to "
            f'{last.label}). Choose a month in that range (--period YYYY-MM, or period = "YYYY-MM" in the '
            "configuration), or check that this month's files are in place. Nothing was written."
        )


def detail_variants(layout: Layout, catalogue: list[Indicator], where: object) -> list[tuple[Detail, list[tuple[Indicator, str]]]]:
    """Each detailed-analysis block of ``layout`` with its rows as monthly indicator variants.
    A block on an indicator the catalogue does not have is left out (the layout may serve
    several catalogues); a change the calculation does not take is a ``ConfigError``."""
    by_id = {ind.id: ind for ind in catalogue}
    blocks = []
    for block in layout.detail:
        if block.indicator not in by_id:
            log.info("layout %s: detailed analysis of %s left out (not in the catalogue)", where, block.indicator)
            continue
        try:
            rows: list[tuple[Indicator, str]] = [
                (detail_variant(by_id[block.indicator], row.change, f"layout {where}, {block.title!r}, {row.label!r}"), row.show)
                for row in block.row
            ]
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        blocks.append((block, rows))
    return blocks


@contextmanager
def _timed(timings: dict[str, float], stage: str, progress: Progress | None = None, say: str = "") -> Iterator[None]:
    if progress is not None and say:
        progress(say)
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def check(config: AuthorityConfig, progress: Progress | None = None) -> SourceData:
    """Read and validate only (after checking the catalogue's definitions against the datasets)."""
    catalogue = load_checked_catalogue(config)
    sources = read_sources(config, progress=progress)
    stop_on_configuration_slips(sources, config)
    check_typed_figures(sources, catalogue)
    name_the_figures(sources, catalogue)
    report_missing_lists(sources, catalogue, config)
    report_rereferral_disagreement(sources, catalogue, config)
    return sources


def due_list(config: AuthorityConfig, period: Month | None = None, within: int | None = None) -> tuple[Month, pd.DataFrame, list[str]]:
    """(the month, the open cases due within ``within`` working days of its end or overdue,
    the clocks that could not run): read and validate as ``check`` does, then run the
    catalogue's clocks. Child-level rows: for the master's own sheet, never for a log."""
    period = period or config.period or default_period()
    catalogue = load_checked_catalogue(config)
    clocks = load_checked_clocks(config, catalogue)
    sources = read_sources(config)
    stop_on_configuration_slips(sources, config)
    check_period(period, sources, config)
    days = config.data.authority.due_within if within is None else within
    due, notes = due_cases(clocks, sources.tables, period.last_day, within=days, gaps=clock_gaps(clocks, sources, config))
    return period, due, notes if clocks else ["The catalogue defines no timescale clocks ([[clock]] entries)."]


def clock_gaps(clocks: list[Clock], sources: SourceData, config: AuthorityConfig) -> dict[str, dict[str, str]]:
    """Per clock, the districts without a usable list (or column) it needs, and why: their
    counts are "no data", never 0 (indicators.completeness.list_gaps)."""
    districts = [(d.code, d.name) for d in config.districts]
    return {clock.id: gaps for clock in clocks if (gaps := list_gaps(clock.needs(), sources.files, districts))}


def warning_record(
    stored: pd.DataFrame,
    counts: pd.DataFrame | None,
    clocks: list[Clock],
    tables: dict[str, pd.DataFrame],
    day: dt.date,
    within: int,
    gaps: dict[str, dict[str, str]],
    districts: list[str],
) -> pd.DataFrame:
    """The early-warning record after this refresh (history.WARNING_COLUMNS): the stored days as
    recorded then, this day's due-soon counts (replacing a record of the same day), and for
    every earlier day how many of its due-soon cases went past their due date, as the lists
    read now show it; newest first, the last ``WARNING_KEPT`` days."""
    keep = stored[stored["as_at"] != day] if not stored.empty else stored
    parts = []
    for (then, window), group in keep.groupby(["as_at", "within"], sort=False):
        if then < day:
            went = went_past_due(clocks, tables, then, int(window), day, gaps).set_index(["clock", "district"])
            keys = pd.MultiIndex.from_arrays([group["clock"], group["district"]])
            for column in ("went_past", "not_yet_due"):
                found = went[column].reindex(keys).to_numpy(dtype="float64")
                # No case due soon then in a district: none went past (the due-soon count says 0).
                group = group.assign(**{column: np.where(np.isnan(found) & (group["due_soon"].to_numpy() == 0), 0.0, found)})
        parts.append(group)
    if counts is not None and not counts.empty:
        # Every timescale and district: a district with none due soon counts 0, one without the
        # lists the clock needs no count at all (as on the early-warning table).
        found = {(r["clock"], r["district"]): r["due_soon"] for r in counts.to_dict("records") if r["district"]}
        now_rows = [{"clock": c.title, "district": d, "due_soon": found.get((c.title, d), 0.0)} for c in clocks for d in districts]
        parts.append(pd.DataFrame(now_rows).assign(as_at=day, within=within, went_past=np.nan, not_yet_due=np.nan))
    if not parts:
        return pd.DataFrame(columns=WARNING_COLUMNS)
    record = pd.concat(parts, ignore_index=True)[WARNING_COLUMNS]
    kept_days = sorted(set(record["as_at"]), reverse=True)[:WARNING_KEPT]
    record = record[record["as_at"].isin(kept_days)]
    return record.sort_values("as_at", ascending=False, kind="stable").reset_index(drop=True)


def district_population(sources: SourceData, period: Month) -> dict[str, float]:
    """Children aged 0-17 per district, the latest estimate not after the period (as the rates
    use it); empty when no population file is configured."""
    table = sources.tables.get("population")
    if table is None or not len(table):
        return {}
    return {str(k): float(v) for k, v in population_at(sources.tables, window_for(period, "snapshot")).items()}


def name_the_figures(sources: SourceData, catalogue: list[Indicator]) -> None:
    """Each problem that leaves its row out of some figures only says which ones."""
    readers: dict[tuple[str, str], list[str]] = {}
    for indicator in catalogue:
        for dataset, columns in columns_used(indicator).items():
            for column in columns:
                readers.setdefault((dataset, column), []).append(f'"{indicator.title}"')
    named = {key: ", ".join(titles) for key, titles in readers.items()}
    sources.problems = [
        p.with_figures(named.get((p.dataset, p.field)) or NO_FIGURE) if p.field and not p.excluded else p for p in sources.problems
    ]


def report_missing_lists(sources: SourceData, catalogue: list[Indicator], config: AuthorityConfig) -> None:
    """A list the catalogue needs that a district has no file or sheet for (an Annex A workbook
    without its List 3, a district left out of the configuration) is a finding, not silence."""
    from xl_scorecard.indicators.completeness import OPTIONAL_DATASETS

    needed = sorted(set().union(*(ind.datasets for ind in catalogue)) - OPTIONAL_DATASETS - AUTHORITY_WIDE) if catalogue else []
    have = {(f.dataset, f.district) for f in sources.files}
    for district in config.districts:
        files = sorted({s.file for s in config.data.source if s.district == district.code})
        where = ", ".join(files) or "(no file configured for this district)"
        for dataset in needed:
            if (dataset, district.code) not in have:
                detail = f"{where} has none" if files else "nothing is configured for this district"
                sources.problems.append(Problem("list-missing", "warning", district.code, dataset, where, value=detail))


def report_rereferral_disagreement(sources: SourceData, catalogue: list[Indicator], config: AuthorityConfig) -> None:
    """Where the referrals list reaches back a year and also has the count column, the two ways
    of telling a re-referral are compared per district: a disagreement is a finding with counts
    (the figures take the dates)."""
    table = sources.tables.get("referrals")
    uses = [ind for ind in catalogue if ind.calculation.get("name") == "share_rereferred"]
    if table is None or not len(table) or not uses:
        return
    count = uses[0].calculation.get("count", "referrals_last_12m")
    from_dates, from_column = rereferral_flags(table, "referral_date", count)
    columns = config.datasets["referrals"].columns if "referrals" in config.datasets else {}
    heading = columns[count].headers[0] if count in columns else count
    both = ~np.isnan(from_dates) & ~np.isnan(from_column)
    districts = table["district"].astype(str).to_numpy()
    for district in sorted(set(districts[both])):
        mine = both & (districts == district)
        dates, column = from_dates[mine], from_column[mine]
        differ = int((dates != column).sum())
        if differ:
            files = ", ".join(sorted({f.file for f in sources.files if f.dataset == "referrals" and f.district == district}))
            sources.problems.append(
                Problem(
                    "rereferrals-disagree",
                    "warning",
                    district,
                    "referrals",
                    files,
                    value=f"{int(dates.sum())} of {int(mine.sum())}",
                    other=f"{int(column.sum())}; referrals on which they disagree: {differ}",
                    column=heading,
                )
            )


def stop_on_configuration_slips(sources: SourceData, config: AuthorityConfig) -> None:
    """A header text the configuration gives that no file has is the configuration's mistake:
    the run stops (``ConfigError``, exit 2) before anything is computed or written."""
    slips = [p for p in sources.problems if p.code == "configured-header-missing"]
    if slips:
        raise ConfigError("\n".join(f"{config.path}: {p.location}: {p.message} {p.action}" for p in slips))


def check_typed_figures(sources: SourceData, catalogue: list[Indicator]) -> None:
    """Typed figures checked against the catalogue (unknown ids, impossible shares, the same
    figure typed twice): each a problem record, the bad rows left out."""
    if "figures" in sources.tables and len(sources.tables["figures"]):
        figures_file = ", ".join(sorted({f.file for f in sources.files if f.dataset == "figures"}))
        keep, problems = typed_figure_checks(sources.tables["figures"], catalogue, figures_file)
        sources.drop_rows("figures", keep, problems)


def load_checked_catalogue(config: AuthorityConfig) -> list[Indicator]:
    """The authority's catalogue, its datasets, columns and codes checked against the dataset
    descriptions: a slip stops the run here, before any reading (``ConfigError``)."""
    catalogue = load_catalogue(config.catalogue_path)
    check_definitions(catalogue, config.datasets, str(config.catalogue_path or default_catalogue_path()))
    return catalogue


def load_checked_clocks(config: AuthorityConfig, catalogue: list[Indicator]) -> list[Clock]:
    """The catalogue's early-warning clocks, each checked against the dataset descriptions and
    the catalogue: a list, column or figure that does not exist stops the run before reading."""
    path = config.catalogue_path or default_catalogue_path()
    clocks = load_clocks(path)
    ids = {ind.id for ind in catalogue}
    errors = []
    for clock in clocks:
        spec = config.datasets.get(clock.dataset)
        if spec is None:
            errors.append(f"{path}: clock {clock.id}: no dataset {clock.dataset!r}")
            continue
        named = [clock.start, clock.due, clock.done, clock.open_until, clock.snapshot, *(clock.unless or {}), *(clock.where or {})]
        unknown = [c for c in named if c and c not in spec.columns]
        if clock.latest:
            events = config.datasets.get(clock.latest["dataset"])
            if clock.key not in spec.columns:
                unknown.append(clock.key)
            for column in (clock.latest["date"], clock.key):
                if events is None or column not in events.columns:
                    unknown.append(f"{clock.latest['dataset']}.{column}")
        if clock.episode:
            episodes = config.datasets.get(clock.episode["dataset"])
            if clock.key not in spec.columns and clock.key not in unknown:
                unknown.append(clock.key)
            for column in (clock.episode["start"], clock.episode["end"], clock.key):
                if episodes is None or column not in episodes.columns:
                    unknown.append(f"{clock.episode['dataset']}.{column}")
        if unknown:
            errors.append(f"{path}: clock {clock.id}: {clock.dataset} has no column {', '.join(unknown)}")
        if clock.indicator and clock.indicator not in ids:
            errors.append(f"{path}: clock {clock.id}: indicator {clock.indicator} is not in the catalogue")
    if errors:
        raise ConfigError("\n".join(errors))
    return clocks


def refresh(
    config: AuthorityConfig,
    master: Path | None = None,
    period: Month | None = None,
    now: dt.datetime | None = None,
    force: bool = False,
    strict: bool = False,
    months: int = COMPUTED_MONTHS,
    progress: Progress | None = None,
) -> RunResult:
    """Run the whole flow and write the master workbook; ``progress`` is told each stage and
    each file read, in words for a status bar.

    The master is locked for the whole run (a second refresh of it stops with a message), checked
    before any work, and only replaced at the very end, atomically; any failure before leaves it
    as it was. With ``strict`` (the scheduled batch), an input file that cannot be read stops
    the run before anything is written (``IncompleteInputs``); otherwise the scorecard is written
    and says which figures are incomplete.
    """
    from xl_scorecard.master_cells import forget as forget_cells
    from xl_scorecard.render import check_master, refresh_lock  # the writer is the last stage

    master = (master or config.master_path).resolve()
    timings: dict[str, float] = {}
    with refresh_lock(master):
        forget_cells()  # the master's sheets are read afresh, once each, for this run
        try:
            with _timed(timings, "check master", progress, "Checking the master workbook"):
                check_master(master, force=force)
            return _refresh_locked(config, master, period, now, force, strict, months, timings, progress)
        finally:
            forget_cells()  # nothing of the master (child-level rows included) kept after the run


def _refresh_locked(
    config: AuthorityConfig,
    master: Path,
    period: Month | None,
    now: dt.datetime | None,
    force: bool,
    strict: bool = False,
    months: int = COMPUTED_MONTHS,
    timings: dict[str, float] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    from xl_scorecard.render import ScorecardInput, write_scorecard
    from xl_scorecard.render.cells import DISTRICTS_SHEET, due_heading
    from xl_scorecard.render.layout import load_layout

    period = period or config.period or default_period()
    now = now or dt.datetime.now().replace(microsecond=0)
    catalogue = load_checked_catalogue(config)
    clocks = load_checked_clocks(config, catalogue)
    layout = load_layout(config.layout)  # a bad layout stops the run before any reading
    try:
        layout.shown(catalogue, config.layout)  # a layout naming an indicator the catalogue lacks stops here
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    detail_rows = detail_variants(layout, catalogue, config.layout)
    timings = {} if timings is None else timings
    with _timed(timings, "read and validate"):
        cache = cache_folder(master) if config.keeps_readings else None
        sources = read_sources(config, progress=progress, cache=cache)
    stop_on_configuration_slips(sources, config)
    unusable = [f for f in sources.files if f.unusable]
    if strict and unusable:
        # The scheduled batch: an unreadable file or an empty export stops this authority.
        reasons = {(p.file, p.message) for p in sources.problems if p.file in {f.file for f in unusable} and p.code != "note"}
        lines = "\n  ".join(f"{file}: {message}" for file, message in sorted(reasons)) or "\n  ".join(f.file for f in unusable)
        raise IncompleteInputs(
            f"{config.name}: {len(unusable)} input file(s) could not be read or have no rows; the master was not changed:\n  {lines}"
        )
    check_typed_figures(sources, catalogue)
    name_the_figures(sources, catalogue)
    report_missing_lists(sources, catalogue, config)
    report_rereferral_disagreement(sources, catalogue, config)
    check_period(period, sources, config)
    districts = [d.code for d in config.districts]
    periods = months_ending(period, months)
    coverage = figure_coverage(catalogue, sources.files, [(d.code, d.name) for d in config.districts], sources.tables)
    with _timed(timings, "compute", progress, "Computing the indicators"):
        missing = {ind.id: missing_districts(coverage, ind, districts) for ind in catalogue}
        # Figures saved by the last refresh from the same tables are taken, not computed again.
        saved = SavedFigures.open(cache, sources.tables, periods, districts) if cache is not None else None
        results = with_status(compute_all(catalogue, sources.tables, periods, districts, missing, saved), coverage)
        for reason in saved.notes if saved is not None else []:
            sources.problems.append(Problem("figures-not-used", "warning", "", "", FIGURES_FILE, value=reason, other=str(cache)))
        drilldown = drilldown_cases(catalogue, sources.tables, period) if config.data.authority.drilldown else None
        gaps = clock_gaps(clocks, sources, config)
        due, due_notes = due_cases(clocks, sources.tables, period.last_day, within=config.data.authority.due_within, gaps=gaps)
        if not clocks:
            due_notes = ["The catalogue defines no timescale clocks ([[clock]] entries)."]
        outlook = projections(clocks, catalogue, sources.tables, period, districts, gaps, missing)
        # Only what the layout shows: a view is a second computation of every indicator.
        views = compute_views(catalogue, sources.tables, period, districts, layout.views, missing) if layout.views else None
        details = [
            (block, compute_detail(rows, sources.tables, months_ending(period, block.months), districts, missing))
            for block, rows in detail_rows
        ]
    with _timed(timings, "history and commentary", progress, "Reading the history and commentary"):
        kept, typed, shown = read_commentary(master)
        kept = merge_commentary(kept, typed, shown, AUTHORITY, now.date())
        # Score once, over the new results merged into the kept history, so "previous" can come
        # from a month kept from earlier runs.
        stored = read_history(master)
        # A month stored complete is never replaced by this run's incomplete figure: say so.
        protected = worse_than_stored(stored, results)
        # A complete figure computed anew differently from the one stored is recorded.
        new_records = restatement_records(restated(stored, results), catalogue, sources, config, now)
        restatements = pd.concat([read_restatements(master), new_records], ignore_index=True)
        history = merge_history(stored, results.assign(rag=""))
        counts = due_counts(due, clocks, gaps) if clocks else None
        record = warning_record(
            read_warning_record(master, DISTRICTS_SHEET, {d.name: d.code for d in config.districts}),
            counts,
            clocks,
            sources.tables,
            period.last_day,
            config.data.authority.due_within,
            gaps,
            districts,
        )
    with _timed(timings, "score", progress, "Scoring"):
        comparators = comparator_figures(sources.tables, catalogue, config.data.authority.region, config.data.authority.neighbours)
        # Only the catalogue's indicators are scored; an indicator dropped from the catalogue
        # keeps its history as stored (nothing is lost, and adding it back restores its trend).
        current = history[history["indicator"].isin([ind.id for ind in catalogue])]
        scored = score_results(current.drop(columns=["rag"]), catalogue, comparators)
        history = merge_history(history, scored)
        titles = {ind.id: ind.title for ind in catalogue}
        summary = summary_sentence(scored, period, config.name, titles=titles, wording=layout.summary_wording)
        views = score_views(views, catalogue) if views is not None else None
    names = {d.code: d.name for d in config.districts}
    data = ScorecardInput(
        authority=config.name,
        period=period,
        districts=[(d.code, d.name) for d in config.districts],
        catalogue=catalogue,
        scored=scored,
        history=history,
        summary=summary,
        problems=sources.problems,
        files=sources.files,
        generated=now,
        incomplete=figure_notes(scored, period, titles, names),
        commentary=commentary_for(kept, period, [ind.id for ind in catalogue], AUTHORITY),
        commentary_history=kept,
        layout=layout,
        drilldown=drilldown,
        quality=sources.valid_shares(districts, AUTHORITY),
        unusable=sources.unusable_lists(districts, AUTHORITY),
        views=views,
        details=details,
        restatements=restatements,
        comparators_note=config.data.authority.comparators_note or "",
        population=district_population(sources, period),
        due_soon=due if config.data.authority.drilldown else None,
        due_notes=due_notes,
        due_within=config.data.authority.due_within,
        due_counts=counts,
        projections=outlook,
        warning_record=record,
    )
    with _timed(timings, "write master", progress, "Writing the master workbook"):
        backup = write_scorecard(master, data, backups=config.data.authority.backups, template=config.template_path, force=force)
        if saved is not None:
            saved.save()
    log.info("refreshed %s for %s (%s)", master.name, period, ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    return RunResult(
        master,
        backup,
        period,
        catalogue,
        sources,
        scored,
        summary,
        summary_counts(scored, period, AUTHORITY),
        timings,
        kept_stored=kept_lines(protected, titles, names),
        restated=restated_lines(new_records, config.name),
        notes=data.incomplete,
        due_counts=data.due_counts,
        due_heading=due_heading(data.due_within, period),  # as the Districts sheet heads them
        projections=outlook,
    )
