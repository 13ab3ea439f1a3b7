"""Golden XML, in the XlsxWriter style: the conditional-format rules, icon sets and sparkline
groups the writer makes for a small fixed scorecard, compared with expected parts in
``tests/golden/``. Those files were written by hand from the OOXML specification and Excel-made
reference files (each names its sources), never by the code under test, so they catch a
mistake as well as a change. The comparison is of the XML's meaning: whitespace, comments,
namespace prefixes and the order of the ``conditionalFormatting`` blocks (which Excel does not
read as meaningful: ``priority`` is) do not count; every element, attribute and value does.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.periods import Month
from xl_scorecard.render.cells import ScorecardInput
from xl_scorecard.render.layout import load_layout
from xl_scorecard.render.workbook import write_workbook

GOLDEN = Path(__file__).parent / "golden"
CALC = {"name": "share_where", "dataset": "referrals", "date": "referral_date", "column": "x", "op": ">=", "value": 1}


def fixed_input(layout: str) -> ScorecardInput:
    """Two indicators, one district, October 2026: every value hand-set."""
    high = Indicator(
        id="HIGH",
        section="How long is it taking us?",
        title="Assessments in time",
        definition="d",
        unit="%",
        polarity="H",
        period="month",
        calculation=CALC,
        target=0.85,
        floor=0.80,
    )
    low = Indicator(
        id="LOW",
        section="Are we achieving good outcomes?",
        title="Re-referrals",
        definition="d",
        unit="%",
        polarity="L",
        period="ytd",
        calculation=CALC,
        target=0.22,
        floor=0.25,
    )
    rows = []
    for ind, values, rags, travels in ((high, (0.80, 0.86), ("A", "G"), ("", "Improved")), (low, (0.20, 0.27), ("G", "R"), ("", "Worse"))):
        for area in ("ALL", "NG"):
            for period, value, rag, move in zip(("2026-09", "2026-10"), values, rags, travels):
                rows.append(
                    {
                        "indicator": ind.id,
                        "area": area,
                        "period": period,
                        "numerator": value * 100,
                        "denominator": 100.0,
                        "value": value,
                        "rag": rag,
                        "travel": move,
                        "previous": values[0] if period == "2026-10" else None,
                        "status": "complete",
                        "reason": "",
                    }
                )
    scored = pd.DataFrame(rows)
    return ScorecardInput(
        authority="Goldshire",
        period=Month(2026, 10),
        districts=[("NG", "Northgate")],
        catalogue=[high, low],
        scored=scored,
        history=scored,
        summary="Summary.",
        problems=[],
        files=[],
        generated=dt.datetime(2026, 11, 1, 9, 0),
        layout=load_layout(layout),
    )


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"


def canonical(element: ET.Element) -> tuple:
    """(tag, sorted attributes, stripped text, children) all the way down."""
    children = [canonical(child) for child in element]
    return (element.tag, tuple(sorted(element.attrib.items())), (element.text or "").strip(), tuple(children))


def parts_of(root: ET.Element) -> dict[str, list[tuple]]:
    """The rules, sparkline groups and dxfs found anywhere under ``root``, each part in a
    canonical form; conditionalFormatting blocks sorted by range."""
    formats = sorted((canonical(e) for e in root.iter(f"{MAIN}conditionalFormatting")), key=lambda c: dict(c[1])["sqref"])
    return {
        "conditionalFormatting": formats,
        # Sparkline groups are a set too: sorted by the cell each one shows.
        "sparklineGroups": sorted((canonical(e) for e in root.iter(f"{X14}sparklineGroup")), key=str),
        "dxfs": [canonical(e) for e in root.iter(f"{MAIN}dxfs")],
    }


def rendered(path: Path) -> dict[str, list[tuple]]:
    """The Scorecard sheet's rules and sparkline groups and the workbook's dxfs."""
    with zipfile.ZipFile(path) as package:
        sheet = ET.fromstring(package.read("xl/worksheets/sheet1.xml"))
        styles = ET.fromstring(package.read("xl/styles.xml"))
    found = parts_of(sheet)
    found["dxfs"] = parts_of(styles)["dxfs"]
    return found


def golden(layout: str) -> dict[str, list[tuple]]:
    rules = parts_of(ET.parse(GOLDEN / f"{layout}_rules.xml").getroot())
    rules["dxfs"] = parts_of(ET.parse(GOLDEN / f"{layout}_dxfs.xml").getroot())["dxfs"]
    return rules


def render(layout: str, folder: Path) -> Path:
    path = folder / f"{layout}.xlsx"
    write_workbook(path, fixed_input(layout))
    return path


@pytest.mark.parametrize("layout", ["kent_table", "london_ni"])
def test_rules_sparklines_and_formats_match_the_hand_written_golden_parts(layout, tmp_path):
    made, expected = rendered(render(layout, tmp_path)), golden(layout)
    for part in ("conditionalFormatting", "sparklineGroups", "dxfs"):
        assert made[part] == expected[part], part


@pytest.mark.parametrize(
    "wrong",
    [
        ('operator="equal"', 'operator="notEqual"'),  # a swapped operator
        ('<formula>"G"</formula>', '<formula>"R"</formula>'),  # green's rule colouring "R"
        ('iconSet="3Arrows"', 'iconSet="3ArrowsGray"'),
        ('<cfvo type="num" val="1"/>', '<cfvo type="num" val="2"/>'),
        ('displayEmptyCellsAs="gap"', 'displayEmptyCellsAs="zero"'),
        ('rgb="FFC6EFCE"', 'rgb="FFC6EFCF"'),
    ],
)
def test_a_wrong_rule_fails_the_comparison(wrong, tmp_path):
    # The same comparison as above, on the writer's own parts with one deliberate mistake.
    path = render("kent_table", tmp_path)
    with zipfile.ZipFile(path) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
        styles = package.read("xl/styles.xml").decode("utf-8")
    old, new = wrong
    target = "styles" if "C6EFCE" in old else "sheet"
    text = styles if target == "styles" else sheet
    assert old in text, old
    broken = parts_of(ET.fromstring(text.replace(old, new, 1)))
    expected = golden("kent_table")
    parts = ["dxfs"] if target == "styles" else ["conditionalFormatting", "sparklineGroups"]
    assert any(broken[part] != expected[part] for part in parts)


def test_golden_files_name_their_independent_sources():
    for path in GOLDEN.glob("*.xml"):
        text = path.read_text(encoding="utf-8")
        assert "Written by hand, not by the code under test" in text and "ECMA-376" in text, path.name
