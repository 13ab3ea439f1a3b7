"""Transplanting generated sheets into an existing workbook package.

The tool owns a known set of sheets. Each refresh generates them afresh (XlsxWriter, inline
strings) and puts them into the master package in place of the previous ones: their style
indices are remapped onto entries appended to the master's styles.xml, and the index parts
(workbook.xml and its relationships, [Content_Types].xml, styles.xml) are updated. Every other
part of the master is copied byte for byte: the user's sheets, charts, pictures, text boxes,
comments, tables, VBA project and ribbon parts, theme. The shared-string table keeps every
string a remaining cell uses, at its position; the strings no cell uses any more are emptied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from xl_scorecard.errors import MasterError
from xl_scorecard.render.package import (
    DOC_REL,
    WORKSHEET_CT,
    WORKSHEET_REL,
    Package,
    Relationship,
    attrs,
    default_namespace,
    found,
    relative,
    rels_name,
    resolve,
)
from xl_scorecard.render.strings import SHEET_CT_SUFFIX, empty_unused_strings, used_strings
from xl_scorecard.render.styles import merge_styles, remap_sheet

STYLES_REL = DOC_REL + "/styles"
CALC_CHAIN_REL = DOC_REL + "/calcChain"


@dataclass
class SheetEntry:
    """One <sheet> of workbook.xml."""

    name: str
    sheet_id: int
    rel_id: str
    state: str
    tag: str  # the original element text, reused untouched for the user's sheets


def workbook_sheets(xml: str) -> list[SheetEntry]:
    """The <sheet> entries of a workbook.xml, in tab order."""
    xml = default_namespace(xml)
    block = re.search(r"<sheets\b[^>]*>(.*?)</sheets>", xml, flags=re.S)
    entries = []
    for match in re.finditer(r"<sheet\b[^>]*?/>", block.group(1) if block else ""):
        a = attrs(match.group(0))
        rel_id = next(v for k, v in a.items() if k.endswith(":id"))
        entries.append(SheetEntry(a["name"], int(a["sheetId"]), rel_id, a.get("state", "visible"), match.group(0)))
    return entries


def _not_selected(xml: str) -> str:
    """A sheet's XML without ``tabSelected="1"`` in its sheet views (which come before its cells:
    only that head is searched, not ten megabytes of history)."""
    head = xml.find("<sheetData")
    head = len(xml) if head < 0 else head
    return re.sub(r'\s+tabSelected="1"', "", xml[:head]) + xml[head:]


def sheet_parts(package: Package) -> dict[str, str]:
    """Sheet name -> its part, in tab order, for every sheet of the workbook."""
    book = package.main_part()
    targets = {r.id: resolve(book, r.target) for r in package.rels(book)}
    return {s.name: targets[s.rel_id] for s in workbook_sheets(package.text(book)) if s.rel_id in targets}


def _defined_names(xml: str) -> list[tuple[dict[str, str], str, str]]:
    block = re.search(r"<definedNames\b[^>]*>(.*?)</definedNames>", xml, flags=re.S)
    if not block:
        return []
    return [
        (attrs(m.group(1)), m.group(2), m.group(0))
        for m in re.finditer(r"<definedName\b([^>]*)>(.*?)</definedName>", block.group(1), flags=re.S)
    ]


def _refers_to(formula: str, names: Iterable[str]) -> bool:
    from html import unescape

    text = unescape(formula)
    return any(re.search(rf"(^|[^\w.])'?{re.escape(name)}'?!", text) for name in names)


def _free_name(taken: set[str], part: str) -> str:
    folder, _, base = part.rpartition("/")
    stem, dot, ext = base.partition(".")
    stem = re.sub(r"\d+$", "", stem)
    number = 1
    while f"{folder}/{stem}{number}{dot}{ext}" in taken:
        number += 1
    return f"{folder}/{stem}{number}{dot}{ext}"


def _next_rel_id(rels: list[Relationship]) -> str:
    numbers = [int(m.group(1)) for r in rels if (m := re.fullmatch(r"rId(\d+)", r.id))]
    return f"rId{max(numbers, default=0) + 1}"


def _referenced(package: Package, skip: set[str]) -> set[str]:
    """Parts reachable through relationships from every part not in ``skip``."""
    found: set[str] = set()
    for part in list(package.parts):
        if part in skip or part.endswith(".rels"):
            continue
        for rel in package.rels(part):
            if not rel.external:
                found.add(resolve(part, rel.target))
    return found


def transplant(master: Package, donors: Iterable[Package], owned: Iterable[str]) -> Package:
    """A new package: ``master`` with its owned sheets replaced by those of ``donors``.

    Owned sheets already in the master keep their position, sheetId and name; an owned sheet
    new to it goes after the last sheet that precedes it in donor order, or at the end.
    """
    owned = set(owned)
    out = master.copy()
    book = out.main_part()
    # The index parts this function rewrites are edited in the default-namespace form.
    for rel in [None, *out.rels(book)]:
        part = book if rel is None else resolve(book, rel.target)
        if (rel is None or rel.type in (STYLES_REL, CALC_CHAIN_REL)) and part in out.parts:
            out.parts[part] = default_namespace(out.text(part)).encode("utf-8")
    book_xml = out.text(book)
    book_rels = out.rels(book)
    rels_by_id = {r.id: r for r in book_rels}
    defaults, overrides = out.content_types()
    sheets = workbook_sheets(book_xml)
    old_index = {s.name: i for i, s in enumerate(sheets)}

    # 1. Take out the previous owned sheets and whatever only they used. The workbook's own
    # links to them go first: otherwise they would count as "still referenced" and stay in the
    # package as orphans (growing the file, and keeping old child-level rows, at every refresh).
    old_owned = [s for s in sheets if s.name in owned]
    doomed: set[str] = set()
    for entry in old_owned:
        part = resolve(book, rels_by_id[entry.rel_id].target)
        doomed |= {part, *out.related_parts(part)}
    book_rels = [r for r in book_rels if r.id not in {s.rel_id for s in old_owned}]
    out.set_rels(book, book_rels)
    doomed -= _referenced(out, doomed)  # keep anything a user part still points at
    # Only a string a replaced sheet showed can be left unused by replacing it: when they show
    # none (the tool's own sheets hold their text in the cells), the table needs no sweep, and
    # a user's large sheet is not read through for it at every refresh.
    released = used_strings(out, [p for p in doomed if overrides.get(p, "").endswith(SHEET_CT_SUFFIX)])
    for part in doomed:
        out.parts.pop(part, None)
        out.parts.pop(rels_name(part), None)
        overrides.pop(part, None)

    # 2. Bring in each donor's sheets, styles merged and remapped.
    styles_part = next(resolve(book, r.target) for r in book_rels if r.type == STYLES_REL)
    new_entries: dict[str, SheetEntry] = {}
    donor_names: list[tuple[dict[str, str], str, str]] = []
    donor_order: list[str] = []
    for donor in donors:
        donor_book = donor.main_part()
        donor_rels = {r.id: r for r in donor.rels(donor_book)}
        donor_styles = next(resolve(donor_book, r.target) for r in donor_rels.values() if r.type == STYLES_REL)
        merged, style_map = merge_styles(out.text(styles_part), donor.text(donor_styles))
        out.parts[styles_part] = merged.encode("utf-8")
        donor_defaults, donor_overrides = donor.content_types()
        donor_sheets = workbook_sheets(donor.text(donor_book))
        for position, entry in enumerate(donor_sheets):
            if entry.name not in owned:
                continue
            source = resolve(donor_book, donor_rels[entry.rel_id].target)
            target = _free_name(set(out.parts), "xl/worksheets/sheet1.xml")
            xml = remap_sheet(donor.text(source), style_map)
            xml = _not_selected(xml)  # the user's selected tab stays selected
            out.parts[target] = xml.encode("utf-8")
            overrides[target] = WORKSHEET_CT
            _copy_related(donor, source, out, target, overrides, defaults, donor_overrides, donor_defaults)
            rel_id = _next_rel_id(book_rels)
            book_rels.append(Relationship(rel_id, WORKSHEET_REL, relative(book, target)))
            new_entries[entry.name] = SheetEntry(entry.name, 0, rel_id, entry.state, "")
            donor_order.append(entry.name)
            donor_names += [
                (a, value, entry.name) for a, value, _ in _defined_names(donor.text(donor_book)) if a.get("localSheetId") == str(position)
            ]

    # 3. workbook.xml: sheets in place, defined names remapped, full recalculation on load.
    prefix = found(re.search(r'xmlns:(\w+)="' + re.escape(DOC_REL) + '"', book_xml), "workbook.xml").group(1)
    final: list[SheetEntry] = []
    next_id = max([s.sheet_id for s in sheets], default=0) + 1
    for entry in sheets:
        if entry.name in owned:
            if entry.name in new_entries:
                fresh = new_entries.pop(entry.name)
                final.append(SheetEntry(entry.name, entry.sheet_id, fresh.rel_id, fresh.state, ""))
        else:
            final.append(entry)
    for fresh in new_entries.values():
        # Beside its donor neighbour when that is already in place (a new Drill-down sheet goes
        # after the previous ones, not after the hidden sheets at the end), else at the end.
        earlier = donor_order[: donor_order.index(fresh.name)]
        placed = [n for n, s in enumerate(final) if s.name in earlier]
        at = max(placed) + 1 if placed else len(final)
        final.insert(at, SheetEntry(fresh.name, next_id, fresh.rel_id, fresh.state, ""))
        next_id += 1
    # Excel ignores case in sheet names: a new sheet named like a user's would make it repair
    # the file (and the user's sheet is never replaced): stop before anything is written.
    kept_names = {s.name.casefold(): s.name for s in final if s.name not in owned}
    for entry in final:
        if entry.name in owned and entry.name.casefold() in kept_names:
            raise MasterError(
                f'the workbook has a sheet "{kept_names[entry.name.casefold()]}" and the scorecard writes one called '
                f'"{entry.name}": Excel treats the two names as one. Rename your sheet and run again; nothing was written.'
            )
    new_index = {s.name: i for i, s in enumerate(final)}
    tags = []
    for entry in final:
        if entry.tag:
            tags.append(entry.tag)
        else:
            state = f' state="{entry.state}"' if entry.state != "visible" else ""
            tags.append(f'<sheet name={quoteattr(entry.name)} sheetId="{entry.sheet_id}"{state} {prefix}:id="{entry.rel_id}"/>')
    book_xml = re.sub(r"(<sheets\b[^>]*>).*?(</sheets>)", lambda m: m.group(1) + "".join(tags) + m.group(2), book_xml, count=1, flags=re.S)
    book_xml = _rewrite_defined_names(book_xml, sheets, old_index, new_index, owned, donor_names)
    book_xml = _full_calc_on_load(book_xml)
    book_xml = _views_in_range(book_xml, sheets, final)
    out.parts[book] = book_xml.encode("utf-8")
    _fix_calc_chain(out, book, book_rels, {s.sheet_id for s in old_owned})
    out.set_rels(book, book_rels)
    # An override for a part the package no longer has (left by a spreadsheet program's save,
    # or by a part removed here) makes Excel repair the file.
    overrides = {part: kind for part, kind in overrides.items() if part in out.parts}
    out.set_content_types(defaults, overrides)
    # Strings only the replaced sheets used (last month's child ids, once Excel has moved the
    # text cells into the shared-string table) do not linger in the master.
    if released:
        empty_unused_strings(out)
    return out


def _copy_related(
    donor: Package, source: str, out: Package, target: str, overrides: dict, defaults: dict, donor_overrides: dict, donor_defaults: dict
) -> None:
    # Drawings, charts, comments of a generated sheet, renamed so they cannot collide.
    names = {source: target}
    for part in donor.related_parts(source):
        names[part] = _free_name(set(out.parts) | set(names.values()), part)
    for old, new in names.items():
        if old != source:
            out.parts[new] = donor.parts[old]
            if old in donor_overrides:
                overrides[new] = donor_overrides[old]
            extension = new.rsplit(".", 1)[-1].lower()
            if extension in donor_defaults and extension not in defaults:
                defaults[extension] = donor_defaults[extension]
        rels = [
            Relationship(r.id, r.type, r.target if r.external else relative(new, names[resolve(old, r.target)]), r.external)
            for r in donor.rels(old)
        ]
        out.set_rels(new, rels)


def _rewrite_defined_names(
    xml: str,
    sheets: list[SheetEntry],
    old_index: dict[str, int],
    new_index: dict[str, int],
    owned: set[str],
    donor_names: list[tuple[dict[str, str], str, str]],
) -> str:
    by_old_position = {i: s.name for i, s in enumerate(sheets)}
    kept = []
    for a, value, raw in _defined_names(xml):
        local = a.get("localSheetId")
        if local is not None:
            sheet = by_old_position.get(int(local))
            if sheet in owned or sheet not in new_index:
                continue
            raw = re.sub(r'localSheetId="\d+"', f'localSheetId="{new_index[sheet]}"', raw, count=1)
        elif _refers_to(value, owned - set(new_index)):
            # A user's name into a sheet the tool no longer writes (last month's Drill-down):
            # kept, pointing at #REF! as Excel does when a sheet is deleted. A name into an
            # owned sheet still there keeps its reference: the sheet keeps its name.
            gone = [name for name in owned - set(new_index) if _refers_to(value, [name])]
            for name in gone:
                quoted = "'" + name.replace("'", "''") + "'"
                value = re.sub(rf"(?:{re.escape(quoted)}|{re.escape(name)})!", "#REF!", value)
            raw = raw[: raw.index(">") + 1] + value + "</definedName>"
        kept.append(raw)
    for a, value, sheet in donor_names:
        extra = "".join(f" {k}={quoteattr(v)}" for k, v in a.items() if k not in ("name", "localSheetId"))
        kept.append(f'<definedName name={quoteattr(a["name"])} localSheetId="{new_index[sheet]}"{extra}>{value}</definedName>')
    block = "<definedNames>" + "".join(kept) + "</definedNames>" if kept else ""
    if re.search(r"<definedNames\b", xml):
        return re.sub(r"<definedNames\b[^>]*>.*?</definedNames>", lambda m: block, xml, count=1, flags=re.S)
    if not block:
        return xml
    anchor = re.search(
        r"<calcPr\b|<oleSize\b|<customWorkbookViews\b|<pivotCaches\b|<smartTagPr\b|<fileRecoveryPr\b|<webPublishing\b|<extLst\b|</workbook>",
        xml,
    )
    at = found(anchor, "workbook.xml").start()
    return xml[:at] + block + xml[at:]


def show_only(package: Package, names: Iterable[str]) -> list[str]:
    """Hide (in place) every visible sheet of ``package`` not in ``names``, so that printing the
    workbook prints only those; the selected tab moves to a sheet still shown. Returns the
    names shown, in workbook order."""
    wanted = set(names)
    book = package.main_part()
    xml = default_namespace(package.text(book))
    before = workbook_sheets(xml)

    def hide(match: re.Match[str]) -> str:
        tag = match.group(0)
        a = attrs(tag)
        if a["name"] in wanted or a.get("state", "visible") != "visible":
            return tag
        return tag[:-2].rstrip() + ' state="hidden"/>'

    block = found(re.search(r"(<sheets\b[^>]*>)(.*?)(</sheets>)", xml, flags=re.S), "workbook.xml <sheets>")
    sheets = re.sub(r"<sheet\b[^>]*?/>", hide, block.group(2))
    xml = xml[: block.start()] + block.group(1) + sheets + block.group(3) + xml[block.end() :]
    after = workbook_sheets(xml)
    xml = _views_in_range(xml, before, after)
    # Only the shown sheets selected: a hidden sheet left selected would print with them.
    package.parts[book] = xml.encode("utf-8")
    return [s.name for s in after if s.state == "visible"]


def _views_in_range(xml: str, before: list[SheetEntry], after: list[SheetEntry]) -> str:
    """Keep ``activeTab`` and ``firstSheet`` on the same sheet when sheets before it were
    removed or added, and always on a visible sheet: a position past the last sheet, or on a
    hidden one, makes Excel repair the workbook."""
    names = [s.name for s in after]
    visible = [i for i, s in enumerate(after) if s.state == "visible"] or [0]

    def shift(match: re.Match[str]) -> str:
        index = int(match.group(2))
        name = before[index].name if index < len(before) else None
        new = names.index(name) if name in names else min(index, len(after) - 1)
        if new not in visible:
            new = min(visible, key=lambda i: (abs(i - new), i))
        return f'{match.group(1)}="{new}"'

    return re.sub(r'\b(activeTab|firstSheet)="(\d+)"', shift, xml)


def _full_calc_on_load(xml: str) -> str:
    # The transplanted sheets carry no formula results of the user's: ask Excel to recalculate.
    match = re.search(r"<calcPr\b[^>]*?/?>", xml)
    if match:
        tag = match.group(0)
        if "fullCalcOnLoad" in tag:
            return xml
        closing = "/>" if tag.endswith("/>") else ">"
        new = tag[: -len(closing)].rstrip() + ' fullCalcOnLoad="1"' + closing
        return xml[: match.start()] + new + xml[match.end() :]
    anchor = re.search(
        r"<oleSize\b|<customWorkbookViews\b|<pivotCaches\b|<smartTagPr\b|<fileRecoveryPr\b|<webPublishing\b|<extLst\b|</workbook>", xml
    )
    at = found(anchor, "workbook.xml").start()
    return xml[:at] + '<calcPr fullCalcOnLoad="1"/>' + xml[at:]


def _fix_calc_chain(out: Package, book: str, book_rels: list[Relationship], owned_ids: set[int]) -> None:
    # calcChain lists formula cells by sheetId; entries for replaced sheets would point at cells
    # that no longer hold formulas. The user's entries are kept as they are.
    rel = next((r for r in book_rels if r.type == CALC_CHAIN_REL), None)
    if rel is None or not owned_ids:
        return
    part = resolve(book, rel.target)
    xml = out.text(part)
    current = None
    kept = []
    for match in re.finditer(r"<c\b[^>]*/>", xml):
        a = attrs(match.group(0))
        if "i" in a:
            current = int(a["i"])
        if current not in owned_ids:
            tag = match.group(0)
            if "i" not in a:  # entries inherit the sheet of the one before: make it explicit
                tag = tag[:2] + f' i="{current}"' + tag[2:]
            kept.append(tag)
    if len(kept) != len(re.findall(r"<c\b", xml)):
        body = re.sub(r"(<calcChain\b[^>]*>).*(</calcChain>)", lambda m: m.group(1) + "".join(kept) + m.group(2), xml, flags=re.S)
        out.parts[part] = body.encode("utf-8")
