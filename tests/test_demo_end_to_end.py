"""The demo end to end: figures in the written master equal an independent computation from the
example files; RAG is conditional formatting; one sparkline per row points at the history."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest
from independent import parse_date, pick, population, rows, working_days
from python_calamine import CalamineWorkbook

from xl_scorecard.cli import main

OCT_START, OCT_END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
DISTRICTS = ["NG", "EB", "SM", "WF"]


def independent_assessments(root) -> dict[str, tuple[int, int]]:
    """(within 45 working days, completed) in October 2026 per district."""
    out = {}
    for district in DISTRICTS:
        within = done = 0
        for row in rows(root, district, "List 4"):
            child = pick(row, "Child Unique ID", "Child ID")
            start = parse_date(pick(row, "Continuous Assessment Start Date", "Assessment Start Date"))
            end = parse_date(pick(row, "Continuous Assessment Date of Authorisation", "Date assessment signed off"))
            if not child or str(child).strip() == "" or start is None or end is None or end < start:
                continue
            if OCT_START <= end <= OCT_END:
                done += 1
                within += working_days(start, end) <= 45
        out[district] = (within, done)
    return out


def independent_cp_open(root) -> dict[str, int]:
    """Children on a CP plan on 31/10/2026 per district (bad rows left out)."""
    out = {}
    for district in DISTRICTS:
        count = 0
        for row in rows(root, district, "List 7"):
            start = parse_date(pick(row, "Child Protection Plan Start Date", "CP Plan Start Date"))
            end = parse_date(pick(row, "Child Protection Plan End Date", "CP Plan End Date"))
            child = pick(row, "Child Unique ID", "Child ID")
            if not child or start is None or (end is not None and end < start):
                continue
            count += start <= OCT_END and (end is None or end > OCT_END)
        out[district] = count
    return out


def independent_supervised(root) -> dict[str, tuple[int, int]]:
    """(qualified staff supervised in October 2026, qualified staff in post) per district."""
    out = {}
    for district in DISTRICTS:
        staff = set()
        for row in rows(root, district, "Caseloads", workforce=True):
            month = parse_date(pick(row, "Month"))
            # A caseload typed "n/k" does not take the worker out of the supervision figure,
            # which does not read caseloads.
            if month and (month.year, month.month) == (2026, 10) and str(pick(row, "Qualified")).strip() == "Yes":
                staff.add(" ".join(str(pick(row, "Worker", "Worker Name")).split()).casefold())
        seen = {
            " ".join(str(pick(r, "Worker", "Worker Name")).split()).casefold()
            for r in rows(root, district, "Supervision log", workforce=True)
            if (d := parse_date(pick(r, "Supervision Date", "Date of Supervision"))) and OCT_START <= d <= OCT_END
        }
        out[district] = (len(staff & seen), len(staff))
    return out


def read_districts_sheet(master) -> dict[str, list]:
    sheet = openpyxl.load_workbook(master, data_only=True)["Districts"]
    return {r[0]: list(r) for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}


def read_scorecard(master) -> dict[str, list]:
    sheet = openpyxl.load_workbook(master)["Scorecard"]
    return {r[0]: list(r) for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] and r[1] in ("H", "L", "T")}


def test_assessment_timeliness_matches_independent_count(example_dir, demo_run):
    _, master = demo_run
    expected = independent_assessments(example_dir)
    by_district = read_districts_sheet(master)["Assessments completed within 45 working days"]
    for n, district in enumerate(DISTRICTS):
        within, done = expected[district]
        assert by_district[3 + 2 * n] == pytest.approx(within / done), district
    card = read_scorecard(master)["Assessments completed within 45 working days"]
    total_within = sum(w for w, _ in expected.values())
    total_done = sum(d for _, d in expected.values())
    assert (card[5], card[6]) == (total_within, total_done)
    assert card[3] == pytest.approx(total_within / total_done)


def test_cp_rate_per_10000_matches_independent_count(example_dir, demo_run):
    _, master = demo_run
    open_plans, people = independent_cp_open(example_dir), population(example_dir)
    card = read_scorecard(master)["Children with a child protection plan per 10,000 population aged under 18"]
    assert (card[5], card[6]) == (sum(open_plans.values()), sum(people.values()))
    assert card[3] == pytest.approx(sum(open_plans.values()) / sum(people.values()) * 10_000)
    by_district = read_districts_sheet(master)["Children with a child protection plan per 10,000 population aged under 18"]
    for n, district in enumerate(DISTRICTS):
        assert by_district[3 + 2 * n] == pytest.approx(open_plans[district] / people[district] * 10_000)


def test_supervision_matches_independent_count(example_dir, demo_run):
    _, master = demo_run
    expected = independent_supervised(example_dir)
    card = read_scorecard(master)["Qualified social workers supervised in the month"]
    assert (card[5], card[6]) == (sum(s for s, _ in expected.values()), sum(t for _, t in expected.values()))


def test_rag_cells_use_conditional_formatting_not_fills(demo_run):
    _, master = demo_run
    sheet = openpyxl.load_workbook(master)["Scorecard"]
    rag_rows = [c.row for c in sheet["E"] if c.value in ("G", "A", "R")]
    assert len(rag_rows) >= 6
    rules = {str(cf.sqref): list(cf.rules) for cf in sheet.conditional_formatting}
    rag_range = next(rng for rng in rules if rng.startswith("E"))
    first, last = map(int, re.findall(r"\d+", rag_range))
    assert first <= min(rag_rows) and max(rag_rows) <= last
    formulas = sorted(rule.formula[0] for rule in rules[rag_range])
    # The three RAG words, and the words of figures that are not complete (grey, never a RAG colour).
    assert formulas == ['"A"', '"G"', '"R"', '"incomplete"', '"no data"']
    assert all(rule.dxf is not None and rule.dxf.fill is not None for rule in rules[rag_range])
    # No static fill on the RAG cells: the colour comes from the rules only.
    for row in rag_rows:
        assert sheet.cell(row, 5).fill.fgColor.rgb in (None, "00000000")


def sheet_part_xml(master, name: str) -> str:
    """The XML of a sheet, found through workbook.xml and its relationships (not by file name)."""
    with zipfile.ZipFile(master) as package:
        workbook_xml = package.read("xl/workbook.xml").decode()
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
        rel_id = re.search(rf'<sheet name="{name}"[^>]*r:id="(rId\d+)"', workbook_xml).group(1)
        target = re.search(rf'Id="{rel_id}"[^>]*Target="([^"]+)"', rels).group(1)
        return package.read("xl/" + target.lstrip("/").removeprefix("xl/")).decode()


def test_one_sparkline_per_indicator_row_pointing_at_its_history(demo_run):
    result, master = demo_run
    sheet_xml = sheet_part_xml(master, "Scorecard")
    groups = re.findall(r"<x14:sparklineGroup ([^>]*)>.*?<xm:f>(.*?)</xm:f><xm:sqref>(.*?)</xm:sqref>", sheet_xml)
    assert len(groups) == len(result.catalogue)
    history = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("History").to_python()
    scorecard = openpyxl.load_workbook(master)["Scorecard"]
    for attributes, formula, location in groups:
        match = re.fullmatch(r"'?History'?!\$?C\$?(\d+):\$?N\$?\1", formula)
        assert match, formula
        history_row = history[int(match.group(1)) - 1]
        title = scorecard[f"A{location[1:]}"].value
        # The History sheet heads each indicator's rows with its title, on the authority's row.
        assert history_row[0] == title and history_row[1] == "Northshire"
        months = [v for v in history_row[2:14] if isinstance(v, float)]
        assert len(months) == 12
        # The axis runs from 0 to a quarter above the highest of the twelve months drawn.
        axis = dict(re.findall(r'(\w+)="([^"]*)"', attributes))
        assert axis["minAxisType"] == "custom" and float(axis["manualMin"]) == 0
        if max(months) > 0:
            assert axis["maxAxisType"] == "custom" and float(axis["manualMax"]) == pytest.approx(1.25 * max(months), abs=1e-6)


def test_bad_rows_are_reported_and_good_rows_still_counted(demo_run):
    result, master = demo_run
    sheet = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Data quality").to_python()
    header_at = next(i for i, r in enumerate(sheet) if r[:6] == ["District", "Dataset", "File", "Sheet", "Row", "Severity"])
    problems = [dict(zip(sheet[header_at], r)) for r in sheet[header_at + 1 :] if r[0]]
    reasons = {(p["File"], p["Sheet"], int(p["Row"]), p["Column"]): p["Problem"] for p in problems}
    eb = "Eastbrook/EB Annex A 2026.xlsx"
    blank_ids = [k for k in reasons if k[0] == eb and k[3] == "Child ID"]
    assert len(blank_ids) == 2 and all("blank" in reasons[k] for k in blank_ids)
    assert any(k[0] == eb and "before" in v for k, v in reasons.items())
    assert any(k[0] == "Westfield/Westfield Annex A.xlsx" and "31/02/2026" in v for k, v in reasons.items())
    assert any(k[0] == "Southmere/list3_referrals.csv" and "2026-13-01" in v for k, v in reasons.items())
    assert any(k[0] == "Northgate/Northgate workforce.xlsx" and k[1] == "Caseloads" and "not a number" in v for k, v in reasons.items())
    # Row accounting: every row read is either loaded or excluded (and listed).
    for report in result.sources.files:
        assert report.rows_read == report.rows_loaded + report.rows_excluded
    eb_assessments = next(f for f in result.sources.files if f.district == "EB" and f.dataset == "assessments")
    assert eb_assessments.rows_excluded == 3 and eb_assessments.rows_loaded > 1000
    excluded_listed = {(p.file, p.row) for p in result.sources.problems if p.excluded}
    assert sum(f.rows_excluded for f in result.sources.files) == len(excluded_listed)


def test_demo_command_prints_master_and_summary(tmp_path, capsys, example_dir):
    import shutil

    shutil.copytree(example_dir, tmp_path / "demo")
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    printed = capsys.readouterr().out
    master = tmp_path / "demo" / "master.xlsx"
    assert str(master.resolve()) in printed
    # The default catalogue (about 30 indicators a council reports today), every one rated.
    found = re.search(r"^(\d+) indicators: (\d+) green, (\d+) amber, (\d+) red(.*)$", printed, re.M)
    assert found and int(found[1]) >= 25 and found[5] == "", printed
    assert int(found[1]) == sum(int(found[n]) for n in (2, 3, 4))
    assert "As at 31/10/2026, Northshire has" in printed
    assert master.is_file()


def test_demo_generates_data_when_folder_is_empty(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "authority.toml").is_file() and (tmp_path / "master.xlsx").is_file()
    assert "Generating the fictional Northshire example data" in capsys.readouterr().out


def test_data_quality_sheet_never_shows_personal_values(tmp_path, example_dir):
    import shutil

    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    folder = tmp_path / "n"
    shutil.copytree(example_dir, folder)
    log = folder / "Southmere" / "supervision_log.csv"
    lines = log.read_text(encoding="cp1252").splitlines()
    lines.append("Zed Secretname,Southmere Assessment,Social Worker,not a date,Zed's Manager")
    lines.append(",Southmere Assessment,Social Worker,01/10/2026,Someone Else")
    log.write_text("\n".join(lines) + "\n", encoding="cp1252")
    result = refresh(load_config(folder / "authority.toml"), master=tmp_path / "m.xlsx")
    assert any(p.file.endswith("supervision_log.csv") for p in result.sources.problems)
    values = CalamineWorkbook.from_path(str(tmp_path / "m.xlsx")).get_sheet_by_name("Data quality").to_python()
    text = " ".join(str(v) for row in values for v in row)
    assert "supervision_log.csv" in text and "Secretname" not in text


def test_care_leavers_in_suitable_accommodation_match_an_independent_count(example_dir, demo_run):
    # List 9 is a month-end list: every row counts; suitable = "Suitable" with or without its
    # "a)" prefix (Westfield drops the prefixes).
    _, master = demo_run
    suitable = total = 0
    for district in DISTRICTS:
        for row in rows(example_dir, district, "List 9"):
            if not str(pick(row, "Child Unique ID", "Child ID") or "").strip():
                continue
            total += 1
            suitable += str(pick(row, "Suitability of Accommodation")).strip().removeprefix("a) ") == "Suitable"
    card = read_scorecard(master)["Care leavers in suitable accommodation"]
    assert (card[5], card[6]) == (suitable, total) and 0 < suitable < total


def test_child_protection_reviews_on_time_match_an_independent_count(example_dir, demo_run):
    # Reviews due since 1 April 2026 up to 31 October: held on or before the due date; one not
    # held (or held late) counts against.
    _, master = demo_run
    on_time = due = 0
    for district in DISTRICTS:
        for row in rows(example_dir, district, "Reviews", tracking=True):
            if str(pick(row, "Review Type")).strip() != "Child Protection":
                continue
            when = parse_date(pick(row, "Review Due Date"))
            held = parse_date(pick(row, "Review Date"))
            if when and dt.date(2026, 4, 1) <= when <= OCT_END:
                due += 1
                on_time += held is not None and held <= when
    card = read_scorecard(master)["Child protection reviews held on time"]
    assert (card[5], card[6]) == (on_time, due) and 0 < on_time < due


def test_england_and_neighbour_figures_come_from_the_example_files_and_say_they_are_examples(example_dir, demo_run):
    import csv

    _, master = demo_run
    folder = next(example_dir.glob("Comparators*"))
    assert "EXAMPLE" in folder.name
    with open(folder / "rereferrals_percent.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    england = next(float(r["rereferrals_percent"]) for r in table if r["geographic_level"] == "National") / 100
    peers = [
        float(r["rereferrals_percent"]) / 100
        for r in table
        if r["geographic_level"] == "Local authority" and r["rereferrals_percent"] != "c"
    ]
    assert len(peers) == 9  # one neighbour's figure suppressed ("c"), as DfE does
    card = read_scorecard(master)["Referrals with a previous referral within 12 months"]
    assert card[12] == pytest.approx(england) and card[13] == pytest.approx(sum(peers) / len(peers))
    sheet = openpyxl.load_workbook(master, read_only=True)["Scorecard"]
    notes = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str) and c.startswith("England and statistical")]
    assert notes and "EXAMPLE figures" in notes[0] and "not DfE's figures" in notes[0]


def test_the_demo_is_a_clean_run_every_figure_complete(demo_run):
    # The planted bad rows are left out and listed; no list is missing, so nothing is unrated.
    result, _ = demo_run
    assert result.notes == [] and result.kept_stored == []
    month = result.scored[result.scored["period"] == str(result.period)]
    assert set(month["status"]) == {"complete"}
    assert "could not be rated" not in result.summary
