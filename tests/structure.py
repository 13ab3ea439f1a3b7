"""A structural checker for .xlsx/.xlsm packages, independent of the product (zipfile and
ElementTree only): the checks a workbook must pass for Excel to open it without a repair
prompt, as far as they can be made without Excel. Thirty workbooks made by Excel pass it (the
control, in test_excel_clean.py); every master the tests write is checked by conftest.py.

Each check returns readable problems rather than raising, so a failing test lists them all.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"

# The extension URI Excel expects for each x14 child of a worksheet's <extLst> (from [MS-XLSX]
# 2.3.1 and the files Excel writes).
EXT_URIS = {
    "conditionalFormattings": "{78C0D931-6437-407d-A8EE-F0AAD7539E65}",
    "dataValidations": "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}",
    "sparklineGroups": "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}",
    "slicerList": "{A8765BA9-456A-4dab-B4F3-ACF838C121DE}",
}
BAD_NAME_CHARS = re.compile(r"[\[\]:*?/\\]")
WORKSHEET_TYPES = {DOC_REL + "/worksheet", DOC_REL + "/chartsheet", DOC_REL + "/dialogsheet", DOC_REL + "/xlMacrosheet"}


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(source: str, target: str) -> str:
    target = unquote(target)
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def check_package(path: Path) -> list[str]:
    """Every structural problem found in the workbook at ``path`` (empty: none)."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        lower = {n.lower(): n for n in names}
        if len(lower) != len(names):
            problems.append("two parts whose names differ only by case")
        data = {n: archive.read(n) for n in names}

    trees: dict[str, ET.Element] = {}
    for name, raw in data.items():
        if name.endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml":
            try:
                trees[name] = ET.fromstring(raw)
            except ET.ParseError as error:
                if not name.endswith(".vml"):  # VML is legacy, often not well-formed XML
                    problems.append(f"{name} is not well-formed XML ({error})")

    # --- content types: every part has one, every override has a part ---------------------------
    types = trees.get("[Content_Types].xml")
    if types is None:
        return [*problems, "no [Content_Types].xml"]
    defaults = {d.get("Extension", "").lower() for d in types.iter(_q(CT, "Default"))}
    overrides = [o.get("PartName", "").lstrip("/") for o in types.iter(_q(CT, "Override"))]
    override_set = {o.lower() for o in overrides}
    if len(override_set) != len(overrides):
        problems.append("[Content_Types].xml has a part name twice")
    for name in names:
        if name == "[Content_Types].xml":
            continue
        extension = name.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(name) else ""
        if name.lower() not in override_set and extension not in defaults:
            problems.append(f"{name} has no content type")
    problems += [f"content type for {o}, which is not in the package" for o in overrides if o.lower() not in lower]

    # --- relationships: unique ids, every internal target exists ---------------------------------
    for name, tree in trees.items():
        if not name.endswith(".rels"):
            continue
        folder, file = posixpath.split(name)
        source = posixpath.join(posixpath.dirname(folder), file[: -len(".rels")])
        ids = [r.get("Id") for r in tree.iter(_q(PKG_REL, "Relationship"))]
        if len(set(ids)) != len(ids):
            problems.append(f"{name} has a relationship id twice")
        for rel in tree.iter(_q(PKG_REL, "Relationship")):
            if rel.get("TargetMode") == "External":
                continue
            target = _resolve(source if source != "" else "", rel.get("Target", ""))
            if target.lower() not in lower:
                problems.append(f"{name}: {rel.get('Id')} points at {target}, which is not in the package")

    # --- the workbook: sheets, views, defined names ---------------------------------------------
    root_rels = trees.get("_rels/.rels")
    book_part = next(
        (
            _resolve("", r.get("Target", ""))
            for r in (root_rels.iter(_q(PKG_REL, "Relationship")) if root_rels is not None else [])
            if r.get("Type") == DOC_REL + "/officeDocument"
        ),
        None,
    )
    book = trees.get(book_part or "")
    if book is None:
        return [*problems, "no workbook part"]
    book_rels = trees.get(_rels_name(book_part or ""))
    rel_targets = {r.get("Id"): r for r in (book_rels.iter(_q(PKG_REL, "Relationship")) if book_rels is not None else [])}
    sheets = list(book.iter(_q(MAIN, "sheet")))
    if not sheets:
        problems.append("the workbook has no sheet")
    seen_names: set[str] = set()
    seen_ids: set[str] = set()
    seen_rids: set[str] = set()
    sheet_parts: list[str] = []
    for sheet in sheets:
        name = sheet.get("name", "")
        if not name or len(name) > 31 or BAD_NAME_CHARS.search(name) or name.startswith("'") or name.endswith("'"):
            problems.append(f"sheet name {name!r} is not one Excel allows")
        if name.casefold() in seen_names:
            problems.append(f"two sheets named {name!r} (names are compared ignoring case)")
        seen_names.add(name.casefold())
        sheet_id = sheet.get("sheetId", "")
        if sheet_id in seen_ids or not sheet_id.isdigit():
            problems.append(f"sheet {name!r} has a missing or repeated sheetId {sheet_id!r}")
        seen_ids.add(sheet_id)
        rid = sheet.get(_q(DOC_REL, "id"), "")
        if rid in seen_rids:
            problems.append(f"sheet {name!r} shares its relationship {rid}")
        seen_rids.add(rid)
        rel = rel_targets.get(rid)
        if rel is None or rel.get("Type") not in WORKSHEET_TYPES:
            problems.append(f"sheet {name!r}: relationship {rid} is missing or not a sheet")
        else:
            sheet_parts.append(_resolve(book_part or "", rel.get("Target", "")))
    states = [s.get("state", "visible") for s in sheets]
    for view in book.iter(_q(MAIN, "workbookView")):
        active = int(view.get("activeTab", "0"))
        first = int(view.get("firstSheet", "0"))
        if not 0 <= active < len(sheets):
            problems.append(f"activeTab {active} is outside the {len(sheets)} sheets")
        elif states[active] != "visible":
            problems.append(f"activeTab {active} is a hidden sheet ({sheets[active].get('name')})")
        if not 0 <= first < max(len(sheets), 1):
            problems.append(f"firstSheet {first} is outside the {len(sheets)} sheets")
    if sheets and all(state != "visible" for state in states):
        problems.append("every sheet is hidden")
    seen_defined: set[tuple[str, str]] = set()
    for defined in book.iter(_q(MAIN, "definedName")):
        name = defined.get("name", "")
        scope = defined.get("localSheetId", "")
        if (name.casefold(), scope) in seen_defined:
            problems.append(f"defined name {name!r} twice in one scope")
        seen_defined.add((name.casefold(), scope))
        if scope and not (scope.isdigit() and int(scope) < len(sheets)):
            problems.append(f"defined name {name!r} has localSheetId {scope}, outside the {len(sheets)} sheets")
        if not re.fullmatch(r"[A-Za-z_\\][\w.\\]*", name, flags=re.UNICODE):
            problems.append(f"defined name {name!r} is not a valid name")
        if not (defined.text or "").strip():
            problems.append(f"defined name {name!r} refers to nothing")

    # --- styles: every style and dxf index in range ----------------------------------------------
    styles_part = next(
        (_resolve(book_part or "", r.get("Target", "")) for r in rel_targets.values() if r.get("Type") == DOC_REL + "/styles"), None
    )
    styles = trees.get(styles_part or "")
    xf_count = dxf_count = 0
    if styles is not None:
        cell_xfs = styles.find(_q(MAIN, "cellXfs"))
        xf_count = len(cell_xfs.findall(_q(MAIN, "xf"))) if cell_xfs is not None else 0
        dxfs = styles.find(_q(MAIN, "dxfs"))
        dxf_count = len(dxfs.findall(_q(MAIN, "dxf"))) if dxfs is not None else 0
    for part in sheet_parts:
        sheet_tree = trees.get(part)
        if sheet_tree is None:
            continue
        for tag in ("c", "row", "col"):
            for element in sheet_tree.iter(_q(MAIN, tag)):
                style = element.get("s") if tag != "col" else element.get("style")
                if style is not None and not int(style) < max(xf_count, 1):
                    problems.append(f"{part}: a {tag} uses style {style}, but there are {xf_count}")
                    break
        for rule in sheet_tree.iter(_q(MAIN, "cfRule")):
            dxf = rule.get("dxfId")
            if dxf is not None and not int(dxf) < dxf_count:
                problems.append(f"{part}: a conditional format uses dxf {dxf}, but there are {dxf_count}")
        for ext in sheet_tree.iter(_q(MAIN, "ext")):
            for child in ext:
                local = child.tag.rsplit("}", 1)[-1]
                expected = EXT_URIS.get(local)
                if child.tag.startswith("{" + X14) and expected and ext.get("uri") != expected:
                    problems.append(f"{part}: x14:{local} sits in an extension with uri {ext.get('uri')}, not {expected}")
    return problems
