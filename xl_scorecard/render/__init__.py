"""Render stage: generate the scorecard's sheets and transplant them into the master safely."""

from __future__ import annotations

from pathlib import Path

from xl_scorecard.render.cells import OWNED_SHEETS, ScorecardInput
from xl_scorecard.render.master import build_master, check_master, refresh_lock, replace_master
from xl_scorecard.render.template import template_path
from xl_scorecard.render.workbook import write_workbook

__all__ = ["OWNED_SHEETS", "ScorecardInput", "check_master", "refresh_lock", "replace_master", "write_scorecard", "write_workbook"]


def write_scorecard(
    master: Path, data: ScorecardInput, backups: int = 10, template: Path | None = None, force: bool = False
) -> Path | None:
    """Refresh ``master`` with ``data``: transplanted, replaced atomically, the previous version
    backed up. Call inside ``refresh_lock(master)``, after ``check_master`` (which guards).
    Returns the backup's path, if one was made."""
    # The guard ran when the refresh took the lock; just before writing, check only that nobody
    # opened the master in Excel during the run.
    check_master(master, force=force, guard=False)
    base = master if master.exists() else None
    # With --force the backup is what keeps the hand-typed cells: never skip it.
    keep = max(backups, 1) if force else backups
    return replace_master(master, lambda temp: build_master(base, template_path(template), data, temp, master), backups=keep)
