"""Reading raw rows from the files districts keep: .xlsx/.xlsm/.xlsb/.xls/.ods, .csv and XML.

python-calamine (a native parser) reads every spreadsheet format; openpyxl is never on this path.
Rows come back exactly as the file has them, from spreadsheet row 1, so row numbers in messages
match what the user sees.

Before a spreadsheet is parsed, the file is checked: what its bytes say it is (a CSV saved with
an .xls name is read as CSV; a web page saved as .xls is refused with advice), and for zip-based
formats how large it would inflate to, so a zip bomb is refused before memory runs out.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XML_SUFFIXES = {".xml"}
# A district workbook that inflates past this is not a district workbook (the Kent-size
# example's largest list inflates to 31 MB); a source can raise it (`max_inflated_mb`).
MAX_INFLATED_BYTES = 512 * 1024**2
# A part compressed more than this (a sheet of spreadsheet XML is about 10:1) is inflated once,
# in chunks and counted, before the reader sees it: its declared size may be a lie.
SUSPICIOUS_RATIO = 50
_CHUNK = 1024 * 1024
MAX_ROWS = 1_000_000
_ZIP_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class SourceFileError(Exception):
    """A file or sheet that cannot be read at all; ``code`` is a problem code."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class RawSheet:
    """The cells of one sheet as read: ``rows[0]`` is spreadsheet row 1.

    ``notes`` are things worth telling the user that did not stop the read (e.g. a CSV file
    saved with a spreadsheet's name).
    """

    path: Path
    sheet: str
    rows: list[list[object]]
    notes: list[tuple[str, str]] = field(default_factory=list)


def _sheet_key(name: str) -> str:
    # "List 4", "List_4", "list4 " all name the same sheet.
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def pick_sheet(available: list[str], wanted: str | list[str] | None) -> str | None:
    """The sheet to read: the first of ``wanted`` present (ignoring case, spaces and
    underscores), or the first sheet when nothing is asked for."""
    if not wanted:
        return available[0] if available else None
    names = [wanted] if isinstance(wanted, str) else wanted
    by_key = {_sheet_key(name): name for name in available}
    for name in names:
        if name in available:
            return name
        if _sheet_key(name) in by_key:
            return by_key[_sheet_key(name)]
    return None


def sniff(path: Path) -> str:
    """What the file really is, from its first bytes: ``zip``, ``ole`` (legacy .xls or an
    encrypted workbook), ``html``, ``xml``, ``text`` or ``binary``."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
    except PermissionError:
        raise SourceFileError("file-locked", "another program has it open (Excel?)") from None
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(_UTF16_BOMS):
        return "text"  # Excel's "Unicode Text": UTF-16, full of NUL bytes, but text
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table")) or b"<html" in text[:200]:
        return "html"
    if text.startswith((b"<?xml", b"<")):
        return "xml"
    if b"\x00" in head:
        return "binary"
    return "text"


def check_zip(path: Path, limit: int = MAX_INFLATED_BYTES) -> None:
    """Refuse a zip-based workbook that is damaged or would inflate beyond ``limit`` bytes: by
    the sizes its directory declares, and, for any part compressed suspiciously well, by the
    bytes it really inflates to (streamed in 1 MB chunks and counted, so memory stays small and
    the count stops at the limit)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            declared = sum(info.file_size for info in members)
            if declared > limit:
                raise SourceFileError("file-too-large", _too_large(declared, limit, "its directory says it"))
            streamed = 0
            for info in members:
                if info.compress_size and info.file_size / info.compress_size <= SUSPICIOUS_RATIO:
                    streamed += info.file_size
                    continue
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        streamed += len(chunk)
                        if streamed > limit:
                            raise SourceFileError("file-too-large", _too_large(streamed, limit, "inflating it showed it"))
    except zipfile.BadZipFile:
        raise SourceFileError("file-unreadable", "it is damaged (not a complete zip package); ask for a fresh copy") from None
    except (zlib.error, EOFError):
        raise SourceFileError("file-unreadable", "it is damaged (a part does not inflate); ask for a fresh copy") from None


def _too_large(size: int, limit: int, how: str) -> str:
    return (
        f"{how} would inflate to more than {limit / 1024**2:,.0f} MB ({size / 1024**2:,.0f} MB counted): it was not read. "
        "A district list is a few megabytes; if this really is one, raise `max_inflated_mb` for this source"
    )


class OpenWorkbooks:
    """Workbooks kept open for one run, so a file several sources read (an Annex A workbook's
    lists) is unzipped and its shared strings parsed once. Used by one thread at a time."""

    def __init__(self) -> None:
        self._open: dict[Path, Any] = {}  # python-calamine workbooks (untyped)

    def get(self, path: Path, kind: str, max_inflated: int = MAX_INFLATED_BYTES) -> Any:
        if path not in self._open:
            self._open[path] = _open_calamine(path, kind, max_inflated)
        return self._open[path]

    def close(self) -> None:
        for workbook in self._open.values():
            workbook.close()
        self._open.clear()


def read_sheet(
    path: Path,
    sheet: str | list[str] | None = None,
    *,
    max_rows: int = MAX_ROWS,
    max_inflated: int = MAX_INFLATED_BYTES,
    workbooks: OpenWorkbooks | None = None,
) -> RawSheet:
    """Read one sheet (or a CSV file) into raw rows (through ``workbooks`` when given, which
    keeps the workbook open for the next sheet).

    Raises ``SourceFileError`` for a file that is missing, locked, not what its name says,
    protected, damaged, a zip bomb, or has more than ``max_rows`` rows; and for a missing sheet.
    """
    if not path.is_file():
        raise SourceFileError("file-missing", str(path))
    suffix = path.suffix.lower()
    known = SPREADSHEET_SUFFIXES | CSV_SUFFIXES | XML_SUFFIXES
    if suffix not in known:
        raise SourceFileError("file-unreadable", f"{path.suffix or 'no extension'} is not a type we read ({', '.join(sorted(known))})")
    kind = sniff(path)
    if suffix in XML_SUFFIXES:
        return _read_xml(path, sheet)
    if suffix in CSV_SUFFIXES or (kind == "text" and suffix in SPREADSHEET_SUFFIXES):
        rows = _read_csv(path)
        _check_rows(len(rows), max_rows)
        raw = RawSheet(path, path.name, rows)
        if suffix in SPREADSHEET_SUFFIXES:
            raw.notes.append(("wrong-type", f"it is a text (CSV) file saved with a {suffix} name; read as CSV"))
        return raw
    if kind == "html":
        raise SourceFileError(
            "wrong-type", f"it is a web page saved with a {suffix} name, not a spreadsheet; open it in Excel and save it as .xlsx"
        )
    if kind not in ("zip", "ole"):
        raise SourceFileError("wrong-type", f"its contents are not a spreadsheet ({kind}) despite the {suffix} name")
    if workbooks is not None:
        return _read_calamine(workbooks.get(path, kind, max_inflated), path, sheet, max_rows, close=False)
    return _read_calamine(_open_calamine(path, kind, max_inflated), path, sheet, max_rows)


def _read_xml(path: Path, sheet: str | list[str] | None) -> RawSheet:
    from xl_scorecard.sources.returns import census_kind, read_903, read_cin, read_csww

    kind = census_kind(path)
    if kind == "CSWW":
        sheets, leavers = read_csww(path)
    elif kind == "CIN":
        sheets, leavers = read_cin(path)
    elif kind == "SSDA903":
        sheets, leavers = read_903(path)
    else:
        raise SourceFileError("wrong-type", "it is not a CIN census, SSDA903 or workforce census (CSWW) XML file")
    name = pick_sheet(list(sheets), sheet)
    if name is None:
        raise SourceFileError("sheet-missing", f'"{sheet}" (this census file has: {", ".join(sheets)})')
    raw = RawSheet(path, name, sheets[name])
    if leavers:
        raw.notes.append(("note", f"{leavers} workers who left before the census reference date are not counted as in post"))
    return raw


def sheet_names(path: Path, workbooks: OpenWorkbooks | None = None, max_inflated: int = MAX_INFLATED_BYTES) -> list[str]:
    """The sheet names of a workbook (after the same checks as ``read_sheet``)."""
    if not path.is_file():
        raise SourceFileError("file-missing", str(path))
    kind = sniff(path)
    if kind not in ("zip", "ole"):
        raise SourceFileError("wrong-type", f"an Annex A workbook was expected, but this is {kind}")
    if workbooks is not None:
        return list(workbooks.get(path, kind, max_inflated).sheet_names)
    workbook = _open_calamine(path, kind, max_inflated)
    names = list(workbook.sheet_names)
    workbook.close()
    return names


def _open_calamine(path: Path, kind: str, max_inflated: int = MAX_INFLATED_BYTES) -> Any:
    # Every workbook is opened here: zip bombs refused first, calamine's errors made plain.
    from python_calamine import CalamineWorkbook  # native reader, imported only when needed

    if kind == "zip":
        check_zip(path, max_inflated)
    try:
        return CalamineWorkbook.from_path(str(path))
    except PermissionError:
        raise SourceFileError("file-locked", "another program has it open (Excel?)") from None
    except Exception as exc:  # calamine raises several types for corrupt/protected files
        raise SourceFileError(*_explain_calamine_error(exc)) from None


def _check_rows(count: int, max_rows: int) -> None:
    if count > max_rows:
        raise SourceFileError(
            "too-many-rows",
            f"it has {count:,} rows, more than the {max_rows:,} allowed; if the "
            "rows are genuine raise `max_rows` for this source, otherwise delete the empty formatted rows",
        )


def _read_calamine(workbook: Any, path: Path, sheet: str | list[str] | None, max_rows: int, close: bool = True) -> RawSheet:
    try:
        name = pick_sheet(list(workbook.sheet_names), sheet)
        if name is None:
            wanted = sheet if isinstance(sheet, str) else " or ".join(sheet or [])
            raise SourceFileError("sheet-missing", f'"{wanted}" (sheets present: {", ".join(workbook.sheet_names)})')
        try:
            data = workbook.get_sheet_by_name(name)
            _check_rows(data.height, max_rows)
            rows = data.to_python(skip_empty_area=False)
        except SourceFileError:
            raise
        except Exception as exc:
            raise SourceFileError(*_explain_calamine_error(exc)) from None
    finally:
        if close:
            workbook.close()
    return RawSheet(path, name, rows)


def _explain_calamine_error(exc: Exception) -> tuple[str, str]:
    text = str(exc)
    lowered = f"{type(exc).__name__} {text}".casefold()
    if "password" in lowered or "encrypt" in lowered:
        return "file-protected", "it is password-protected; save an unprotected copy for the scorecard"
    return "file-unreadable", f"it is damaged or not really a spreadsheet ({text})"


def decode_text(data: bytes) -> str:
    """The text of a CSV or text file as districts save them: UTF-16 with its byte-order mark
    (Excel's "Unicode Text"), UTF-8 (with or without a BOM), else Windows-1252 (Excel's "CSV")."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(text: str) -> str:
    # The delimiter is the one of , ; tab | that splits the first non-blank line (the headers,
    # or a title) most often, counting outside quotes. Only the delimiter is guessed: quoting is
    # always RFC 4180 (double quotes, "" inside), so a quoted comma or line break anywhere in the
    # file is read as part of its field.
    first = next((line for line in text.splitlines() if line.strip()), "")
    outside = re.sub(r'"[^"]*"', "", first)
    counts = {delimiter: outside.count(delimiter) for delimiter in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> list[list[object]]:
    text = decode_text(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), quotechar='"', doublequote=True, strict=False)
    return [list(row) for row in reader]
