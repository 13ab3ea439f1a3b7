"""Building and installing the Excel add-in (``.xlam``) from the text sources in ``macros/``.

``build_addin`` assembles the add-in with pyopenvba (pure Python: the VBA modules round-trip
exactly through olevba) and adds the ribbon part. ``install_addin`` puts it where Excel loads it
on Windows; elsewhere it explains what it would do and exits cleanly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from xl_scorecard.errors import ScorecardError
from xl_scorecard.resources import shipped_folder

MACROS = shipped_folder("macros")
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_PART = "customUI/customUI14.xml"
ADDIN_NAME = "xl-scorecard.xlam"


def vba_sources(folder: Path = MACROS) -> dict[str, str]:
    """The VBA modules in ``folder``: module name -> source (the ``Attribute VB_Name`` line gives the name)."""
    modules = {}
    for path in sorted(folder.glob("*.bas")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r'^Attribute VB_Name = "([^"]+)"', text, flags=re.M)
        if not match:
            raise ScorecardError(f'{path}: the first line must be Attribute VB_Name = "<module name>"')
        modules[match.group(1)] = text
    return modules


def build_addin(out: Path, folder: Path = MACROS) -> Path:
    """Assemble the add-in at ``out`` from ``folder`` (VBA modules and customUI14.xml)."""
    try:
        from pyopenvba import ExcelFile
    except ImportError:
        raise ScorecardError(
            "building the add-in needs pyopenvba, which is not installed: "
            'install it with  py -m pip install "xl-scorecard[addin]"  (Linux: python3 -m pip ...)'
        ) from None

    if not (folder / "customUI14.xml").is_file():
        raise ScorecardError(f"{folder}: customUI14.xml is missing; the add-in needs its ribbon")
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(out.stem + ".tmp.xlam")
    with ExcelFile.create_new(temp) as book:
        project = book.vba_project()
        if "Module1" in project.module_names():
            project.delete_module("Module1")  # the blank module of pyopenvba's new-workbook template
        for name, source in vba_sources(folder).items():
            project.add_module(name, source.replace("\r\n", "\n").replace("\n", "\r\n"))
        book.save()
    _add_ribbon(temp, out, (folder / "customUI14.xml").read_bytes())
    temp.unlink()
    return out


def _add_ribbon(source: Path, target: Path, ribbon: bytes) -> None:
    # The ribbon is a package-level part: customUI/customUI14.xml, related from _rels/.rels.
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as built:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "_rels/.rels":
                text = data.decode("utf-8")
                if RIBBON_REL not in text:
                    text = text.replace(
                        "</Relationships>",
                        f'<Relationship Id="rIdXlScorecardRibbon" Type="{RIBBON_REL}" Target="{RIBBON_PART}"/></Relationships>',
                    )
                data = text.encode("utf-8")
            built.writestr(item, data)
        built.writestr(RIBBON_PART, ribbon)


def excel_startup_folder() -> Path:
    """Where Excel loads add-ins from at start-up for this user (Windows)."""
    return Path(os.environ.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART"


def install_addin(built: Path, dry_run: bool = False) -> str:
    """Copy the add-in to XLSTART and install the xlwings add-in for this Python (Windows).

    On other systems (or with ``dry_run``) say what would be done and change nothing.
    """
    target = excel_startup_folder() / ADDIN_NAME
    steps = [
        f"copy {built} to {target}",
        f"run `{sys.executable} -m xlwings addin install` (open-source RunPython)",
        f"set the xlwings interpreter to {sys.executable}",
    ]
    if sys.platform != "win32" or dry_run:
        return "This installs the Excel add-in on Windows. It would:\n" + "\n".join(f"- {s}" for s in steps)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, target)
    subprocess.run([sys.executable, "-m", "xlwings", "addin", "install"], check=True)
    conf = Path.home() / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir(exist_ok=True)
    lines = [
        line
        for line in (conf.read_text(encoding="utf-8").splitlines() if conf.exists() else [])
        if not line.startswith('"INTERPRETER_WIN"')
    ]
    conf.write_text("\n".join([*lines, f'"INTERPRETER_WIN","{sys.executable}"']) + "\n", encoding="utf-8")
    return f"Installed {target}. Restart Excel: the Scorecard tab appears on the ribbon."


def uninstall_addin(dry_run: bool = False) -> str:
    """Remove the add-in from XLSTART (Windows); elsewhere say what would be done."""
    target = excel_startup_folder() / ADDIN_NAME
    if sys.platform != "win32" or dry_run:
        return f"This removes the Excel add-in on Windows. It would delete {target}."
    if target.exists():
        target.unlink()
        return f"Removed {target}. Restart Excel."
    return f"Nothing to remove: {target} is not there."
