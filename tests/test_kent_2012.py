"""The Kent May 2012 scorecard (seed 001) reproduced from its own figures, typed by staff.

Figures are the seed's: numerator and denominator where it shows them, the value where it shows
only a value. April's figures are the seed's "previous" column; where the seed's rounding makes
two months display the same (posts filled by QSW 85.2% and 85.2%, caseload 19.9 and 19.9), the
April value used is a plausible unrounded one (85.24%, 19.90), as Kent's own system had them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from xl_scorecard.indicators import compute_all, load_catalogue
from xl_scorecard.indicators.catalogue import default_catalogue_path
from xl_scorecard.periods import Month
from xl_scorecard.scoring import score_results, summary_counts, summary_sentence

KENT = default_catalogue_path().parent / "presets" / "kent_2012.toml"
MAY, APRIL = Month(2012, 5), Month(2012, 4)

# id: (numerator, denominator, value shown, RAG shown, previous month shown)
SEED = {
    "CAF_RATE": (2064, 312597, 66.0, "A", 66.7),
    "REFERRALS_RATE": (14655, 312597, 468.8, "A", 504.1),
    "NI68_REFERRALS_TO_IA": (1683, 1740, 0.967, "R", 0.973),
    "IA_RATE": (13777, 312597, 440.7, "G", 462.4),
    "CA_RATE": (13284, 312597, 425.0, "R", 434.6),
    "S47_RATE": (5775, 312597, 184.7, "R", 193.5),
    "S47_TO_ICPC": (131, 471, 0.278, "R", 0.210),
    "ICPC_RATE": (1509, 312597, 48.3, "A", 50.6),
    "CIN_RATE": (8941, 312597, 286.0, "G", 288.6),
    "CP_RATE": (808, 312597, 25.8, "R", 29.1),
    "CLA_RATE": (1616, 312597, 51.7, "G", 51.5),
    "LAC_WITH_CP_PLAN": (None, None, 22, "G", 32),
    "UNALLOCATED_28D": (None, None, 0, "G", 0),
    "NI59_IA_7WD": (1420, 1683, 0.844, "G", 0.820),
    "IA_OUT_OF_TIMESCALE": (None, None, 36, "G", 41),
    "NI60_CA_TIMESCALE": (1453, 1778, 0.817, "A", 0.796),
    "CA_OUT_OF_TIMESCALE": (None, None, 55, "G", 79),
    "NI67_CP_REVIEWS": (628, 632, 0.994, "G", 0.993),
    "NI66_LAC_REVIEWS": (1652, 1675, 0.986, "G", 0.983),
    "CASE_AUDITS_ADEQUATE": (131, 186, 0.704, "R", 0.691),
    "ETHNICITY_RECORDED": (8719, 8811, 0.990, "G", 0.979),
    "SEEN_AT_IA": (1186, 1477, 0.803, "R", 0.808),
    "SEEN_AT_CA": (1645, 1684, 0.977, "G", 0.969),
    "SEEN_AT_S47": (423, 454, 0.932, "A", 0.945),
    "LAC_PEP": (959, 1062, 0.903, "A", 0.845),
    "LAC_REVIEW_PARTICIPATION": (656, 710, 0.924, "A", 0.941),
    "CP_NOT_ALLOCATED_QSW": (None, None, 0, "G", 0),
    "LAC_NOT_ALLOCATED_QSW": (None, None, 0, "G", 0),
    "REREFERRALS": (472, 1740, 0.271, "A", 0.293),
    "NI65_REPEAT_CP": (27, 123, 0.220, "R", 0.286),
    "NI64_CP_2YEARS": (26, 265, 0.098, "R", 0.056),
    "CP_18_MONTHS": (115, 808, 0.142, "A", 0.141),
    "NI62_3_PLACEMENTS": (219, 1798, 0.122, "R", 0.111),
    "NI63_SAME_PLACEMENT": (318, 438, 0.726, "A", 0.716),
    "FOSTER_10_MILES": (740, 1205, 0.614, "A", 0.612),
    "LAC_DENTAL": (1462, 1679, 0.871, "A", 0.838),
    "LAC_HEALTH": (1486, 1679, 0.885, "A", 0.853),
    "ADOPTION_12M_ADM": (12, 18, 0.667, "R", 0.615),
    "LEAVING_CARE_ADOPTED": (18, 140, 0.129, "A", 0.090),
    "LEAVING_CARE_SGO": (7, 140, 0.050, "A", 0.045),
    "POSTS_UNFILLED": (None, None, -0.010, "G", -0.006),
    "POSTS_AGENCY": (67.9, 430.6, 0.158, "R", 0.155),
    "POSTS_QSW": (366.9, 430.6, 0.852, "A", 0.8524),  # shown 85.2% both months
    "AVERAGE_CASELOAD": (8674, 434.8, 19.9, "G", 19.90),  # Kent shows FTE then cases; cases / FTE
}


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    rows = []
    for ident, (num, den, _, _, previous) in SEED.items():
        rows.append(
            {
                "indicator": ident,
                "district": "ALL",
                "period": pd.Timestamp("2012-05-01"),
                "numerator": num,
                "denominator": den,
                "value": None if num is not None else SEED[ident][2],
            }
        )
        rows.append(
            {
                "indicator": ident,
                "district": "ALL",
                "period": pd.Timestamp("2012-04-01"),
                "numerator": None,
                "denominator": None,
                "value": previous,
            }
        )
    figures = pd.DataFrame(rows).astype({"numerator": "float64", "denominator": "float64", "value": "float64"})
    catalogue = load_catalogue(KENT)
    results = compute_all(catalogue, {"figures": figures}, [APRIL, MAY], districts=[])
    return score_results(results, catalogue)


def test_the_preset_holds_the_44_kent_indicators():
    catalogue = load_catalogue(KENT)
    assert [i.id for i in catalogue] == list(SEED)


def test_values_come_from_numerators_and_denominators(scored):
    may = scored[scored["period"] == "2012-05"].set_index("indicator")
    for ident, (num, den, shown, _, _) in SEED.items():
        value = may.loc[ident, "value"]
        assert round(value, 3 if abs(shown) < 1 else 1) == pytest.approx(shown), ident
        if num is not None:
            assert (may.loc[ident, "numerator"], may.loc[ident, "denominator"]) == (num, den)


def test_rag_ratings_match_the_scorecard_16_16_12(scored):
    may = scored[scored["period"] == "2012-05"].set_index("indicator")
    assert {ident: may.loc[ident, "rag"] for ident in SEED} == {ident: row[3] for ident, row in SEED.items()}
    counts = summary_counts(scored, MAY)
    assert (counts["G"], counts["A"], counts["R"]) == (16, 16, 12)


def test_direction_of_travel_28_improved_3_same_13_worse(scored):
    counts = summary_counts(scored, MAY)
    assert (counts["Improved"], counts["Same"], counts["Worse"]) == (28, 3, 13)


def test_summary_sentence_is_kents(scored):
    assert summary_sentence(scored, MAY, "Kent, inc UASC", wording="kent") == (
        "As at 31/05/2012, Kent, inc UASC has 16 indicators rated as Green, 16 indicators rated as Amber and "
        "12 indicators rated as Red. When comparing performance from last month to this month, 28 indicators "
        "have shown an improvement, 3 indicators have remained the same and 13 indicators have shown a reduction."
    )


def test_typed_figures_from_a_sheet_flow_through_to_the_scorecard(tmp_path):
    import openpyxl

    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Figures"
    sheet.append(["Monthly figures typed by the performance team"])
    sheet.append(["Indicator", "District", "Month", "Numerator", "Denominator", "Value"])
    sheet.append(["CASE_AUDITS_ADEQUATE", "Kent, inc UASC", "01/05/2012", 131, 186, None])
    sheet.append(["CASE_AUDITS_ADEQUATE", "Kent, inc UASC", "01/04/2012", None, None, 0.691])
    sheet.append(["CASE_AUDITS_ADEQUATE", "Ashford", "01/05/2012", 10, 12, None])
    sheet.append(["CASE_AUDITS_ADEQUATE", "Atlantis", "01/05/2012", 1, 2, None])
    book.save(tmp_path / "figures.xlsx")
    (tmp_path / "authority.toml").write_text(
        '[authority]\nname = "Kent, inc UASC"\ncatalogue = "kent_2012"\nperiod = "2012-05"\n'
        '[[district]]\ncode = "ASH"\nname = "Ashford"\n'
        '[[source]]\ndataset = "figures"\nfile = "figures.xlsx"\n',
        encoding="utf-8",
    )
    result = refresh(load_config(tmp_path / "authority.toml"), master=tmp_path / "master.xlsx")
    audits = result.scored[(result.scored["indicator"] == "CASE_AUDITS_ADEQUATE") & (result.scored["period"] == "2012-05")]
    by_area = audits.set_index("area")
    assert (by_area.loc["ALL", "numerator"], by_area.loc["ALL", "denominator"]) == (131, 186)
    assert by_area.loc["ALL", "rag"] == "R" and by_area.loc["ALL", "travel"] == "Improved"
    assert by_area.loc["ASH", "value"] == pytest.approx(10 / 12) and by_area.loc["ASH", "rag"] == "A"  # 83% vs 85%, floor 75%
    (unknown,) = [p for p in result.sources.problems if p.code == "unknown-district"]
    assert unknown.row == 6 and "Atlantis" in unknown.message
    (report,) = result.sources.files
    assert (report.rows_read, report.rows_loaded, report.rows_excluded) == (4, 3, 1)
    card = openpyxl.load_workbook(tmp_path / "master.xlsx")["Scorecard"]
    assert any(c.value == "Percentage of Case File Audits judged adequate or better" for c in card["A"])


def write_kent_figures(folder) -> None:
    """The May 2012 figures (and April's, for the trend) as staff would type them: a sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Figures"
    sheet.append(["Indicator", "District", "Month", "Numerator", "Denominator", "Value"])
    for ident, (num, den, shown, _, previous) in SEED.items():
        sheet.append([ident, "Kent, inc UASC", "01/05/2012", num, den, None if num is not None else shown])
        sheet.append([ident, "Kent, inc UASC", "01/04/2012", None, None, previous])
    book.save(folder / "figures.xlsx")
    (folder / "authority.toml").write_text(
        '[authority]\nname = "Kent, inc UASC"\ncatalogue = "kent_2012"\nlayout = "kent_table"\nperiod = "2012-05"\n'
        '[[district]]\ncode = "ASH"\nname = "Ashford"\n'
        '[[source]]\ndataset = "figures"\nfile = "figures.xlsx"\n',
        encoding="utf-8",
    )


def rule_fills(sheet) -> dict[str, str]:
    """For each cell a conditional-format rule covers, the fill the first matching rule gives,
    evaluated here from the rules' own formulas (cell == "text") against the cell values."""
    from openpyxl.utils.cell import range_boundaries

    fills = {}
    for ranges in sheet.conditional_formatting:
        for rule in ranges.rules:
            if rule.type != "cellIs" or rule.operator != "equal" or rule.dxf is None or rule.dxf.fill is None:
                continue
            wanted = rule.formula[0].strip('"')
            colour = rule.dxf.fill.bgColor.rgb or rule.dxf.fill.fgColor.rgb
            for cell_range in str(ranges.sqref).split():
                low_col, low_row, high_col, high_row = range_boundaries(cell_range)
                for row in range(low_row, high_row + 1):
                    for col in range(low_col, high_col + 1):
                        ref = sheet.cell(row, col).coordinate
                        if ref not in fills and sheet.cell(row, col).value == wanted:
                            fills[ref] = colour
    return fills


def test_kent_table_layout_shows_16_green_16_amber_12_red_by_its_rules(tmp_path):
    import collections

    import openpyxl

    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    write_kent_figures(tmp_path)
    refresh(load_config(tmp_path / "authority.toml"), master=tmp_path / "master.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "master.xlsx")["Scorecard"]
    fills = rule_fills(sheet)
    counts = collections.Counter(colour[-6:] for colour in fills.values())
    assert (counts["C6EFCE"], counts["FFEB9C"], counts["FFC7CE"]) == (16, 16, 12)
    # The fills come only from the rules: no RAG cell carries a static fill of its own.
    assert all(sheet[ref].fill.fill_type in (None, "none") for ref in fills)
    texts = [c.value for c in sheet["A"] if isinstance(c.value, str)]
    assert "PERFORMANCE SUMMARY" in texts
    assert (
        "As at 31/05/2012, Kent, inc UASC has 16 indicators rated as Green, 16 indicators rated as Amber and 12 indicators rated as Red."
    ) in " ".join(texts)
