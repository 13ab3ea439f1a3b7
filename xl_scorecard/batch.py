"""The scheduled run: refresh every authority configuration in a folder, each on its own, and
optionally email each refreshed scorecard. One authority failing never stops the others.

Progress goes to the terminal as one updating line when there is one, and as plain log lines
when there is not (Task Scheduler, cron); a run log file keeps the whole story.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from xl_scorecard.config import AuthorityConfig, load_config
from xl_scorecard.datafiles import read_toml
from xl_scorecard.errors import ScorecardError, os_error_sentence, unexpected_detail
from xl_scorecard.periods import Month

if TYPE_CHECKING:
    from xl_scorecard.pipeline import RunResult

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one authority in a batch."""

    config: Path
    name: str = ""
    ok: bool = False
    master: str | None = None
    summary: str = ""
    counts: dict = field(default_factory=dict)
    emailed: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    rows: int = 0  # input rows read

    def as_dict(self) -> dict:
        return {
            "config": str(self.config),
            "name": self.name,
            "ok": self.ok,
            "master": self.master,
            "summary": self.summary,
            "counts": self.counts,
            "emailed": self.emailed,
            "error": self.error,
            "seconds": round(self.seconds, 2),
            "rows": self.rows,
        }


def authority_configs(folder: Path) -> list[Path]:
    """The ``*.toml`` files in ``folder``, or one folder down (an authority per folder), that are
    authority configurations (they have an ``[authority]`` table); catalogues and layouts kept
    beside them are skipped."""
    found = []
    for path in sorted([*Path(folder).glob("*.toml"), *Path(folder).glob("*/*.toml")]):
        try:
            if "authority" in read_toml(path):
                found.append(path)
        except ScorecardError:
            found.append(path)  # unreadable TOML: let the run report it as that authority's failure
    return found


class Progress:
    """One updating line on a terminal; log lines otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.stream = total, stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def step(self, number: int, text: str) -> None:
        if self.tty:
            width = 30
            done = int(width * (number - 1) / max(self.total, 1))
            self.stream.write(f"\r[{'#' * done}{'.' * (width - done)}] {number}/{self.total} {text[:60]:<60}")
            self.stream.flush()
        else:
            self.stream.write(f"{number}/{self.total} {text}\n")
            self.stream.flush()
            log.info("%d/%d %s", number, self.total, text)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def refresh_one(
    config_path: Path, period: Month | None = None, strict: bool = True, email: bool = False, dry_run: bool = False, outlook: bool = False
) -> Outcome:
    """Refresh (and email) one authority; every failure becomes the outcome's error."""
    from xl_scorecard.pipeline import refresh

    outcome = Outcome(config_path)
    started = time.perf_counter()
    try:
        config = load_config(config_path)
        outcome.name = config.name
        result = refresh(config, period=period, strict=strict)
        outcome.master, outcome.summary, outcome.counts = str(result.master), result.summary, result.counts
        outcome.rows = sum(f.rows_read for f in result.sources.files)
        if email:
            outcome.emailed = deliver(config, result.master, dry_run=dry_run, outlook=outlook, run=result)
        outcome.ok = True
    except ScorecardError as exc:
        outcome.error = str(exc)
        log.error("%s: %s", config_path.name, exc)
    except OSError as exc:  # the machine's doing (disk full, read-only): one sentence, the batch goes on
        outcome.error = os_error_sentence(exc)
        log.error("%s: %s", config_path.name, outcome.error)
    except Exception as exc:  # a bug of ours: one sentence, the detail in the run log, and the batch goes on
        # The message is left out: raised while reading a cell, it can quote the cell.
        outcome.error = f"unexpected error ({type(exc).__name__}); the master is as it was; details in the run log"
        log.error("%s: unexpected error\n%s", config_path.name, unexpected_detail(exc))
    outcome.seconds = time.perf_counter() - started
    return outcome


def deliver(config: AuthorityConfig, master: Path, dry_run: bool = False, outlook: bool = False, run: RunResult | None = None) -> list[str]:
    """Send (or with ``dry_run`` write .eml files for) the authority's and districts' emails,
    their bodies from ``run`` (the refresh just done) or else the master's stored history.
    Returns what was done, one line per message."""
    from xl_scorecard.mail import Results, messages_for, outlook_drafts, send, write_eml

    messages = messages_for(config, master, Results.of_run(run) if run is not None else None)
    if dry_run:
        return [str(write_eml(message, master.parent / "outbox", f"{master.stem} {label}")) for label, message in messages]
    if outlook:
        outlook_drafts(messages, master.parent / "outbox")
        return [f"Outlook draft for {label}" for label, _ in messages]
    send(config, messages)
    return [f"sent to {message['To']}" for _, message in messages]


def refresh_all(
    folder: Path,
    period: Month | None = None,
    strict: bool = True,
    email: bool = False,
    dry_run: bool = False,
    outlook: bool = False,
    stream: TextIO | None = None,
    workers: int = 1,
) -> list[Outcome]:
    """Refresh every authority configuration in ``folder``: one after another, or with
    ``workers > 1`` in that many processes (authorities share nothing, so a region or a
    national benchmark scales with the cores). Outcomes come back in configuration order."""
    configs = authority_configs(folder)
    if not configs:
        raise ScorecardError(f"{folder}: no authority configuration (*.toml with an [authority] table) found.")
    progress = Progress(len(configs), stream)
    outcomes: dict[Path, Outcome] = {}
    if workers > 1 and len(configs) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(refresh_one, path, period, strict, email, dry_run, outlook): path for path in configs}
            for number, future in enumerate(as_completed(futures), start=1):
                outcome = future.result()
                outcomes[futures[future]] = outcome
                progress.step(
                    number,
                    f"{futures[future].parent.name if futures[future].name == 'authority.toml' else futures[future].stem}"
                    f" {'done' if outcome.ok else 'FAILED'}",
                )
                if not outcome.ok:  # the child's log lines stay in the child: say it here
                    log.error("%s: %s", futures[future], outcome.error)
    else:
        for number, path in enumerate(configs, start=1):
            progress.step(number, path.parent.name if path.name == "authority.toml" else path.stem)
            outcomes[path] = refresh_one(path, period, strict, email, dry_run, outlook)
    progress.close()
    return [outcomes[path] for path in configs]


def open_run_log(path: Path) -> logging.Handler:
    """Log INFO and above to ``path`` (created with its folder). No personal data is logged:
    messages name files, sheets, rows and columns, never cell values that identify anyone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler


def default_log_path(folder: Path, now: dt.datetime | None = None) -> Path:
    """``<folder>/logs/refresh YYYY-MM-DD HHMMSS.log``."""
    return folder / "logs" / f"refresh {(now or dt.datetime.now()):%Y-%m-%d %H%M%S}.log"
