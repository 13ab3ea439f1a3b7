"""Style numbers of a generated sheet remapped into the master's styles: each cell's and row's
s="N", found by the attribute, the same as a tag-by-tag reading gives, and never in text."""

from __future__ import annotations

import random
import re

from xl_scorecard.render.package import Package
from xl_scorecard.render.styles import StyleMap, remap_sheet
from xl_scorecard.render.transplant import sheet_parts

TAG_BY_TAG = re.compile(r'(<(?:c|row)\b[^>]*?\ss=")(\d+)"')  # every c and row tag read in turn


def _reference(xml: str, xf: dict[int, int]) -> str:
    return TAG_BY_TAG.sub(lambda m: m.group(1) + str(xf.get(int(m.group(2)), m.group(2))) + '"', xml)


def test_every_styled_cell_and_row_of_a_real_master_is_remapped(demo_run):
    _, master = demo_run
    package = Package.read(master)
    rng = random.Random(7)
    sheets = 0
    for part in sheet_parts(package).values():
        xml = package.text(part)
        xf = {n: rng.randint(0, 400) for n in range(300)}
        # Only the cells' and rows' styles compared: columns and rules are remapped as before.
        got = remap_sheet(xml, StyleMap(xf=xf, dxf={}))
        want = _reference(xml, xf)
        strip = re.compile(r"<col\b[^>]*>|<cfRule\b[^>]*>")
        assert strip.sub("", got) == strip.sub("", want)
        sheets += 1
    assert sheets > 5


def test_text_that_reads_like_a_style_is_left_alone():
    xml = (
        '<sheetData><row r="1" spans="1:2" s="3" customFormat="1">'
        '<c r="A1" s="4" t="inlineStr"><is><t>she typed s="4" and &lt;c s="3"&gt;</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t xml:space="preserve"> s="3"</t></is></c></row></sheetData>'
    )
    got = remap_sheet(xml, StyleMap(xf={3: 30, 4: 40}, dxf={}))
    assert got == xml.replace('s="3" customFormat', 's="30" customFormat').replace('A1" s="4"', 'A1" s="40"')
