"""The shared-string table kept to what the workbook's cells still use.

Excel (and LibreOffice) move every text cell of a saved workbook into one shared-string table,
``xl/sharedStrings.xml``; cells refer to it by position. When the tool replaces its Drill-down
sheets, or leaves them out of a copy, the strings only they used stay in that table: child ids
and workers' names that no cell shows any more. Here each string no cell refers to is emptied
in place. Positions do not change, so no cell of a user's sheet is rewritten.
"""

from __future__ import annotations

import re

from xl_scorecard.render.package import DOC_REL, Package, resolve

SHARED_STRINGS_REL = DOC_REL + "/sharedStrings"
# Worksheets, and the macro and dialog sheets of old workbooks: every part whose cells can refer
# to a shared string.
SHEET_CT_SUFFIX = "sheet+xml"
# A cell holding a shared string: <c r="A1" t="s"><v>12</v></c>, with any namespace prefix,
# matched on the part's bytes: a user's data sheet can be hundreds of megabytes of XML, and
# decoding it or listing all its cells cost seconds and a gigabyte.
# Matched from the type attribute (a literal start the regex engine finds quickly: 1.4 s for
# 187 MB against 4 s from "<c"); a formula before the value is allowed for, though Excel writes
# none in a shared-string cell. Reading too much here only keeps a string; never too little.
_SHARED_CELL = re.compile(
    rb"t\s*=\s*[\"']s[\"'][^>]*>\s*(?:<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*)?<(?:\w+:)?v\b[^>]*>\s*(\d+)\s*<"
)
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*>[^<]+</(?:\w+:)?t>")  # a text run with something in it
_ITEM = re.compile(r"<((?:\w+:)?)si\b[^>]*?(?:/>|>.*?</(?:\w+:)?si>)", re.S)


def shared_strings_part(package: Package) -> str | None:
    """The shared-string part of the workbook, or None when it has none."""
    book = package.main_part()
    for rel in package.rels(book):
        if rel.type == SHARED_STRINGS_REL:
            part = resolve(book, rel.target)
            return part if part in package.parts else None
    return None


def used_strings(package: Package, parts: list[str] | None = None) -> set[int]:
    """Positions in the shared-string table that some worksheet cell refers to (of ``parts``
    only, when given)."""
    _, overrides = package.content_types()
    sheets = [p for p in package.parts if overrides.get(p, "").endswith(SHEET_CT_SUFFIX)] if parts is None else parts
    used: set[int] = set()
    for part in sheets:
        data = package.parts[part]
        if b'"s"' not in data and b"'s'" not in data:  # no shared-string cell at all (quick to see)
            continue
        used.update(int(value) for value in _SHARED_CELL.findall(data))
    return used


def empty_unused_strings(package: Package) -> int:
    """Empty every shared string no worksheet cell refers to (in place: positions unchanged).
    Returns how many were emptied."""
    part = shared_strings_part(package)
    if part is None:
        return 0
    xml = package.text(part)
    used = used_strings(package)
    emptied = 0
    position = -1

    def keep_or_empty(match: re.Match[str]) -> str:
        nonlocal position, emptied
        position += 1
        item = match.group(0)
        if position in used or item.endswith("/>") or not _TEXT.search(item):
            return item  # shown by a cell, or empty already
        emptied += 1
        prefix = match.group(1)
        return f"<{prefix}si><{prefix}t></{prefix}t></{prefix}si>"

    cleaned = _ITEM.sub(keep_or_empty, xml)
    if emptied:
        package.parts[part] = cleaned.encode("utf-8")
    return emptied


def all_strings(package: Package) -> list[str]:
    """The text of every shared string (for tests and checks)."""
    part = shared_strings_part(package)
    if part is None:
        return []
    return ["".join(re.findall(r"<(?:\w+:)?t\b[^>]*>([^<]*)</(?:\w+:)?t>", item.group(0))) for item in _ITEM.finditer(package.text(part))]
