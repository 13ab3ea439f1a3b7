"""Entry points of the Excel add-in's buttons: plain functions on a workbook path.

The ribbon (``macros/ScorecardRibbon.bas``) calls ``ribbon(action, fullname)`` through the
RunPython of xlwings' custom add-in module, embedded in the Scorecard add-in
(``macros/xlwings/``), with the master as the active workbook. Each action runs exactly what the
command line runs and writes one short message for a dialog to ``MESSAGE_FILE``; errors become
a message saying what to do, never a traceback. While it runs, Excel's status bar says what it
is doing, through the small ``ExcelSession`` interface (xlwings in Excel, a fake in the tests).
Everything here is testable without Excel.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

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


def refresh_book(path: str | Path, force: bool = False, progress: Callable[[str], None] | None = None) -> str:
    """Refresh the master at ``path``; the summary to show. ``progress`` is told each stage."""
    from xl_scorecard.pipeline import refresh

    master = Path(path)
    result = refresh(config_for(master), master=master, force=force, progress=progress)
    c = result.counts
    lines = [f"{result.period.label}: {c['indicators']} indicators, {c['G']} green, {c['A']} amber, {c['R']} red.", "", result.summary]
    if result.notes:
        lines += ["", "Not rated this month:", *[f"- {note}" for note in result.notes[:5]]]
    errors = result.sources.errors
    if errors:
        lines += ["", f"{len(errors)} problems in the district files (see the Data quality sheet), for example:"]
        lines += [f"- {p.location}: {p.message}" for p in errors[:5]]
    return "\n".join(lines)


CHECK_LIST = "check inputs.txt"  # the full list of findings, beside the master


def check_book(path: str | Path, progress: Callable[[str], None] | None = None) -> str:
    """Check the district files of the master at ``path``; what is wrong, briefly, and the full
    list in ``check inputs.txt`` beside the master (file, sheet, row, column, what to do)."""
    from xl_scorecard.pipeline import check

    master = Path(path)
    sources = check(config_for(master), progress=progress)
    if not sources.problems:
        rows = sum(f.rows_read for f in sources.files)
        return f"All {len(sources.files)} district files read: {rows:,} rows, no problems."
    errors = sources.errors
    warnings = len(sources.problems) - len(errors)
    lines = [
        f"{len(errors)} error{'' if len(errors) == 1 else 's'} and {warnings} warning{'' if warnings == 1 else 's'} in the district files:"
    ]
    lines += [f"- {p.location}: {p.message} {p.action}" for p in sources.problems[:10]]
    # The whole list, where the master is (it may name rows of case lists: kept with them).
    listing = master.parent / CHECK_LIST
    text = "\n".join(f"{p.severity}\t{p.location}\t{p.message} {p.action}" for p in sources.problems)
    partial = listing.with_name("." + listing.name + ".part")
    partial.write_text("severity\twhere\twhat is wrong and what to do\n" + text + "\n", encoding="utf-8")
    os.replace(partial, listing)
    if len(sources.problems) > 10:
        lines.append(f"... and {len(sources.problems) - 10} more.")
    lines.append(f"The full list is in {listing} (open it in Excel or Notepad).")
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
    """Open the authority configuration of the master at ``path`` in Notepad (Windows: a
    ``.toml`` file has no program of its own on a council PC), or say where it is."""
    config = find_config(Path(path))
    if sys.platform == "win32":
        notepad = Path(os.environ.get("SYSTEMROOT", r"C:\Windows")) / "System32" / "notepad.exe"
        subprocess.Popen([str(notepad), str(config)])
        return f"Opened {config} in Notepad. Save it there, then press Refresh."
    return f"The settings are in {config}."


# --- the master's local path: OneDrive and SharePoint --------------------------------------------

FOLDERS_FILE = "synced folders.txt"  # remembered "URL<TAB>local folder" lines, per user


def user_settings_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Where the add-in keeps what it remembers for this user (%APPDATA%\\xl-scorecard)."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("APPDATA") or Path.home() / ".config") / "xl-scorecard"


def sync_mounts() -> dict[str, str]:
    """OneDrive's own record of what it syncs where (Windows registry, as xlwings reads it):
    URL namespace -> local mount point. Empty elsewhere or when OneDrive is not set up."""
    if sys.platform != "win32":
        return {}
    import winreg

    root = r"SOFTWARE\SyncEngines\Providers\OneDrive"
    mounts = {}
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, root) as root_key:
            for index in range(winreg.QueryInfoKey(root_key)[0]):
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, rf"{root}\{winreg.EnumKey(root_key, index)}") as key:
                    try:
                        mounts[winreg.QueryValueEx(key, "URLNamespace")[0]] = winreg.QueryValueEx(key, "MountPoint")[0]
                    except FileNotFoundError:
                        continue
    except FileNotFoundError:
        pass
    return mounts


def remembered_folders(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """URL prefix -> local folder, as the user told the add-in (``remember_folder``)."""
    path = user_settings_folder(environ) / FOLDERS_FILE
    if not path.is_file():
        return {}
    lines = [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
    return {pair[0]: pair[1] for pair in lines}


def remember_folder(url_folder: str, local_folder: str, environ: Mapping[str, str] | None = None) -> Path:
    """Remember that the online folder ``url_folder`` is synced to ``local_folder`` on this PC."""
    folder = user_settings_folder(environ)
    folder.mkdir(parents=True, exist_ok=True)
    known = {**remembered_folders(environ), url_folder.strip().rstrip("/") + "/": local_folder.strip()}
    path = folder / FOLDERS_FILE
    path.write_text("".join(f"{url}\t{local}\n" for url, local in sorted(known.items())), encoding="utf-8")
    return path


class SyncedFolderUnknown(ScorecardError):
    """A master opened from OneDrive or SharePoint whose local synced copy was not found."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"This workbook is open from {url.rsplit('/', 1)[0]}, and its synced folder on this PC was not found. "
            "Choose the folder in File Explorer where it is synced (the add-in asks once and remembers), or open "
            "the workbook from that folder."
        )


def local_master_path(
    fullname: str,
    environ: Mapping[str, str] | None = None,
    mounts: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> Path:
    """The file on this PC behind Excel's ``FullName`` of the master. With AutoSave on a
    OneDrive or SharePoint file, FullName is a URL; the local copy is found the way xlwings
    finds it (xlwings.utils.fullname_url_to_local_path): the folders the user told the add-in,
    OneDrive's registry mount points, then the OneDrive environment variables with the URL's
    path below them. Raises SyncedFolderUnknown when no candidate exists."""
    if "://" not in fullname:
        return Path(fullname)
    environ = os.environ if environ is None else environ
    mounts = sync_mounts() if mounts is None else mounts
    remembered = remembered_folders(environ) if remembered is None else remembered
    from urllib.parse import unquote

    url = unquote(fullname)
    candidates: list[Path] = []
    for prefix, folder in [*remembered.items(), *mounts.items()]:
        stem = unquote(prefix).rstrip("/") + "/"
        if url.startswith(stem):
            candidates.append(Path(folder, *url[len(stem) :].split("/")))
    personal = re.match(r"https://d\.docs\.live\.net/[^/]+/(.+)", url)
    business = re.match(r"https://[^/]+-my\.sharepoint\.[^/]+/personal/[^/]+/Documents/(.+)", url)
    site = re.match(r"https?://[^/]+/sites/([^/]+)/[^/]+/(.+)", url)
    if personal:
        roots = [environ.get("OneDriveConsumer"), environ.get("OneDrive"), str(Path(environ.get("USERPROFILE", Path.home())) / "OneDrive")]
        candidates += [Path(root, *personal.group(1).split("/")) for root in roots if root]
    if business:
        roots = [environ.get("OneDriveCommercial"), environ.get("OneDrive")]
        candidates += [Path(root, *business.group(1).split("/")) for root in roots if root]
    if site and environ.get("OneDriveCommercial"):
        # A synced SharePoint library sits beside OneDrive: "<Organisation>\\<Site> - Documents".
        organisation = environ["OneDriveCommercial"].replace("OneDrive - ", "")
        candidates.append(Path(organisation, f"{site.group(1)} - Documents", *site.group(2).split("/")))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise SyncedFolderUnknown(fullname)


# --- what a button runs, with Excel's status bar ------------------------------------------------


class ExcelSession(Protocol):
    """The little of Excel a button's Python side needs."""

    def status(self, text: str | None) -> None:
        """Show ``text`` in Excel's status bar (None: give it back to Excel)."""

    def close(self, path: Path) -> None:
        """Close the workbook at ``path`` if it is open (the ribbon saved it first)."""

    def reopen(self, path: Path, sheet: str | None) -> None:
        """Open the workbook at ``path`` again, on ``sheet``."""


class NoExcel:
    """Run from the command line or a test: nothing to show, nothing open."""

    def status(self, text: str | None) -> None:
        pass

    def close(self, path: Path) -> None:
        pass

    def reopen(self, path: Path, sheet: str | None) -> None:
        pass


class XlwingsExcel:
    """The Excel that pressed the button, through xlwings (``Book.caller()`` is the master,
    the active workbook when the ribbon called RunPython)."""

    def __init__(self) -> None:
        import xlwings as xw

        self.app = xw.Book.caller().app

    def status(self, text: str | None) -> None:
        try:
            self.app.status_bar = text if text else False
        except Exception as exc:  # Excel busy for a moment: the run goes on without the update
            logging.getLogger(__name__).info("status bar not updated (%s)", type(exc).__name__)

    def close(self, path: Path) -> None:
        for book in self.app.books:
            if _same_file(book.fullname, path):
                book.close()  # xlwings closes without saving; the ribbon saved it first

    def reopen(self, path: Path, sheet: str | None) -> None:
        book = self.app.books.open(str(path))
        if sheet and sheet in [s.name for s in book.sheets]:
            book.sheets[sheet].activate()


def _same_file(fullname: str, path: Path) -> bool:
    try:
        return local_master_path(fullname).resolve() == path.resolve()
    except ScorecardError:
        return False


def excel_session() -> ExcelSession:
    """The Excel that called (RunPython passes ``--from_xl=1``), or nothing to talk to."""
    if any(arg.startswith("--from_xl") for arg in sys.argv):
        return XlwingsExcel()
    return NoExcel()


ACTIONS: dict[str, Callable[..., str]] = {"refresh": refresh_book, "check": check_book, "email": email_book, "settings": settings_path}
STATUS_PREFIX = "Scorecard: "


def _refresh_in_excel(master: Path, session: ExcelSession) -> str:
    # Excel holds the open master locked: close it, refresh, and open it again whatever
    # happened (the new master, or the old one unchanged when the refresh stopped).
    session.close(master)
    try:
        return ACTIONS["refresh"](master, progress=lambda text: session.status(STATUS_PREFIX + text))
    except ScorecardError as exc:
        raise ScorecardError(f"{exc} Your workbook was opened again as it was.") from None
    finally:
        session.reopen(master, "Scorecard")


def ribbon(action: str, fullname: str, message_file: Path = MESSAGE_FILE) -> str:
    """What a ribbon button calls through RunPython: ``action`` on the master whose Excel
    ``FullName`` is ``fullname`` (a path, or a OneDrive/SharePoint URL)."""
    # A character outside the Basic Multilingual Plane reaches us as two \\u escapes (VBA
    # strings are UTF-16): put the pair back together.
    fullname = fullname.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    return run_from_excel(action, fullname, message_file, excel_session())


def run_from_excel(action: str, path: str, message_file: Path = MESSAGE_FILE, session: ExcelSession | None = None) -> str:
    """Run ``action`` on the workbook at ``path`` and write the message for the user to
    ``message_file`` ("ERROR:" first when it failed; "FOLDER?" first when the add-in should ask
    where a OneDrive or SharePoint folder is synced, then the folder's URL)."""
    session = session or NoExcel()
    try:
        master = local_master_path(path)
        session.status(STATUS_PREFIX + {"refresh": "starting the refresh", "check": "checking the district files"}.get(action, action))
        if action == "refresh":
            message = _refresh_in_excel(master, session)
        elif action == "check":
            message = ACTIONS[action](master, progress=lambda text: session.status(STATUS_PREFIX + text))
        else:
            message = ACTIONS[action](master)
    except SyncedFolderUnknown as exc:
        message = f"FOLDER?{exc.url.rsplit('/', 1)[0]}"
    except ScorecardError as exc:
        message = f"ERROR:{exc}"
    except Exception as exc:  # the user gets a sentence; the details go to a local log
        ERROR_LOG.write_text(unexpected_detail(exc), encoding="utf-8")
        logging.getLogger(__name__).error("add-in action %s failed: %s", action, type(exc).__name__)
        message = (
            f"ERROR:The scorecard could not {action} ({type(exc).__name__}). Nothing was changed. "
            f"Send {ERROR_LOG} to your performance team."
        )
    finally:
        session.status(None)
    message_file.write_text(message, encoding="utf-8")
    return message
