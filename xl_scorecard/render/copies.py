"""Copies of the master to send or print: the aggregate-only copy leaves out the sheets that
hold child-level rows (the Drill-down sheets) and the tool's own hidden sheet (the guard's
fingerprint), by the same package surgery as a refresh, so everything else a user put in the
workbook travels unchanged; then every shared string no remaining cell uses is emptied, so the
copy's string table carries no child id or worker's name those sheets had.
"""

from __future__ import annotations

from pathlib import Path

from xl_scorecard.render.cells import FINGERPRINT_SHEET
from xl_scorecard.render.drilldown import DRILLDOWN_SHEET, is_drilldown
from xl_scorecard.render.guard import fingerprinted_sheets
from xl_scorecard.render.package import Package
from xl_scorecard.render.strings import empty_unused_strings
from xl_scorecard.render.transplant import transplant


def personal_sheets(master: Path) -> list[str]:
    """The sheets of ``master`` holding child-level rows: the Drill-down sheets the tool wrote."""
    return [DRILLDOWN_SHEET, *(s for s in fingerprinted_sheets(master) if is_drilldown(s))]


def aggregate_copy(master: Path, target: Path, allow_child_level: bool = False) -> Path:
    """Write to ``target`` a copy of ``master`` without child-level sheets (unless
    ``allow_child_level``). The master itself is only read."""
    package = Package.read(master)
    # Owned sheets with no donor are removed: the fingerprint always (it is the master's own
    # record), the Drill-down sheets unless child-level rows are allowed to leave.
    leave_out = [FINGERPRINT_SHEET] + ([] if allow_child_level else personal_sheets(master))
    package = transplant(package, [], leave_out)  # keeps the selected tab in range and visible
    empty_unused_strings(package)
    target.parent.mkdir(parents=True, exist_ok=True)
    package.write(target)
    return target
