"""The XlsxWriter workbook every sheet the tool writes is made with.

XlsxWriter's constant-memory mode (inline strings, rows written as they go) writes a string that
starts with ``<r>`` and ends with ``</r>`` into the sheet raw, taking it for the rich-text XML
its own ``write_rich_string`` makes. The tool never writes rich strings; it does write text typed
by users (child ids, names, comments), and such a string would become other text or invalid XML
that Excel repairs by dropping the sheet. Here every string is escaped like any other.
"""

from __future__ import annotations

from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet


class TextWorksheet(Worksheet):
    """A worksheet whose every string is written as text, never as rich-text XML."""

    def _xml_rich_inline_string(self, string: str, attributes: Any = ()) -> None:
        # XlsxWriter (3.2 to 3.3 read) calls this only for a "<r>...</r>" string, which has no
        # leading or trailing space, so no xml:space is needed; its own path escapes the rest.
        self._xml_inline_string(string, False, list(attributes))


class InlineTextWorkbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook in constant-memory mode whose sheets write every string as text.

    Only constant-memory workbooks: the shared-string path writes such strings raw as well, in a
    part this class does not reach."""

    worksheet_class = TextWorksheet

    def __init__(self, filename: str, options: dict[str, Any]) -> None:
        if not options.get("constant_memory"):
            raise ValueError("InlineTextWorkbook writes inline strings only: pass constant_memory=True")
        super().__init__(filename, options)
