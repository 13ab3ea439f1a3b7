"""Inputs: every format districts keep, the public samples, and every kind of bad file."""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import SHARED, requires_libreoffice, soffice
from independent import read_xlsb_rows
from python_calamine import CalamineWorkbook

from xl_scorecard.config import load_config
from xl_scorecard.sources import read_sources
from xl_scorecard.sources.read import SourceFileError, read_sheet
from xl_scorecard.sources.schema import load_dataset_specs
from xl_scorecard.sources.validate import validate_sheet

EXTERNAL = SHARED / "samples" / "external"
XLSB_XLS = SHARED / "samples" / "xlsb-xls"
needs_shared = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/samples is not beside the repository")


def toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)  # a JSON string or number is a valid TOML one


def write_config(folder: Path, sources: list[dict]) -> Path:
    lines = ["[authority]", 'name = "Samples"', "[[district]]", 'code = "X"', 'name = "Sample district"', ""]
    for source in sources:
        lines.append("[[source]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in source.items()]
        lines.append("")
    path = folder / "authority.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --- the public samples: every row loaded or reported -----------------------------------


def independent_row_count(path: Path, sheet: str) -> int:
    """Non-blank rows below the header (the first row with three or more cells), counted
    without the product's reader."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
        book.close()
    elif path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    else:  # legacy .xls: no second reader installed, so calamine's raw cells
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()

    def filled(row):
        return [c for c in row if c not in (None, "") and str(c).strip()]

    header = next((i for i, r in enumerate(rows) if len(filled(r)) >= 3), None)
    return 0 if header is None else sum(1 for r in rows[header + 1 :] if filled(r))


SAMPLE_XML = {
    "csc-validator-be-cin_fake_CIN_data.xml": {
        "Referrals": "referrals",
        "CIN": "cin",
        "Assessments": "assessments",
        "Section47": "s47",
        "ChildProtectionPlans": "cp_plans",
    },
    "liia-tools_cin-2022.xml": {
        "Referrals": "referrals",
        "CIN": "cin",
        "Assessments": "assessments",
        "Section47": "s47",
        "ChildProtectionPlans": "cp_plans",
    },
    "liia-tools_social_work_workforce_2022.xml": {"Workers": "staff", "Establishment": "establishment"},
}
SAMPLE_CSV = {
    "liia-tools_SSDA903_episodes_for_testing_fixes_INPUT.csv": "cla",
    "liia-tools_SSDA903_2020_episodes.csv": "cla",
    "cs-demand-model-regional_v1_episodes.csv": "cla",
    "cs-demand-model-regional_v1_header.csv": "children_903",
    "cs-demand-model-regional_v1_uasc.csv": "uasc_903",
}


def test_every_external_sample_file_is_covered():
    data_files = {p.name for p in EXTERNAL.iterdir() if p.suffix in (".xlsx", ".xls", ".csv", ".xml")} if EXTERNAL.is_dir() else set()
    covered = {p.name for p in EXTERNAL.glob("*.xls*")} | set(SAMPLE_XML) | set(SAMPLE_CSV) if EXTERNAL.is_dir() else set()
    assert data_files == covered


@needs_shared
def test_annex_a_samples_every_row_loaded_or_reported(tmp_path):
    config = write_config(tmp_path, [{"district": "X", "dataset": "annex_a", "file": str(EXTERNAL / "*.xls*")}])
    data = read_sources(load_config(config))
    workbooks = {r.file for r in data.files}
    assert len(workbooks) == 8
    assert len(data.files) == 8 * 11  # every list of every workbook
    for report in data.files:
        assert report.readable, report
        assert report.rows_read == report.rows_loaded + report.rows_excluded, report
        assert report.rows_read == independent_row_count(EXTERNAL / Path(report.file).name, report.sheet), report
        excluded = [p for p in data.problems if p.file == report.file and p.sheet == report.sheet and p.excluded]
        assert len({p.row for p in excluded}) == report.rows_excluded
    loaded = sum(r.rows_loaded for r in data.files)
    assert loaded > 150


@needs_shared
def test_annex_a_2019_and_2023_layouts_of_list_9(tmp_path):
    spec = load_dataset_specs()["care_leavers"]
    new = validate_sheet(
        read_sheet(EXTERNAL / "liia-tools-pipeline_Annex_A_2024_Jan.xlsx", "List 9"), spec, dataset="care_leavers", district="X"
    )
    old = validate_sheet(read_sheet(EXTERNAL / "liia-tools_Annex_A.xlsx", "List 9"), spec, dataset="care_leavers", district="X")
    added = {"uasc", "pathway_review", "latest_contact"}
    assert added <= set(new.mapped) and not added & set(old.mapped)
    assert new.mapped["in_touch"] == "LA in Touch" and old.rows_loaded == new.rows_loaded == 6


@needs_shared
def test_formula_date_cells_are_read_from_their_cached_values(tmp_path):
    # List 10 of the 2024 sample computes dates with formulas such as =H2+5.
    raw = read_sheet(EXTERNAL / "liia-tools-pipeline_Annex_A_2024_Jan.xlsx", "List 10")
    result = validate_sheet(raw, load_dataset_specs()["adoption"], dataset="adoption", district="X")
    assert result.table["placed"].notna().all() and result.problems == []
    formulas = openpyxl.load_workbook(EXTERNAL / "liia-tools-pipeline_Annex_A_2024_Jan.xlsx")["List 10"]
    assert any(isinstance(c.value, str) and c.value.startswith("=") for row in formulas.iter_rows() for c in row)


@needs_shared
@pytest.mark.parametrize("name, dataset", sorted(SAMPLE_CSV.items()))
def test_ssda903_csvs_load_with_every_row_accounted(tmp_path, name, dataset):
    config = write_config(tmp_path, [{"district": "X", "dataset": dataset, "file": str(EXTERNAL / name)}])
    data = read_sources(load_config(config))
    (report,) = data.files
    assert report.rows_read == independent_row_count(EXTERNAL / name, "") == report.rows_loaded + report.rows_excluded
    assert report.rows_loaded > 0


@needs_shared
def test_ssda903_episodes_give_children_looked_after(tmp_path):
    config = write_config(
        tmp_path, [{"district": "X", "dataset": "cla", "file": str(EXTERNAL / "cs-demand-model-regional_v1_episodes.csv")}]
    )
    cla = read_sources(load_config(config)).tables["cla"]
    assert cla["cla_start"].min().year == 2013 and cla["legal_status"].notna().all()


@needs_shared
@pytest.mark.parametrize("name", sorted(SAMPLE_XML))
def test_census_xml_loads_with_every_record_accounted(tmp_path, name):
    sources = [
        {"district": "X", "dataset": dataset, "file": str(EXTERNAL / name), "sheet": sheet} for sheet, dataset in SAMPLE_XML[name].items()
    ]
    data = read_sources(load_config(write_config(tmp_path, sources)))
    root = ET.parse(EXTERNAL / name).getroot()
    expected = {
        "Referrals": len(root.findall(".//CINdetails")),
        "CIN": len(root.findall(".//CINdetails")),
        "Assessments": len(root.findall(".//CINdetails/Assessments")),
        # Each Section47 module, and each ICPC recorded on the CIN episode without one.
        "Section47": len(root.findall(".//CINdetails/Section47"))
        + sum(
            1
            for episode in root.iter("CINdetails")
            if (episode.findtext("DateOfInitialCPC") or "").strip()
            and episode.findtext("DateOfInitialCPC").strip()
            not in {(s.findtext("DateOfInitialCPC") or "").strip() for s in episode.iter("Section47")}
        ),
        "ChildProtectionPlans": len(root.findall(".//CINdetails/ChildProtectionPlans")),
    }
    workers = root.findall(".//CSWWWorker")
    leavers = [w for w in workers if (w.findtext("RoleEndDate") or "9999") <= root.findtext(".//ReferenceDate")]
    expected.update({"Workers": len(workers) - len(leavers), "Establishment": len(workers) - len(leavers) + 1})
    for report in data.files:
        assert report.rows_read == expected[report.sheet] == report.rows_loaded + report.rows_excluded, report
    if leavers:  # leavers are not in post: said, not silently dropped
        assert any(p.code == "note" and str(len(leavers)) in p.message for p in data.problems)


@needs_shared
def test_workforce_census_feeds_caseload_and_agency(tmp_path):
    from xl_scorecard.indicators import compute_indicator, load_catalogue
    from xl_scorecard.periods import Month

    path = str(EXTERNAL / "liia-tools_social_work_workforce_2022.xml")
    data = read_sources(
        load_config(
            write_config(
                tmp_path,
                [
                    {"district": "X", "dataset": "staff", "file": path, "sheet": "Workers"},
                    {"district": "X", "dataset": "establishment", "file": path, "sheet": "Establishment"},
                ],
            )
        )
    )
    catalogue = {i.id: i for i in load_catalogue()}
    agency = compute_indicator(catalogue["AGENCY_FTE"], data.tables, Month(2022, 9), ["X"])
    staff = data.tables["establishment"]
    expected = staff[staff["filled_by"] == "Agency"]["fte"].sum() / staff["fte"].sum()
    assert agency.iloc[-1]["value"] == pytest.approx(expected) and 0 < expected < 1


# --- formats -------------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("name", ["date.xlsx", "date.xlsb", "date.xls", "date_1904.xlsb"])
def test_dates_in_1900_and_1904_systems_and_every_format(name):
    rows = read_sheet(XLSB_XLS / name).rows
    assert rows[0][0] == dt.date(2021, 1, 1) and rows[1][0] == dt.date(2021, 1, 2)


@needs_shared
def test_pyxlsb_cross_check_gives_the_same_table_as_calamine():
    # pyxlsb knows nothing of cell formats: its dates and durations are serial numbers, so
    # calamine's typed cells are turned into serials (1900 system) before comparing.
    def serial(value):
        if isinstance(value, dt.date):
            return float((value - dt.date(1899, 12, 30)).days)
        if isinstance(value, dt.timedelta):
            return value.total_seconds() / 86400
        return value

    for name, sheet in (("issues.xlsb", "datatypes"), ("issues.xlsb", "issue2"), ("issues.xlsb", "Sheet1"), ("date.xlsb", None)):
        ours = [[serial(c) for c in row] for row in read_sheet(XLSB_XLS / name, sheet).rows]
        theirs = read_xlsb_rows(XLSB_XLS / name, sheet)
        assert len(ours) == len(theirs) and ours, (name, sheet)
        for mine, other in zip(ours, theirs):
            assert mine == pytest.approx(other, abs=1e-9) if all(isinstance(c, float) for c in mine + other) else mine == other, (
                name,
                sheet,
                mine,
                other,
            )


@needs_shared
def test_pyxlsb_ignores_the_1904_system_which_is_why_calamine_reads(tmp_path):
    # date_1904.xlsb holds 1 Jan 2021; pyxlsb hands back the raw serial, which read in the
    # 1900 system lands four years and a day early. Calamine gets it right.
    serial = read_xlsb_rows(XLSB_XLS / "date_1904.xlsb")[0][0]
    assert dt.date(1899, 12, 30) + dt.timedelta(days=int(serial)) == dt.date(2016, 12, 31)
    assert read_sheet(XLSB_XLS / "date_1904.xlsb").rows[0][0] == dt.date(2021, 1, 1)


@pytest.mark.libreoffice
@requires_libreoffice
def test_ods_and_xls_written_by_libreoffice_read_like_the_xlsx(tmp_path):
    import subprocess

    source = tmp_path / "log.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Log"
    for row in [["Worker", "Supervision Date"], ["Ann", dt.datetime(2026, 10, 5)], ["Bo", "06/10/2026"]]:
        book.active.append(row)
    book.save(source)
    for target in ("ods", "xls"):
        subprocess.run(
            [
                soffice(),
                f"-env:UserInstallation=file://{tmp_path / 'p'}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        result = validate_sheet(
            read_sheet(tmp_path / f"log.{target}", "Log"), load_dataset_specs()["supervision"], dataset="supervision", district="X"
        )
        assert list(result.table["supervision_date"].dt.day) == [5, 6] and result.problems == [], target


# --- bad files: one clear message naming the file, the run goes on -------------------------


def run_with_bad_file(tmp_path: Path, bad: Path, sheet: str | None = None, **extra):
    good = tmp_path / "good.csv"
    good.write_text("Worker,Supervision Date\nAnn,01/10/2026\n", encoding="utf-8")
    entry = {"district": "X", "dataset": "supervision", "file": bad.name, **extra}
    if sheet:
        entry["sheet"] = sheet
    config = write_config(tmp_path, [entry, {"district": "X", "dataset": "supervision", "file": "good.csv"}])
    data = read_sources(load_config(config))
    assert "Ann" in set(data.tables["supervision"]["worker"])  # the other file is still read
    return [p for p in data.problems if p.file == bad.name], data


def test_corrupt_zip(tmp_path):
    bad = tmp_path / "log.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    (problem,), data = run_with_bad_file(tmp_path, bad)
    assert problem.code == "file-unreadable" and "damaged" in problem.describe() and "log.xlsx" in problem.describe()
    assert ("supervision", "X") in data.incomplete


@needs_shared
@pytest.mark.parametrize("name", ["pass_protected.xlsx", "pass_protected.xlsb"])
def test_password_protected(tmp_path, name):
    bad = tmp_path / name
    bad.write_bytes((XLSB_XLS / name).read_bytes())
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    assert problem.code == "file-protected" and "password" in problem.describe() and name in problem.describe()


@needs_shared
def test_empty_sheet(tmp_path):
    bad = tmp_path / "empty.xlsb"
    bad.write_bytes((XLSB_XLS / "issue127.xlsb").read_bytes())
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    assert problem.code == "sheet-empty" and "empty.xlsb" in problem.describe() and "no data" in problem.describe()


def test_missing_sheet(tmp_path):
    bad = tmp_path / "log.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Supervision 2025"
    book.save(bad)
    (problem,), _ = run_with_bad_file(tmp_path, bad, sheet="Supervision log")
    assert problem.code == "sheet-missing" and "Supervision 2025" in problem.describe() and "log.xlsx" in problem.describe()


def test_csv_saved_with_a_spreadsheet_name_is_read_with_a_warning(tmp_path):
    bad = tmp_path / "log.xls"
    bad.write_text("Worker,Supervision Date\nBo,02/10/2026\n", encoding="utf-8")
    problems, data = run_with_bad_file(tmp_path, bad)
    (problem,) = problems
    assert problem.code == "wrong-type" and problem.severity == "warning" and "CSV" in problem.describe()
    assert len(data.tables["supervision"]) == 2


@pytest.mark.parametrize(
    "content, says",
    [
        (b"<html><body><table><tr><td>Worker</td></tr></table></body></html>", "web page"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a spreadsheet"),
    ],
)
def test_wrong_file_type_behind_the_extension(tmp_path, content, says):
    bad = tmp_path / "log.xls"
    bad.write_bytes(content)
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    assert problem.code == "wrong-type" and says in problem.describe() and "log.xls" in problem.describe()


def test_file_locked_by_another_program(tmp_path, monkeypatch):
    bad = tmp_path / "log.xlsx"
    book = openpyxl.Workbook()
    book.save(bad)
    real_open = builtins.open

    def locked(file, *args, **kwargs):  # what Windows does while Excel has the file open
        if Path(str(file)).name == "log.xlsx":
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locked)
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    assert problem.code == "file-locked" and "Close it" in problem.describe() and "log.xlsx" in problem.describe()


def test_sheet_with_a_million_rows_is_refused_with_advice(tmp_path):
    bad = tmp_path / "log.xlsx"
    book = xlsxwriter.Workbook(str(bad), {"constant_memory": True})
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, ["Worker", "Supervision Date"])
    for row in range(1, 1_048_576):  # Excel's last row
        sheet.write_number(row, 0, row)
    book.close()
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    assert problem.code == "too-many-rows" and "1,048,576 rows" in problem.describe() and "max_rows" in problem.describe()


def test_max_rows_is_configurable_per_source(tmp_path):
    bad = tmp_path / "log.csv"
    bad.write_text("Worker,Supervision Date\n" + "A,01/10/2026\n" * 30, encoding="utf-8")
    (problem,), _ = run_with_bad_file(tmp_path, bad, max_rows=20)
    assert problem.code == "too-many-rows"


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    bad = tmp_path / "log.xlsx"
    chunk = b"\x00" * (64 * 1024 * 1024)
    with zipfile.ZipFile(bad, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(36):  # 2.25 GB of zeros -> a few MB on disk
                member.write(chunk)
    assert bad.stat().st_size < 20 * 1024 * 1024
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    assert problem.code == "file-too-large" and "inflate" in problem.describe() and "log.xlsx" in problem.describe()


def _zeros_workbook(path: Path, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(b"\x00" * 1024 * 1024)
    return path


def test_a_workbook_under_the_old_2_gb_ceiling_is_refused_small_and_fast(tmp_path):
    # 600 MB of zeros in a file of under 1 MB: refused from its directory before inflating,
    # with the limit and how to raise it; measured: little memory, well under a second.
    import time
    import tracemalloc

    bad = _zeros_workbook(tmp_path / "log.xlsx", 600)
    tracemalloc.start()
    started = time.perf_counter()
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    took = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert problem.code == "file-too-large" and "512 MB" in problem.describe() and "max_inflated_mb" in problem.describe()
    assert peak < 50 * 1024 * 1024 and took < 10


def test_a_workbook_whose_directory_lies_about_its_size_is_refused(tmp_path):
    # The directory says 1 MB; the part inflates to 64 MB. Inflating is counted in 1 MB chunks
    # and stops at the declared size, where the checksum does not match: refused as damaged.
    bad = _zeros_workbook(tmp_path / "lie.xlsx", 64)
    data = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            if data.find(b"xl/worksheets/sheet1.xml", at, at + 200) > 0:
                # zip64: the 32-bit size is 0xFFFFFFFF and the real one in the extra field.
                extra = data.find(info.file_size.to_bytes(8, "little"), at, at + 200)
                if extra > 0:
                    data[extra : extra + 8] = (1024 * 1024).to_bytes(8, "little")
                else:
                    data[at + offset : at + offset + 4] = (1024 * 1024).to_bytes(4, "little")
            at += 4
    bad.write_bytes(bytes(data))
    (problem,), _ = run_with_bad_file(tmp_path, bad)
    assert problem.code in ("file-unreadable", "file-too-large"), problem.describe()


def test_max_inflated_is_configurable_per_source(tmp_path):
    bad = _zeros_workbook(tmp_path / "big.xlsx", 80)
    sources = [{"district": "X", "dataset": "referrals", "file": bad.name, "max_inflated_mb": 64}]
    data = read_sources(load_config(write_config(tmp_path, sources)))
    (problem,) = [p for p in data.problems if p.code == "file-too-large"]
    assert "64 MB" in problem.describe()


def test_unknown_extension_and_missing_file(tmp_path):
    (tmp_path / "x.pdf").write_text("x")
    with pytest.raises(SourceFileError, match="not a type we read"):
        read_sheet(tmp_path / "x.pdf")
    with pytest.raises(SourceFileError) as caught:
        read_sheet(tmp_path / "nowhere.xlsx")
    assert caught.value.code == "file-missing"


def test_scorecard_says_which_figures_are_incomplete(example_dir, tmp_path):
    import shutil

    from xl_scorecard.pipeline import refresh

    folder = tmp_path / "n"
    shutil.copytree(example_dir, folder)
    (folder / "Eastbrook" / "Eastbrook workforce.xlsx").write_bytes(b"PK\x03\x04 damaged in transit")
    result = refresh(load_config(folder / "authority.toml"), master=tmp_path / "m.xlsx")
    scorecard = openpyxl.load_workbook(tmp_path / "m.xlsx")["Scorecard"]
    column = [c.value for c in scorecard["A"]]
    notes = column[column.index("NOT RATED: figures incomplete or missing this month, and why") + 1 :]
    assert any(
        str(n).startswith("Qualified social workers")
        and "incomplete (leaves out Eastbrook (Eastbrook/Eastbrook workforce.xlsx could not be used))" in n
        for n in notes
    )
    assert not any("Referrals per 10,000" in str(n) for n in notes)
    supervised = result.scored[(result.scored["indicator"] == "SUPERVISED") & (result.scored["period"] == "2026-10")]
    assert supervised.set_index("area").loc["NG", "denominator"] > 0  # the other districts still computed


def test_comparators_in_the_dfe_tidy_layout_with_suppression_symbols(tmp_path):
    (tmp_path / "cin.csv").write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_name,la_name,new_la_code,cpp_rate_per_10000\n"
        "202324,Financial year,National,E92000001,England,,,,41.6\n"
        "202324,Financial year,Regional,E92000001,England,South East,,,38.2\n"
        "202324,Financial year,Local authority,E92000001,England,South East,Kent,E10000016,c\n"
        "202324,Financial year,Local authority,E92000001,England,South East,Medway,E06000035,:\n"
        "202324,Financial year,Local authority,E92000001,England,South East,Surrey,E10000030,36.9\n"
        "202324,Financial year,Local authority,E92000001,England,South East,Slough,E06000039,n/k\n",
        encoding="utf-8",
    )
    config = write_config(
        tmp_path, [{"dataset": "comparators", "file": "cin.csv", "indicator": "CP_RATE", "headers": {"value": ["cpp_rate_per_10000"]}}]
    )
    data = read_sources(load_config(config))
    table = data.tables["comparators"]
    assert list(table["value"])[:2] == [41.6, 38.2] and table["value"].isna().sum() == 3
    assert set(table["indicator"]) == {"CP_RATE"}
    (problem,) = data.problems  # "n/k" is not a DfE symbol: a typing mistake, reported
    assert problem.row == 7 and problem.code == "bad-number" and problem.severity == "warning"


def test_comparators_need_their_indicator(tmp_path):
    from xl_scorecard.errors import ConfigError

    (tmp_path / "cin.csv").write_text("time_period,geographic_level,value\n202324,National,1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="`indicator` is required for comparators"):
        load_config(write_config(tmp_path, [{"dataset": "comparators", "file": "cin.csv"}]))
