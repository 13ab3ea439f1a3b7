"""Render stage: write the scorecard workbook and replace the master safely."""

from __future__ import annotations

from xl_scorecard.render.master import check_master, refresh_lock, replace_master
from xl_scorecard.render.workbook import OWNED_SHEETS, ScorecardInput, write_workbook

__all__ = ["OWNED_SHEETS", "ScorecardInput", "check_master", "refresh_lock", "replace_master", "write_scorecard", "write_workbook"]


def write_scorecard(master, data: ScorecardInput, backups: int = 10):
    """Write ``data`` into ``master``: checked, locked, atomic, with a dated backup."""
    check_master(master)
    with refresh_lock(master):
        check_master(master)
        return replace_master(master, lambda temp: write_workbook(temp, data), backups=backups)
