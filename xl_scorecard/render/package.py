"""The OPC (zip) package of an .xlsx/.xlsm workbook: parts, relationships, content types.

Only what transplanting sheets needs. Parts are kept as bytes and written back unchanged unless
a caller replaces them, so everything the tool does not own survives byte for byte.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
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
    """The parts of a zip package, in their original order.

    A package read from a file reads each part only when asked for it, and writes the parts it
    never replaced by copying their compressed bytes as they are: a user's 32 MB data sheet in
    the master is neither inflated nor compressed again at each refresh.
    """

    def __init__(self, parts: dict[str, bytes] | Parts):
        self.parts = parts if isinstance(parts, Parts) else Parts(dict(parts))

    @classmethod
    def read(cls, path: Path) -> Package:
        return cls(Parts.from_zip(path))

    def copy(self) -> Package:
        """Another package with the same parts (read lazily from the same file)."""
        return Package(self.parts.copy())

    def write(self, path: Path) -> None:
        # [Content_Types].xml first, as Office writes it (some readers expect it early).
        names = sorted(self.parts, key=lambda n: n != "[Content_Types].xml")
        _write_zip(path, names, self.parts)

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


_DATE_1904 = re.compile(r"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(1|true)\"")


def counts_from_1904(package: Package) -> bool:
    """Whether the workbook counts dates from 1904 (``<workbookPr date1904="1"/>``, old Mac
    workbooks)."""
    return _DATE_1904.search(package.text(package.main_part())) is not None


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


class Parts(MutableMapping[str, bytes]):
    """A package's parts by name, in order. Parts of the file read are inflated on first use;
    those never replaced are written back by copying their compressed bytes."""

    def __init__(self, loaded: dict[str, bytes], source: _ZipSource | None = None, unchanged: set[str] | None = None) -> None:
        self._loaded = loaded
        self._source = source
        self._unchanged = set(unchanged or ())  # names whose bytes are still the source's
        self._order = list(dict.fromkeys([*(source.names if source else []), *loaded]))

    @classmethod
    def from_zip(cls, path: Path) -> Parts:
        source = _ZipSource.open(path)
        return cls({}, source, set(source.names))

    def copy(self) -> Parts:
        twin = Parts(dict(self._loaded), self._source, self._unchanged)
        twin._order = list(self._order)
        return twin

    def __getitem__(self, name: str) -> bytes:
        if name in self._loaded:
            return self._loaded[name]
        if name in self._unchanged and self._source is not None:
            data = self._source.read(name)
            self._loaded[name] = data
            return data
        raise KeyError(name)

    def __setitem__(self, name: str, data: bytes) -> None:
        if name not in self._loaded and name not in self._unchanged:
            self._order.append(name)
        self._loaded[name] = data
        self._unchanged.discard(name)

    def __delitem__(self, name: str) -> None:
        if name not in self._loaded and name not in self._unchanged:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._unchanged.discard(name)
        self._order.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._unchanged

    def raw(self, name: str) -> tuple[zipfile.ZipInfo, _ZipSource] | None:
        """The source's entry for ``name`` when its bytes are still the source's, else None."""
        if name in self._unchanged and self._source is not None:
            return self._source.infos[name], self._source
        return None


class _ZipSource:
    """The zip file a package was read from: its entries, and a check that it has not changed
    since (a part read later must come from the same file the others came from)."""

    def __init__(self, path: Path, infos: dict[str, zipfile.ZipInfo], stamp: tuple[int, int]) -> None:
        self.path, self.infos, self.stamp = path, infos, stamp

    @classmethod
    def open(cls, path: Path) -> _ZipSource:
        info = os.stat(path)
        with zipfile.ZipFile(path) as archive:
            infos = {i.filename: i for i in archive.infolist() if not i.is_dir()}
        return cls(Path(path), infos, (info.st_size, info.st_mtime_ns))

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def check(self) -> None:
        info = os.stat(self.path)
        if (info.st_size, info.st_mtime_ns) != self.stamp:
            raise MasterError(f"{self.path} changed while the refresh was reading it; nothing was written. Run the refresh again.")

    def read(self, name: str) -> bytes:
        self.check()
        info = self.infos[name]
        if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(name)
        # From the entry already listed: a ZipFile for each part would read the whole central
        # directory again (a hundred parts, a hundred times). Checked as zipfile checks it.
        with open(self.path, "rb") as handle:
            data = self.raw_bytes(handle, info)
        if info.compress_type == zipfile.ZIP_DEFLATED:
            data = zlib.decompress(data, -15)
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")
        return data

    def raw_bytes(self, handle: BinaryIO, info: zipfile.ZipInfo) -> bytes:
        """The compressed bytes of entry ``info``, as stored (read through ``handle``)."""
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        data = handle.read(info.compress_size)
        if len(data) != info.compress_size:
            raise zipfile.BadZipFile(f"{info.filename} is cut short")
        return data


# Beyond these a zip needs ZIP64 records; a workbook that large is written by zipfile instead.
_ZIP32_LIMIT = 0xFFFFFFFF
# Deflate level of the parts written afresh (the tool's own sheets): level 1 deflates ten years
# of history (10 MB of XML) in a fifth of the time of level 6, for an archive ~18 % larger
# (962 KB against 814 KB); the user's parts are copied as they were compressed.
_LEVEL = 1
_ZIP32_ENTRIES = 0xFFFF


def _write_zip(path: Path, names: list[str], parts: Parts) -> None:
    """Write ``parts`` in the order ``names`` as a zip: parts never replaced are copied as
    compressed in the source; the others deflated. Falls back to zipfile for ZIP64 sizes."""
    path = Path(path)
    raws = {name: parts.raw(name) for name in names}
    sources = {id(r[1]): r[1] for r in raws.values() if r is not None}
    big = len(names) >= _ZIP32_ENTRIES or any(
        r is not None and (r[0].file_size >= _ZIP32_LIMIT or r[0].flag_bits & 1) for r in raws.values()
    )
    if big or not sources:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                archive.writestr(name, parts[name])
        return
    for source in sources.values():
        source.check()
    if any(path.exists() and os.path.samefile(path, source.path) for source in sources.values()):
        # Written over the file its parts are copied from: into a file beside it first (opening
        # the target would empty the source), then put in its place.
        beside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            _write_zip(beside, names, parts)
            os.replace(beside, path)
        finally:
            beside.unlink(missing_ok=True)
        return
    handles = {key: open(source.path, "rb") for key, source in sources.items()}  # noqa: SIM115 - closed below
    try:
        with open(path, "wb") as out:
            central = []
            now = time.localtime(time.time())[:6]
            for name in names:
                raw = raws[name]
                encoded = name.encode("utf-8")
                flags = 0x800 if not name.isascii() else 0
                if raw is not None:
                    info, source = raw
                    data = source.raw_bytes(handles[id(source)], info)
                    method, crc, size = info.compress_type, info.CRC, info.file_size
                    flags |= info.flag_bits & 0x806  # deflate options and UTF-8 names; never a data descriptor
                    stamp = info.date_time
                else:
                    plain = parts[name]
                    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
                    data = packer.compress(plain) + packer.flush()
                    method, crc, size, stamp = zipfile.ZIP_DEFLATED, zlib.crc32(plain), len(plain), now
                if size >= _ZIP32_LIMIT or len(data) >= _ZIP32_LIMIT or out.tell() >= _ZIP32_LIMIT:
                    raise _NeedsZip64
                dos_time = (stamp[3] << 11) | (stamp[4] << 5) | (stamp[5] // 2)
                dos_date = ((stamp[0] - 1980) << 9) | (stamp[1] << 5) | stamp[2]
                offset = out.tell()
                out.write(
                    struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, dos_time, dos_date, crc, len(data), size, len(encoded), 0)
                )
                out.write(encoded)
                out.write(data)
                central.append(
                    struct.pack(
                        "<4s6H3L5H2L",
                        b"PK\x01\x02",
                        20,
                        20,
                        flags,
                        method,
                        dos_time,
                        dos_date,
                        crc,
                        len(data),
                        size,
                        len(encoded),
                        0,
                        0,
                        0,
                        0,
                        0,
                        offset,
                    )
                    + encoded
                )
            start = out.tell()
            for entry in central:
                out.write(entry)
            size_of_central = out.tell() - start
            if out.tell() >= _ZIP32_LIMIT:
                raise _NeedsZip64
            out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size_of_central, start, 0))
    except _NeedsZip64:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name in names:
                archive.writestr(name, parts[name])
    finally:
        for handle in handles.values():
            handle.close()


class _NeedsZip64(Exception):
    """The package grew past what a plain zip can say: written by zipfile, with ZIP64."""
