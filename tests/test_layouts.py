"""Scorecard layouts as data, comparators on the scorecard, and bad layout files."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import northgate_config

from xl_scorecard.config import load_config
from xl_scorecard.errors import ConfigError
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.layout import FIELDS, LAYOUTS_DIR, available_layouts, load_layout

# The default catalogue's indicators, counted in the shipped file (30).
DEFAULT_COUNT = (
    (Path(__file__).parents[1] / "xl_scorecard" / "indicators" / "catalogue.toml").read_text(encoding="utf-8").count("\n[[indicator]]\n")
)


def write_config(folder: Path, example_dir: Path, authority_extra: str = "", sources_extra: str = "") -> Path:
    return northgate_config(
        folder,
        example_dir,
        authority=authority_extra,
        extra_sources=sources_extra,
        sheets=(("cp_plans", "List 7"), ("assessments", "List 4")),
    )


def refreshed(tmp_path: Path, example_dir: Path, layout: str):
    """(configuration, master, workbook read back) after one refresh with ``layout``."""
    config = write_config(tmp_path, example_dir, f'layout = "{layout}"\n')
    master = tmp_path / "master.xlsx"
    refresh(load_config(config), master=master)
    return config, master, openpyxl.load_workbook(master)


def scorecard(master: Path):
    return openpyxl.load_workbook(master)["Scorecard"]


def headers(sheet) -> list[str]:
    return [c.value for c in sheet[4] if c.value is not None]


def row_of(sheet, indicator_id: str) -> dict:
    names = headers(sheet)
    for row in sheet.iter_rows(min_row=5, max_col=len(names), values_only=True):
        if row[-1] == indicator_id:
            return dict(zip(names, row))
    raise AssertionError(indicator_id)


def test_every_shipped_layout_loads_and_names_known_fields():
    assert {"kent_table", "london_ni"} <= set(available_layouts())
    for name in available_layouts():
        layout = load_layout(name)
        assert layout.column and all(c.field in FIELDS for c in layout.column)


def test_london_layout_shows_its_own_headers_and_trend_words(example_dir, tmp_path):
    config = write_config(tmp_path, example_dir, 'layout = "london_ni"\n')
    refresh(load_config(config), master=tmp_path / "master.xlsx", period=None)
    sheet = scorecard(tmp_path / "master.xlsx")
    assert headers(sheet) == [
        "NI code",
        "NI description",
        "2025/26",
        "Sep 2026",
        "Oct 2026",
        "Trend",
        "2026/27 value",
        "Status",
        "Target",
        "Last 12 months",
        "Commentary",
        "Id",
    ]
    cp = row_of(sheet, "CP_RATE")
    # A snapshot shows its own figure in each window: this month's is also its year to date.
    assert cp["Oct 2026"] == cp["2026/27 value"] > 0 and cp["Sep 2026"] > 0 and cp["2025/26"] > 0
    # The layout's detailed analysis is of NI 59 and NI 60, which this catalogue does not have.
    assert "Detailed analysis" not in openpyxl.load_workbook(tmp_path / "master.xlsx").sheetnames
    assert cp["NI code"] == "CP_RATE" and cp["Trend"] in ("Improving", "No change", "Getting worse")
    # The trend colours are rules on the words this layout uses, not on the default ones.
    assert cp["Status"] in ("OK", "Warning", "Alert")  # the NI report's status words, not G/A/R
    # No children-in-care list is configured: the figure says so, not a blank "Data only".
    assert row_of(sheet, "CLA_RATE")["Status"] == "no data"
    formulas = {rule.formula[0] for rules in sheet.conditional_formatting for rule in rules.rules if rule.formula}
    assert {'"Improving"', '"Getting worse"', '"OK"', '"Warning"', '"Alert"'} <= formulas
    assert '"Improved"' not in formulas and '"G"' not in formulas


def test_commentary_survives_a_refresh_whatever_the_layout(example_dir, tmp_path):
    config, master, book = refreshed(tmp_path, example_dir, "london_ni")
    sheet = book["Scorecard"]
    note_col = headers(sheet).index("Commentary") + 1
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, len(headers(sheet))).value == "CP_RATE")
    sheet.cell(row, note_col).value = "Two sibling groups joined in October."
    book.save(master)
    refresh(load_config(config), master=master)
    assert row_of(scorecard(master), "CP_RATE")["Commentary"] == "Two sibling groups joined in October."


def test_comparators_appear_on_the_scorecard_when_configured(example_dir, tmp_path):
    # CP plans per 10,000: England 41.6, neighbours Surrey 36.9 and Kent 40.1 -> 38.5.
    # Assessments in 45 working days, DfE percent: England 82.5 -> 0.825 on the sheet.
    (tmp_path / "cp.csv").write_text(
        "time_period,geographic_level,region_name,la_name,rate\n"
        "202324,National,,,41.6\n202324,Local authority,South East,Surrey,36.9\n"
        "202324,Local authority,South East,Kent,40.1\n202324,Local authority,South East,Slough,60\n",
        encoding="utf-8",
    )
    (tmp_path / "assess.csv").write_text("time_period,geographic_level,region_name,la_name,pct\n202324,National,,,82.5\n", encoding="utf-8")
    extra = (
        '\n[[source]]\ndataset = "comparators"\nfile = "cp.csv"\nindicator = "CP_RATE"\nheaders = { value = ["rate"] }\n'
        '\n[[source]]\ndataset = "comparators"\nfile = "assess.csv"\nindicator = "ASSESS_45WD"\nheaders = { value = ["pct"] }\n'
    )
    config = write_config(tmp_path, example_dir, 'neighbours = ["Surrey", "Kent"]\n', extra)
    refresh(load_config(config), master=tmp_path / "master.xlsx")
    sheet = scorecard(tmp_path / "master.xlsx")
    assert {"England", "Statistical neighbours", "Previous 6-month average"} <= set(headers(sheet))
    cp = row_of(sheet, "CP_RATE")
    assert cp["England"] == pytest.approx(41.6) and cp["Statistical neighbours"] == pytest.approx(38.5)
    assert row_of(sheet, "ASSESS_45WD")["England"] == pytest.approx(0.825)
    assert row_of(sheet, "SUPERVISED")["England"] is None


def test_without_comparators_their_columns_stay_off_the_sheet(example_dir, tmp_path):
    config = write_config(tmp_path, example_dir)
    refresh(load_config(config), master=tmp_path / "master.xlsx")
    names = headers(scorecard(tmp_path / "master.xlsx"))
    assert "England" not in names and "Previous 6-month average" in names


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n[[column]]\nfeild = "title"\n', "feild"),
        ('name = "x"\n[[column]]\nfield = "titel"\n', "titel"),
        ('name = "x"\n[[column]]\nfield = "title"\n[[column]]\nfield = "title"\n', "listed twice"),
        ('name = "x"\n[[column]]\nfield = "commentary"\nheader = "Notes"\n', "keeps its header"),
        ('name = "x"\ncolours = { green = "green" }\n[[column]]\nfield = "title"\n', "colours.green"),
        ('name = "x"\ncolours = { gren = "#00B050" }\n[[column]]\nfield = "title"\n', "gren"),
        ('name = "x"\n[[column]]\nfield = "title"\nheader = "{mnth}"\n', "placeholders"),
    ],
)
def test_a_bad_layout_file_is_an_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_layout(path)
    assert "mine.toml" in str(error.value)


def test_an_unknown_layout_name_lists_the_shipped_ones(example_dir, tmp_path):
    config = write_config(tmp_path, example_dir, 'layout = "birmingam"\n')
    with pytest.raises(ConfigError, match="kent_table"):
        refresh(load_config(config), master=tmp_path / "master.xlsx")
    assert not (tmp_path / "master.xlsx").exists()
    assert LAYOUTS_DIR.name == "layouts" and LAYOUTS_DIR.parent.name == "workbook_templates"


def test_data_quality_score_per_district_is_on_the_scorecard_and_districts_sheets(example_dir, tmp_path):
    # Computed independently from the Data quality sheet's own table: loaded / read per district.
    from python_calamine import CalamineWorkbook

    master = tmp_path / "master.xlsx"
    shutil.copytree(example_dir, tmp_path / "ex")
    refresh(load_config(tmp_path / "ex" / "authority.toml"), master=master)
    book = CalamineWorkbook.from_path(str(master))
    quality = book.get_sheet_by_name("Data quality").to_python()
    header = next(i for i, r in enumerate(quality) if r[:2] == ["District", "Dataset"] and "Loaded" in r)
    totals: dict[str, list[float]] = {}
    for row in quality[header + 1 :]:
        if not row[0] and not row[1]:
            break
        for area in {"ALL", row[0] or "ALL"}:
            totals.setdefault(area, [0, 0])
            totals[area][0] += row[5]
            totals[area][1] += row[4]
    expected = {area: loaded / read for area, (loaded, read) in totals.items()}
    districts = book.get_sheet_by_name("Districts").to_python()
    at = next(n for n, r in enumerate(districts) if r[0] == "Data quality: share of input rows valid")
    last, lists = districts[at], districts[at + 1]
    assert last[0] == "Data quality: share of input rows valid"
    assert lists[0] == "Lists missing, unreadable or empty" and lists[1] == 0  # every list of this run was read
    assert last[1] == pytest.approx(expected["ALL"]) and last[3] == pytest.approx(expected["NG"])
    assert expected["EB"] < 1.0  # the example plants bad rows in Eastbrook's files
    line = next(str(r[0]) for r in book.get_sheet_by_name("Scorecard").to_python() if str(r[0]).startswith("Data quality"))
    assert f"Eastbrook {expected['EB']:.2%}" in line


def test_birmingham_panels_have_a_panel_and_a_chart_with_its_target_line_per_indicator(example_dir, tmp_path):
    import re
    import zipfile

    config, master, book = refreshed(tmp_path, example_dir, "birmingham_panels")
    panels = book["District panels"]
    titles = [
        c.value
        for c in panels["A"]
        if c.value
        in {"Children with a child protection plan per 10,000 population aged under 18", "Assessments completed within 45 working days"}
    ]
    assert len(titles) == 2
    # The panel of ASSESS_45WD: this month's value for the authority and Northgate match the
    # Scorecard, and its target (85%) sits in the cells the chart's target line reads.
    top = next(c.row for c in panels["A"] if c.value == "Assessments completed within 45 working days")
    header = [c.value for c in panels[top + 1]]
    value_row = [c.value for c in panels[top + 2]]
    this_month = value_row[header.index("This month")]
    assert this_month == pytest.approx(row_of(scorecard(master), "ASSESS_45WD")["This month"])
    assert value_row[header.index("Target")] == 0.85
    # A district whose name is wider than its column is headed by its code, with a key.
    northgate = "Northgate" if "Northgate" in header else "NG"
    assert northgate == "Northgate" or "NG Northgate" in panels["A2"].value
    # Birmingham's No. inside / No. outside / Total, per district, for a share...
    parts = {panels.cell(top + 2 + n, 1).value: [c.value for c in panels[top + 2 + n]] for n in (1, 2, 3)}
    inside, outside, total = (
        parts[label][header.index(northgate)] for label in ("No. inside (numerator)", "No. outside", "Total (denominator)")
    )
    assert outside == total - inside > 0 and inside / total == pytest.approx(value_row[header.index(northgate)])
    # ...but no "outside" for a rate, whose denominator is a population.
    cp_top = next(c.row for c in panels["A"] if c.value == "Children with a child protection plan per 10,000 population aged under 18")
    assert [panels.cell(cp_top + 2 + n, 1).value for n in (1, 2)] == ["No. inside (numerator)", "Total (denominator)"]
    with zipfile.ZipFile(master) as package:
        charts = sorted(n for n in package.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        refs = [re.findall(r"<c:f>([^<]+)</c:f>", package.read(n).decode()) for n in charts]
    assert len(charts) == DEFAULT_COUNT  # one per indicator of the default catalogue
    target_refs = [r[3] for r in refs if len(r) == 4]
    assert f"'District panels'!$AO${top + 2}:$AZ${top + 2}" in target_refs
    assert [panels.cell(top + 2, col).value for col in range(41, 53)] == [0.85] * 12
    assert all(r[1].startswith("History!$C$") for r in refs)
    # Printed as a report: the title on every page, authority, period and "as at" in the page
    # header, and page breaks only between panels: two to an A4 page, each panel 15 rows with
    # its chart beside the table (tests/test_print.py checks the printed text is 8 pt or more).
    assert panels.print_title_rows == "$1:$1" and "As at 31/10/2026" in panels.oddHeader.right.text
    assert [b.id for b in panels.row_breaks.brk] == [2 + 2 * k * 15 for k in range(1, (DEFAULT_COUNT + 1) // 2)]
    # Without panels in the layout there is no panels sheet.
    write_config(tmp_path, example_dir, 'layout = "kent_table"\n')
    refresh(load_config(config), master=master)
    assert "District panels" not in openpyxl.load_workbook(master).sheetnames


def test_an_object_added_to_the_panels_sheet_is_caught_by_the_guard(example_dir, tmp_path):
    # The tool's own 30 charts are counted in the fingerprint; one more (here a copy of the last
    # chart's anchor, put in the drawing as Excel would) stops the refresh, master unchanged.
    import re
    import zipfile

    from xl_scorecard.errors import MasterError

    config, master, _ = refreshed(tmp_path, example_dir, "birmingham_panels")
    refresh(load_config(config), master=master)  # the tool's own charts alone are no change
    with zipfile.ZipFile(master) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    drawing = next(
        n for n, data in parts.items() if n.startswith("xl/drawings/drawing") and data.count(b"<xdr:graphicFrame") == DEFAULT_COUNT
    )
    anchors = re.findall(rb"<xdr:twoCellAnchor.*?</xdr:twoCellAnchor>", parts[drawing], flags=re.S)
    parts[drawing] = parts[drawing].replace(b"</xdr:wsDr>", anchors[-1] + b"</xdr:wsDr>")
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    before = master.read_bytes()
    with pytest.raises(MasterError, match=r"District panels .a chart, picture, comment or table was added: drawing"):
        refresh(load_config(config), master=master)
    assert master.read_bytes() == before


def test_a_layout_of_ones_own_picks_indicators_and_colours(example_dir, tmp_path):
    # A copy of the Kent table that shows two indicators, in its own order, with its own green
    # and header colours (explicit RGB in the rules' formats, not theme colours).
    text = (LAYOUTS_DIR / "kent_table.toml").read_text(encoding="utf-8")
    own = tmp_path / "ours.toml"
    own.write_text(
        'indicators = ["ASSESS_45WD", "CP_RATE"]\ncolours = { green = "#00B050", header = "#7030A0" }\n' + text, encoding="utf-8"
    )
    config = write_config(tmp_path, example_dir, f'layout = "{own.as_posix()}"\n')
    refresh(load_config(config), master=tmp_path / "master.xlsx")
    sheet = scorecard(tmp_path / "master.xlsx")
    ids = [r[-1] for r in sheet.iter_rows(min_row=5, max_col=len(headers(sheet)), values_only=True) if r[-1]]
    assert ids == ["CP_RATE", "ASSESS_45WD"]  # grouped by section: "How much" comes before "How long"
    fills = {
        rule.formula[0]: rule.dxf.fill.bgColor.rgb
        for rules in sheet.conditional_formatting
        for rule in rules.rules
        if rule.formula and rule.dxf and rule.dxf.fill is not None
    }
    assert fills['"G"'].endswith("00B050") and fills['"R"'].endswith("FFC7CE")
    assert sheet.cell(4, 1).fill.fgColor.rgb.endswith("7030A0")
    # The Districts and Definitions sheets still carry the whole catalogue.
    districts = openpyxl.load_workbook(tmp_path / "master.xlsx")["Districts"]
    # (Below them: data quality, then the early-warning counts.)
    first_note = next(c.row for c in districts["A"][3:] if str(c.value or "").startswith("Data quality"))
    assert len([c for c in districts["A"][3 : first_note - 1] if c.value]) == DEFAULT_COUNT


def test_a_layout_naming_an_indicator_the_catalogue_lacks_stops_before_reading(example_dir, tmp_path):
    own = tmp_path / "ours.toml"
    own.write_text(
        'indicators = ["ASSESS_45WD", "NI59"]\n' + (LAYOUTS_DIR / "kent_table.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    config = write_config(tmp_path, example_dir, f'layout = "{own.as_posix()}"\n')
    with pytest.raises(ConfigError, match=r"ours.toml.*NI59 are not in the catalogue \(it has EARLY_HELP_RATE, REFERRALS_RATE"):
        refresh(load_config(config), master=tmp_path / "master.xlsx")
    assert not (tmp_path / "master.xlsx").exists()
