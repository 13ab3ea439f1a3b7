"""Reading raw rows from the files districts keep: .xlsx/.xlsm/.xlsb/.xls/.ods and .csv.

python-calamine (a native parser) reads every spreadsheet format; openpyxl is never on this path.
Rows come back exactly as the file has them, from spreadsheet row 1, so row numbers in messages
match what the user sees.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}


class SourceFileError(Exception):
    """A file or sheet that cannot be read at all; ``code`` is a problem code."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class RawSheet:
    """The cells of one sheet as read: ``rows[0]`` is spreadsheet row 1."""

    path: Path
    sheet: str
    rows: list[list[object]]


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


def read_sheet(path: Path, sheet: str | list[str] | None = None) -> RawSheet:
    """Read one sheet (or a CSV file) into raw rows.

    Raises ``SourceFileError`` for a file that is missing, not a spreadsheet, protected or
    corrupt, and for a sheet that is not there.
    """
    if not path.is_file():
        raise SourceFileError("file-missing", str(path))
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return RawSheet(path, path.name, _read_csv(path))
    if suffix not in SPREADSHEET_SUFFIXES:
        raise SourceFileError("file-unreadable", f"{path.suffix or 'no extension'} is not a spreadsheet type we read "
                              f"({', '.join(sorted(SPREADSHEET_SUFFIXES | CSV_SUFFIXES))})")
    from python_calamine import CalamineWorkbook  # native reader, imported only when needed

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for corrupt/protected files
        raise SourceFileError("file-unreadable", _explain_calamine_error(exc)) from None
    try:
        name = pick_sheet(list(workbook.sheet_names), sheet)
        if name is None:
            wanted = sheet if isinstance(sheet, str) else " or ".join(sheet or [])
            raise SourceFileError("sheet-missing", f"\"{wanted}\" (sheets present: {', '.join(workbook.sheet_names)})")
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise SourceFileError("file-unreadable", _explain_calamine_error(exc)) from None
    finally:
        workbook.close()
    return RawSheet(path, name, rows)


def _explain_calamine_error(exc: Exception) -> str:
    text = str(exc)
    lowered = text.casefold()
    if "password" in lowered or "encrypt" in lowered or "cfb" in lowered:
        return "it is password-protected or encrypted; save an unprotected copy for the scorecard"
    if "zip" in lowered or "invalid" in lowered:
        return f"it is damaged or not really a spreadsheet ({text})"
    return text


def _read_csv(path: Path) -> list[list[object]]:
    # Districts save CSVs from Excel (Windows-1252) or other tools (UTF-8, often with a BOM).
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("latin-1")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
