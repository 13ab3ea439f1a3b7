"""Refreshing the master workbook safely: lock, guard, transplant, atomic replace, backup.

The master is never loaded and saved whole. The tool's own sheets are generated afresh and
transplanted into the existing package (see ``transplant``); every other part is copied byte
for byte. A first refresh starts from the template in ``workbook_templates/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import TypeVar

from xl_scorecard.errors import MasterError
from xl_scorecard.history import HISTORY_SHEET
from xl_scorecard.render.cells import FINGERPRINT_SHEET, OWNED_SHEETS, ScorecardInput
from xl_scorecard.render.package import Package, counts_from_1904
from xl_scorecard.render.workbook import write_workbook

MASTER_SUFFIXES = {".xlsx", ".xlsm"}


# The paths beside a master are built by these functions alone, for any path flavour: the
# tests build them from Windows paths (UNC shares, spaces) with PureWindowsPath.
AnyPath = TypeVar("AnyPath", bound=PurePath)


def lock_path(master: AnyPath) -> AnyPath:
    """``<master>.lock``, held for the length of a refresh."""
    return master.with_name(master.name + ".lock")


def temp_path(master: AnyPath, pid: int) -> AnyPath:
    """The new master is written here, in the master's own folder (so the replace is atomic
    and no copy of it lands in the system temp folder), then moved over the master."""
    return master.with_name(f".{master.stem}.tmp-{pid}{master.suffix}")


def backup_path(master: AnyPath, now: dt.datetime) -> AnyPath:
    """``backups/<name> <yyyy-mm-dd hhmmss><suffix>`` beside the master."""
    return master.parent / "backups" / f"{master.stem} {now:%Y-%m-%d %H%M%S}{master.suffix}"


def owner_file(master: AnyPath) -> AnyPath:
    """The ``~$name.xlsx`` file Excel keeps beside a workbook it has open."""
    # Excel drops the first two characters of long names: "~$ster.xlsx" for "master.xlsx".
    return master.with_name("~$" + master.name[2:] if len(master.stem) > 6 else "~$" + master.name)


def check_master(master: Path, force: bool = False, guard: bool = True) -> None:
    """Raise ``MasterError`` when ``master`` cannot be refreshed without loss: open in Excel,
    locked, not a workbook we can extend, or (with ``guard``, unless ``force``) owned sheets
    changed by hand."""
    if master.suffix.lower() not in MASTER_SUFFIXES:
        raise MasterError(f"{master}: the master workbook must be .xlsx or .xlsm.")
    if not master.exists():
        if master.suffix.lower() == ".xlsm":
            raise MasterError(
                f"{master} does not exist. A macro workbook cannot be started from the template: "
                "save your .xlsm there first, or use a .xlsx master."
            )
        return
    for candidate in (owner_file(master), master.with_name("~$" + master.name)):
        if candidate.exists():
            raise MasterError(
                f"{master} is open in Excel (found {candidate.name}). Close it in Excel and run the refresh again; nothing was written."
            )
    try:
        with open(master, "r+b"):
            pass
    except PermissionError:
        raise MasterError(f"{master} is locked by another program. Close it and run the refresh again; nothing was written.") from None
    from python_calamine import CalamineWorkbook

    try:
        CalamineWorkbook.from_path(str(master)).close()
    except Exception as exc:
        raise MasterError(
            f"{master} is not a workbook the tool can read ({exc}). Move it aside or restore a backup; nothing was written."
        ) from None
    clashes = owned_name_clashes(master)
    if clashes:
        mine, ours = clashes[0]
        raise MasterError(
            f'{master}: your sheet "{mine}" has the name the scorecard gives one of its own sheets ("{ours}"); a workbook '
            "cannot hold both (Excel ignores case in sheet names) and yours would be replaced. Rename your sheet "
            "(right-click its tab > Rename) and run again; nothing was written."
        )
    if not guard:
        return
    from xl_scorecard.render.guard import changed_cells

    changed = changed_cells(master)  # the sheets its fingerprint names
    if changed and not force:
        shown = "\n  ".join(changed[:25]) + (f"\n  ... and {len(changed) - 25} more" if len(changed) > 25 else "")
        raise MasterError(
            f"{master}: these cells of the sheets the scorecard writes were changed by hand:\n  {shown}\n"
            "A refresh would replace them. Move what you typed to the Commentary column or to a sheet of your own, "
            "or run again with --force to replace them (the current workbook is backed up first). Nothing was written."
        )


@contextlib.contextmanager
def refresh_lock(master: Path) -> Iterator[None]:
    """Hold ``<master>.lock`` for the duration of a refresh, so two refreshes never interleave.

    The lock is the operating system's (``filelock``: flock on Linux, LockFileEx on Windows,
    honoured across a network share), so a refresh killed mid-way holds nothing: the next one
    simply takes it. Once held, what a killed refresh left beside the master (its temporary
    master, its work folder) is removed."""
    from filelock import FileLock, Timeout

    lock_file = lock_path(master)
    master.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_file), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise MasterError(
            f"another refresh of {master} is running (it holds {lock_file.name}). Wait for it to finish and run again."
        ) from None
    except PermissionError:
        raise MasterError(f"{master.parent} is read-only for you: the refresh cannot write there. Nothing was written.") from None
    try:
        clean_leftovers(master)
        yield
    finally:
        lock.release()
        # Linux keeps the (now unlocked) file; it means nothing, so it is not left lying about.
        with contextlib.suppress(OSError):
            lock_file.unlink()


def work_prefix(master: PurePath) -> str:
    """The name a refresh's work folder beside ``master`` starts with (hidden, the master's
    stem, the process id): what a killed run leaves is found by it."""
    return f".{master.stem}.work-"


def clean_leftovers(master: Path) -> list[Path]:
    """Remove what a refresh killed mid-way left beside ``master``: its temporary master
    (``.<stem>.tmp-<pid><suffix>``) and its work folder (which may hold child-level rows).
    Called with the lock held, so no running refresh owns them. Returns what was removed."""
    removed = []
    for path in master.parent.glob(f".{master.stem}.tmp-*{master.suffix}"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    for path in master.parent.glob(work_prefix(master) + "*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def workbook_names(package: Package) -> list[str]:
    """The sheet names of a workbook package, in tab order."""
    from xl_scorecard.render.transplant import workbook_sheets

    return [s.name for s in workbook_sheets(package.text(package.main_part()))]


def owned_name_clashes(master: Path) -> list[tuple[str, str]]:
    """(the user's sheet, the owned name it takes) for each sheet of ``master`` the tool did not
    write (its fingerprint does not name it) whose name is one the tool writes, ignoring case
    as Excel does: "history" beside the tool's "History" makes Excel repair the file, and a
    user's own "History" would be replaced without a word. (A Drill-down sheet's name depends on
    the catalogue: ``transplant`` refuses one that takes a user's sheet's name.)"""
    from xl_scorecard.render.guard import fingerprinted_sheets

    ours = {*fingerprinted_sheets(master), FINGERPRINT_SHEET}
    owned = {name.casefold(): name for name in OWNED_SHEETS}
    clashes = []
    for name in workbook_names(Package.read(master)):
        if name in ours:
            continue
        if name.casefold() in owned:
            clashes.append((name, owned[name.casefold()]))
    return clashes


def uses_1904(package: Package) -> bool:
    """Whether the workbook counts dates from 1904 (``<workbookPr date1904="1"/>``, old Mac
    workbooks): the sheets written into it must count the same way, or every date is 4 years
    and a day out."""
    return counts_from_1904(package)


def build_master(base: Path | None, template: Path, data: ScorecardInput, target: Path, master: Path | None = None) -> None:
    """Write to ``target`` the workbook ``base`` (or, for a new master, ``template``) with the
    scorecard's sheets freshly generated and transplanted in, fingerprint included. ``master``
    (default ``target``) names the work folder, made beside ``target``."""
    from xl_scorecard.render.drilldown import drilldown_sheets, is_drilldown
    from xl_scorecard.render.guard import (
        carried_digests,
        cell_hashes,
        drawing_anchors,
        fingerprinted_sheets,
        row_digested,
        write_fingerprint,
    )
    from xl_scorecard.render.rows import history_rows_as_read
    from xl_scorecard.render.transplant import sheet_parts, transplant
    from xl_scorecard.render.written import PLACEHOLDER, Record, Written, fill_placeholder
    from xl_scorecard.sources.cache import cache_folder

    # The work folder holds the generated sheets (child-level rows): beside the master, never
    # in the system temp folder; a hidden name, readable by the user only, removed on every
    # exit path (and at the next refresh's start after a hard kill).
    prefix = f"{work_prefix(master or target)}{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=target.parent) as work:
        owned = Path(work) / "owned.xlsx"
        base_package = Package.read(base or template)
        written = write_workbook(owned, data, date_1904=uses_1904(base_package))
        fingerprint = Path(work) / "fingerprint.xlsx"
        sheets = [s for s in OWNED_SHEETS if s != FINGERPRINT_SHEET] + drilldown_sheets(data.drilldown, data.due_soon)[1:]
        generated = Package.read(owned)
        present = [s for s in sheets if s in set(workbook_names(generated))]
        # The sheets generated as the last refresh generated them keep its digests (and key).
        # (Recorded before the transplant rewrites the sheets' styles.)
        key, carried, as_generated = carried_digests(base, generated, present)
        covered = {sheet for sheet, _ in carried}
        # The History data just written is digested from its rows as they read back, not parsed
        # again (16 MB at 100 districts), unless it is carried or holds text a reader may give
        # back otherwise (``rows.history_rows_as_read``).
        as_read = history_rows_as_read(data.history) if HISTORY_SHEET in present and HISTORY_SHEET not in covered else None
        known = {HISTORY_SHEET: as_read} if as_read is not None else {}
        hashes = cell_hashes(owned, [s for s in sheets if s not in covered], key, {s for s in sheets if row_digested(s)}, known)
        write_fingerprint(
            fingerprint,
            hashes | carried,
            written.free,
            drawing_anchors(owned, sheets),
            key,
            present,
            written.small,
            PLACEHOLDER,
        )
        # Replaced or removed: the fixed sheets, this month's Drill-down sheets, and last month's
        # (named in the old fingerprint) - never a user's sheet that merely has a similar name.
        previous = [s for s in fingerprinted_sheets(base) if is_drilldown(s)] if base else []
        package = transplant(base_package, [generated, Package.read(fingerprint)], [*OWNED_SHEETS, *sheets, *previous])
        # The record of the sheets as written, made from the master's own parts, goes into its
        # fingerprint's header: read by the next refresh's guard only under this key.
        record = Record(Written.of(package, present, key), as_generated)
        fill_placeholder(package, sheet_parts(package)[FINGERPRINT_SHEET], record.text(key))
        package.write(target)
        # Earlier builds kept the record beside the readings: nothing reads that file now.
        with contextlib.suppress(OSError):
            (cache_folder(master or target) / "sheets as written.json").unlink()


def replace_master(master: Path, write: Callable[[Path], None], backups: int = 10, now: dt.datetime | None = None) -> Path | None:
    """Write a new master through ``write(temp_path)`` and swap it in atomically.

    The temporary file is in the master's folder (so the final rename is atomic on the same
    volume). The previous master is copied to ``backups/<name> <timestamp><suffix>`` first and
    only the newest ``backups`` copies are kept. Returns the backup path, if one was made.
    If anything fails, the master is untouched and the temporary file removed.
    """
    master.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(master, os.getpid())
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
    target = backup_path(master, now)
    folder = target.parent
    folder.mkdir(exist_ok=True)
    # Copied under a hidden name and renamed: a disk filling up mid-copy leaves no truncated
    # backup that looks like a good one.
    partial = target.with_name(f".{target.name}.part")
    try:
        shutil.copy2(master, partial)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    existing = sorted(folder.glob(f"{master.stem} ????-??-?? ??????{master.suffix}"))
    for old in existing[:-keep]:
        old.unlink()
    return target
