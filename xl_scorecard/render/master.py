"""Replacing the master workbook safely: lock, refuse to lose user content, atomic write, backup.

Until owned sheets are transplanted into an existing package (a later stage of the project),
the tool writes the whole workbook; so it refuses to overwrite a master that holds sheets it
does not own, rather than lose them silently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from xl_scorecard.errors import MasterError
from xl_scorecard.render.workbook import OWNED_SHEETS


def owner_file(master: Path) -> Path:
    """The ``~$name.xlsx`` file Excel keeps beside a workbook it has open."""
    # Excel drops the first two characters of long names: "~$ster.xlsx" for "master.xlsx".
    return master.with_name("~$" + master.name[2:] if len(master.stem) > 6 else "~$" + master.name)


def check_master(master: Path) -> None:
    """Raise ``MasterError`` when ``master`` cannot be refreshed without loss: open in Excel,
    locked by another program, not a workbook, or holding sheets the tool does not own."""
    if not master.exists():
        return
    for candidate in (owner_file(master), master.with_name("~$" + master.name)):
        if candidate.exists():
            raise MasterError(f"{master} is open in Excel (found {candidate.name}). Close it in Excel and run the refresh again; nothing was written.")
    try:
        with open(master, "r+b"):
            pass
    except PermissionError:
        raise MasterError(f"{master} is locked by another program. Close it and run the refresh again; nothing was written.") from None
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(master))
        sheets = list(workbook.sheet_names)
        workbook.close()
    except Exception as exc:
        raise MasterError(f"{master} is not a workbook the tool can read ({exc}). Move it aside or restore a backup; nothing was written.") from None
    foreign = [name for name in sheets if name not in OWNED_SHEETS]
    if foreign:
        raise MasterError(
            f"{master} has sheets this version does not manage: {', '.join(foreign)}. To keep them, "
            "write the scorecard to another file with --master; this version rewrites the whole workbook "
            "and will not drop your sheets. Nothing was written.")


@contextlib.contextmanager
def refresh_lock(master: Path) -> Iterator[None]:
    """Hold ``<master>.lock`` for the duration of a refresh, so two refreshes never interleave."""
    lock = master.with_name(master.name + ".lock")
    master.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise MasterError(f"another refresh of {master} is running (lock file {lock.name}). Wait for it to finish; "
                          "if none is running, delete the lock file.") from None
    try:
        os.write(handle, f"{os.getpid()}\n".encode())
        os.close(handle)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def replace_master(master: Path, write: Callable[[Path], None], backups: int = 10,
                   now: dt.datetime | None = None) -> Path | None:
    """Write a new master through ``write(temp_path)`` and swap it in atomically.

    The temporary file is in the master's folder (so the final rename is atomic on the same
    volume). The previous master is copied to ``backups/<name> <timestamp><suffix>`` first and
    only the newest ``backups`` copies are kept. Returns the backup path, if one was made.
    If anything fails, the master is untouched and the temporary file removed.
    """
    master.parent.mkdir(parents=True, exist_ok=True)
    temp = master.with_name(f".{master.stem}.tmp-{os.getpid()}{master.suffix}")
    backup = None
    try:
        write(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        if master.exists() and backups > 0:
            backup = _backup(master, backups, now or dt.datetime.now())
        os.replace(temp, master)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return backup


def _backup(master: Path, keep: int, now: dt.datetime) -> Path:
    folder = master.parent / "backups"
    folder.mkdir(exist_ok=True)
    target = folder / f"{master.stem} {now:%Y-%m-%d %H%M%S}{master.suffix}"
    shutil.copy2(master, target)
    existing = sorted(folder.glob(f"{master.stem} ????-??-?? ??????{master.suffix}"))
    for old in existing[:-keep]:
        old.unlink()
    return target
