"""A figure is right or it says why not: a district whose list is missing, unreadable, empty or
lacks a column shows "no data" (no number, no RAG) and is left out of the authority total, which
says "incomplete"; stored history is never overwritten by such a run.

Each test builds the situation from the example authority (Southmere keeps CSV files, so one
list can be broken on its own) and reads the master back with openpyxl, not the product's
reader. Expected authority figures are worked out from the districts' own stored parts.
"""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from xl_scorecard.cli import main
from xl_scorecard.indicators.completeness import Coverage, with_status

REFERRALS = "Southmere/list3_referrals.csv"
OTHERS = ("NG", "EB", "WF")


def history(master) -> pd.DataFrame:
    """The History data sheet as openpyxl reads it (blank cells as None)."""
    rows = list(openpyxl.load_workbook(master, read_only=True)["History data"].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)  # a blank cell stays None, never NaN


def figure(frame: pd.DataFrame, indicator: str, area: str, period: str = "2026-10") -> dict:
    found = frame[(frame["indicator"] == indicator) & (frame["area"] == area) & (frame["period"] == period)]
    assert len(found) == 1, (indicator, area, period)
    return found.iloc[0].to_dict()


def scorecard_row(master, indicator: str) -> dict:
    sheet = openpyxl.load_workbook(master)["Scorecard"]
    names = [c.value for c in sheet[4]]
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if indicator in row:
            return dict(zip(names, row))
    raise AssertionError(indicator)


def districts_sheet(master) -> dict[str, dict[str, tuple]]:
    """indicator title -> district name -> (value, status cell), from the Districts sheet."""
    sheet = openpyxl.load_workbook(master)["Districts"]
    names = [c.value for c in sheet[3]]
    out = {}
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if row[0] and row[0].startswith("Data quality"):
            break
        out[row[0]] = {names[i]: (row[i], row[i + 1]) for i in range(1, len(names) - 1, 2) if names[i]}
    return out


def break_file(folder, text: bytes = b"\x00\x01\x02 not a CSV") -> None:
    (folder / REFERRALS).write_bytes(text)


def refresh(folder, *extra: str) -> int:
    return main(["refresh", "--config", str(folder / "authority.toml"), *extra])


def test_an_unreadable_list_makes_its_district_no_data_and_the_authority_incomplete(authority, tmp_path, capsys):
    clean = tmp_path / "clean.xlsx"
    assert refresh(authority, "--master", str(clean)) == 0
    before = history(clean)
    break_file(authority)
    assert refresh(authority) == 0
    out = capsys.readouterr().out
    master = authority / "master.xlsx"
    after = history(master)

    # Southmere: no number, no rating, and the reason; stored as such, never as a zero.
    southmere = figure(after, "REFERRALS_RATE", "SM")
    assert southmere["value"] is None and southmere["numerator"] is None and southmere["rag"] in (None, "")
    assert southmere["status"] == "no data" and southmere["reason"] == f"{REFERRALS} could not be used"
    # The authority: the other three districts' parts summed, their populations only.
    parts = [figure(before, "REFERRALS_RATE", code) for code in OTHERS]
    expected = sum(p["numerator"] for p in parts) * 10_000 / sum(p["denominator"] for p in parts)
    total = figure(after, "REFERRALS_RATE", "ALL")
    assert total["value"] == pytest.approx(expected) and total["status"] == "incomplete" and total["rag"] in (None, "")
    assert figure(before, "REFERRALS_RATE", "ALL")["value"] != pytest.approx(expected)  # the district mattered
    # The other districts are as before, and indicators not reading referrals are untouched.
    for code in OTHERS:
        assert figure(after, "REFERRALS_RATE", code)["value"] == pytest.approx(figure(before, "REFERRALS_RATE", code)["value"])
    assert figure(after, "CP_RATE", "SM")["value"] == pytest.approx(figure(before, "CP_RATE", "SM")["value"])

    row = scorecard_row(master, "REFERRALS_RATE")
    assert row["RAG"] == "incomplete" and row["Value"] == pytest.approx(expected)
    by_district = districts_sheet(master)[row["Indicator"]]
    assert by_district["Southmere"] == (None, "no data")
    assert by_district["Northgate"][1] in ("G", "A", "R")
    # Referrals feed three indicators: the rate, re-referrals and referrals closed with no further action.
    assert "3 indicators could not be rated: " in out
    assert "Referrals per 10,000 population aged under 18 (incomplete: leaves out Southmere" in out
    assert f"Referrals per 10,000 population aged under 18 - Southmere: no data ({REFERRALS} could not be used)" in out


def test_history_stored_complete_is_not_overwritten_by_a_worse_run(authority, capsys):
    master = authority / "master.xlsx"
    assert refresh(authority) == 0
    before = history(master)
    break_file(authority)
    capsys.readouterr()
    assert refresh(authority) == 0
    out = capsys.readouterr().out
    after = history(master)
    columns = ["indicator", "area", "period", "numerator", "denominator", "value", "status"]
    pd.testing.assert_frame_equal(after[columns], before[columns])
    assert "History kept (this run's inputs were incomplete for these months):" in out
    assert "Referrals per 10,000 population aged under 18 - Southmere: kept the complete figures stored for Oct 2025 to Oct 2026" in out


def test_a_list_with_headers_and_no_rows_is_a_finding_not_a_zero(authority, capsys):
    header = (authority / REFERRALS).read_text(encoding="utf-8-sig").splitlines()[0]
    break_file(authority, (header + "\n").encode("utf-8"))
    assert main(["check", "--config", str(authority / "authority.toml")]) == 1  # the example's planted errors
    assert f"WARNING {REFERRALS}" in capsys.readouterr().out
    assert refresh(authority) == 0
    southmere = figure(history(authority / "master.xlsx"), "REFERRALS_RATE", "SM")
    assert southmere["status"] == "no data" and southmere["reason"] == f"{REFERRALS} has no rows" and southmere["value"] is None
    # The scheduled batch stops on it, and leaves the master as it was.
    before = (authority / "master.xlsx").read_bytes()
    assert refresh(authority, "--strict") == 2
    assert "could not be read or have no rows" in capsys.readouterr().err
    assert (authority / "master.xlsx").read_bytes() == before


def test_an_empty_list_allowed_to_be_empty_is_a_real_zero(authority):
    header = (authority / REFERRALS).read_text(encoding="utf-8-sig").splitlines()[0]
    break_file(authority, (header + "\n").encode("utf-8"))
    config = authority / "authority.toml"
    text = config.read_text(encoding="utf-8")
    source = f'file = "{REFERRALS}"\n'
    config.write_text(text.replace(source, source + "allow_empty = true\n", 1), encoding="utf-8")
    assert refresh(authority, "--strict") == 0
    southmere = figure(history(authority / "master.xlsx"), "REFERRALS_RATE", "SM")
    assert southmere["status"] == "complete" and southmere["value"] == 0 and southmere["rag"] in ("G", "A", "R")


def test_a_missing_column_gives_no_data_for_the_figures_that_use_it_only(authority):
    path = authority / REFERRALS
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("Number of Referrals in Last 12 Months")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([row[:drop] + row[drop + 1 :] for row in rows])
    assert refresh(authority) == 0
    after = history(authority / "master.xlsx")
    southmere = figure(after, "REREFERRALS", "SM")
    assert southmere["status"] == "no data" and southmere["reason"] == f"{REFERRALS} has no referrals_last_12m column"
    assert figure(after, "REREFERRALS", "ALL")["status"] == "incomplete"
    # The referral rate does not use that column: Southmere's is still there, and rated.
    rate = figure(after, "REFERRALS_RATE", "SM")
    assert rate["status"] == "complete" and rate["value"] > 0


def test_a_missing_file_and_a_district_with_no_list_configured(authority):
    (authority / REFERRALS).unlink()
    assert refresh(authority) == 0
    southmere = figure(history(authority / "master.xlsx"), "REFERRALS_RATE", "SM")
    assert southmere["status"] == "no data" and southmere["reason"] == f"{REFERRALS} could not be used"


def test_nothing_counted_is_no_data_with_the_reason_and_a_typed_figure_is_complete():
    # Hand-made results: a share with no cases (0 / 0), a typed figure for a district whose
    # list is missing, and a complete figure.
    results = pd.DataFrame(
        {
            "indicator": ["X", "X", "X"],
            "area": ["NG", "EB", "ALL"],
            "period": ["2026-10"] * 3,
            "numerator": [0.0, 3.0, 3.0],
            "denominator": [0.0, 4.0, 4.0],
            "value": [float("nan"), 0.75, 0.75],
            "typed": [False, True, False],
        }
    )
    coverage = {("X", "NG"): Coverage("complete"), ("X", "EB"): Coverage("no data", "a.csv could not be used")}
    out = with_status(results, coverage).set_index("area")
    assert (out.at["NG", "status"], out.at["NG", "reason"]) == ("no data", "no cases counted in the period")
    assert pd.isna(out.at["NG", "numerator"]) and pd.isna(out.at["NG", "denominator"])
    assert (out.at["EB", "status"], out.at["EB", "value"]) == ("complete", 0.75)
    assert out.at["ALL", "status"] == "complete"


def test_the_email_says_what_could_not_be_rated(authority):
    import email
    from email import policy

    break_file(authority)
    assert refresh(authority, "--email", "--dry-run") == 0
    message = email.message_from_bytes((authority / "outbox" / "master authority.eml").read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "could not be rated: " in text and "Referrals per 10,000 population aged under 18 (incomplete: leaves out Southmere" in text
    line = next(line for line in text.splitlines() if line.startswith("Referrals per 10,000"))
    assert "incomplete" in line and " G " not in line and " R " not in line
    southmere = email.message_from_bytes((authority / "outbox" / "master SM.eml").read_bytes(), policy=policy.default)
    district = southmere.get_body(("plain",)).get_content()
    line = next(line for line in district.splitlines() if line.startswith("Referrals per 10,000"))
    assert line.count("no data") == 2  # the value and the status, no rating


def test_data_quality_counts_a_list_that_could_not_be_used(authority):
    break_file(authority)
    assert refresh(authority) == 0
    sheet = openpyxl.load_workbook(authority / "master.xlsx")["Districts"]
    names = [c.value for c in sheet[3]]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Lists missing, unreadable or empty")
    counts = {names[i]: row[i] for i in range(1, len(names) - 1, 2) if names[i]}
    assert counts == {"Northshire": 1, "Northgate": 0, "Eastbrook": 0, "Southmere": 1, "Westfield": 0}
    scorecard = [c.value for c in openpyxl.load_workbook(authority / "master.xlsx")["Scorecard"]["A"] if c.value]
    line = next(v for v in scorecard if str(v).startswith("Data quality (share of input rows valid)"))
    assert "Southmere 100.00% (1 list missing, unreadable or empty)" in line


def test_a_bad_caseload_leaves_the_worker_out_of_the_caseload_figure_only():
    # Hand-made lists: Ann's caseload was typed "n/k" (the sources stage keeps her row, marked),
    # Bo's is 12 on 1.0 FTE. Both were supervised in October. Supervision: 2 of 2 (Ann counts:
    # it does not read caseloads). Average caseload: Bo's 12 / 1.0 (Ann's row cannot count).
    from xl_scorecard.indicators import load_catalogue
    from xl_scorecard.indicators.compute import compute_all
    from xl_scorecard.periods import Month

    catalogue = [ind for ind in load_catalogue() if ind.id in ("SUPERVISED", "CASELOAD")]
    month = pd.Timestamp("2026-10-01")
    staff = pd.DataFrame(
        {
            "district": pd.Categorical(["NG", "NG"]),
            "worker": ["Ann", "Bo"],
            "month": [month, month],
            "qualified": ["Yes", "Yes"],
            "role": ["Social Worker", "Social Worker"],
            "cases": pd.array([pd.NA, 12], dtype="Int64"),
            "fte": [1.0, 1.0],
            "_bad_cases": [True, False],
        }
    )
    supervision = pd.DataFrame(
        {
            "district": pd.Categorical(["NG", "NG"]),
            "worker": ["Ann", "Bo"],
            "supervision_date": pd.to_datetime(["2026-10-05", "2026-10-06"]),
        }
    )
    results = compute_all(catalogue, {"staff": staff, "supervision": supervision}, [Month(2026, 10)], ["NG"]).set_index(
        ["indicator", "area"]
    )
    assert (results.loc[("SUPERVISED", "NG"), "numerator"], results.loc[("SUPERVISED", "NG"), "denominator"]) == (2.0, 2.0)
    assert (results.loc[("CASELOAD", "NG"), "numerator"], results.loc[("CASELOAD", "NG"), "denominator"]) == (12.0, 1.0)


def test_the_data_quality_record_names_the_figures_that_lost_the_row(example_dir, capsys):
    assert main(["check", "--config", str(example_dir / "authority.toml")]) == 1
    out = capsys.readouterr().out
    assert (
        '"Cases": "n/k" is not a number. The row is left out of "Average caseload of qualified social workers (cases per FTE)"; '
        "the others count it." in out
    )
    assert '"Child ID" is blank. The row is left out of the counts.' in out  # no identity: out of every figure
    assert "5 left out" in out


def test_a_changed_past_month_is_recorded_as_a_restatement(authority, capsys):
    # One Southmere assessment completed in time in September 2026 is deleted from its list after
    # the first refresh (a duplicate found at the source, say). September's timeliness figure
    # for Southmere and for the authority is restated: one fewer in time, one fewer completed.
    from independent import parse_date, working_days

    path = authority / "Southmere" / "list4_assessments.csv"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    start, done = rows[0].index("Continuous Assessment Start Date"), rows[0].index("Continuous Assessment Date of Authorisation")

    def in_time_in_september(row):
        began, ended = parse_date(row[start]), parse_date(row[done])
        return began and ended and (ended.year, ended.month) == (2026, 9) and working_days(began, ended) <= 45

    gone = next(i for i, row in enumerate(rows) if i and in_time_in_september(row))
    master = authority / "master.xlsx"
    assert refresh(authority) == 0
    before = history(master)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[:gone] + rows[gone + 1 :])
    capsys.readouterr()
    assert refresh(authority) == 0
    out = capsys.readouterr().out

    sheet = openpyxl.load_workbook(master)["Restatements"]
    everything = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]]
    # The assessment also counted in the assessment rate (12 months to September and to October)
    # and children seen at assessment (year to date): those are restated too.
    restated = {r[2] for r in everything}
    assert restated == {
        "Assessments completed within 45 working days",
        "Assessments completed per 10,000 population aged under 18",
        "Children seen during their assessment",
    }
    table = [r for r in everything if r[2] == "Assessments completed within 45 working days"]
    assert sorted((r[1], r[3]) for r in table) == [("Sep 2026", "Northshire"), ("Sep 2026", "Southmere")]
    for record in table:
        area = "SM" if record[3] == "Southmere" else "ALL"
        old = figure(before, "ASSESS_45WD", area, "2026-09")
        assert record[2] == "Assessments completed within 45 working days"
        assert record[5] == pytest.approx(old["value"])
        assert record[6] == pytest.approx((old["numerator"] - 1) / (old["denominator"] - 1))
        assert "Southmere/list4_assessments.csv (modified " in record[7]
    assert "Restated (stored figures computed differently now; see the Restatements sheet):" in out
    assert "Assessments completed within 45 working days - Southmere, Sep 2026: " in out
    # A third refresh with the same files restates nothing more, and keeps the record.
    assert refresh(authority) == 0
    assert "Restated" not in capsys.readouterr().out
    again = [r for r in openpyxl.load_workbook(master)["Restatements"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert again == everything


def test_each_restatement_lists_the_inputs_of_its_own_indicator_and_area(example_dir):
    # Many restatements of a few indicators and areas (a new extract restates hundreds): each
    # record names the files of the datasets its indicator reads, for its district, or every
    # district's for the authority. The files named here do not exist: their time reads "not found".
    import datetime as dt

    from xl_scorecard.config import load_config
    from xl_scorecard.indicators.catalogue import load_catalogue
    from xl_scorecard.pipeline import restatement_records
    from xl_scorecard.sources import FileReport, SourceData

    config = load_config(example_dir / "authority.toml")
    catalogue = load_catalogue(config.catalogue_path)
    by_id = {ind.id: ind for ind in catalogue}
    assessments, referrals = by_id["ASSESS_45WD"], by_id["REREFERRALS"]
    assert assessments.datasets == {"assessments"} and "referrals" in referrals.datasets

    def report(district, dataset, file):
        return FileReport(district, dataset, file, "Sheet1", 10, 10, 0, True)

    files = [
        report("NG", "assessments", "ng/assessments.xlsx"),
        report("SM", "assessments", "sm/assessments.csv"),
        report("NG", "referrals", "ng/referrals.xlsx"),
        report("SM", "referrals", "sm/referrals.csv"),
        report("", "population", "population.csv"),
    ]
    changes = pd.DataFrame(
        [
            ("ASSESS_45WD", "SM", "2026-08", 0.5, 0.6),
            ("REREFERRALS", "SM", "2026-08", 0.1, 0.2),
            ("ASSESS_45WD", "SM", "2026-09", 0.5, 0.7),
            ("ASSESS_45WD", "ALL", "2026-09", 0.5, 0.65),
            ("REREFERRALS", "NG", "2026-09", 0.3, 0.2),
            ("ASSESS_45WD", "NG", "2026-09", 0.4, 0.45),
        ],
        columns=["indicator", "area", "period", "old", "new"],
    )
    records = restatement_records(changes, catalogue, SourceData(tables={}, files=files), config, dt.datetime(2026, 11, 3, 9, 30))
    assert records["Inputs"].tolist() == [
        "sm/assessments.csv (not found)",
        "sm/referrals.csv (not found)",
        "sm/assessments.csv (not found)",
        "ng/assessments.xlsx (not found); sm/assessments.csv (not found)",
        "ng/referrals.xlsx (not found)",
        "ng/assessments.xlsx (not found)",
    ]
    assert records["Month"].tolist() == ["Aug 2026", "Aug 2026", "Sep 2026", "Sep 2026", "Sep 2026", "Sep 2026"]
    assert records["Recorded"].unique().tolist() == ["03/11/2026 09:30"]


def test_a_value_the_lists_never_record_is_no_data_not_a_red_zero(authority):
    # Kent's 2012 indicators on modern lists: every assessment is a single assessment, so
    # "initial assessments per 10,000" would be 0.0, rated Red. The lists simply do not record it.
    config = authority / "authority.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[authority]\n", '[authority]\ncatalogue = "kent_2012"\n', 1))
    assert refresh(authority) == 0
    after = history(authority / "master.xlsx")
    for indicator, kind in (("IA_RATE", "Initial"), ("CA_RATE", "Core")):
        for area in ("ALL", "NG", "SM"):
            found = figure(after, indicator, area)
            assert found["status"] == "no data" and found["value"] is None and found["rag"] in (None, "")
            assert found["reason"] == f"no assessments row has assessment_type '{kind}': the lists do not record it"
    # Figures the lists do record are computed as usual.
    assert figure(after, "CP_RATE", "ALL")["status"] == "complete" and figure(after, "CP_RATE", "ALL")["value"] > 0


def test_a_list_no_file_provides_is_a_finding_and_its_figures_no_data(authority, capsys):
    # Southmere's referrals list taken out of the configuration (as if its Annex A workbook had
    # no List 3): a warning on the Data quality records, and no data, not a zero, for Southmere.
    config = authority / "authority.toml"
    text = config.read_text(encoding="utf-8")
    entry = f'[[source]]\ndistrict = "SM"\ndataset = "referrals"\nfile = "{REFERRALS}"\n'
    assert entry in text
    config.write_text(text.replace(entry, ""), encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "WARNING " in out and "No referrals list for this district: " in out and "Southmere/list4_assessments.csv" in out
    assert refresh(authority) == 0
    southmere = figure(history(authority / "master.xlsx"), "REFERRALS_RATE", "SM")
    assert southmere["status"] == "no data" and southmere["reason"] == "no referrals file for Southmere" and southmere["value"] is None
