"""Text typed into an input is written into the master as that text, whatever it looks like.

XlsxWriter writes a string that starts with ``<r>`` and ends with ``</r>`` into the sheet raw, as
rich-text XML (its own ``write_rich_string`` makes such strings). A child id, a worker's name or
a comment typed that way would then either become other text or make the master's XML invalid,
so Excel would repair it and drop the sheet. Every sheet the tool writes must escape it.
"""

from __future__ import annotations

import shutil
import zipfile
from xml.etree import ElementTree

import openpyxl
from python_calamine import CalamineWorkbook
from test_drilldown import CATALOGUE, configure

from xl_scorecard.config import load_config
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.books import InlineTextWorkbook

LOOKS_LIKE_XML = ("<r>NG{n}</r>", "<r><t>x</t></r>", "<r></r>", "<r>&amp; <b/></r>", "<r>{n} < 2</r>")


def test_a_string_that_looks_like_rich_text_is_written_as_typed(tmp_path):
    path = tmp_path / "book.xlsx"
    book = InlineTextWorkbook(str(path), {"constant_memory": True, "tmpdir": str(tmp_path)})
    sheet = book.add_worksheet("Text")
    typed = [text.format(n=1) for text in LOOKS_LIKE_XML] + ["plain", " <r>x</r> "]
    for row, text in enumerate(typed):
        sheet.write_string(row, 0, text)
    book.close()
    with zipfile.ZipFile(path) as package:
        ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml"))  # well-formed
    assert [r[0] for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Text").to_python()] == typed
    assert [c.value for c in openpyxl.load_workbook(path)["Text"]["A"]] == typed


def test_child_ids_typed_like_rich_text_reach_the_drilldown_as_typed(example_dir, tmp_path):
    # The example's Annex A workbook with every child id in the assessments list typed as
    # rich-text XML would be (a test fixture: written with openpyxl, as a user's file could be).
    annex = tmp_path / "annex.xlsx"
    shutil.copy(example_dir / "Northgate" / "Northgate Annex A lists.xlsx", annex)
    book = openpyxl.load_workbook(annex)
    sheet = book["List 4"]
    typed = {}
    for n, (cell,) in enumerate(sheet.iter_rows(min_row=4, max_col=1)):
        if cell.value:
            cell.value = typed[cell.value] = LOOKS_LIKE_XML[n % len(LOOKS_LIKE_XML)].format(n=n)
    book.save(annex)
    assert len(typed) > 10
    config = configure(tmp_path, example_dir, CATALOGUE)
    original = (example_dir / "Northgate" / "Northgate Annex A lists.xlsx").as_posix()
    config.write_text(config.read_text(encoding="utf-8").replace(original, annex.as_posix()), encoding="utf-8")
    master = tmp_path / "master.xlsx"
    refresh(load_config(config), master=master)
    with zipfile.ZipFile(master) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                ElementTree.fromstring(package.read(name))  # every part well-formed
    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Drill-down ASSESS_45WD").to_python()
    ids = [r[rows[3].index("Child ID")] for r in rows[4:]]
    assert ids and set(ids) <= set(typed.values())
    assert {i for i in ids if i.startswith("<r>")}, "some late cases carry the rich-text-like ids"
    drill = openpyxl.load_workbook(master)["Drill-down ASSESS_45WD"]
    column = [c.value for c in drill[4]].index("Child ID") + 1
    assert [drill.cell(row, column).value for row in range(5, 5 + len(ids))] == ids
