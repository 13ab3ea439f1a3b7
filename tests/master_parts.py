"""Changing one part of a master's package the way a careless tool or a hand edit would, every
other part's bytes kept (zipfile and re only: no code of the product)."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, unescape

RECORD_LABEL = "sheets as written "  # the fingerprint header's fifth cell (render/written.py)
_RECORD_CELL = re.compile(rb'<c r="E1"[^>]*><is><t>(' + re.escape(RECORD_LABEL.encode()) + rb"[^<]*)</t></is></c>")


def replace_part(master: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    """``master`` with the bytes of ``part`` replaced by ``change(bytes)``."""
    with zipfile.ZipFile(master) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    changed = master.with_name(master.name + ".changing.zip")
    with zipfile.ZipFile(changed, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            target.writestr(info, change(data) if info.filename == part else data)
    changed.replace(master)


def record_part(master: Path) -> str:
    """The part holding the record of the sheets as written (the fingerprint sheet's)."""
    with zipfile.ZipFile(master) as book:
        found = [name for name in book.namelist() if name.startswith("xl/worksheets/") and _RECORD_CELL.search(book.read(name))]
    assert len(found) == 1, found
    return found[0]


def record(master: Path) -> dict:
    """The record's JSON, as the master holds it."""
    with zipfile.ZipFile(master) as book:
        found = _RECORD_CELL.search(book.read(record_part(master)))
    assert found is not None
    return json.loads(unescape(found.group(1).decode())[len(RECORD_LABEL) :])


def change_record(master: Path, change: Callable[[str], str]) -> None:
    """``master`` with the record's text (label included) replaced by ``change(text)``."""

    def edit(data: bytes) -> bytes:
        found = _RECORD_CELL.search(data)
        assert found is not None
        text = escape(change(unescape(found.group(1).decode()))).encode()
        return data[: found.start(1)] + text + data[found.end(1) :]

    replace_part(master, record_part(master), edit)


def drop_record(master: Path) -> None:
    """``master`` as a master written before records were kept in it: no record cell."""
    replace_part(master, record_part(master), lambda data: _RECORD_CELL.sub(b"", data, count=1))
