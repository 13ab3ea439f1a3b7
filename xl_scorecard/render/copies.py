"""Copies of the master to send or print: the aggregate-only copy leaves out the sheets that
hold child-level rows (the Drill-down sheets) and the tool's own hidden sheet (the guard's
fingerprint), by the same package surgery as a refresh, so everything else a user put in the
workbook travels unchanged; then every shared string no remaining cell uses is emptied, so the
copy's string table carries no child id or worker's name those sheets had.

Two things a user may have built on the Drill-down sheets would still carry their rows: a pivot
table (its cache keeps a copy of every source row, and its cells show them) and cells or
document properties holding a child id. A pivot table built on a sheet that is left out goes
with it (cache, records and the cells it showed). Then the copy is searched for every child id
of the left-out sheets: one found in the document properties is blanked there; one found
anywhere else stops the copy with a message saying where, so it is never sent.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from xl_scorecard.errors import MasterError
from xl_scorecard.render.cells import FINGERPRINT_SHEET
from xl_scorecard.render.drilldown import CHILD_ID, DRILLDOWN_SHEET, is_drilldown
from xl_scorecard.render.guard import fingerprinted_sheets, small_numbers
from xl_scorecard.render.package import DOC_REL, Package, attrs, default_namespace, rels_name, resolve
from xl_scorecard.render.strings import empty_unused_strings
from xl_scorecard.render.transplant import sheet_parts, transplant, workbook_sheets
from xl_scorecard.scoring import SUPPRESSED, is_small

PIVOT_CACHE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"
PIVOT_TABLE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml"
PIVOT_CACHE_REL = DOC_REL + "/pivotCacheDefinition"


def personal_sheets(master: Path) -> list[str]:
    """The sheets of ``master`` holding child-level rows: the Drill-down sheets the tool wrote."""
    return [DRILLDOWN_SHEET, *(s for s in fingerprinted_sheets(master) if is_drilldown(s))]


def child_ids(master: Path, sheets: list[str]) -> set[str]:
    """The child ids shown on ``sheets`` of ``master`` (the Drill-down sheets' Child ID column)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(master))
    found: set[str] = set()
    for name in set(sheets) & set(book.sheet_names):
        rows = book.get_sheet_by_name(name).to_python()
        # The Child ID heading of the case sheets and of the due-soon list, in its first rows.
        header = next((i for i, row in enumerate(rows[:10]) if CHILD_ID in [str(c) for c in row]), None)
        if header is not None:
            at = [str(c) for c in rows[header]].index(CHILD_ID)
            found |= {str(row[at]).strip() for row in rows[header + 1 :] if len(row) > at}
    return {i for i in found if i}


def aggregate_copy(master: Path, target: Path, allow_child_level: bool = False, suppress_below: int = 0) -> Path:
    """Write to ``target`` a copy of ``master`` without child-level sheets (unless
    ``allow_child_level``), and with ``suppress_below`` > 1, every figure resting on 1 to
    ``suppress_below`` - 1 people shown as the DfE's "c". The master itself is only read. Raises
    MasterError, writing nothing, when a child id would still be in the copy (see the module's
    docstring)."""
    package = Package.read(master)
    small = small_numbers(master) if suppress_below > 1 else {}
    if small is None:
        # Never a copy that looks withheld but is not.
        raise MasterError(
            f"{master.name} was last refreshed by a version that did not note which figures rest on few children, "
            "so they cannot be withheld from this copy. Refresh it, then send or print again. No copy was made."
        )
    # Owned sheets with no donor are removed: the fingerprint always (it is the master's own
    # record), the Drill-down sheets unless child-level rows are allowed to leave.
    personal = [] if allow_child_level else personal_sheets(master)
    leave_out = [FINGERPRINT_SHEET, *personal]
    present = {s.name for s in workbook_sheets(package.text(package.main_part()))}
    drop_pivots_on(package, [s for s in leave_out if s in present])
    package = transplant(package, [], leave_out)  # keeps the selected tab in range and visible
    if small:
        withhold_small_numbers(package, small, suppress_below)
    empty_unused_strings(package)
    if personal:
        _refuse_or_blank_child_ids(package, child_ids(master, personal))
    target.parent.mkdir(parents=True, exist_ok=True)
    package.write(target)
    return target


# --- small numbers ---------------------------------------------------------------------------------

_CELL_ELEMENT = re.compile(r"<((?:\w+:)?)c\b([^>]*?)(?:/>|>.*?</\1c>)", re.S)
_NUM_CACHE = re.compile(r"<((?:\w+:)?)numCache\b.*?</\1numCache>", re.S)


def withhold_small_numbers(package: Package, small: dict[str, dict[str, float]], below: int) -> int:
    """Show as "c" (in place) every cell of ``small`` whose figure rests on 1 to ``below`` - 1
    people, keeping its style; and drop the cached values of every chart, so no chart carries a
    withheld figure (Excel and LibreOffice draw a chart from its cells). Returns the cells withheld."""
    withheld = 0
    right = _RightAligned(package)
    for part, name in _sheet_parts(package).items():
        cells = {cell for cell, count in small.get(name, {}).items() if is_small(count, below)}
        if cells:
            xml, count = _show_as_withheld(package.text(part), cells, right)
            package.parts[part] = xml.encode("utf-8")
            withheld += count
    right.save()
    if withheld:
        _, overrides = package.content_types()
        for part, kind in overrides.items():
            if kind.endswith("drawingml.chart+xml") and part in package.parts:
                package.parts[part] = _NUM_CACHE.sub("", package.text(part)).encode("utf-8")
    return withheld


class _RightAligned:
    """Right-aligned twins of cell styles, appended to styles.xml once each: a "c" stands where
    its number stood (text would otherwise sit at the left of the column)."""

    def __init__(self, package: Package) -> None:
        book = package.main_part()
        self.package = package
        self.part = next((resolve(book, r.target) for r in package.rels(book) if r.type == DOC_REL + "/styles"), None)
        self.xml = default_namespace(package.text(self.part)) if self.part else ""
        block = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", self.xml, flags=re.S)
        self.xfs = re.findall(r"<xf\b(?:[^>]*?/>|.*?</xf>)", block.group(1), flags=re.S) if block else []
        self.twins: dict[int, int] = {}

    def __call__(self, style: int) -> int:
        if style >= len(self.xfs):
            return style
        if style not in self.twins:
            xf = re.sub(r"<alignment\b[^>]*/>|<alignment\b.*?</alignment>", "", self.xfs[style], flags=re.S)
            opening = re.match(r"<xf\b([^>]*?)(/?)>", xf)
            if opening is None:
                return style
            attributes = re.sub(r'\s*applyAlignment="[^"]*"', "", opening.group(1))
            body = xf[opening.end() :].removesuffix("</xf>") if not opening.group(2) else ""
            self.xfs.append(f'<xf{attributes} applyAlignment="1"><alignment horizontal="right"/>{body}</xf>')
            self.twins[style] = len(self.xfs) - 1
        return self.twins[style]

    def save(self) -> None:
        if not self.twins or self.part is None:
            return
        xml = re.sub(
            r"<cellXfs\b[^>]*>.*?</cellXfs>",
            lambda m: f'<cellXfs count="{len(self.xfs)}">' + "".join(self.xfs) + "</cellXfs>",
            self.xml,
            count=1,
            flags=re.S,
        )
        self.package.parts[self.part] = xml.encode("utf-8")


def _show_as_withheld(xml: str, cells: set[str], right: _RightAligned) -> tuple[str, int]:
    """``xml`` (a worksheet) with each of ``cells`` holding the text "c", in its style aligned right."""
    count = 0

    def hide(match: re.Match[str]) -> str:
        nonlocal count
        prefix, attributes = match.group(1), match.group(2)
        found = attrs(attributes)
        if found.get("r") not in cells:
            return match.group(0)
        count += 1
        kept = re.sub(r'\s+(?:t|s)="[^"]*"', "", attributes).rstrip("/") + f' s="{right(int(found.get("s", "0")))}"'
        return f'<{prefix}c{kept} t="inlineStr"><{prefix}is><{prefix}t>{SUPPRESSED}</{prefix}t></{prefix}is></{prefix}c>'

    return _CELL_ELEMENT.sub(hide, xml), count


# --- pivot tables built on a sheet that is left out ------------------------------------------------


def _sheet_parts(package: Package) -> dict[str, str]:
    """Worksheet part -> sheet name."""
    return {part: name for name, part in sheet_parts(package).items()}


def _names_into(book_xml: str, sheets: list[str]) -> set[str]:
    """Defined names whose formula refers to one of ``sheets``."""
    found = set()
    for match in re.finditer(r"<definedName\b([^>]*)>(.*?)</definedName>", book_xml, flags=re.S):
        formula = unescape(match.group(2))
        if any(re.search(rf"(^|[^\w.])'?{re.escape(s)}'?!", formula) for s in sheets):
            found.add(attrs(match.group(1)).get("name", "").casefold())
    return found


def drop_pivots_on(package: Package, sheets: list[str]) -> list[str]:
    """Remove from ``package`` (in place) every pivot cache whose source is on one of ``sheets``
    (by sheet or by a name into it), its records, the pivot tables using it and the cells those
    tables showed. Returns the names of the sheets whose pivot tables were removed."""
    book = package.main_part()
    book_xml = default_namespace(package.text(book))
    names = _names_into(book_xml, sheets)
    tables = {t.rsplit("/", 1)[-1].removesuffix(".xml").casefold() for s in sheets for t in _tables_of(package, s)}
    _, overrides = package.content_types()
    doomed = set()
    for part, kind in overrides.items():
        if kind == PIVOT_CACHE_CT and part in package.parts:
            source = re.search(r"<(?:\w+:)?worksheetSource\b([^>]*)/?>", package.text(part))
            found = attrs(source.group(1)) if source else {}
            if found.get("sheet") in sheets or found.get("name", "").casefold() in names | tables:
                doomed.add(part)
    if not doomed:
        return []
    touched = []
    sheet_names = _sheet_parts(package)
    for sheet_part, sheet_name in sheet_names.items():
        rels = package.rels(sheet_part)
        keep = []
        for rel in rels:
            pivot = resolve(sheet_part, rel.target)
            if rel.type.endswith("/pivotTable") and any(resolve(pivot, r.target) in doomed for r in package.rels(pivot)):
                location = re.search(r"<(?:\w+:)?location\b([^>]*)/?>", package.text(pivot))
                if location and "ref" in attrs(location.group(1)):
                    _blank(package, sheet_part, attrs(location.group(1))["ref"])
                _remove_part(package, pivot, overrides)
                touched.append(sheet_name)
            else:
                keep.append(rel)
        if len(keep) != len(rels):
            package.set_rels(sheet_part, keep)
    for part in doomed:
        for rel in package.rels(part):
            _remove_part(package, resolve(part, rel.target), overrides)
        _remove_part(package, part, overrides)
    book_rels = package.rels(book)
    gone = {r.id for r in book_rels if r.type == PIVOT_CACHE_REL and resolve(book, r.target) in doomed}
    package.set_rels(book, [r for r in book_rels if r.id not in gone])

    def without_gone(match: re.Match[str]) -> str:
        return "" if attrs(match.group(0)).get("r:id") in gone or any(f'"{g}"' in match.group(0) for g in gone) else match.group(0)

    book_xml = re.sub(r"<pivotCache\b[^>]*/>", without_gone, book_xml)
    book_xml = re.sub(r"<pivotCaches\b[^>]*>\s*</pivotCaches>", "", book_xml)
    package.parts[book] = book_xml.encode("utf-8")
    package.set_content_types(package.content_types()[0], overrides)
    return touched


def _tables_of(package: Package, sheet: str) -> list[str]:
    part = sheet_parts(package).get(sheet)
    return [resolve(part, r.target) for r in package.rels(part) if r.type.endswith("/table")] if part else []


def _remove_part(package: Package, part: str, overrides: dict[str, str]) -> None:
    package.parts.pop(part, None)
    package.parts.pop(rels_name(part), None)
    overrides.pop(part, None)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _blank(package: Package, sheet_part: str, ref: str) -> None:
    """Remove the cells of ``ref`` (e.g. "A3:C20") from a worksheet part."""
    corners = re.findall(r"([A-Z]+)(\d+)", ref.replace("$", ""))
    if not corners:
        return
    (left, top), (right, bottom) = corners[0], corners[-1]
    columns = range(_column_number(left), _column_number(right) + 1)
    rows = range(int(top), int(bottom) + 1)

    def inside(match: re.Match[str]) -> str:
        cell = re.search(r'\br="([A-Z]+)(\d+)"', match.group(1))
        if cell and _column_number(cell.group(1)) in columns and int(cell.group(2)) in rows:
            return ""
        return match.group(0)

    xml = re.sub(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>.*?</(?:\w+:)?c>)", inside, package.text(sheet_part), flags=re.S)
    package.parts[sheet_part] = xml.encode("utf-8")


# --- the last check: no child id left anywhere ---------------------------------------------------

_TEXT_NODE = re.compile(r"<((?:\w+:)?)(\w+)\b[^>]*>([^<>]+)</\1\2>")
_TOKEN = re.compile(r"[^\s,;:()\[\]{}\"'|]+")
DOC_PROPS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")


def _found_in(xml: str, ids: set[str], numeric: set[str]) -> set[str]:
    """Child ids in the text of ``xml``: a text node holding one (as a word), or an attribute
    value equal to one. An id made only of digits counts only in a text run (<t>), where a
    number is text, not in a cell's numeric value."""
    found = set()
    for match in _TEXT_NODE.finditer(xml):
        tokens = set(_TOKEN.findall(unescape(match.group(3))))
        found |= tokens & ids
        if match.group(2) == "t":
            found |= tokens & numeric
    found |= {unescape(v) for v in re.findall(r'\b(?:v|n|val)="([^"]+)"', xml)} & ids
    return found


def _refuse_or_blank_child_ids(package: Package, child: set[str]) -> None:
    numeric = {i for i in child if i.isdigit()}
    ids = child - numeric
    if not child:
        return
    sheets = _sheet_parts(package)
    for part, data in package.parts.items():
        if not part.endswith((".xml", ".rels", ".vml")):
            continue
        xml = data.decode("utf-8", errors="ignore")
        found = _found_in(xml, ids, numeric)
        if not found:
            continue
        if part in DOC_PROPS:
            # A title or comment typed into the file's properties: blank that property.
            package.parts[part] = _blank_properties(xml, found).encode("utf-8")
            continue
        where = f'the sheet "{sheets[part]}"' if part in sheets else _describe(package, part, sheets, found)
        raise MasterError(
            f"The copy to send would still show a child's id from the Drill-down sheets, in {where}. Remove it from "
            "the master (or the formula that brings it there), or, if every recipient may see child-level data, "
            "set allow_child_level = true in [email]. No copy was made."
        )


def _blank_properties(xml: str, found: set[str]) -> str:
    def blank(match: re.Match[str]) -> str:
        words = set(_TOKEN.findall(unescape(match.group(3))))
        return match.group(0).replace(match.group(3), "") if words & found else match.group(0)

    return _TEXT_NODE.sub(blank, xml)


def _describe(package: Package, part: str, sheets: dict[str, str], found: set[str]) -> str:
    """Where a child id in ``part`` shows: the sheets whose cells use it, for the shared strings."""
    from xl_scorecard.render.strings import all_strings

    if part.endswith("sharedStrings.xml"):
        positions = {i for i, text in enumerate(all_strings(package)) if set(_TOKEN.findall(text)) & found}
        users = [
            name
            for sheet, name in sheets.items()
            if any(int(v) in positions for v in re.findall(r'<(?:\w+:)?c\b[^>]*\bt="s"[^>]*>\s*<(?:\w+:)?v>(\d+)<', package.text(sheet)))
        ]
        if users:
            return "the sheet" + ("s " if len(users) > 1 else " ") + ", ".join(f'"{u}"' for u in users)
    return f"the workbook part {part}"
