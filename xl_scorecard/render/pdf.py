"""PDF of the scorecard for committee papers, through LibreOffice headless when it is installed.

The PDF is made from the aggregate-only copy (no child-level sheets), as a committee pack (a
title page and the sheets the layout names) or whole; each sheet's own print setup (A4
landscape, 8 pt or more, repeated headings, header and footer) decides the pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from xl_scorecard.errors import ScorecardError
from xl_scorecard.render.committee import TitlePage, committee_copy
from xl_scorecard.render.copies import aggregate_copy

WINDOWS_SOFFICE = (Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "LibreOffice" / "program" / "soffice.exe",)


def find_soffice() -> str | None:
    """LibreOffice's ``soffice`` on the PATH, or in its usual Windows folder."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if sys.platform == "win32":
        return next((str(p) for p in WINDOWS_SOFFICE if p.is_file()), None)
    return None


def export_pdf(
    master: Path,
    out: Path | None = None,
    timeout: float = 300,
    suppress_below: int = 0,
    sheets: Sequence[str] | None = None,
    title: TitlePage | None = None,
) -> Path:
    """Write the master's scorecard as a PDF (default: beside the master, same name, ``.pdf``):
    with ``sheets``, the committee pack (those sheets only, after the ``title`` page; see
    ``render.committee``), else every sheet of the aggregate-only copy. With ``suppress_below``
    > 1, figures resting on fewer people show as "c"."""
    if not master.is_file():
        raise ScorecardError(f"{master} does not exist: refresh it first.")
    soffice = find_soffice()
    if soffice is None:
        raise ScorecardError(
            "PDF export needs LibreOffice, which is not installed here (no soffice found). Install it "
            "(Windows: libreoffice.org; Debian/Ubuntu: apt install libreoffice-calc), or print the "
            "Scorecard sheet to PDF from Excel."
        )
    out = out or master.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="xl-scorecard-pdf-") as work:
        target = Path(work) / f"{out.stem}.xlsx"
        if sheets is None:
            copy = aggregate_copy(master, target, suppress_below=suppress_below)
        else:
            copy = committee_copy(master, target, sheets, title, suppress_below)
        profile = Path(work) / "profile"  # its own profile: works while the user's LibreOffice is open
        completed = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(Path(work) / "pdf"),
                str(copy),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        made = Path(work) / "pdf" / f"{out.stem}.pdf"
        if completed.returncode != 0 or not made.is_file():
            raise ScorecardError(f"LibreOffice could not convert {master.name} to PDF: {completed.stderr.strip()[:300]}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), out)
    return out
