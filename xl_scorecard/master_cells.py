"""The cells of a workbook's sheets as calamine reads them, read once while the file is unchanged.

A refresh reads the master's own sheets several times before it writes: the guard hashes them
(has anyone typed into them?), the history, restatements, commentary and early-warning record
are read back, and the fingerprint is looked up three times. At ten years of history that was
the History data sheet (66,000 rows) parsed three times. Here each sheet is parsed once for a
given version of the file (its path, size, modification time and file id), and the copy is
dropped when another file, or another version, is read, and at the start of every refresh
(``forget``).

The rows are shared: callers read them and never change them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

Rows = list[list[Any]]

_read: dict[tuple[str, int, int, int], dict[tuple[str, bool], Rows | None]] = {}


def _identity(path: Path) -> tuple[str, int, int, int]:
    status = path.stat()
    return str(path.resolve()), status.st_size, status.st_mtime_ns, status.st_ino


def sheet_rows(path: Path, sheets: Iterable[str], skip_empty_area: bool = True, hold: bool | Collection[str] = True) -> dict[str, Rows]:
    """The rows of each of ``sheets`` the workbook at ``path`` has (calamine's ``to_python``;
    ``skip_empty_area`` as there), by name; a sheet it does not have is left out. ``hold``: the
    sheets to keep for the next call (all, none, or those named): a sheet only one reader reads
    (a Drill-down sheet's thousands of cases) is not kept in memory for the rest of the run."""
    wanted = list(dict.fromkeys(sheets))
    found = _rows(path, wanted, False, hold)
    if skip_empty_area:
        # Skipping the empty area leaves a sheet whose A1 is filled as it is (the tool's own
        # sheets): one parse serves both; another sheet is parsed again with calamine's skip.
        again = [s for s, rows in found.items() if rows is not None and not (rows and rows[0] and rows[0][0] not in ("", None))]
        found |= _rows(path, again, True, hold)
    return {sheet: rows for sheet, rows in found.items() if rows is not None}


def _rows(path: Path, sheets: list[str], skip_empty_area: bool, hold: bool | Collection[str]) -> dict[str, Rows | None]:
    identity = _identity(path)
    held = _read.get(identity)
    if held is None:
        _read.clear()  # another file, or this one changed: what was read of it no longer holds
        held = _read[identity] = {}
    found = {sheet: held[(sheet, skip_empty_area)] for sheet in sheets if (sheet, skip_empty_area) in held}
    unread = [sheet for sheet in sheets if sheet not in found]
    if unread:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        try:
            present = set(book.sheet_names)
            for sheet in unread:
                found[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=skip_empty_area) if sheet in present else None
                if hold is True or (not isinstance(hold, bool) and sheet in hold):
                    held[(sheet, skip_empty_area)] = found[sheet]
        finally:
            book.close()
    return {sheet: found[sheet] for sheet in sheets}


def forget() -> None:
    """Drop every sheet read (a refresh starts from the files as they are)."""
    _read.clear()


def held() -> int:
    """How many sheets are held (none after a refresh)."""
    return sum(len(sheets) for sheets in _read.values())
