"""PDF of the scorecard for committee papers, through LibreOffice headless when it is installed.

The PDF is made from the aggregate-only copy (no child-level sheets); each sheet's own print
setup (A4 landscape, fit to width, repeated headings, header and footer) decides the pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from xl_scorecard.errors import ScorecardError
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


def export_pdf(master: Path, out: Path | None = None, timeout: float = 300, suppress_below: int = 0) -> Path:
    """Write the master's scorecard as a PDF (default: beside the master, same name, ``.pdf``);
    with ``suppress_below`` > 1, figures resting on fewer people show as "c"."""
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
        copy = aggregate_copy(master, Path(work) / f"{out.stem}.xlsx", suppress_below=suppress_below)
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
