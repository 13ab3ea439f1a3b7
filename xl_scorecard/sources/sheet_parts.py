"""What the values of one sheet of an .xlsx/.xlsm workbook come from, as digests.

A workbook is a zip of parts: one part per worksheet, and parts every sheet reads through (the
shared strings, the styles that make a number a date, the workbook's list of sheets and its
1904 flag, the relationships that say which part is which sheet). A sheet reads the same values
as before when its own part and every shared part are the bytes they were: so when one list of
an Annex A workbook changes, the readings of its other lists can be kept (``sources.cache``).

Each part is digested as stored (its compressed bytes, with its CRC, size and method): the same
stored bytes can only inflate to the same content, and a part stored differently is simply read
again. Left out: the document's properties (``docProps/``: who saved it and when, never read
for values) and the formula calculation order (``xl/calcChain.xml``); of ``xl/workbook.xml``
only what reading uses counts (its sheets and their order, names, states and parts, and the
workbook properties such as the 1904 date system), not the window's position or the tab last
selected. Anything unexpected (another package layout, a part too large to be a sheet list, XML
that does not parse) gives no digests, and the workbook is read whole as before.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
# Never read for a cell's value: the document's properties and the calculation chain.
NOT_READ = ("docProps/", "xl/calcChain.xml")
# The workbook part and its relationships are a few kilobytes; one far larger is not trusted.
MAX_STRUCTURE_BYTES = 8 * 1024**2
_LOCAL_HEADER = 30
_LOCAL_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class SheetDigests:
    """``shared``: a digest of every part a sheet's values may depend on other than the
    worksheets themselves; ``sheets``: each sheet's name and the digest of its worksheet part."""

    shared: str
    sheets: dict[str, str]


def sheet_digests(path: Path) -> SheetDigests | None:
    """The digests of the workbook at ``path``, or None when it is not a zip workbook laid out as
    .xlsx/.xlsm are (or something in it is unexpected): then no sheet's reading is kept."""
    try:
        with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            by_name = {info.filename: info for info in infos}
            if len(by_name) != len(infos) or WORKBOOK not in by_name or WORKBOOK_RELS not in by_name:
                return None
            if max(by_name[WORKBOOK].file_size, by_name[WORKBOOK_RELS].file_size) > MAX_STRUCTURE_BYTES:
                return None
            workbook = ElementTree.fromstring(archive.read(WORKBOOK))
            relationships = ElementTree.fromstring(archive.read(WORKBOOK_RELS))
            stored = {info.filename: _stored_digest(handle, info) for info in infos}
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError, ValueError, EOFError):
        return None
    worksheets = {}  # relationship id -> worksheet part
    for relation in relationships:
        if relation.get("Type", "").endswith("/worksheet") and relation.get("Id"):
            worksheets[relation.get("Id")] = _part_name(relation.get("Target", ""))
    sheets: dict[str, str] = {}
    listed: list[list[tuple[str, str]]] = []
    properties: list[list[tuple[str, str]]] = []
    for element in workbook.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "workbookPr":
            properties.append(sorted(element.attrib.items()))
        elif tag == "sheet":
            listed.append(sorted(element.attrib.items()))
            rid = next((value for key, value in element.attrib.items() if key.rsplit("}", 1)[-1] == "id"), None)
            part = worksheets.get(rid or "")
            name = element.get("name")
            if name is not None and part in stored:
                sheets[name] = stored[part]
    own = set(worksheets.values())
    digest = hashlib.sha256(json.dumps([properties, listed]).encode())
    for name in sorted(stored):
        if name in own or name == WORKBOOK or name.startswith(NOT_READ):
            continue
        digest.update(name.encode() + b"\0" + stored[name].encode() + b"\0")
    return SheetDigests(digest.hexdigest(), sheets)


def _part_name(target: str) -> str:
    # A relationship's target, relative to xl/ or absolute from the package's root.
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


def _stored_digest(file: BinaryIO, info: zipfile.ZipInfo) -> str:
    # The part's bytes as stored (not inflated: a few milliseconds for a workbook of lists),
    # found after its local header, whose name and extra fields may differ from the directory's.
    file.seek(info.header_offset)
    header = file.read(_LOCAL_HEADER)
    if len(header) != _LOCAL_HEADER or not header.startswith(_LOCAL_MAGIC):
        raise ValueError("not a local header")
    skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    file.seek(info.header_offset + _LOCAL_HEADER + skip)
    data = file.read(info.compress_size)
    if len(data) != info.compress_size:
        raise ValueError("a part is cut short")
    digest = hashlib.sha256(f"{info.compress_type} {info.CRC} {info.file_size}\0".encode())
    digest.update(data)
    return digest.hexdigest()
