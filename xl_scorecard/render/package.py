"""The OPC (zip) package of an .xlsx/.xlsm workbook: parts, relationships, content types.

Only what transplanting sheets needs. Parts are kept as bytes and written back unchanged unless
a caller replaces them, so everything the tool does not own survives byte for byte.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from xl_scorecard.errors import MasterError

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_REL = DOC_REL + "/worksheet"
OFFICE_DOC_REL = DOC_REL + "/officeDocument"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass
class Relationship:
    id: str
    type: str
    target: str
    external: bool = False


class Package:
    """The parts of a zip package, in their original order."""

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts

    @classmethod
    def read(cls, path: Path) -> Package:
        with zipfile.ZipFile(path) as archive:
            return cls({name: archive.read(name) for name in archive.namelist()})

    def write(self, path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            # [Content_Types].xml first, as Office writes it (some readers expect it early).
            names = sorted(self.parts, key=lambda n: n != "[Content_Types].xml")
            for name in names:
                archive.writestr(name, self.parts[name])

    def text(self, name: str) -> str:
        return self.parts[name].decode("utf-8")

    # --- relationships --------------------------------------------------------------------
    def rels(self, part: str) -> list[Relationship]:
        """Relationships of ``part`` ("" for the package)."""
        data = self.parts.get(rels_name(part))
        return parse_rels(data) if data else []

    def set_rels(self, part: str, rels: list[Relationship]) -> None:
        if rels:
            self.parts[rels_name(part)] = write_rels(rels)
        else:
            self.parts.pop(rels_name(part), None)

    def related_parts(self, part: str) -> list[str]:
        """Every part reachable from ``part`` through internal relationships (not ``part``)."""
        found: list[str] = []
        todo = [part]
        while todo:
            current = todo.pop()
            for rel in self.rels(current):
                if rel.external:
                    continue
                target = resolve(current, rel.target)
                if target in self.parts and target not in found and target != part:
                    found.append(target)
                    todo.append(target)
        return found

    # --- content types ----------------------------------------------------------------------
    def content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        """(defaults by extension, overrides by part name without leading slash)."""
        xml = self.text("[Content_Types].xml")
        defaults = {m["Extension"].lower(): m["ContentType"] for m in _elements(xml, "Default")}
        overrides = {m["PartName"].lstrip("/"): m["ContentType"] for m in _elements(xml, "Override")}
        return defaults, overrides

    def set_content_types(self, defaults: dict[str, str], overrides: dict[str, str]) -> None:
        lines = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT_NS}">']
        lines += [f"<Default Extension={quoteattr(ext)} ContentType={quoteattr(ct)}/>" for ext, ct in defaults.items()]
        lines += [f"<Override PartName={quoteattr('/' + name)} ContentType={quoteattr(ct)}/>" for name, ct in overrides.items()]
        lines.append("</Types>")
        self.parts["[Content_Types].xml"] = "".join(lines).encode("utf-8")

    def main_part(self) -> str:
        """The workbook part (xl/workbook.xml, whatever its name)."""
        return next(resolve("", r.target) for r in self.rels("") if r.type == OFFICE_DOC_REL)


def default_namespace(xml: str) -> str:
    """``xml`` with SpreadsheetML as its default namespace. Open XML SDK tools write every
    element with a prefix (``<x:workbook xmlns:x="...main">``); the same document without the
    prefix means exactly the same to Excel, and is the form the rest of this package edits."""
    root = re.search(r"<(\w+):\w+\b[^>]*>", xml)
    if root is None or f'xmlns:{root.group(1)}="{MAIN_NS}"' not in root.group(0):
        return xml  # no prefix on the root element, or a prefix for another namespace
    prefix = root.group(1)
    if re.search(r'\sxmlns="', root.group(0)):
        raise MasterError("workbook.xml binds two namespaces in a way Excel does not write; the master was not changed")
    xml = re.sub(rf"<(/?){prefix}:", r"<\1", xml)
    return xml.replace(f'xmlns:{prefix}="{MAIN_NS}"', f'xmlns="{MAIN_NS}"', 1)


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """Part name a relationship target points at, relative to the source part."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')


def _attrs(text: str) -> dict[str, str]:
    from html import unescape

    return {k: unescape(v) for k, v in _ATTR.findall(text)}


def _elements(xml: str, tag: str) -> list[dict[str, str]]:
    return [_attrs(m.group(1)) for m in re.finditer(rf"<(?:\w+:)?{tag}\b([^>]*?)/?>", xml)]


def parse_rels(data: bytes) -> list[Relationship]:
    xml = data.decode("utf-8")
    return [Relationship(a["Id"], a["Type"], a["Target"], a.get("TargetMode") == "External") for a in _elements(xml, "Relationship")]


def write_rels(rels: list[Relationship]) -> bytes:
    lines = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{REL_NS}">']
    for rel in rels:
        mode = ' TargetMode="External"' if rel.external else ""
        lines.append(f"<Relationship Id={quoteattr(rel.id)} Type={quoteattr(rel.type)} Target={quoteattr(rel.target)}{mode}/>")
    lines.append("</Relationships>")
    return "".join(lines).encode("utf-8")


def attrs(text: str) -> dict[str, str]:
    """Attributes of an XML start tag's text (values unescaped)."""
    return _attrs(text)


def found(match: re.Match[str] | None, what: str) -> re.Match[str]:
    """``match``, which the package's own XML always gives; a part without it is not as Excel
    or XlsxWriter writes it, so the refresh stops (and the master is left as it was)."""
    if match is None:
        raise MasterError(f"{what} is not in the form Excel writes it; the master was not changed")
    return match
