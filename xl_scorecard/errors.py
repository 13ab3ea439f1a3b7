"""Exceptions. Data problems are never raised: they are collected as ``Problem`` records.

Exceptions are for a configuration that is wrong (``ConfigError``), a master workbook that
cannot be written safely (``MasterError``) and our own bugs.
"""

from __future__ import annotations

import errno


class ScorecardError(Exception):
    """Base class for errors a user can act on; the message says what to do."""


class ConfigError(ScorecardError):
    """A configuration, catalogue or dataset description is wrong (names the file and key)."""


class MasterError(ScorecardError):
    """The master workbook cannot be refreshed safely; nothing was written."""


class IncompleteInputs(ScorecardError):
    """A strict run (the scheduled batch) found input files it could not read; the master was
    not written, so nobody receives a scorecard with a district silently missing."""


class PeriodError(ScorecardError):
    """The reporting month has no rows in the inputs (before they start, after they end, or a
    gap): a scorecard for it would be all zeros and blanks, so nothing is written."""


def unexpected_detail(exc: BaseException) -> str:
    """The detail of an unexpected error for a log: its kind and where each frame was, never its
    message (an error raised while reading a cell can quote the cell: a child's id or name)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    lines = [f"  {frame.filename}, line {frame.lineno}, in {frame.name}" for frame in frames]
    return "\n".join([f"{type(exc).__module__}.{type(exc).__qualname__} (message left out: it may quote input data)", *lines])


def os_error_sentence(exc: OSError) -> str:
    """One sentence for an error of the file system: disk full, read-only, or other. The file
    named is a path the configuration gave, never a cell's content."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        what = f"the disk is full{where}: free some space and run again"
    elif isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        what = f"a file or folder is read-only for you{where}: ask for write access or choose another folder"
    else:
        what = f"the file system refused{where}: {exc.strerror or type(exc).__name__}"
    return f"{what}. Writes are atomic, so the master workbook is as it was and no half-written file is left."
