"""Building and installing the Excel add-in (``.xlam``) from the text sources in ``macros/``.

``build_addin`` assembles the add-in with pyopenvba (pure Python: the VBA modules round-trip
exactly through olevba) and adds the ribbon part. ``install_addin`` puts it where Excel loads it
on Windows; elsewhere it explains what it would do and exits cleanly.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

from xl_scorecard.errors import ScorecardError
from xl_scorecard.resources import shipped_folder

MACROS = shipped_folder("macros")
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_PART = "customUI/customUI14.xml"
ADDIN_NAME = "xl-scorecard.xlam"


# The add-in's own settings sheet, read by the embedded xlwings module's GetConfig ("Add-in
# Sheet Config"): the workbook's folder is not put on Python's path (the package is installed),
# which also keeps xlwings from trying to find a OneDrive master's folder before our code runs.
CONFIG_SHEET = "xl_scorecard.conf"
ADDIN_SETTINGS = {"ADD_WORKBOOK_TO_PYTHONPATH": "False"}


def vba_sources(folder: Path = MACROS) -> dict[str, str]:
    """The VBA modules in ``folder`` and its ``xlwings`` folder (xlwings' custom add-in module,
    embedded): module name -> source (the ``Attribute VB_Name`` line gives the name)."""
    modules = {}
    for path in [*sorted(folder.glob("*.bas")), *sorted((folder / "xlwings").glob("*.bas"))]:
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


def _settings_rows() -> str:
    from xml.sax.saxutils import escape

    rows = []
    for number, (key, value) in enumerate(ADDIN_SETTINGS.items(), start=1):
        cells = "".join(
            f'<c r="{column}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>' for column, text in (("A", key), ("B", value))
        )
        rows.append(f'<row r="{number}">{cells}</row>')
    return "<sheetData>" + "".join(rows) + "</sheetData>"


def _add_ribbon(source: Path, target: Path, ribbon: bytes) -> None:
    # The ribbon is a package-level part: customUI/customUI14.xml, related from _rels/.rels.
    # The template's one sheet becomes the add-in's settings sheet (its VBA code name stays).
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as built:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'<sheet name="Sheet1"', f'<sheet name="{CONFIG_SHEET}"'.encode())
            elif item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData/>", _settings_rows().encode())
            elif item.filename == "docProps/app.xml":
                data = data.replace(b"<vt:lpstr>Sheet1</vt:lpstr>", f"<vt:lpstr>{CONFIG_SHEET}</vt:lpstr>".encode())
            elif item.filename == "_rels/.rels":
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


def user_config_file() -> Path:
    """The embedded xlwings module's user settings file: %USERPROFILE%\\.xl_scorecard\\xl_scorecard.conf
    (``GetConfigFilePath`` with PROJECT_NAME "xl_scorecard")."""
    return Path(os.environ.get("USERPROFILE") or Path.home()) / ".xl_scorecard" / "xl_scorecard.conf"


def write_user_config(interpreter: str, conf: Path | None = None) -> Path:
    """Point the add-in at ``interpreter`` (xlwings' "INTERPRETER_WIN" setting), keeping any
    other line of the file."""
    conf = conf or user_config_file()
    conf.parent.mkdir(parents=True, exist_ok=True)
    kept = [
        line
        for line in (conf.read_text(encoding="utf-8").splitlines() if conf.exists() else [])
        if not line.startswith('"INTERPRETER_WIN"')
    ]
    conf.write_text("\n".join([*kept, f'"INTERPRETER_WIN","{interpreter}"']) + "\n", encoding="utf-8")
    return conf


def install_addin(built: Path, dry_run: bool = False) -> str:
    """Copy the add-in to XLSTART and point it at this Python (Windows). The add-in carries the
    xlwings code it calls, so no xlwings add-in is installed. On other systems (or with
    ``dry_run``) say what would be done and change nothing."""
    target = excel_startup_folder() / ADDIN_NAME
    interpreter = sys.executable  # RunPython starts it hidden (no console window)
    steps = [
        f"copy {built} to {target} (close Excel first: it keeps a loaded add-in locked)",
        f"set the add-in's Python to {interpreter} in {user_config_file()}",
    ]
    if sys.platform != "win32" or dry_run:
        return "This installs the Excel add-in on Windows. It would:\n" + "\n".join(f"- {s}" for s in steps)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copy2(built, target)
    except PermissionError:
        raise ScorecardError(f"{target} is in use: close Excel, then run the install again.") from None
    write_user_config(interpreter)
    return f"Installed {target}. Start Excel: the Scorecard tab appears on the ribbon."


def uninstall_addin(dry_run: bool = False) -> str:
    """Remove the add-in from XLSTART (Windows); elsewhere say what would be done."""
    target = excel_startup_folder() / ADDIN_NAME
    if sys.platform != "win32" or dry_run:
        return f"This removes the Excel add-in on Windows. It would delete {target}."
    if target.exists():
        target.unlink()
        return f"Removed {target}. Restart Excel."
    return f"Nothing to remove: {target} is not there."
