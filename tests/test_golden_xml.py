"""Golden XML, in the XlsxWriter style: the conditional-format rules and sparkline groups the
writer makes for a small fixed scorecard, compared (normalised) with reviewed expected parts in
``tests/golden/``. A change to them is deliberate: regenerate with

    python tests/test_golden_xml.py --write

and review the diff (the files are small and readable).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.periods import Month
from xl_scorecard.render.layout import load_layout
from xl_scorecard.render.workbook import ScorecardInput, write_workbook

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


def scorecard_rules(path: Path) -> str:
    """The Scorecard sheet's conditional formats and sparkline groups, one element per line."""
    with zipfile.ZipFile(path) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    parts = re.findall(r"<conditionalFormatting\b.*?</conditionalFormatting>", xml, flags=re.S)
    parts += re.findall(r"<x14:sparklineGroups\b.*?</x14:sparklineGroups>", xml, flags=re.S)
    text = "".join(parts)
    return re.sub(r">\s*<", ">\n<", text).strip() + "\n"


def styles_dxfs(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        xml = package.read("xl/styles.xml").decode("utf-8")
    found = re.search(r"<dxfs\b.*?</dxfs>", xml, flags=re.S)
    return re.sub(r">\s*<", ">\n<", found.group(0)).strip() + "\n"


def render(layout: str, folder: Path) -> dict[str, str]:
    path = folder / f"{layout}.xlsx"
    write_workbook(path, fixed_input(layout))
    return {f"{layout}_rules.xml": scorecard_rules(path), f"{layout}_dxfs.xml": styles_dxfs(path)}


def test_kent_table_rules_and_sparklines_match_the_golden_parts(tmp_path):
    for name, text in render("kent_table", tmp_path).items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_london_layout_rules_match_the_golden_parts(tmp_path):
    for name, text in render("london_ni", tmp_path).items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_golden_rules_say_what_the_scorecard_needs():
    # Read as a reviewer would: RAG rules on one range each, explicit RGB fills, sparklines of
    # type column reading the History sheet, no theme colours anywhere.
    rules = (GOLDEN / "kent_table_rules.xml").read_text(encoding="utf-8")
    assert (
        rules.count('type="cellIs"') == 5
        and rules.count('type="iconSet"') == 1
        and '<formula>"G"</formula>' in rules
        and '<formula>"Worse"</formula>' in rules
    )
    assert 'type="column"' in rules and "<xm:f>'History'!C2:N2</xm:f>" in rules and "theme=" not in rules
    # Trend arrows: an icon set on the performance step (1 improved, 0 same, -1 worse), icons only.
    assert '<iconSet iconSet="3Arrows" showValue="0">' in rules and '<cfvo type="num" val="1"/>' in rules
    dxfs = (GOLDEN / "kent_table_dxfs.xml").read_text(encoding="utf-8")
    assert 'rgb="FFC6EFCE"' in dxfs and 'rgb="FFFFC7CE"' in dxfs and "theme=" not in dxfs


if __name__ == "__main__" and "--write" in sys.argv:
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        for layout in ("kent_table", "london_ni"):
            for name, text in render(layout, Path(work)).items():
                (GOLDEN / name).write_text(text, encoding="utf-8")
                print("wrote", GOLDEN / name)
