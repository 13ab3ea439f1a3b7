"""Command line: ``xl-scorecard demo | refresh | check | email | pdf | indicators | addin``.

Exit codes: 0 done (for ``check``: no errors), 1 ``check`` found data errors, 2 the run could
not be done (bad configuration, master workbook busy or unsafe to replace, bad arguments),
3 ``refresh --all``: some authorities failed (each is listed; the others were refreshed).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from xl_scorecard import __version__
from xl_scorecard.errors import ScorecardError, os_error_sentence, unexpected_detail
from xl_scorecard.periods import PERIOD_LABELS, Month

if TYPE_CHECKING:
    from xl_scorecard.config import AuthorityConfig
    from xl_scorecard.pipeline import RunResult
    from xl_scorecard.sources import SourceData

EXIT_OK, EXIT_INVALID, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 2, 3


def _period(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _working_days(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 60:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of working days from 0 to 60")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (shared options defined once)."""
    parser = argparse.ArgumentParser(
        prog="xl-scorecard", description="Children's services performance scorecards from the spreadsheets districts keep."
    )
    parser.add_argument("--version", action="version", version=f"xl-scorecard {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step (no personal data is logged)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=Path, required=True, help="authority configuration (TOML)")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print a machine-readable result")

    demo = commands.add_parser("demo", parents=[as_json], help="generate the example authority (if missing) and refresh its master")
    demo.add_argument("--out", type=Path, default=Path("out"), help="folder for the example data and master (default: ./out)")
    demo.add_argument(
        "--size",
        choices=["small", "large", "national"],
        default="small",
        help="large = Kent-size (~300k case rows); national = 150 authorities (~2M rows), refreshed with --all",
    )
    demo.add_argument(
        "--preset",
        choices=["kent_2012", "london_2010", "birmingham_2017"],
        help="an example authority for a seed scorecard's preset, in its era and layout (written to OUT/PRESET)",
    )

    mailing = argparse.ArgumentParser(add_help=False)
    mailing.add_argument("--dry-run", action="store_true", help="write .eml files to an outbox folder instead of sending")
    mailing.add_argument("--outlook", action="store_true", help="create Outlook drafts instead of sending (Windows, pywin32)")
    run_log = argparse.ArgumentParser(add_help=False)
    run_log.add_argument("--log", type=Path, help="write a run log to this file (refresh --all: logs/ beside the configurations)")

    refresh = commands.add_parser(
        "refresh", parents=[as_json, mailing, run_log], help="read, validate, compute and write the master workbook"
    )
    which = refresh.add_mutually_exclusive_group(required=True)
    which.add_argument("--config", type=Path, help="authority configuration (TOML)")
    which.add_argument("--all", type=Path, metavar="DIR", help="every authority configuration in DIR, each on its own")
    refresh.add_argument("--email", action="store_true", help="email each refreshed scorecard as its [email] section says")
    refresh.add_argument(
        "--strict", action="store_true", help="an unreadable input file stops that authority's refresh (the default with --all)"
    )
    refresh.add_argument(
        "--workers", type=int, default=1, metavar="N", help="with --all: refresh N authorities at once, in separate processes (default 1)"
    )
    refresh.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="with --all: write scorecards even when an input file cannot be read (marked incomplete)",
    )
    refresh.add_argument("--master", type=Path, help="workbook to write (overrides the configuration)")
    refresh.add_argument("--period", type=_period, help="reporting month YYYY-MM (default: configuration, else last month)")
    refresh.add_argument(
        "--force", action="store_true", help="replace the scorecard's sheets even where cells were changed by hand (backed up first)"
    )

    commands.add_parser("check", parents=[config, as_json], help="read and validate only; exit 1 when there are errors")
    due = commands.add_parser(
        "due", parents=[config, as_json], help="early warning: how many open cases run out of time soon, per district, team and timescale"
    )
    due.add_argument("--days", type=_working_days, help="working days ahead to look (default: the configuration's due_within, else 5)")
    due.add_argument("--period", type=_period, help="the month whose last day to count from (default: configuration, else last month)")

    commands.add_parser("email", parents=[config, mailing, run_log], help="email the master's scorecard (aggregate-only copy attached)")

    pdf = commands.add_parser("pdf", parents=[config], help="export the scorecard sheets to PDF (needs LibreOffice)")
    pdf.add_argument("--out", type=Path, help="PDF to write (default: beside the master, named with the month)")
    pdf.add_argument("--all-sheets", action="store_true", help="every sheet but the Drill-down ones, not the committee pack")
    pdf.add_argument("--agenda", default="", help='a line for the title page, e.g. "Agenda item 4: Scrutiny Committee, 12 December 2026"')
    pdf.add_argument("--no-title-page", action="store_true", help="the committee pack without its title page")
    pdf.add_argument(
        "--suppress-small-numbers",
        type=int,
        nargs="?",
        const=5,
        default=0,
        metavar="N",
        choices=range(2, 12),
        help='show figures resting on 1 to N-1 children as "c", as DfE statistics do (N: 5 unless given, at most 11)',
    )

    addin = commands.add_parser("addin", help="build or install the Excel add-in (Scorecard ribbon tab)")
    addin.add_argument("action", choices=["build", "install", "uninstall"])
    addin.add_argument("--out", type=Path, default=Path("dist") / "xl-scorecard.xlam", help="where to build the add-in")
    addin.add_argument("--dry-run", action="store_true", help="say what install/uninstall would do, change nothing")

    indicators = commands.add_parser("indicators", help="list the indicator catalogue")
    indicators.add_argument("--config", type=Path, help="authority configuration (for its own catalogue)")
    indicators.add_argument("--catalogue", help="a shipped preset (kent_2012, london_2010, birmingham_2017) or a catalogue file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``xl-scorecard`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:  # a run log may lower the root level: the console keeps its own
        handler.setLevel(logging.INFO if args.verbose else logging.WARNING)
    if getattr(args, "log", None):
        from xl_scorecard.batch import open_run_log

        open_run_log(args.log)
    if args.command is None:
        parser.print_help()
        return EXIT_FAILED
    try:
        return {
            "demo": _demo,
            "refresh": _refresh,
            "check": _check,
            "due": _due,
            "indicators": _indicators,
            "addin": _addin,
            "email": _email,
            "pdf": _pdf,
        }[args.command](args)
    except ScorecardError as exc:
        print(f"xl-scorecard: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the output was piped into something that stopped reading (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("xl-scorecard: stopped; the master workbook was not changed", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # the machine's doing, not ours: said as such, in one sentence
        print(f"xl-scorecard: {os_error_sentence(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # our own bug: one sentence, never a traceback (which may quote data)
        return _unexpected(exc, args.verbose)


def _unexpected(exc: Exception, verbose: bool) -> int:
    # The message of an unexpected error can quote a cell (a child's id), so it is shown only
    # with -v; the sentence names the error's kind and where it happened.
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" in {Path(frame.filename).name}, line {frame.lineno}" if frame else ""
    print(
        f"xl-scorecard: an unexpected error ({type(exc).__name__}{where}) stopped the run; writes are atomic, so "
        "the master workbook is as it was. Run again with -v for details and report it.",
        file=sys.stderr,
    )
    # The detail goes to the run log (--log) always, and to the screen only with -v.
    logging.getLogger(__name__).log(logging.ERROR if verbose else logging.INFO, "unexpected error:\n%s", unexpected_detail(exc))
    return EXIT_FAILED


def _demo(args: argparse.Namespace) -> int:
    from xl_scorecard.config import load_config
    from xl_scorecard.demo.generate import generate_example

    if args.size == "national":
        from xl_scorecard.demo.generate import generate_national

        if not any(args.out.glob("*/authority.toml")):
            print(f"Generating 150 fictional authorities (~2M case rows) into {args.out} (a few minutes) ...")
            generate_national(args.out)
        return _refresh_all(
            argparse.Namespace(
                all=args.out,
                log=None,
                period=None,
                allow_incomplete=True,
                email=False,
                dry_run=False,
                outlook=False,
                workers=2,
                json=args.json,
            )
        )
    out = args.out / args.preset if args.preset else args.out
    config_path = out / "authority.toml"
    if not config_path.exists():
        which = f"for the {args.preset} preset " if args.preset else ""
        print(f"Generating the fictional Northshire example data {which}({args.size}) into {out} ...")
        generate_example(out, args.size, preset=args.preset)
    _run_refresh(load_config(config_path), None, None, args.json, False)
    return EXIT_OK


def _refresh(args: argparse.Namespace) -> int:
    from xl_scorecard.config import load_config

    if args.all:
        return _refresh_all(args)
    result = _run_refresh(load_config(args.config), args.master, args.period, args.json, args.force, args.strict)
    if args.email:
        from xl_scorecard.batch import deliver

        for line in deliver(load_config(args.config), Path(result.master), args.dry_run, args.outlook, run=result):
            print(f"Email: {line}")
    return EXIT_OK


def _refresh_all(args: argparse.Namespace) -> int:
    from xl_scorecard.batch import default_log_path, open_run_log, refresh_all

    if not args.log:
        open_run_log(default_log_path(args.all))
    outcomes = refresh_all(
        args.all,
        args.period,
        strict=not args.allow_incomplete,
        email=args.email,
        dry_run=args.dry_run,
        outlook=args.outlook,
        workers=max(1, args.workers),
    )
    failed = [o for o in outcomes if not o.ok]
    if args.json:
        print(
            json.dumps(
                {"refreshed": len(outcomes) - len(failed), "failed": len(failed), "authorities": [o.as_dict() for o in outcomes]}, indent=2
            )
        )
    else:
        for o in outcomes:
            if o.ok:
                print(
                    f"OK      {o.name} ({o.config.name}): {o.counts.get('G', 0)} green, {o.counts.get('A', 0)} amber, "
                    f"{o.counts.get('R', 0)} red; {o.seconds:.1f} s" + (f"; {len(o.emailed)} email(s)" if o.emailed else "")
                )
            else:
                print(f"FAILED  {o.name or o.config.name} ({o.config.name}): {o.error}")
        print(f"{len(outcomes) - len(failed)} of {len(outcomes)} authorities refreshed" + (f"; {len(failed)} failed" if failed else ""))
    return EXIT_PARTIAL if failed else EXIT_OK


def _email(args: argparse.Namespace) -> int:
    from xl_scorecard.batch import deliver
    from xl_scorecard.config import load_config

    config = load_config(args.config)
    for line in deliver(config, config.master_path, args.dry_run, args.outlook):
        print(f"Email: {line}")
    return EXIT_OK


def _pdf(args: argparse.Namespace) -> int:
    from xl_scorecard.config import load_config
    from xl_scorecard.render.pdf import export_pdf

    config = load_config(args.config)
    master = config.master_path
    if args.all_sheets:
        made = export_pdf(master, args.out, suppress_below=args.suppress_small_numbers)
    else:
        from xl_scorecard.render.committee import TitlePage
        from xl_scorecard.render.layout import load_layout

        title = None if args.no_title_page else TitlePage(config.name, latest_period(master), args.agenda)
        sheets = load_layout(config.layout).committee
        made = export_pdf(master, args.out, suppress_below=args.suppress_small_numbers, sheets=sheets, title=title)
    print(f"Wrote {made}")
    return EXIT_OK


def latest_period(master: Path) -> Month:
    """The month the master was last refreshed for (its stored history's latest)."""
    from xl_scorecard.history import read_history

    history = read_history(master) if master.is_file() else None
    if history is None or history.empty:
        raise ScorecardError(f"{master} has no scorecard yet: refresh it first.")
    return Month.parse(str(max(history["period"].astype(str))))


def _run_refresh(
    config: AuthorityConfig, master: Path | None, period: Month | None, as_json: bool, force: bool, strict: bool = False
) -> RunResult:
    """Refresh one authority and print what happened; returns the run's result."""
    from xl_scorecard.pipeline import refresh

    result = refresh(config, master=master, period=period, force=force, strict=strict)
    counts = result.counts
    data_only = counts["indicators"] - counts["G"] - counts["A"] - counts["R"]
    if as_json:
        print(
            json.dumps(
                {
                    "master": str(result.master),
                    "backup": str(result.backup) if result.backup else None,
                    "period": str(result.period),
                    "summary": result.summary,
                    "counts": counts,
                    "not_rated": result.notes,
                    "kept_stored": result.kept_stored,
                    "restated": result.restated,
                    "problems": [p.as_dict() for p in result.sources.problems],
                    "seconds": {stage: round(value, 3) for stage, value in result.timings.items()},
                },
                indent=2,
            )
        )
        return result
    print(f"{config.name}, {result.period.label}: wrote {result.master.resolve()}")
    # Unrated for two different reasons: the catalogue sets no target (shown as data), or a
    # figure is missing or incomplete (listed under "Not complete").
    from xl_scorecard.indicators.catalogue import load_catalogue

    no_target = sum(1 for ind in load_catalogue(config.catalogue_path) if ind.target is None)
    unrated = data_only - no_target
    notes = [f"{no_target} data only, with no target"] if no_target else []
    notes += [f"{unrated} not rated" if unrated > 0 else ""]
    print(
        f"{counts['indicators']} indicators: {counts['G']} green, {counts['A']} amber, {counts['R']} red"
        + (f" ({'; '.join(n for n in notes if n)})" if any(notes) else "")
    )
    print(result.summary)
    if result.notes:
        print("Not complete (no RAG rating, not counted above):\n  " + "\n  ".join(result.notes))
    if result.restated:
        print("Restated (stored figures computed differently now; see the Restatements sheet):\n  " + "\n  ".join(result.restated))
    if result.kept_stored:
        print("History kept (this run's inputs were incomplete for these months):\n  " + "\n  ".join(result.kept_stored))
    print(_quality_line(result.sources))
    if result.backup:
        print(f"Previous version kept as {result.backup}")
    return result


def _quality_line(sources: SourceData) -> str:
    read = sum(f.rows_read for f in sources.files)
    excluded = sum(f.rows_excluded for f in sources.files)
    errors = len(sources.errors)
    warnings = len(sources.problems) - errors
    line = (
        f"Data quality: {len(sources.files)} sources, {read:,} rows read, {excluded:,} left out; "
        f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}"
    )
    if sources.problems:
        line += ' (listed on the "Data quality" sheet; `xl-scorecard check --config ...` prints them)'
    incomplete = sorted(sources.incomplete)
    if incomplete:
        line += "\nLists that could not be used or have no rows: " + ", ".join(
            f"{dataset} for {district or 'all districts'}" for dataset, district in incomplete
        )
    return line


def _check(args: argparse.Namespace) -> int:
    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import check

    sources = check(load_config(args.config))
    if args.json:
        print(
            json.dumps(
                {
                    "valid": not sources.errors,
                    "problems": [p.as_dict() for p in sources.problems],
                    "files": [vars(f) for f in sources.files],
                },
                indent=2,
            )
        )
    else:
        for problem in sources.problems:
            print(problem.describe())
        print(_quality_line(sources))
    return EXIT_INVALID if sources.errors else EXIT_OK


def _due(args: argparse.Namespace) -> int:
    """Counts only: the child ids, workers and dates are on the master's "Drill-down due soon"
    sheet (personal data stays in the master, never on a screen that may be shared or logged)."""
    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import due_list

    config = load_config(args.config)
    period, due, notes = due_list(config, args.period, args.days)
    days = config.data.authority.due_within if args.days is None else args.days
    names = {d.code: d.name for d in config.districts}
    due = due.assign(overdue=due["days_left"] < 0)
    counts = due.groupby(["district", "team", "clock"], sort=True)["overdue"].agg(overdue="sum", total="size").reset_index()
    if args.json:
        rows = [
            {
                "district": names.get(r.district, r.district),
                "team": r.team,
                "timescale": r.clock,
                "overdue": int(r.overdue),
                "due_soon": int(r.total - r.overdue),
            }
            for r in counts.itertuples()
        ]
        print(json.dumps({"as_at": str(period.last_day), "within_working_days": days, "counts": rows, "not_available": notes}, indent=2))
        return EXIT_OK
    print(f"{config.name}: open cases due within {days} working days of {period.last_day:%d/%m/%Y}, or overdue")
    if due.empty:
        print("  none")
    order = {d.code: n for n, d in enumerate(config.districts)}
    for district, group in sorted(counts.groupby("district", sort=False), key=lambda item: order.get(str(item[0]), len(order))):
        overdue = int(group["overdue"].sum())
        print(f"{names.get(str(district), district)}: {overdue} overdue, {int(group['total'].sum()) - overdue} due soon")
        for r in group.itertuples():
            print(f"  {r.team or '(no team)'} - {r.clock}: {int(r.overdue)} overdue, {int(r.total - r.overdue)} due soon")
    for note in notes:
        print(f"Not checked: {note}")
    print('Each case (child id, worker, due date) is on the "Drill-down due soon" sheet of the master after a refresh.')
    return EXIT_OK


def _addin(args: argparse.Namespace) -> int:
    from xl_scorecard.addin import build_addin, install_addin, uninstall_addin

    if args.action == "build":
        print(f"Built {build_addin(args.out)}")
    elif args.action == "install":
        built = build_addin(args.out)
        print(install_addin(built, dry_run=args.dry_run))
    else:
        print(uninstall_addin(dry_run=args.dry_run))
    return EXIT_OK


def _indicators(args: argparse.Namespace) -> int:
    from xl_scorecard.indicators import load_catalogue
    from xl_scorecard.indicators.catalogue import default_catalogue_path
    from xl_scorecard.indicators.definitions import check_definitions
    from xl_scorecard.sources.schema import load_dataset_specs

    catalogue_path = None
    datasets = None
    if args.catalogue:
        preset = default_catalogue_path().parent / "presets" / f"{args.catalogue}.toml"
        catalogue_path = preset if preset.is_file() else Path(args.catalogue)
    elif args.config:
        from xl_scorecard.config import load_config

        config = load_config(args.config)
        catalogue_path, datasets = config.catalogue_path, config.datasets
    catalogue = load_catalogue(catalogue_path)
    # Listing a catalogue also checks it against the dataset descriptions, as a refresh would.
    check_definitions(catalogue, datasets or load_dataset_specs(None), str(catalogue_path or default_catalogue_path()))
    rows = [("Id", "Polarity", "Period", "Target", "Title")]
    for ind in catalogue:
        target = "data only" if ind.target is None else (f"{ind.target:.0%}" if ind.unit == "%" else f"{ind.target:g}")
        rows.append((ind.id, ind.polarity, PERIOD_LABELS[ind.period], target, ind.title))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    return EXIT_OK
