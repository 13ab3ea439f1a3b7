"""Exceptions. Data problems are never raised: they are collected as ``Problem`` records.

Exceptions are for a configuration that is wrong (``ConfigError``), a master workbook that
cannot be written safely (``MasterError``) and our own bugs.
"""

from __future__ import annotations


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
