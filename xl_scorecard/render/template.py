"""The workbook a first refresh starts from: a cover sheet users may restyle in Excel.

``workbook_templates/master_template.xlsx`` is this function's output, committed so that a
performance officer can open it in Excel, add a logo, change the wording, and point the
authority configuration at the restyled copy (``template = "..."``). Whatever the template
holds is kept: the refresh only adds the scorecard's own sheets.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from xl_scorecard.resources import shipped_folder

DEFAULT_TEMPLATE = shipped_folder("workbook_templates") / "master_template.xlsx"


def build_template(path: Path) -> Path:
    """Write the default master template (a cover sheet with instructions and a note box)."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"title": "Children's services performance scorecard", "created": dt.datetime(2026, 11, 1)})
    sheet = book.add_worksheet("Cover")
    sheet.hide_gridlines(2)
    sheet.set_column(0, 0, 3)
    sheet.set_column(1, 1, 90)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    title = book.add_format({"bold": True, "font_size": 20, "font_color": "#1F3864", "font_name": "Arial"})
    text = book.add_format({"font_size": 11, "font_name": "Arial", "text_wrap": True, "valign": "top"})
    head = book.add_format({"bold": True, "font_size": 12, "font_color": "#1F3864", "font_name": "Arial"})
    sheet.write(1, 1, "Children's Services Performance Scorecard", title)
    sheet.write(3, 1, "How this workbook works", head)
    lines = [
        "The sheets Scorecard, Districts, History, Definitions, Data quality and Commentary (and, "
        "with some layouts, District panels or Detailed analysis) are written by xl-scorecard at each "
        "refresh. Type your commentary in the Commentary column of the Scorecard sheet: it is kept, "
        "month by month.",
        "The Drill-down sheets (red tabs) list the cases behind the exceptions: they hold personal "
        "data, so keep this workbook where case records may be kept. Emailed copies leave them out.",
        "Do not type over the figures on those sheets: the refresh stops and lists the cells, so "
        "nothing you type is lost. Use your own sheets for anything else; they are never changed.",
        "Each refresh keeps the previous version in the backups folder beside this workbook.",
    ]
    for row, line in enumerate(lines, start=4):
        sheet.set_row(row, 45)
        sheet.write(row, 1, line, text)
    sheet.insert_textbox(
        10,
        1,
        "Add your authority's logo, contacts and distribution list here.",
        {"width": 520, "height": 70, "font": {"color": "#595959"}, "border": {"color": "#1F3864"}, "fill": {"color": "#F2F2F2"}},
    )
    book.close()
    return path


def template_path(configured: Path | None = None) -> Path:
    """The template to start a new master from: the configured one, else the shipped one."""
    return DEFAULT_TEMPLATE if configured is None else configured
