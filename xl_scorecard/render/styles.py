"""Merging the styles of generated sheets into a master's styles.xml without disturbing it.

Entries are only ever appended, and an entry identical to one already there is reused, so the
master's existing style indices (used by the user's own sheets) never change and styles.xml
stops growing after the first refresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xl_scorecard.render.package import found as required

# Collections in the order they appear in styles.xml, with their child element.
_COLLECTIONS = [
    ("numFmts", "numFmt"),
    ("fonts", "font"),
    ("fills", "fill"),
    ("borders", "border"),
    ("cellStyleXfs", "xf"),
    ("cellXfs", "xf"),
    ("cellStyles", "cellStyle"),
    ("dxfs", "dxf"),
]
_ORDER = [name for name, _ in _COLLECTIONS] + ["tableStyles", "colors", "extLst"]


@dataclass
class StyleMap:
    """Index remapping from a donor's styles.xml to the merged one."""

    xf: dict[int, int]
    dxf: dict[int, int]


def _block(xml: str, name: str) -> re.Match | None:
    return re.search(rf"<{name}\b[^>]*?(?:/>|>(.*?)</{name}>)", xml, flags=re.S)


def _children(xml: str, name: str, child: str) -> list[str]:
    block = _block(xml, name)
    if block is None or block.group(1) is None:
        return []
    return re.findall(rf"<{child}\b(?:[^>]*?/>|.*?</{child}>)", block.group(1), flags=re.S)


def _set_children(xml: str, name: str, children: list[str]) -> str:
    body = f'<{name} count="{len(children)}">' + "".join(children) + f"</{name}>"
    block = _block(xml, name)
    if block is not None:
        # Keep the master's own attributes (e.g. x14ac:knownFonts), refreshing only the count.
        start = re.match(rf"<{name}\b([^>]*?)/?>", block.group(0))
        attributes = re.sub(r'\s*\bcount="\d+"', "", required(start, f"styles.xml <{name}>").group(1))
        tag = f'<{name} count="{len(children)}"{attributes}>'
        return xml[: block.start()] + tag + "".join(children) + f"</{name}>" + xml[block.end() :]
    # Insert before the first later collection present, keeping schema order.
    for later in _ORDER[_ORDER.index(name) + 1 :]:
        found = re.search(rf"<{later}\b", xml)
        if found:
            return xml[: found.start()] + body + xml[found.start() :]
    return xml.replace("</styleSheet>", body + "</styleSheet>")


def _canonical(element: str) -> str:
    return re.sub(r"\s+", " ", element).strip()


def _replace_attr(element: str, attr: str, mapping: dict[int, int]) -> str:
    return re.sub(rf'\b{attr}="(\d+)"', lambda m: f'{attr}="{mapping.get(int(m.group(1)), int(m.group(1)))}"', element, count=1)


def merge_styles(master: str, donor: str) -> tuple[str, StyleMap]:
    """Append the donor's styles the master lacks; return the new master XML and the maps."""
    # Number formats: reuse a master id with the same code, else take the next free custom id.
    master_fmts = {
        required(re.search(r'formatCode="([^"]*)"', f), "a number format").group(1): int(
            required(re.search(r'numFmtId="(\d+)"', f), "a number format").group(1)
        )
        for f in _children(master, "numFmts", "numFmt")
    }
    fmt_map: dict[int, int] = {}
    new_fmts = list(_children(master, "numFmts", "numFmt"))
    next_id = max([163, *master_fmts.values()]) + 1
    for fmt in _children(donor, "numFmts", "numFmt"):
        donor_id = int(required(re.search(r'numFmtId="(\d+)"', fmt), "a number format").group(1))
        code = required(re.search(r'formatCode="([^"]*)"', fmt), "a number format").group(1)
        if code not in master_fmts:
            master_fmts[code] = next_id
            new_fmts.append(f'<numFmt numFmtId="{next_id}" formatCode="{code}"/>')
            next_id += 1
        fmt_map[donor_id] = master_fmts[code]
    if new_fmts:
        master = _set_children(master, "numFmts", new_fmts)

    maps: dict[str, dict[int, int]] = {}
    for name, child in (("fonts", "font"), ("fills", "fill"), ("borders", "border")):
        master, maps[child] = _append_unique(master, name, child, _children(donor, name, child))

    xfs = []
    for xf in _children(donor, "cellXfs", "xf"):
        xf = _replace_attr(xf, "numFmtId", fmt_map)
        xf = _replace_attr(xf, "fontId", maps["font"])
        xf = _replace_attr(xf, "fillId", maps["fill"])
        xf = _replace_attr(xf, "borderId", maps["border"])
        xfs.append(re.sub(r'\bxfId="\d+"', 'xfId="0"', xf))  # the master's Normal style
    master, xf_map = _append_unique(master, "cellXfs", "xf", xfs)

    dxfs = []
    for dxf in _children(donor, "dxfs", "dxf"):
        dxfs.append(re.sub(r'<numFmt numFmtId="(\d+)"', lambda m: f'<numFmt numFmtId="{fmt_map.get(int(m.group(1)), m.group(1))}"', dxf))
    master, dxf_map = _append_unique(master, "dxfs", "dxf", dxfs)
    return master, StyleMap(xf_map, dxf_map)


def _append_unique(master: str, name: str, child: str, donor_children: list[str]) -> tuple[str, dict[int, int]]:
    existing = _children(master, name, child)
    index: dict[str, int] = {}
    for position, element in enumerate(existing):
        index.setdefault(_canonical(element), position)
    mapping: dict[int, int] = {}
    added = list(existing)
    for position, element in enumerate(donor_children):
        key = _canonical(element)
        if key not in index:
            index[key] = len(added)
            added.append(element)
        mapping[position] = index[key]
    if len(added) != len(existing):
        master = _set_children(master, name, added)
    return master, mapping


# The style of a cell or row: its s="N", the number alone replaced. Found inside the <c> or <row>
# tag it belongs to (a tag's attributes hold no ">": XlsxWriter writes it as "&gt;", and so do
# the rows made in bulk), so an s="N" typed in a cell's text is never taken for one. The sheet
# is split at each such number and the numbers swapped in one pass: a messy authority's Data
# quality sheet is 26 MB with 290,000 styled cells (a callback per match cost twice as much).
_STYLED = re.compile(r'(<(?:c|row)\b[^>]*?\ss=")(\d+)(?=")')


def _remap_cell_styles(xml: str, xf: dict[str, str]) -> str:
    parts = _STYLED.split(xml)  # text, tag start, number, text, tag start, number, ..., text
    if len(parts) == 1:
        return xml
    parts[2::3] = [xf.get(number, number) for number in parts[2::3]]
    return "".join(parts)


def remap_sheet(xml: str, styles: StyleMap) -> str:
    """Rewrite a generated sheet's style references (cells, rows, columns, conditional formats)."""
    xml = _remap_cell_styles(xml, {str(old): str(new) for old, new in styles.xf.items()})
    xml = re.sub(r"<col\b[^>]*>", lambda m: _replace_attr(m.group(0), "style", styles.xf), xml)
    xml = re.sub(r"<cfRule\b[^>]*>", lambda m: _replace_attr(m.group(0), "dxfId", styles.dxf), xml)
    return xml
