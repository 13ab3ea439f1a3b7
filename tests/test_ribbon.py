"""The Scorecard ribbon for real (issue 18), checked without Excel:

- the VBA, statically: every ``onAction`` has its ``Sub``, every procedure the ribbon calls
  exists in the add-in or is VBA's, Excel's or Office's own, ``Option Explicit``, and an error
  handler in every public callback;
- the embedded xlwings VBA is the version the package pins, unchanged but for its project name;
- the Python side of each button run as RunPython runs it: the exact command string the VBA
  builds (``PYTHON_CALL`` with the paths made into literals by a line-for-line port of the VBA
  ``PyString``), in a fresh interpreter, with the master closed, and Excel's part played by
  ``tests/fake_excel.py`` (status bar, close, reopen);
- the master's local path behind a OneDrive or SharePoint URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xl_scorecard.addin import CONFIG_SHEET, MACROS, build_addin, vba_sources, write_user_config
from xl_scorecard.excel import SyncedFolderUnknown, local_master_path, remember_folder, remembered_folders

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
RIBBON = "ScorecardRibbon"

# --- the VBA, statically ------------------------------------------------------------------------------

# Names the ribbon module may use that it does not define: VBA's own functions and statements,
# Excel's and Office's objects and constants. Anything else called must be defined in the add-in.
VBA_KEYWORDS = {
    "Attribute",
    "As",
    "Boolean",
    "ByVal",
    "Call",
    "Case",
    "Close",
    "Const",
    "Dim",
    "Do",
    "EOF",
    "Each",
    "Else",
    "ElseIf",
    "End",
    "Error",
    "Exit",
    "Explicit",
    "False",
    "For",
    "Function",
    "GoTo",
    "If",
    "In",
    "Input",
    "Integer",
    "Is",
    "Line",
    "Long",
    "Loop",
    "Next",
    "Not",
    "Nothing",
    "Object",
    "On",
    "Open",
    "Option",
    "Or",
    "And",
    "Private",
    "Public",
    "Resume",
    "Select",
    "Set",
    "String",
    "Sub",
    "Then",
    "To",
    "True",
    "Until",
    "While",
    "With",
    "Workbook",
    "Wend",
    "Variant",
    "Step",
    "Optional",
}
VBA_BUILTINS = {
    "vbCr",
    "vbLf",
    "MsgBox",
    "Left$",
    "Mid$",
    "Right$",
    "Len",
    "InStr",
    "Replace",
    "AscW",
    "Hex$",
    "Chr",
    "Dir",
    "Kill",
    "FreeFile",
    "Environ$",
    "vbCrLf",
    "vbExclamation",
    "vbInformation",
    "vbCritical",
    "vbQuestion",
    "vbYesNo",
    "vbYes",
    "Err",
    "Application",
    "ActiveWorkbook",
    "Workbooks",
    "msoFileDialogFolderPicker",
    "IRibbonControl",
    "FileDialog",
}


def code_lines(source: str) -> list[str]:
    """Logical lines of VBA: comments removed (a ' outside a string), continuations joined."""
    lines, pending = [], ""
    for raw in source.replace("\r\n", "\n").split("\n"):
        text, in_string = [], False
        for ch in raw:
            if ch == '"':
                in_string = not in_string
            if ch == "'" and not in_string:
                break
            text.append(ch)
        line = "".join(text).rstrip()
        if line.endswith(" _"):
            pending += line[:-2] + " "
            continue
        lines.append(pending + line)
        pending = ""
    return [line for line in lines if line.strip()]


def without_strings(line: str) -> str:
    return re.sub(r'"(?:[^"]|"")*"', '""', line)


def procedures(source: str) -> dict[str, list[str]]:
    """Procedure name -> its body's logical lines."""
    found, current = {}, None
    for line in code_lines(source):
        start = re.match(r"\s*(?:Public |Private )?(?:Sub|Function) (\w+)\(", line)
        if start:
            current = start.group(1)
            found[current] = []
        elif re.match(r"\s*End (?:Sub|Function)\b", line):
            current = None
        elif current:
            found[current].append(line)
    return found


def test_every_ribbon_module_has_option_explicit_and_its_actions():
    ribbon = (MACROS / "customUI14.xml").read_text(encoding="utf-8")
    source = vba_sources()[RIBBON]
    assert "Option Explicit" in [line.strip() for line in code_lines(source)]
    for action in re.findall(r'onAction="(\w+)"', ribbon):
        assert re.search(rf"^Public Sub {action}\(control As IRibbonControl\)", source, flags=re.M), action


def test_every_public_callback_has_an_error_handler():
    # A run-time error in a callback without one opens the VBA debugger on the user's screen.
    source = vba_sources()[RIBBON]
    public = re.findall(r"^Public Sub (\w+)\(", source, flags=re.M)
    assert len(public) == 5
    bodies = procedures(source)
    for name in public:
        body = bodies[name]
        assert body[0].strip() == "On Error GoTo Failed", name
        assert any(line.strip() == "Failed:" for line in body), name


def undefined_calls(sources: dict[str, str]) -> set[str]:
    """Names the ribbon module calls that nothing defines: not the add-in's modules, not its own
    declarations, not VBA, Excel or Office."""
    defined = {name for source in sources.values() for name in procedures(source)}
    ribbon = sources[RIBBON]
    declared: set[str] = set()  # constants, variables and parameters of the ribbon module
    for line in code_lines(ribbon):
        declared |= set(re.findall(r"\b(?:Dim|Const|Private|Public)\s+(?:Const\s+)?(\w+)\s+As\b", line))
        params = re.match(r"\s*(?:Public |Private )?(?:Sub|Function) \w+\((.*)\)", line)
        if params:
            declared |= set(re.findall(r"(?:ByVal\s+)?(\w+)\s+As\b", params.group(1)))
    unknown = set()
    for line in code_lines(ribbon):
        text = without_strings(line).strip()
        if re.match(r"(?:Public |Private )?(?:Sub|Function|Const|Dim|Attribute|Option)\b", text) or text.endswith(":"):
            continue
        # Calls: a name before "(" or a name starting a statement; not a member (".name").
        names = re.findall(r"(?<![\w.$])([A-Za-z_]\w*\$?)\s*\(", text)
        first = re.match(r"(?:(?:If .* Then|Else|Case Else)\s+)?([A-Za-z_]\w*\$?)\b(?!\s*=)(?!\.)", text)
        if first:
            names.append(first.group(1))
        for name in names:
            if name in VBA_KEYWORDS or name in VBA_BUILTINS or name in declared or name in defined:
                continue
            unknown.add(name)
    return unknown


def test_every_procedure_the_ribbon_calls_exists():
    assert undefined_calls(vba_sources()) == set()


def test_a_call_to_a_procedure_that_does_not_exist_is_found():
    # The check can fail: a misspelt procedure, and a function of xlwings' module that is not there.
    sources = vba_sources()
    ribbon = sources[RIBBON].replace('    RunScorecard "check", wb', '    RunScorecardd "check", wb')
    ribbon = ribbon.replace("If Not PythonReady() Then", "If Not PythonReadyy() Then")
    assert undefined_calls({**sources, RIBBON: ribbon}) == {"RunScorecardd", "PythonReadyy"}
    without_xlwings = {name: text for name, text in sources.items() if name != "xlwings"}
    assert {"RunPython", "GetConfig", "FileExists", "WScript"} <= undefined_calls(without_xlwings)


def test_the_static_analyser_finds_nothing_in_the_ribbon_module(built):
    # pyvbaanalysis (evaluated for this: it reports undeclared variables, unknown procedures,
    # type errors and dead code, and stayed silent on clean code) on the built add-in, where
    # the ribbon's calls into xlwings' module resolve. xlwings' own module is its authors'.
    from pyvbaanalysis import analyze_office_file

    found = analyze_office_file(built)
    assert [(d.severity.value, d.code, d.message) for d in found[RIBBON]] == []


def test_the_static_analyser_finds_what_would_break_at_run_time(tmp_path):
    from pyvbaanalysis import analyze_loose_files

    source = vba_sources()[RIBBON]
    broken = source.replace('RunScorecard "check", wb', 'RunScorecardd "check", wb').replace("    Dim folder As String\n", "", 1)
    assert broken != source
    (tmp_path / "ScorecardRibbon.bas").write_text(broken, encoding="utf-8")
    shutil.copy(MACROS / "xlwings" / "xlwings.bas", tmp_path / "xlwings.bas")
    found = analyze_loose_files([tmp_path / "ScorecardRibbon.bas", tmp_path / "xlwings.bas"])
    codes = [(d.code, d.message) for key, items in found.items() if "Ribbon" in str(key) for d in items]
    assert any(code == "unknown-call" and "'RunScorecardd'" in message for code, message in codes)
    assert any(c == "undeclared-variable" and "folder" in m for c, m in codes)


# --- the embedded xlwings VBA ------------------------------------------------------------------------

UPSTREAM_SHA256 = re.search(r"`([0-9a-f]{64})`", (MACROS / "xlwings" / "README.md").read_text(encoding="utf-8")).group(1)


def test_the_embedded_xlwings_vba_is_the_pinned_version_unchanged():
    module = (MACROS / "xlwings" / "xlwings.bas").read_text(encoding="utf-8")
    version = re.search(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', module, flags=re.M).group(1)
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    (pin,) = [r for r in extras["excel"] if r.startswith("xlwings")]
    assert pin == f"xlwings=={version}"  # the VBA and the Python package must be the same version
    assert re.search(r'^Public Const PROJECT_NAME As String = "xl_scorecard"\r?$', module, flags=re.M)
    upstream = re.sub(r'(?m)^(Public Const PROJECT_NAME As String = )"xl_scorecard"', r'\1"myaddin"', module.replace("\r\n", "\n"))
    assert hashlib.sha256(upstream.encode("utf-8")).hexdigest() == UPSTREAM_SHA256
    assert "BSD 3-clause" in module and (MACROS / "xlwings" / "LICENSE-xlwings.txt").is_file()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "xl-scorecard.xlam")


def test_the_addin_carries_xlwings_its_settings_sheet_and_the_office_library(built):
    from pyopenvba import ExcelFile

    with ExcelFile(built) as book:
        project = book.vba_project()
        assert {"ScorecardRibbon", "xlwings"} <= set(project.module_names())
        assert "Office" in [r.name for r in project.references]  # IRibbonControl and FileDialog live there
    from python_calamine import CalamineWorkbook

    settings = CalamineWorkbook.from_filelike(__import__("io").BytesIO(built.read_bytes()))  # openpyxl refuses .xlam
    assert settings.sheet_names == [CONFIG_SHEET]
    assert settings.get_sheet_by_name(CONFIG_SHEET).to_python() == [["ADD_WORKBOOK_TO_PYTHONPATH", "False"]]


def test_the_user_settings_file_keeps_other_lines(tmp_path):
    conf = tmp_path / ".xl_scorecard" / "xl_scorecard.conf"
    conf.parent.mkdir()
    conf.write_text('"SHOW CONSOLE","False"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n', encoding="utf-8")
    write_user_config(r"C:\Users\ann\AppData\Roaming\Python\python.exe", conf)
    assert conf.read_text(encoding="utf-8").splitlines() == [
        '"SHOW CONSOLE","False"',
        '"INTERPRETER_WIN","C:\\Users\\ann\\AppData\\Roaming\\Python\\python.exe"',
    ]


# --- the Python side, as RunPython runs it ---------------------------------------------------------------


def vba_constant(name: str) -> str:
    match = re.search(rf'^Private Const {name} As String = "((?:[^"]|"")*)"', vba_sources()[RIBBON], flags=re.M)
    return match.group(1).replace('""', '"')


def py_string(text: str) -> str:
    """The VBA PyString, line for line: letters, digits, space and . - _ / : kept, every other
    UTF-16 code unit as \\uXXXX, in single quotes."""
    out = []
    units = text.encode("utf-16-le")
    for i in range(0, len(units), 2):
        code = int.from_bytes(units[i : i + 2], "little")
        ch = chr(code)
        if 48 <= code <= 57 or 65 <= code <= 90 or 97 <= code <= 122 or ch in " .-_/:":
            out.append(ch)
        else:
            out.append(f"\\u{code:04X}")
    return "'" + "".join(out) + "'"


def ribbon_command(action: str, fullname: str) -> str:
    return vba_constant("PYTHON_CALL").replace("{ACTION}", py_string(action)).replace("{PATH}", py_string(fullname))


def run_like_excel(command: str, tmp_path: Path, **env: str) -> tuple[int, str, list[list]]:
    """Run ``command`` as RunPython would (a fresh Python, ``-c``), with fake_excel in Excel's
    place; returns (exit code, the message file's text, the session's calls)."""
    temp = tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    log = tmp_path / "excel-calls.jsonl"
    log.unlink(missing_ok=True)
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        "FAKE_EXCEL_LOG": str(log),
        "TEMP": str(temp),
        "TMP": str(temp),
        "TMPDIR": str(temp),
        **env,
    }
    completed = subprocess.run(
        [sys.executable, "-c", f"import fake_excel; {command}"], env=environ, cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    message = temp / "xl-scorecard-message.txt"
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    assert completed.returncode == 0, completed.stderr
    return completed.returncode, message.read_text(encoding="utf-8") if message.exists() else "", calls


def authority_in(example_dir: Path, folder: Path) -> Path:
    shutil.copytree(example_dir, folder)
    (folder / "master.xlsx").unlink(missing_ok=True)
    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    refresh(load_config(folder / "authority.toml"), master=folder / "master.xlsx")
    return folder / "master.xlsx"


def test_the_refresh_button_runs_as_runpython_runs_it(example_dir, tmp_path):
    # A folder name with what breaks quoting: spaces, an apostrophe, &, %, brackets, an accent.
    master = authority_in(example_dir, tmp_path / "Ann's team & 100% (north) – é" / "Scorecard")
    backups = set((master.parent / "backups").glob("*.xlsx"))
    command = ribbon_command("refresh", str(master))
    assert re.fullmatch(r"[A-Za-z0-9 .\-_/:'(){},;=\\]+", command)  # nothing cmd.exe or Python would read differently
    _, message, calls = run_like_excel(command, tmp_path)
    assert re.match(r"Oct 2026: 30 indicators, \d+ green", message) and "Northshire has" in message
    # Refreshed: the master was replaced, its previous version kept. (Not "its bytes differ": with
    # nothing changed, a refresh within the same two seconds, the zip's time resolution, writes
    # the very same bytes.)
    assert len(set((master.parent / "backups").glob("*.xlsx")) - backups) == 1
    kinds = [c[0] for c in calls]
    assert kinds.index("close") < kinds.index("reopen") and calls[kinds.index("close")][1] == str(master)
    assert calls[kinds.index("reopen")][1:] == [str(master), "Scorecard"]
    shown = [c[1] for c in calls if c[0] == "status"]
    reading = [m for s in shown if s and (m := re.fullmatch(r"Scorecard: Reading (.+): (\d+) of (\d+) files", s))]
    assert {m.group(1) for m in reading} >= {"Northgate", "Eastbrook", "Southmere", "Westfield"}
    assert [int(m.group(2)) for m in reading] == list(range(1, len(reading) + 1))  # one update per file, counted up
    assert {int(m.group(3)) for m in reading} == {len(reading)}
    assert "Scorecard: Writing the master workbook" in shown and shown[-1] is None  # the status bar given back


def test_a_refresh_that_stops_half_way_reopens_the_master_unchanged(example_dir, tmp_path):
    # The user typed over a figure on the Scorecard: the refresh stops; the master is opened
    # again as it was and the message says what to do.
    master = authority_in(example_dir, tmp_path / "Northshire")
    with zipfile.ZipFile(master) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    book = openpyxl.load_workbook(master, read_only=True)
    index = book.sheetnames.index("Scorecard")
    book.close()
    sheet = f"xl/worksheets/sheet{index + 1}.xml"
    parts[sheet] = re.sub(rb"<v>([0-9.]+)</v>", b"<v>12345</v>", parts[sheet], count=1)
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    before = master.read_bytes()
    _, message, calls = run_like_excel(ribbon_command("refresh", str(master)), tmp_path)
    assert message.startswith("ERROR:") and "Your workbook was opened again as it was." in message
    assert master.read_bytes() == before
    assert ["reopen", str(master), "Scorecard"] in calls and calls[-1] == ["status", None]


def test_the_check_button_shows_progress_and_saves_the_full_list(example_dir, tmp_path):
    master = authority_in(example_dir, tmp_path / "Northshire")
    _, message, calls = run_like_excel(ribbon_command("check", str(master)), tmp_path)
    listing = master.parent / "check inputs.txt"
    assert message.startswith("8 errors and 1 warning in") and str(listing) in message
    assert len(listing.read_text(encoding="utf-8").splitlines()) == 1 + 9
    assert not [c for c in calls if c[0] in ("close", "reopen")]  # the check leaves the workbook open
    assert any(c[0] == "status" and c[1] and c[1].startswith("Scorecard: Reading ") for c in calls)


def test_a_onedrive_master_is_found_in_its_synced_folder(example_dir, tmp_path):
    onedrive = tmp_path / "OneDrive - Northshire Council"
    master = authority_in(example_dir, onedrive / "Performance" / "Scorecard 2026")
    url = "https://northshire-my.sharepoint.com/personal/ann_smith_northshire_gov_uk/Documents/Performance/Scorecard 2026/master.xlsx"
    _, message, calls = run_like_excel(ribbon_command("refresh", url), tmp_path, OneDriveCommercial=str(onedrive))
    assert message.startswith("Oct 2026:")
    assert ["reopen", str(master), "Scorecard"] in calls


def test_a_sharepoint_master_not_found_is_asked_for_once_and_remembered(example_dir, tmp_path):
    synced = tmp_path / "Northshire Council" / "Children's Services - Documents"
    master = authority_in(example_dir, synced / "Scorecard")
    url = "https://northshire.sharepoint.com/sites/ChildrensServices/Shared Documents/Scorecard/master.xlsx"
    appdata = tmp_path / "AppData"
    _, message, _ = run_like_excel(ribbon_command("refresh", url), tmp_path, APPDATA=str(appdata))
    folder_url = "https://northshire.sharepoint.com/sites/ChildrensServices/Shared Documents/Scorecard"
    assert message == f"FOLDER?{folder_url}"  # the ribbon asks for the folder (FileDialog) ...
    remember = vba_constant("REMEMBER_CALL").replace("{URL}", py_string(folder_url)).replace("{FOLDER}", py_string(str(master.parent)))
    run_like_excel(remember, tmp_path, APPDATA=str(appdata))  # ... and Python remembers the answer
    _, message, calls = run_like_excel(ribbon_command("refresh", url), tmp_path, APPDATA=str(appdata))
    assert message.startswith("Oct 2026:") and ["reopen", str(master), "Scorecard"] in calls


# --- the local path behind a URL ------------------------------------------------------------------------


def test_local_paths_behind_onedrive_and_sharepoint_urls(tmp_path):
    def place(*parts: str) -> Path:
        path = tmp_path.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        return path

    personal = place("Ann", "OneDrive", "Docs", "master.xlsx")
    business = place("Ann", "OneDrive - Council", "Perf", "m a s t e r.xlsx")
    site = place("Ann", "Council", "CSC - Documents", "Scorecard", "master.xlsx")
    mounted = place("Mounts", "Team Site", "Scorecard", "master.xlsx")
    env = {"OneDriveConsumer": str(tmp_path / "Ann" / "OneDrive"), "OneDriveCommercial": str(tmp_path / "Ann" / "OneDrive - Council")}
    assert local_master_path("https://d.docs.live.net/3f2a1b/Docs/master.xlsx", env, {}, {}) == personal
    business_url = "https://council-my.sharepoint.com/personal/ann_council_gov_uk/Documents/Perf/m%20a%20s%20t%20e%20r.xlsx"
    assert local_master_path(business_url, env, {}, {}) == business
    assert local_master_path("https://council.sharepoint.com/sites/CSC/Shared Documents/Scorecard/master.xlsx", env, {}, {}) == site
    mounts = {"https://council.sharepoint.com/sites/Team/Shared Documents": str(tmp_path / "Mounts" / "Team Site")}
    assert local_master_path("https://council.sharepoint.com/sites/Team/Shared Documents/Scorecard/master.xlsx", {}, mounts, {}) == mounted
    assert local_master_path(str(personal), {}, {}, {}) == personal  # a local path is itself
    with pytest.raises(SyncedFolderUnknown):
        local_master_path("https://council.sharepoint.com/sites/Other/Shared Documents/master.xlsx", env, {}, {})


def test_a_remembered_folder_is_kept_per_user(tmp_path):
    env = {"APPDATA": str(tmp_path / "AppData")}
    remember_folder("https://council.sharepoint.com/sites/CSC/Shared Documents/Scorecard", str(tmp_path / "here"), env)
    remember_folder("https://council.sharepoint.com/sites/Other/Docs/", str(tmp_path / "there"), env)
    assert remembered_folders(env) == {
        "https://council.sharepoint.com/sites/CSC/Shared Documents/Scorecard/": str(tmp_path / "here"),
        "https://council.sharepoint.com/sites/Other/Docs/": str(tmp_path / "there"),
    }


def test_open_settings_uses_notepad_on_windows(example_dir, tmp_path, monkeypatch):
    import xl_scorecard.excel as excel

    shutil.copytree(example_dir, tmp_path / "Northshire")
    started = []
    monkeypatch.setattr(excel.sys, "platform", "win32")
    monkeypatch.setattr(excel.subprocess, "Popen", lambda args: started.append(args))
    monkeypatch.setenv("SYSTEMROOT", r"C:\Windows")
    message = excel.settings_path(tmp_path / "Northshire" / "master.xlsx")
    assert started == [[str(Path(r"C:\Windows") / "System32" / "notepad.exe"), str(tmp_path / "Northshire" / "authority.toml")]]
    assert "in Notepad" in message
