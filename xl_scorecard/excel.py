"""Entry points of the Excel add-in's buttons: plain functions on a workbook path.

The ribbon (``macros/``) calls ``run_from_excel(action, path)`` through xlwings' open-source
RunPython. Each action runs exactly what the command line runs and returns one short message
for a message box; errors become a message saying what to do, never a traceback. Everything
here is testable without Excel.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from xl_scorecard.errors import ScorecardError, unexpected_detail

if TYPE_CHECKING:
    from xl_scorecard.config import AuthorityConfig

MESSAGE_FILE = Path(tempfile.gettempdir()) / "xl-scorecard-message.txt"
ERROR_LOG = Path(tempfile.gettempdir()) / "xl-scorecard-error.log"


def find_config(master: Path) -> Path:
    """The authority configuration whose ``master`` is this workbook: a ``*.toml`` beside it
    (or one folder up). Raises ``ScorecardError`` saying where to put one."""
    return config_for(master).path


def config_for(master: Path) -> AuthorityConfig:
    """The loaded configuration ``find_config`` finds (loaded once: a button press counts)."""
    from xl_scorecard.config import load_config

    master = master.resolve()
    for folder in (master.parent, master.parent.parent):
        for candidate in sorted(folder.glob("*.toml")):
            try:
                config = load_config(candidate)
            except ScorecardError:
                continue
            if config.master_path.resolve() == master:
                return config
    raise ScorecardError(
        f"No authority configuration names {master.name} as its master. Put the authority.toml "
        f'(with master = "{master.name}") in {master.parent}, or ask your performance team.'
    )


def refresh_book(path: str | Path, force: bool = False) -> str:
    """Refresh the master at ``path``; the summary to show."""
    from xl_scorecard.pipeline import refresh

    master = Path(path)
    result = refresh(config_for(master), master=master, force=force)
    c = result.counts
    lines = [f"{result.period.label}: {c['indicators']} indicators, {c['G']} green, {c['A']} amber, {c['R']} red.", "", result.summary]
    errors = result.sources.errors
    if errors:
        lines += ["", f"{len(errors)} problems in the district files (see the Data quality sheet), for example:"]
        lines += [f"- {p.location}: {p.message}" for p in errors[:5]]
    return "\n".join(lines)


def check_book(path: str | Path) -> str:
    """Check the district files of the master at ``path``; what is wrong, briefly."""
    from xl_scorecard.pipeline import check

    sources = check(config_for(Path(path)))
    if not sources.problems:
        rows = sum(f.rows_read for f in sources.files)
        return f"All {len(sources.files)} district files read: {rows:,} rows, no problems."
    errors = sources.errors
    lines = [f"{len(errors)} errors and {len(sources.problems) - len(errors)} warnings in the district files:"]
    lines += [f"- {p.location}: {p.message} {p.action}" for p in sources.problems[:10]]
    if len(sources.problems) > 10:
        lines.append(f"... and {len(sources.problems) - 10} more (run Refresh to list them all on the Data quality sheet).")
    return "\n".join(lines)


def email_book(path: str | Path, dry_run: bool = True, recipients: list[str] | None = None) -> str:
    """Prepare the email for the master at ``path``: with ``dry_run``, .eml files in an
    ``outbox`` folder beside it (they open in Outlook, ready to send); otherwise send them as
    the configuration's [email] section says."""
    from xl_scorecard.mail import messages_for, send, write_eml

    master = Path(path).resolve()
    config = config_for(master)  # the same workbook the refresh would use
    messages = messages_for(config, master)
    if recipients:
        for _, message in messages:
            message.replace_header("To", ", ".join(recipients))
    if not dry_run:
        sent = send(config, messages)
        return f"Sent {sent} email(s) for {config.name}."
    files = [write_eml(message, master.parent / "outbox", f"{master.stem} {label}") for label, message in messages]
    return (
        "Email ready to send: " + ", ".join(str(f) for f in files) + "\nOpen it (it opens in Outlook), check the recipients and press Send."
    )


def settings_path(path: str | Path) -> str:
    """Open the authority configuration of the master at ``path`` (Windows), or say where it is."""
    config = find_config(Path(path))
    if sys.platform == "win32":
        os.startfile(config)  # type: ignore[attr-defined]  # noqa: S606 (opens in the user's text editor)
        return f"Opened {config}."
    return f"The settings are in {config}."


ACTIONS = {"refresh": refresh_book, "check": check_book, "email": email_book, "settings": settings_path}


def run_from_excel(action: str, path: str, message_file: Path = MESSAGE_FILE) -> str:
    """What a ribbon button calls: run ``action`` on the workbook at ``path`` and write the
    message for the user to ``message_file`` ("ERROR:" first when it failed)."""
    try:
        message = ACTIONS[action](path)
    except ScorecardError as exc:
        message = f"ERROR:{exc}"
    except Exception as exc:  # the user gets a sentence; the details go to a local log
        ERROR_LOG.write_text(unexpected_detail(exc), encoding="utf-8")
        logging.getLogger(__name__).error("add-in action %s failed: %s", action, type(exc).__name__)
        message = (
            f"ERROR:The scorecard could not {action} ({type(exc).__name__}). Nothing was changed. "
            f"Send {ERROR_LOG} to your performance team."
        )
    message_file.write_text(message, encoding="utf-8")
    return message
