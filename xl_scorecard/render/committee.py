"""The committee pack: the copy of the master that goes to print for a committee.

It is the aggregate-only copy (``copies.aggregate_copy``: no child-level rows, small numbers
withheld when asked) with a title page in place of the cover's instructions, and every sheet
hidden but the ones the layout names for committee (``Layout.committee``), so that printing it
prints only those: no instructions, no internal ids, no file paths, no empty pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from xl_scorecard.errors import ScorecardError
from xl_scorecard.periods import Month
from xl_scorecard.render.books import InlineTextWorkbook
from xl_scorecard.render.copies import aggregate_copy
from xl_scorecard.render.package import Package
from xl_scorecard.render.transplant import show_only, transplant, workbook_sheets

COVER_SHEET = "Cover"  # the template's first sheet: replaced by the title page in the pack


@dataclass(frozen=True)
class TitlePage:
    """What the pack's first page says."""

    authority: str
    period: Month
    agenda: str = ""  # e.g. "Agenda item 4: Children's Services Scrutiny Committee, 12 December 2026"
    prepared: dt.date | None = None


def write_title_page(path: Path, title: TitlePage) -> Path:
    """A one-sheet workbook whose "Cover" is the pack's title page (A4 landscape)."""
    # Inline strings (constant_memory), as every sheet transplanted into a master has them.
    book = InlineTextWorkbook(str(path), {"tmpdir": str(path.parent), "constant_memory": True})
    sheet = book.add_worksheet(COVER_SHEET)
    sheet.hide_gridlines(2)
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 1, 120)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.set_margins(left=0.6, right=0.6, top=1.0, bottom=0.8)

    def style(**props: object) -> xlsxwriter.format.Format:
        return book.add_format({"font_name": "Arial", "font_color": "#1F3864", "valign": "top", "text_wrap": True, **props})

    lines: list[tuple[str, xlsxwriter.format.Format, float]] = [
        (title.agenda, style(font_size=14, italic=True, font_color="#404040"), 40),
        (title.authority, style(font_size=28, bold=True), 48),
        ("Children's services performance scorecard", style(font_size=22), 40),
        (f"{title.period.label}: figures as at {title.period.last_day:%d %B %Y}", style(font_size=16), 30),
        ("", style(font_size=12), 30),
        (
            f"Prepared {(title.prepared or dt.date.today()):%d %B %Y}. Figures resting on very few children are shown as "
            "\u201cc\u201d where the pack says so; child-level detail is not included.",
            style(font_size=12, font_color="#404040"),
            40,
        ),
    ]
    for row, (text, cell_format, height) in enumerate(lines, start=2):
        sheet.set_row(row, height)
        if text:
            sheet.write_string(row, 1, text, cell_format)
    sheet.print_area(0, 0, 2 + len(lines), 1)
    book.close()
    return path


def committee_copy(master: Path, target: Path, sheets: Sequence[str], title: TitlePage | None = None, suppress_below: int = 0) -> Path:
    """Write to ``target`` the committee pack of ``master``: the aggregate-only copy with the
    title page first (``title``) and only ``sheets`` (those the master has) left to print."""
    aggregate_copy(master, target, suppress_below=suppress_below)
    package = Package.read(target)
    keep = list(sheets)
    if title is not None:
        donor = write_title_page(target.with_name(".title page.xlsx"), title)
        try:
            package = transplant(package, [Package.read(donor)], [COVER_SHEET])
        finally:
            donor.unlink(missing_ok=True)
        keep.insert(0, COVER_SHEET)
    present = {s.name for s in workbook_sheets(package.text(package.main_part()))}
    if not set(sheets) & present:
        raise ScorecardError(
            f"{master.name} has none of the sheets the layout prints for committee ({', '.join(sheets)}): refresh it first."
        )
    show_only(package, keep)
    package.write(target)
    return target
