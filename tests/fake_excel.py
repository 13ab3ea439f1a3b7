"""Stands in for Excel in a fresh Python started the way RunPython starts it.

RunPython runs ``python -c "import xlwings.utils; xlwings.utils.prepare_sys_path(...); <command>"``;
the tests run ``python -c "import fake_excel; <command>"`` instead, with the very command the
ribbon builds. Importing this module replaces the one thing that needs Excel, the session
behind the status bar and the closing and reopening of the master (``xl_scorecard.excel.
excel_session``), with one that writes each call as a JSON line to ``$FAKE_EXCEL_LOG``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import xl_scorecard.excel as excel

LOG = Path(os.environ["FAKE_EXCEL_LOG"])


class FakeExcel:
    def _log(self, *event: object) -> None:
        with LOG.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event) + "\n")

    def status(self, text: str | None) -> None:
        self._log("status", text)

    def close(self, path: Path) -> None:
        self._log("close", str(path))

    def reopen(self, path: Path, sheet: str | None) -> None:
        self._log("reopen", str(path), sheet)


excel.excel_session = FakeExcel
