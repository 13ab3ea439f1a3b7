"""Reading and validating district spreadsheets: headers, types, dates, problems as records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from xl_scorecard.config import load_config
from xl_scorecard.errors import ConfigError
from xl_scorecard.sources import read_sources
from xl_scorecard.sources.read import SourceFileError, read_sheet
from xl_scorecard.sources.schema import load_dataset_specs, normalise_header
from xl_scorecard.sources.validate import validate_sheet

SPECS = load_dataset_specs()


def make_xlsx(path: Path, rows: list[list], sheet: str = "List 4") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def validate(path: Path, dataset: str = "assessments", sheet: str | None = "List 4", headers=None):
    return validate_sheet(read_sheet(path, sheet), SPECS[dataset], dataset=dataset, district="NG", extra_headers=headers)


def config_for(tmp_path: Path, sources: str) -> Path:
    text = f"""
[authority]
name = "Testshire"

[[district]]
code = "NG"
name = "Northgate"

{sources}
"""
    path = tmp_path / "authority.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_header_found_below_title_rows_and_row_numbers_are_the_users(tmp_path):
    path = make_xlsx(
        tmp_path / "a.xlsx",
        [
            ["List 4: Assessments"],
            [],
            ["Note: extract run Monday"],
            ["Child Unique ID", "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"],
            ["C1", dt.date(2026, 10, 1), dt.date(2026, 10, 20)],
            ["", dt.date(2026, 10, 2), None],
        ],
    )
    result = validate(path)
    assert result.rows_read == 2 and result.rows_loaded == 1 and result.rows_excluded == 1
    assert result.table.loc[0, "source_row"] == 5
    (problem,) = result.problems
    assert (problem.code, problem.row, problem.column, problem.sheet) == ("missing-value", 6, "Child Unique ID", "List 4")
    assert problem.excluded and problem.severity == "error"


@pytest.mark.parametrize("typed", ["CHILD UNIQUE ID", "Child\u00a0Unique  ID ", "child unique id?", "Child Unique ID:"])
def test_headers_match_ignoring_case_spaces_nbsp_and_trailing_question_mark(typed):
    assert normalise_header(typed) == normalise_header("Child Unique ID")


def test_curly_quotes_in_headers_match_straight_ones():
    assert normalise_header("Child\u2019s Legal Status") == normalise_header("Child's Legal Status")


def test_renamed_header_mapped_through_the_source_description_alone(tmp_path):
    make_xlsx(
        tmp_path / "a.xlsx",
        [
            ["Child Unique ID", "Date assessment began", "Continuous Assessment Date of Authorisation"],
            ["C1", "01/10/2026", "05/10/2026"],
        ],
    )
    unmapped = config_for(tmp_path, '[[source]]\ndistrict = "NG"\ndataset = "assessments"\nfile = "a.xlsx"')
    data = read_sources(load_config(unmapped))
    assert [p.code for p in data.problems] == ["column-missing"]
    assert "Continuous Assessment Start Date" in data.problems[0].message
    mapped = config_for(
        tmp_path,
        '[[source]]\ndistrict = "NG"\ndataset = "assessments"\nfile = "a.xlsx"\nheaders = { start_date = ["Date assessment began"] }',
    )
    data = read_sources(load_config(mapped))
    assert data.problems == []
    assert data.tables["assessments"].loc[0, "start_date"] == dt.datetime(2026, 10, 1)


def test_dates_in_every_form_people_type_and_never_month_first(tmp_path):
    path = make_xlsx(
        tmp_path / "a.xlsx",
        [
            ["Child Unique ID", "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"],
            ["C1", dt.datetime(2026, 3, 4, 15, 30), "05/03/2026"],
            ["C2", 46085, "2026-03-05"],  # a bare Excel serial (1900 system): 4 March 2026
            ["C3", "4/3/2026", "05/03/2026 00:00:00"],
            ["C4", "04-03-2026", "31/12/2026"],
            ["C5", "12/31/2026", None],  # US month-first: refused, not guessed
        ],
    )
    result = validate(path)
    starts = list(result.table["start_date"].dt.date)
    assert starts[:4] == [dt.date(2026, 3, 4)] * 4 and pd.isna(starts[4])
    (problem,) = result.problems
    assert problem.code == "bad-date" and problem.row == 6 and '"12/31/2026"' in problem.message
    # The row stays, marked: only the figures that read the start date leave it out.
    assert list(result.table["_bad_start_date"]) == [False] * 4 + [True]
    assert not problem.excluded and problem.field == "start_date" and result.rows_excluded == 0


def test_codes_with_or_without_prefix_and_aliases(tmp_path):
    path = make_xlsx(
        tmp_path / "a.xlsx",
        [
            ["Child Unique ID", "Continuous Assessment Start Date", "Child Seen During Continuous Assessment"],
            ["C1", "01/10/2026", "a) Yes"],
            ["C2", "01/10/2026", "yes\u00a0"],
            ["C3", "01/10/2026", "N"],
            ["C4", "01/10/2026", "Maybe"],
        ],
    )
    result = validate(path)
    assert list(result.table["child_seen"]) == ["Yes", "Yes", "No", None]
    (problem,) = result.problems
    # An optional column: warned about, blanked, the row kept.
    assert (problem.code, problem.severity, problem.excluded) == ("bad-code", "warning", False)
    assert result.rows_loaded == 4


def test_numbers_ids_and_stray_spaces(tmp_path):
    path = make_xlsx(
        tmp_path / "s.xlsx",
        [
            ["Month", "Worker", "FTE", "Cases", "Team"],
            [dt.date(2026, 10, 1), "  Ann\u00a0Lee ", 0.8, 12, "Team\u00a0A "],
            [dt.date(2026, 10, 1), 12345, "1", "3", "Team A"],
            [dt.date(2026, 10, 1), "Bo", "one", "2.5", "Team A"],
        ],
        sheet="Caseloads",
    )
    result = validate(path, "staff", "Caseloads")
    assert list(result.table["worker"]) == ["Ann Lee", "12345", "Bo"]
    assert list(result.table["team"]) == ["Team A", "Team A", "Team A"]
    assert list(result.table["cases"][:2]) == [12, 3] and pd.isna(result.table["cases"][2])
    codes = sorted((p.code, p.column) for p in result.problems)
    assert codes == [("bad-number", "Cases"), ("bad-number", "FTE")]
    # Bo's row stays for the figures that read neither FTE nor cases (supervision), marked for the others.
    assert list(result.table["_bad_fte"]) == [False, False, True] and list(result.table["_bad_cases"]) == [False, False, True]
    assert result.rows_excluded == 0


def test_end_before_start_is_reported_and_excluded(tmp_path):
    path = make_xlsx(
        tmp_path / "a.xlsx",
        [
            ["Child Unique ID", "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"],
            ["C1", "10/10/2026", "01/10/2026"],
            ["C2", "01/10/2026", "02/10/2026"],
        ],
    )
    result = validate(path)
    (problem,) = result.problems
    assert problem.code == "date-order" and problem.row == 2 and problem.excluded
    assert "before" in problem.message and list(result.table["child_id"]) == ["C2"]


def test_personal_values_never_printed(tmp_path):
    path = make_xlsx(tmp_path / "s.xlsx", [["Worker", "Supervision Date"], ["Jo Bloggs", "not a date"]], sheet="Log")
    (problem,) = validate(path, "supervision", "Log").problems
    assert "not a date" in problem.message  # the date is not personal
    path = make_xlsx(tmp_path / "t.xlsx", [["Month", "Worker", "FTE", "Cases"], ["01/10/2026", "Jo Bloggs", 1, 1]], sheet="Caseloads")
    assert validate(path, "staff", "Caseloads").problems == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_the_encodings_districts_save(tmp_path, encoding):
    path = tmp_path / "log.csv"
    path.write_bytes("Worker,Supervision Date\nZoë Brontë,01/10/2026\n".encode(encoding))
    result = validate(path, "supervision", None)
    assert list(result.table["worker"]) == ["Zoë Brontë"] and result.problems == []


def test_sheet_names_match_loosely_and_missing_sheet_is_a_clear_error(tmp_path):
    path = make_xlsx(tmp_path / "a.xlsx", [["x"]], sheet="List_4")
    assert read_sheet(path, "List 4").sheet == "List_4"
    with pytest.raises(SourceFileError) as caught:
        read_sheet(path, "List 7")
    assert caught.value.code == "sheet-missing" and "List_4" in caught.value.detail


def test_unreadable_and_missing_files_become_problems_not_crashes(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a zip")
    config = config_for(
        tmp_path,
        '[[source]]\ndistrict = "NG"\ndataset = "assessments"\nfile = "broken.xlsx"\n\n'
        '[[source]]\ndistrict = "NG"\ndataset = "cp_plans"\nfile = "nowhere.xlsx"\n\n'
        '[[source]]\ndistrict = "NG"\ndataset = "cla"\nfile = "missing-*.csv"',
    )
    data = read_sources(load_config(config))
    found = sorted((p.code, p.file) for p in data.problems)
    assert found == [("file-missing", "missing-*.csv"), ("file-missing", "nowhere.xlsx"), ("file-unreadable", "broken.xlsx")]
    assert data.incomplete == {("assessments", "NG"), ("cp_plans", "NG"), ("cla", "NG")}


def test_globs_read_every_matching_file(tmp_path):
    for month in ("2026-09", "2026-10"):
        (tmp_path / f"log {month}.csv").write_text(f"Worker,Supervision Date\nA,01/{month[5:]}/2026\n", encoding="utf-8")
    config = config_for(tmp_path, '[[source]]\ndistrict = "NG"\ndataset = "supervision"\nfile = "log *.csv"')
    data = read_sources(load_config(config))
    assert len(data.tables["supervision"]) == 2 and len(data.files) == 2


@pytest.mark.parametrize(
    "bad, says",
    [
        ('[[source]]\ndistrict = "NG"\ndataset = "assessments"\nfile = "a.xlsx"\nshet = "List 4"', "shet: unknown key"),
        ('[[source]]\ndistrict = "XX"\ndataset = "assessments"\nfile = "a.xlsx"', "district 'XX' is not one of NG"),
        ('[[source]]\ndistrict = "NG"\ndataset = "assesments"\nfile = "a.xlsx"', "unknown dataset 'assesments'"),
        (
            '[[source]]\ndistrict = "NG"\ndataset = "assessments"\nfile = "a.xlsx"\nheaders = { strt = ["x"] }',
            "headers for unknown columns ['strt']",
        ),
    ],
)
def test_configuration_mistakes_name_the_file_and_key(tmp_path, bad, says):
    with pytest.raises(ConfigError) as caught:
        load_config(config_for(tmp_path, bad))
    assert says in str(caught.value) and "authority.toml" in str(caught.value)


def test_dataset_description_rejects_a_misspelt_key(tmp_path):
    path = tmp_path / "datasets.toml"
    path.write_text('[log]\ntitle = "Log"\ncolumns.worker = { headers = ["Worker"], type = "text", requried = true }\n')
    with pytest.raises(ConfigError) as caught:
        load_dataset_specs(path)
    assert "requried: unknown key" in str(caught.value) and "[log]" in str(caught.value)


def test_every_dataset_description_loads():
    assert {"referrals", "assessments", "cp_plans", "cla", "supervision", "staff", "establishment", "population"} <= set(SPECS)


def test_figures_typed_by_staff_need_a_value_or_a_numerator(tmp_path):
    path = make_xlsx(
        tmp_path / "f.xlsx",
        [
            ["Indicator", "District", "Month", "Numerator", "Denominator", "Value"],
            ["AUDITS_ADEQUATE", "Northgate", "01/10/2026", 131, 186, None],
            ["ETHNICITY_RECORDED", "Northgate", dt.date(2026, 10, 1), None, None, 0.99],
            ["PEP", "Northgate", "Oct 2026", 12, 20, None],
            ["PARTICIPATION", "Northgate", "01/10/2026", None, 40, "-"],
        ],
        sheet="Figures",
    )
    result = validate(path, "figures", "Figures")
    assert list(result.table["indicator"]) == ["AUDITS_ADEQUATE", "ETHNICITY_RECORDED", "PEP"]
    assert list(result.table["_bad_period"]) == [False, False, True]  # "Oct 2026": no month, so never used
    codes = sorted((p.code, p.row) for p in result.problems)
    assert codes == [("bad-date", 4), ("missing-any", 5)]
    (missing,) = [p for p in result.problems if p.code == "missing-any"]
    assert '"Value" or "Numerator"' in missing.message


def test_unallocated_cases_and_cp_visits(tmp_path):
    path = make_xlsx(
        tmp_path / "u.xlsx",
        [
            ["Case ID", "Case Type", "Unallocated Since", "As at", "Team"],
            ["C1", "CIN", "01/09/2026", "31/10/2026", "Assessment 1"],
            ["C2", "CP", "05/11/2026", "31/10/2026", "Assessment 2"],
        ],
        sheet="Unallocated",
    )
    result = validate(path, "unallocated", "Unallocated")
    assert list(result.table["child_id"]) == ["C1"] and [p.code for p in result.problems] == ["date-order"]
    path = make_xlsx(tmp_path / "v.xlsx", [["Child ID", "Visit Date", "Seen Alone"], ["C1", "14/10/2026", "Y"]], sheet="Visits")
    visits = validate(path, "cp_visits", "Visits")
    assert visits.table.loc[0, "seen_alone"] == "Yes" and visits.problems == []


def test_dataset_description_checks_are_validated(tmp_path):
    path = tmp_path / "datasets.toml"
    path.write_text(
        '[log]\ntitle = "Log"\ncolumns.a = { headers = ["A"], type = "date" }\nchecks = [{ kind = "any_of", columns = ["a"] }]\n'
    )
    with pytest.raises(ConfigError, match="any_of takes `columns` \\(two or more\\)"):
        load_dataset_specs(path)


def test_unambiguous_dates_people_also_type(tmp_path):
    # Each of these is 1 March 2021 (a two-digit year read as 20yy); a month-first date still fails.
    typed = ["01-Mar-2021", "1 March 2021", "1 Mar 2021", "2021/03/01", "01/03/21", "01-MAR-2021"]
    path = make_xlsx(
        tmp_path / "a.xlsx",
        [
            ["Child Unique ID", "Continuous Assessment Start Date"],
            *[[f"C{n}", text] for n, text in enumerate(typed)],
            ["C9", "03/13/21"],
        ],
    )
    result = validate(path)
    starts = list(result.table["start_date"])
    assert [d.date() for d in starts[: len(typed)]] == [dt.date(2021, 3, 1)] * len(typed)
    assert pd.isna(starts[-1])
    (problem,) = result.problems
    assert problem.code == "bad-date" and '"03/13/21"' in problem.message


def test_ages_with_fractions_are_floored_and_under_one_is_zero(tmp_path):
    # Extracts compute ages to the day (19.0855 years); "<1" means under a year. Other whole
    # numbers stay strict: 3.5 previous referrals is still reported.
    path = make_xlsx(
        tmp_path / "l8.xlsx",
        [
            ["Child Unique ID", "Date Started to be Looked After", "Age of Child (Years)"],
            ["C1", "01/03/2021", 19.0855],
            ["C2", "01/03/2021", "<1"],
            ["C3", "01/03/2021", "17"],
        ],
        sheet="List 8",
    )
    result = validate(path, "cla", "List 8")
    assert list(result.table["age"]) == [19, 0, 17] and result.problems == []


def test_reading_processes_give_the_tables_one_process_gives(example_dir, monkeypatch):
    # A large authority's files are read in separate processes, each given the configuration
    # once; the tables, reports and problems are the ones a single process reads, in the same
    # order (the example is small, so the threshold is lowered to take that path).
    import xl_scorecard.sources as sources

    config = load_config(example_dir / "authority.toml")
    told: list[list[str]] = [[], []]
    alone = read_sources(config, workers=1, progress=told[0].append)
    monkeypatch.setattr(sources, "process_threshold", lambda: 0)
    pooled = read_sources(config, workers=2, progress=told[1].append)
    # The files go to the processes several at a time; each is still told as it is read.
    files = len({tuple(sorted(str(p) for p in sources._paths(config, s))) for s in config.data.source})
    assert len(told[1]) == len(told[0]) == files and told[1][-1].endswith(f"{files} of {files} files")
    assert set(pooled.tables) == set(alone.tables)
    for name, table in alone.tables.items():
        pd.testing.assert_frame_equal(pooled.tables[name], table, check_categorical=False)
    assert pooled.files == alone.files
    assert pooled.problems == alone.problems


def test_processes_are_started_for_less_input_where_they_are_forked_than_where_each_starts_afresh(example_dir, monkeypatch):
    # A forked reading process has the tool and pandas loaded already; a spawned one (Windows'
    # only way, macOS's, and Linux's forkserver from Python 3.14) imports them again first, so
    # threads are kept for more input there: 12 MB against 24 MB. The method is the one set,
    # else the platform's default (the first of get_all_start_methods), and asking for it fixes
    # nothing (a later set_start_method still works).
    import concurrent.futures
    import multiprocessing

    import xl_scorecard.sources as sources

    assert (sources.PROCESS_THRESHOLD_BYTES, sources.FRESH_PROCESS_THRESHOLD_BYTES) == (12 * 1024**2, 24 * 1024**2)
    for chosen, platform_methods, expected in [
        ("fork", ["spawn", "fork"], 12 * 1024**2),
        ("spawn", ["fork", "spawn"], 24 * 1024**2),
        ("forkserver", ["fork"], 24 * 1024**2),
        (None, ["fork", "spawn", "forkserver"], 12 * 1024**2),  # Linux before Python 3.14
        (None, ["spawn"], 24 * 1024**2),  # Windows
        (None, ["spawn", "fork", "forkserver"], 24 * 1024**2),  # macOS
    ]:
        monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False, chosen=chosen: chosen)
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda methods=platform_methods: methods)
        assert sources.process_threshold() == expected, (chosen, platform_methods)
    monkeypatch.undo()

    # The choice follows it: 18 MB of input (between the two) is read by processes where they
    # are forked and on threads where each starts afresh.
    config = load_config(example_dir / "authority.toml")
    pools: list[str] = []

    class Processes(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append("processes")
            super().__init__(*args, **kwargs)

    class Threads(concurrent.futures.ThreadPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append("threads")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sources, "ProcessPoolExecutor", Processes)
    monkeypatch.setattr(sources, "ThreadPoolExecutor", Threads)
    input_bytes = sum(p.stat().st_size for p in {p for s in config.data.source for p in sources._paths(config, s)})
    scale = 18 * 1024**2 / input_bytes  # the thresholds, scaled as if the example were 18 MB
    monkeypatch.setattr(sources, "PROCESS_THRESHOLD_BYTES", int(12 * 1024**2 / scale))
    monkeypatch.setattr(sources, "FRESH_PROCESS_THRESHOLD_BYTES", int(24 * 1024**2 / scale))
    for method, pool in [("fork", "processes"), ("spawn", "threads")]:
        monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False, method=method: method)
        pools.clear()
        read_sources(config, workers=2)
        assert pools == [pool], method


def test_small_files_go_to_the_reading_processes_in_batches_of_about_equal_bytes():
    # 32 batches for 2 processes: a budget of total / 32 bytes; a file larger than that alone,
    # smaller ones together up to it, in the order given (largest first).
    from xl_scorecard.sources import BATCHES_PER_WORKER, batches

    assert BATCHES_PER_WORKER == 16
    sizes = [900, 500, 40, 30, 20, 20, 10, 10, 5, 5] + [1] * 40  # total 1,580: budget 49.375
    tasks = list(range(len(sizes)))
    # Worked by hand: 40+30 = 70 and 30+20 = 50 pass the budget; 20+20 = 40 does not, 40+10
    # does; 10+10+5+5 and nineteen 1s make 49, the twentieth starts the last batch.
    assert batches(tasks, sizes, 2) == [[0], [1], [2], [3], [4, 5], [6, 7, 8, 9, *range(10, 29)], list(range(29, 50))]
    assert batches([], [], 2) == [] and batches(["a"], [0], 2) == [["a"]]


def test_a_missing_column_names_the_heading_that_is_likely_it_mistyped(tmp_path):
    """A PSS administrator who typed "Date of referal" is told that heading is the likely one;
    a merely similar heading ("Date of Birth", about 0.69 alike) is not offered."""
    header = ["Child Unique ID", "Date of Birth", "Date of referal", "Referral Source"]
    make_xlsx(tmp_path / "r.xlsx", [header, ["C1", "01/01/2015", "01/10/2026", "Police"]])
    config = config_for(tmp_path, '[[source]]\ndistrict = "NG"\ndataset = "referrals"\nfile = "r.xlsx"')
    data = read_sources(load_config(config))
    missing = [p for p in data.problems if p.code == "column-missing"]
    assert len(missing) == 1 and missing[0].column == "Date of referral"
    assert missing[0].message.endswith('; the closest heading in the sheet is "Date of referal".')
    make_xlsx(tmp_path / "r.xlsx", [["Child Unique ID", "Date of Birth", "Referral Source"], ["C1", "01/01/2015", "Police"]])
    data = read_sources(load_config(config))
    missing = [p for p in data.problems if p.code == "column-missing"]
    assert len(missing) == 1 and "closest heading" not in missing[0].message
    assert missing[0].message.endswith(")."), missing[0].message
