"""The guard: notice when someone changed a sheet the tool owns, before a refresh replaces it.

After writing the owned sheets, the tool records a digest of every filled cell in a very hidden
sheet (``_xl_scorecard``); commentary cells are recorded as free. Before the next refresh the
master's owned sheets are read again (by value, so a re-save in Excel or LibreOffice is not a
change) and compared. A value typed over a figure, a cell filled in, a figure deleted, or a
chart, picture or comment added to an owned sheet stops the refresh with the list.

Why the digests give nothing away: each is a keyed BLAKE2b (a MAC, like HMAC, and ~4x quicker:
a long history has hundreds of thousands of cells) of the sheet, cell and value under a random
256-bit key drawn for each write; masters written before it keep their HMAC-SHA256 until their
next refresh. A child id or a date has little entropy, so a plain hash
of it can be reversed by trying every candidate (0.04 s for the demo's ids); an HMAC cannot be
computed, let alone searched, without the key. The key is kept in the same hidden sheet, and the
hidden sheet never leaves the master: the copies made to send or print are built without it
(``copies.aggregate_copy``), and inside the master it covers only cells the master shows anyway.
Equal values in different cells have different digests, so counting them tells nothing either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_rowcol_to_cell

from xl_scorecard.history import HISTORY_SHEET
from xl_scorecard.render.books import InlineTextWorkbook
from xl_scorecard.render.cells import DISTRICTS_SHEET, FINGERPRINT_SHEET, TREND_SHEET

if TYPE_CHECKING:
    from xl_scorecard.render.package import Package

FREE = "free"
ANCHORS = "drawing anchors"  # fingerprint rows: objects the tool itself drew on a sheet
WRITTEN = "sheet written"  # fingerprint rows: every sheet the tool wrote, even one with no filled cell
SMALL = "small numbers"  # fingerprint rows: "B5=3;C7=1", the cells whose figure rests on that few people
_ADDED_OBJECT_RELS = ("/drawing", "/comments", "/table", "/vmlDrawing")


def _normal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".10g")
    if isinstance(value, (dt.date, dt.datetime, dt.timedelta)):
        return str(value)
    return str(value)


KEY_LABEL = "blake2b key "  # the fingerprint header's fourth cell: this, then the key in hex
HMAC_KEY_LABEL = "hmac-sha256 key "  # the same, in masters written before BLAKE2b


class HmacKey(bytes):
    """The key of a fingerprint written with HMAC-SHA256 (read from an older master)."""


def new_key() -> bytes:
    """A fresh random key for one write of the fingerprint."""
    return secrets.token_bytes(32)


def _digest(key: bytes | None, sheet: str, cell: str, value: object) -> str:
    if key is None:  # a master written before 0.3 keeps its plain hashes until its next refresh
        return hashlib.sha1(_normal(value).encode("utf-8")).hexdigest()[:12]  # noqa: S324 - read only, to compare
    message = f"{sheet}\x00{cell}\x00{_normal(value)}".encode()
    if isinstance(key, HmacKey):
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]
    return hashlib.blake2b(message, key=key, digest_size=8).hexdigest()


def row_digested(sheet: str) -> bool:
    """Sheets of data the tool keeps (the stored history, the twelve months' trend, the figures
    by district, the Drill-down case lists) are fingerprinted a row at a time: thousands of rows
    nobody types into (4,400 trend rows at 100 districts), where "row 812 changed" says enough
    and one digest a row is a tenth of the work of one a cell. The Scorecard, where commentary
    is typed, keeps a digest per cell."""
    from xl_scorecard.render.drilldown import is_drilldown

    return sheet in (HISTORY_SHEET, TREND_SHEET, DISTRICTS_SHEET) or is_drilldown(sheet)


ROW = "*"  # the column of a row's digest, in the cells the fingerprint compares ("*12")
ROW_BLOCK = 1000  # rows of a sheet digested by rows, per fingerprint cell (16 characters each)


def cell_hashes(path: Path, sheets: list[str], key: bytes | None, by_row: set[str] | None = None) -> dict[tuple[str, str], str]:
    """Digest of every filled cell of ``sheets`` (those present) in the workbook at ``path``,
    keyed by ``key`` (None: the plain hashes of masters written before keys); a sheet in
    ``by_row`` gets one digest per filled row instead, under the cell ``*<row>``."""
    from xl_scorecard.master_cells import sheet_rows

    by_row = by_row or set()
    hashes = {}
    letters: list[str] = []
    normal: dict[tuple[type, object], str] = {}  # a row's numbers repeat (months, zeros, counts)
    # Read as the refresh reads them (history, commentary): parsed once for both. The
    # Drill-down sheets only the guard reads: not kept once hashed.
    from xl_scorecard.render.drilldown import is_drilldown

    cells = sheet_rows(path, sheets, skip_empty_area=False, hold=[s for s in sheets if not is_drilldown(s)])
    for sheet in sheets:
        if sheet not in cells:
            continue
        for r, row in enumerate(cells[sheet], start=1):
            if len(row) > len(letters):
                letters = [xl_rowcol_to_cell(0, c)[:-1] for c in range(len(row))]
            if sheet in by_row:
                filled = []
                for c, v in enumerate(row):
                    if type(v) is str:
                        if v:
                            filled.append(f"{letters[c]}={v}")
                    elif v is not None:
                        kind = (type(v), v)  # by type too: True == 1.0, but is written "TRUE"
                        text = normal.get(kind)
                        if text is None:
                            text = normal[kind] = _normal(v)
                        filled.append(f"{letters[c]}={text}")
                if filled:
                    hashes[(sheet, f"{ROW}{r}")] = _digest(key, sheet, f"{ROW}{r}", "\x1f".join(filled))
                continue
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                cell = f"{letters[c]}{r}"
                hashes[(sheet, cell)] = _digest(key, sheet, cell, value)
    return hashes


def write_fingerprint(
    path: Path,
    hashes: dict[tuple[str, str], str],
    free: dict[str, set[str]],
    anchors: dict[str, int] | None = None,
    key: bytes = b"",
    written: list[str] | None = None,
    small: dict[str, dict[str, float]] | None = None,
) -> None:
    """A donor workbook holding only the very hidden fingerprint sheet (plus a placeholder);
    ``key`` is the one ``hashes`` were made with, ``written`` the sheets the tool wrote,
    ``small`` the cells whose figure rests on few people (what a copy withholds; not personal:
    a cell's place and a count under 11, never a value that identifies anyone)."""
    written = written or []
    book = InlineTextWorkbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    book.add_worksheet("placeholder")
    sheet = book.add_worksheet(FINGERPRINT_SHEET)
    sheet.write_row(0, 0, ["sheet", "cell", "hash", (HMAC_KEY_LABEL if isinstance(key, HmacKey) else KEY_LABEL) + key.hex()])
    # One fingerprint row per sheet row ("row 12" | "A=hash;B=hash"), not one per cell: writing
    # a row per cell was half the time of writing the whole master.
    packed: dict[tuple[str, int], list[str]] = {}
    by_row: dict[str, dict[int, str]] = {}
    for (name, cell), digest in hashes.items():
        column, number = _split_cell(cell)
        if column == ROW:
            by_row.setdefault(name, {})[number] = digest
        else:
            packed.setdefault((name, number), []).append(f"{column}={digest}")
    rows = [
        [name, f"row {number}", ";".join(sorted(cells, key=lambda c: (len(c.split("=")[0]), c)))]
        for (name, number), cells in sorted(packed.items())
    ]
    # Sheets digested by rows: the digests of a block of rows in one cell ("rows 2-1001" |
    # "d2;d3;..."; empty for an empty row), not a fingerprint row per sheet row: ten years of
    # history is 67,000 rows.
    for name, found in sorted(by_row.items()):
        first, last = min(found), max(found)
        for start in range(first, last + 1, ROW_BLOCK):
            end = min(start + ROW_BLOCK - 1, last)
            rows.append([name, f"rows {start}-{end}", ";".join(found.get(n, "") for n in range(start, end + 1))])
    rows += [[name, cell, FREE] for name, cells in sorted(free.items()) for cell in sorted(cells)]
    rows += [[name, ANCHORS, str(count)] for name, count in sorted((anchors or {}).items()) if count]
    rows += [[name, WRITTEN, ""] for name in written]
    # A row without a sheet says the small numbers were noted (none may be small this month):
    # a master written before they were cannot have a copy with them withheld.
    rows.append(["", SMALL, ""])
    for name, cells in sorted((small or {}).items()):
        items = [f"{cell}={count:g}" for cell, count in cells.items()]
        for start in range(0, len(items), 2000):  # a cell holds 32,767 characters at most
            rows.append([name, SMALL, ";".join(items[start : start + 2000])])
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    sheet.very_hidden()
    book.close()


def _split_cell(cell: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Z]+|\*)(\d+)", cell)
    if match is None:  # the cells named here are the writer's own A1 references
        raise ValueError(f"not an A1 cell reference: {cell!r}")
    return match.group(1), int(match.group(2))


_ROW_BLOCK = re.compile(r"rows (\d+)-(\d+)")


def _unpack(rows: list[list]) -> dict[tuple[str, str], str]:
    # Rows are "row N" with packed cells, "rows N-M" with a digest per row of a sheet digested
    # by rows, or (older masters, and free cells) one cell each.
    stored = {}
    for r in rows:
        if len(r) < 3:
            continue
        block = _ROW_BLOCK.fullmatch(str(r[1]))
        if block:
            digests = str(r[2]).split(";")
            start = int(block.group(1))
            stored.update({(r[0], f"{ROW}{start + i}"): d for i, d in enumerate(digests) if d})
        elif str(r[1]).startswith("row "):
            number = str(r[1])[4:]
            for item in str(r[2]).split(";"):
                column, _, digest = item.partition("=")
                stored[(r[0], f"{column}{number}")] = digest
        else:
            stored[(r[0], r[1])] = r[2]
    return stored


def _fingerprint(master: Path) -> tuple[bytes | None, list[list]]:
    """The fingerprint's key (None for a master written before keys) and its rows below the
    header (none for a master without one). Read once while the master is unchanged: a refresh
    asks for it three times (name clashes, the check, the write)."""
    from xl_scorecard.master_cells import sheet_rows

    rows = sheet_rows(master, [FINGERPRINT_SHEET]).get(FINGERPRINT_SHEET)
    if rows is None:
        return None, []
    header = [str(c) for c in rows[0]] if rows else []
    for cell in header:
        if cell.startswith(KEY_LABEL):
            return bytes.fromhex(cell[len(KEY_LABEL) :]), rows[1:]
        if cell.startswith(HMAC_KEY_LABEL):
            return HmacKey(bytes.fromhex(cell[len(HMAC_KEY_LABEL) :])), rows[1:]
    return None, rows[1:]


def _fingerprint_rows(master: Path) -> list[list]:
    """The fingerprint's rows below its header (none for a master without one)."""
    return _fingerprint(master)[1]


def fingerprinted_sheets(master: Path) -> list[str]:
    """The sheets the tool wrote into ``master`` at its last refresh, as its fingerprint names
    them (none for a new master or one without a fingerprint)."""
    if not master.is_file():
        return []
    return list(dict.fromkeys(str(r[0]) for r in _fingerprint_rows(master) if r and r[0]))


def small_numbers(master: Path) -> dict[str, dict[str, float]] | None:
    """The cells of ``master``'s sheets whose figure rests on few people, with how many, as the
    last refresh noted them (``write_fingerprint``); None when it noted none (an older master)."""
    rows = _fingerprint_rows(master)
    if not any(len(r) >= 2 and r[1] == SMALL for r in rows):
        return None
    found: dict[str, dict[str, float]] = {}
    for r in rows:
        if len(r) >= 3 and r[1] == SMALL and r[0] and r[2]:
            for item in str(r[2]).split(";"):
                cell, _, count = item.partition("=")
                found.setdefault(str(r[0]), {})[cell] = float(count)
    return found


def changed_cells(master: Path) -> list[str]:
    """What was changed in the master's owned sheets since the tool wrote them (empty if
    nothing, or if the master has no fingerprint yet)."""
    key, rows = _fingerprint(master)
    if not rows:
        return []
    stored = _unpack(rows)
    written = {sheet: int(count) for (sheet, cell), count in stored.items() if cell == ANCHORS}
    stored = {key: value for key, value in stored.items() if key[1] not in (ANCHORS, WRITTEN, SMALL)}
    free = {key for key, digest in stored.items() if digest == FREE}
    sheets = sorted({sheet for sheet, _ in stored})
    # A sheet digested by rows at its last write is compared by rows (an older master's by cells).
    current = cell_hashes(master, sheets, key, {sheet for sheet, cell in stored if cell.startswith(ROW)})
    present = {sheet for sheet, _ in current}
    found = [
        f"{sheet} (the whole sheet is missing: renamed or deleted?)"
        for sheet in sheets
        if sheet not in present and any(k[0] == sheet and k not in free for k in stored)
    ]
    stored = {k: v for k, v in stored.items() if k[0] in present}
    position = {sheet: n for n, sheet in enumerate(sheets)}
    # Only the places that differ are sorted (ten years of history is 66,000 rows alike).
    differ = [k for k in stored.keys() | current.keys() if k not in free and stored.get(k) != current.get(k)]
    for place in sorted(differ, key=lambda k: (position.get(k[0], 99), k[1])):
        before, now = stored.get(place), current.get(place)
        what = "typed into" if before is None else "deleted" if now is None else "changed"
        where = f"row {place[1][1:]}" if place[1].startswith(ROW) else place[1]
        found.append(f"{place[0]}!{where} ({what})")
    # Every fingerprinted sheet is the tool's (the Drill-down sheets' names vary month to month).
    found += _added_objects(master, sheets, written)
    return found


def _holds_something(package: Package, part: str) -> bool:
    # LibreOffice saves an empty drawing for a sheet with an autofilter: that is not an addition.
    data = package.parts.get(part, b"")
    return bool(re.search(rb"<(\w+:)?(twoCellAnchor|oneCellAnchor|absoluteAnchor|comment|shape|table)\b", data))


_ANCHOR = re.compile(rb"<(\w+:)?(twoCellAnchor|oneCellAnchor|absoluteAnchor)\b")


def drawing_anchors(path: Path, sheets: list[str]) -> dict[str, int]:
    """Objects (charts, pictures, shapes) on each of ``sheets``, counted by drawing anchor."""
    from xl_scorecard.render.package import Package, resolve
    from xl_scorecard.render.transplant import sheet_parts

    package = Package.read(path)
    counts = {}
    for name, part in sheet_parts(package).items():
        if name in sheets:
            counts[name] = sum(
                len(_ANCHOR.findall(package.parts.get(resolve(part, r.target), b"")))
                for r in package.rels(part)
                if r.type.endswith("/drawing")
            )
    return counts


def _added_objects(master: Path, owned: list[str], written: dict[str, int]) -> list[str]:
    # The tool's own sheets carry no comments or tables, and only the drawing objects it wrote
    # (the fingerprint counts them: the panels sheet's charts): anything more was added.
    from xl_scorecard.render.package import Package, resolve
    from xl_scorecard.render.transplant import sheet_parts

    package = Package.read(master)
    found = []
    anchors = drawing_anchors(master, owned)
    for name, part in sheet_parts(package).items():
        if name in owned:
            kinds = sorted(
                {
                    r.type.rsplit("/", 1)[-1]
                    for r in package.rels(part)
                    if r.type.endswith(_ADDED_OBJECT_RELS)
                    and not r.type.endswith("/drawing")
                    and _holds_something(package, resolve(part, r.target))
                }
            )
            if anchors.get(name, 0) > written.get(name, 0):
                kinds = sorted({*kinds, "drawing"})
            if kinds:
                found.append(f"{name} (a chart, picture, comment or table was added: {', '.join(kinds)})")
    return found
