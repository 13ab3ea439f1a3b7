"""Real returns, read right: the corpus of real-world shapes (tests/corpus.py), each read with
an independent count of rows and children (openpyxl, pandas, the csv module, ElementTree), and
every figure it feeds compared with one worked out by hand in the comments."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import corpus
import openpyxl
import pandas as pd
import pytest
from conftest import SHARED

from xl_scorecard.config import load_config
from xl_scorecard.indicators import compute_all, load_catalogue
from xl_scorecard.periods import Month
from xl_scorecard.pipeline import report_rereferral_disagreement
from xl_scorecard.sources import SourceData, list_number, read_sources
from xl_scorecard.sources.read import read_sheet
from xl_scorecard.sources.schema import load_dataset_specs, normalise_header
from xl_scorecard.sources.validate import code_reader, find_header, header_regexes

EXTERNAL = SHARED / "samples" / "external"


def configure(folder: Path, sources: list[dict], catalogue: str = "kent_2012") -> Path:
    lines = ["[authority]", 'name = "Corpus"', f'catalogue = "{catalogue}"', "[[district]]", 'code = "X"', 'name = "Corpus district"']
    lines += ["[[source]]", 'dataset = "population"', f"file = {json.dumps(corpus.population(folder).name)}"]
    for source in sources:
        lines.append("[[source]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in {"district": "X", **source}.items()]
    path = folder / "authority.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read(folder: Path, sources: list[dict], catalogue: str = "kent_2012") -> tuple[SourceData, Path]:
    path = configure(folder, sources, catalogue)
    return read_sources(load_config(path), workers=1), path


def figures(config_path: Path, data: SourceData, period: str) -> dict[str, tuple[float, float]]:
    """(numerator, denominator) of every figure of the catalogue for district X."""
    config = load_config(config_path)
    results = compute_all(load_catalogue(config.catalogue_path), data.tables, [Month.parse(period)], ["X"])
    mine = results[results["area"] == "X"]
    return {row.indicator: (row.numerator, row.denominator) for row in mine.itertuples()}


def codes(data: SourceData, code: str) -> list:
    return [p for p in data.problems if p.code == code]


# --- an Annex A workbook as a case system's extract leaves it ----------------------------


@pytest.fixture(scope="module")
def annex_a(tmp_path_factory):
    folder = tmp_path_factory.mktemp("annex_a")
    path = corpus.annex_a_workbook(folder)
    data, config = read(folder, [{"dataset": "annex_a", "file": path.name}])
    return path, data, config


def test_lists_found_by_sheet_names_people_type_and_by_headings(annex_a):
    path, data, _ = annex_a
    found = {(f.dataset, f.sheet) for f in data.files if f.file == path.name}
    assert found == {
        ("contacts", "List 1 - Contacts"),
        ("referrals", "List 3 (Referrals)"),
        ("assessments", "L4"),
        ("cp_plans", "CP plans"),
        ("cla", "Sheet7"),  # no name to go by: recognised by its official headings
    }
    [summary] = codes(data, "annex-a-lists")
    assert '"Sheet7" (recognised by its headings)' in summary.message
    assert "not found: List 2, List 5, List 6, List 9, List 10, List 11" in summary.message
    assert "Guidance" not in summary.message  # the template's own sheets are not lists


@pytest.mark.parametrize(
    ("sheet", "number"),
    [
        ("List 1", 1),
        ("List_1", 1),
        ("List 1 - Contacts", 1),
        ("Contacts", 1),
        ("List 3 (Referrals)", 3),
        ("L3", 3),
        ("list10", 10),
        ("Adopters", 11),
        ("Children in care", 8),
        ("Guidance", None),
        ("Codes_used", None),
        ("Lists", None),
        ("List 12", None),
    ],
)
def test_sheet_names_people_give_the_lists(sheet, number):
    assert list_number(sheet) == number


def test_every_row_read_counted_independently(annex_a):
    path, data, _ = annex_a
    book = openpyxl.load_workbook(path, read_only=True)
    for report in (f for f in data.files if f.file == path.name):
        rows = [r for r in book[report.sheet].iter_rows(min_row=2, values_only=True) if any(c is not None for c in r)]
        assert report.rows_read == len(rows), report.sheet
        assert report.rows_loaded + report.rows_excluded == report.rows_read
        children = {r[0] for r in rows}
        assert data.tables[report.dataset]["child_id"].nunique() == len(children), report.sheet
    book.close()


def test_ssd_camel_case_and_snake_case_headings_are_read(annex_a):
    _, data, _ = annex_a
    referrals, assessments = data.tables["referrals"], data.tables["assessments"]
    assert referrals["referral_date"].notna().all() and referrals["referral_nfa"].notna().sum() == 6
    assert assessments["authorised_date"].notna().all() and (assessments["assessment_type"] == "Initial").all()


def test_yes_no_spellings_and_an_unknown_value(annex_a):
    # List 3: "1 - Yes", "a. Yes", "No further action" are Yes; "0 - No", False, "Further action"
    # are No; "Maybe" (row 8) is no spelling of either: reported, left out of NI 68 only.
    # NI 68 (referrals going on to assessment, Apr-Oct 2026) = No / known = 3 / 6.
    _, data, config = annex_a
    assert data.tables["referrals"]["referral_nfa"].tolist() == ["Yes", "No", "No", "Yes", "Yes", "No", None]
    [bad] = [p for p in codes(data, "bad-code") if p.dataset == "referrals"]
    assert (bad.sheet, bad.row, bad.column, bad.value) == ("List 3 (Referrals)", 8, "ReferralNFA", '"Maybe"')
    assert not bad.excluded
    got = figures(config, data, "2026-10")
    assert got["NI68_REFERRALS_TO_IA"] == (3, 6)
    # List 4: "Seen" and "1 - Yes" seen, "Not seen" not, "c) Unknown" unknown: seen 2 of 4.
    assert got["SEEN_AT_IA"] == (2, 4)


def test_a_misspelt_heading_is_reported_with_the_closest_known_one(annex_a):
    _, data, _ = annex_a
    [unknown] = codes(data, "header-unknown")
    assert unknown.column == "Contact Sorce" and '"Contact Source"' in unknown.message
    assert unknown.sheet == "List 1 - Contacts"


def test_children_not_rows_on_a_plan(annex_a):
    # K1's plan is recorded twice (rows 2 and 3), K2 is on a plan, K3's ended in September: 2
    # children on a plan at 31 October 2026 over 10,000 children (a rate of 2 per 10,000).
    _, data, config = annex_a
    assert figures(config, data, "2026-10")["CP_RATE"] == (2, 10_000)
    [overlap] = codes(data, "child-rows-overlap")
    assert (overlap.dataset, overlap.other, overlap.personal) == ("cp_plans", "2, 3", True)
    assert "K1" not in overlap.describe()  # the child id never reaches the console


def test_children_in_care_from_the_official_headings(annex_a):
    # In care at 31/10/2026: L1, L2, L3; L3 is "UASC" and left out of the rate: 2 per 10,000.
    # Leaving care since 1 April 2026: L4 (a) E11: adopted), L5 ("Special Guardianship Order
    # ..."), L6 (E45: SGO), L7 (E4A); L8 left in 2025. Adopted 1/4, SGO 2/4.
    # 3+ placements, of those in care at the month end: L2 (3), L3 (4) of L1, L2, L3: 2/3.
    # NI 63: under 16 and in care 913 days or more: L1 (aged 10.4, in care since 01/01/2022)
    # and L2 (12.9, since 01/01/2023); L3 is 16. In the same placement 730 days or more, by
    # "Start Date of Most Recent Placement": L1 (since 01/06/2023), not L2 (01/06/2025): 1/2.
    _, data, config = annex_a
    got = figures(config, data, "2026-10")
    assert got["CLA_RATE"] == (2, 10_000)
    assert got["LEAVING_CARE_ADOPTED"] == (1, 4)
    assert got["LEAVING_CARE_SGO"] == (2, 4)
    assert got["NI62_3_PLACEMENTS"] == (2, 3)
    assert got["NI63_SAME_PLACEMENT"] == (1, 2)
    cla = data.tables["cla"].set_index("child_id")
    assert cla["age"].tolist() == [10, 12, 16, 5, 7, 9, 11, 13]  # fractions floored
    assert cla.loc["L3", "legal_status"] == "V2" and cla.loc["L1", "placement"] == "U4"


# --- the spellings real returns use ----------------------------------------------------------

# From the public mapping tables of peer tools (liia-tools-pipeline's Annex A schema) and the
# Standard Safeguarding Dataset's Annex A extract: spelling -> the code it means.
YES_NO_SPELLINGS = {
    "a) Yes": "Yes",
    "b) No": "No",
    "1": "Yes",
    "0": "No",
    "1 - Yes": "Yes",
    "0 - No": "No",
    "Y": "Yes",
    "N": "No",
    "True": "Yes",
    "False": "No",
    "a. Yes": "Yes",
    "b. No": "No",
}
REASON_SPELLINGS = {
    "a) E11: Adopted - application unopposed": "E11",
    "b) E12: Adopted - consent dispensed": "E12",
    "E11 - Adopted - application unopposed": "E11",
    "Adopted - consent dispensed with (E12)": "E12",
    "Adopted, consent dispensed with [E12]": "E12",
    "SE11 - Adopted - application unopposed": "E11",
    "ADOPTED (UNOPPOSED)": "E11",
    "Adopted": "E1",
    "E1 - Adopted": "E1",
    "E43 - Special guardianship order made to former foster carers": "E43",
    "i) E45: Special Guardianship Orders - former carer relative/friend": "E45",
    "Special Guardianship Order": "SGO",
    "E4A - Return home to live with parents (not under a special guardianship order)": "E4A",
    "Return home to live with parents, not under a special guardianship order": "E4",
    "E9 - Sentenced to custody": "E9",
    "Sentenced to custody": "E9",
    "X1": "X1",
}


@pytest.mark.parametrize(
    ("dataset", "column", "spellings"), [("referrals", "referral_nfa", YES_NO_SPELLINGS), ("cla", "reason_ceased", REASON_SPELLINGS)]
)
def test_real_spellings_read_as_their_codes(dataset, column, spellings):
    reader = code_reader(load_dataset_specs()[dataset].columns[column])
    assert {spelling: reader(spelling) for spelling in spellings} == spellings


def test_column_specific_spellings_and_what_is_not_guessed():
    specs = load_dataset_specs()
    seen = code_reader(specs["assessments"].columns["child_seen"])
    uasc = code_reader(specs["cla"].columns["uasc"])
    nfa = code_reader(specs["referrals"].columns["referral_nfa"])
    assert [seen(v) for v in ("Seen", "Child seen alone", "Not seen", "Unborn", "c) Unknown")] == ["Yes", "Yes", "No", "No", "Unknown"]
    assert [uasc(v) for v in ("UASC", "Non-UASC")] == ["Yes", "No"]
    assert [nfa(v) for v in ("NFA", "No further action", "FA")] == ["Yes", "Yes", "No"]
    # "U" on a referral, "CLA" on a UASC column: meanings a peer tool guesses; we report them.
    assert nfa("U") is None and uasc("CLA") is None and uasc("Non-CLA") is None


def test_official_and_ssd_headings_fold_to_the_same_words():
    assert normalise_header("ReferralsLast12Months") == normalise_header("referrals_last_12_months") == "referrals last 12 months"
    assert normalise_header("Date of Birth (DD/MM/YYYY)") == "date of birth"
    assert normalise_header("UASC (Y/N))") == normalise_header("UASC")
    # Spaced headings are left as typed: only one-word headings are split.
    assert normalise_header("Date CIN started") == "date cin started"


@pytest.mark.parametrize("heading", ["Child's Unique Identifier", "ID of child", "Child ID number", "Unique child identifier"])
def test_child_id_headings_people_vary_are_found_by_pattern(heading):
    spec = load_dataset_specs()["referrals"]
    texts = {name: {normalise_header(h) for h in col.headers} for name, col in spec.columns.items()}
    found = find_header([["Gender", heading, "Date of referral"]], texts, header_regexes(spec))
    assert found is not None and found[1]["child_id"] == 1


def test_the_ssd_headings_of_every_column_the_figures_read_are_known():
    # The Standard Safeguarding Dataset's Annex A extract names (data-to-insight/ssd-data-model,
    # AnnexA_sqlserver): each must reach the column it means.
    ssd = {
        "contacts": {"ChildUniqueID": "child_id", "DateOfContact": "contact_date"},
        "referrals": {"ReferralDate": "referral_date", "ReferralNFA": "referral_nfa", "ReferralsLast12Months": "referrals_last_12m"},
        "assessments": {
            "ContinuousAssessmentStart": "start_date",
            "ContinuousAssessmentChildSeen": "child_seen",
            "ContinuousAssessmentAuthDate": "authorised_date",
        },
        "s47": {"StratDiscussionDate": "strategy_date", "InitialCPConfDate": "icpc_date", "CPConfResultInCPPlan": "icpc_to_plan"},
        "cin": {"CINStartDate": "cin_start", "CINClosureDate": "cin_closure", "PrimaryNeedCode": "primary_need"},
        "cp_plans": {
            "ChildProtectionPlanStartDate": "plan_start",
            "ChildProtectionPlanEndDate": "plan_end",
            "NumberOfPreviousChildProtectionPlans": "previous_plans",
            "DateOfLastStatutoryVisit": "last_visit",
        },
        "cla": {
            "LoookedAfterStartDate": "cla_start",
            "UASC": "uasc",
            "PlacementsLast12Months": "placements_12m",
            "CeasedLookedAfterDate": "cla_end",
            "ReasonCeasedLookedAfter": "reason_ceased",
            "MostRecentPlacementStartDate": "placement_start",
            "LegalStatus": "legal_status",
            "PlacementType": "placement",
            "Age": "age",
        },
        "care_leavers": {"ActivityStatus": "activity", "LAInTouch": "in_touch", "EligibilityCategory": "eligibility"},
        "adoption": {"EnteredCareDate": "entered_care", "ADMSHOBPADecisionDate": "adm_decision", "PlacedForAdoptionDate": "placed"},
    }
    specs = load_dataset_specs()
    for dataset, names in ssd.items():
        known = {normalise_header(h): column for column, spec in specs[dataset].columns.items() for h in spec.headers}
        assert {name: known.get(normalise_header(name)) for name in names} == names, dataset


# --- SSDA903: episodes, stacked extracts, the XML return -----------------------------------


def ssda903_sources(files: dict[str, Path]) -> list[dict]:
    return [
        {"dataset": "cla", "file": files["episodes"].name},
        {"dataset": "children_903", "file": files["header"].name},
        {"dataset": "uasc_903", "file": files["uasc"].name},
    ]


# Hand-worked from corpus.EPISODES_2026, at 31 March 2026 (year to date from 1 April 2025):
# in care: A (since 2022, one placement: its 2023 episode only changed legal status), B (since
# 2021; placements from 01/10/2024, 01/06/2025 and 01/11/2025 touch the last 12 months) and F
# (UASC, left out of the rate). Left care in the year: C adopted (E11), D special guardianship
# (E46), E returned home (E4A) - three children, whatever their number of episodes.
SSDA903_FIGURES = {
    "CLA_RATE": (2, 10_000),
    "LEAVING_CARE_ADOPTED": (1, 3),
    "LEAVING_CARE_SGO": (1, 3),
    "NI62_3_PLACEMENTS": (1, 3),  # B of A, B, F
    "NI63_SAME_PLACEMENT": (1, 2),  # A and B are under 16 and in care 913 days; A's placement is 1,430 days old
}


def test_stacked_903_extracts_become_periods_of_care(tmp_path):
    files = corpus.ssda903_stacked(tmp_path)
    data, config = read(tmp_path, ssda903_sources(files))
    with files["episodes"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    episodes = {(r["CHILD"], r["DECOM"]) for r in rows}
    [report] = [f for f in data.files if f.dataset == "cla"]
    assert report.rows_read == len(rows) == 19
    assert report.rows_excluded == 0  # a repeat is not a bad row ...
    [stacked] = codes(data, "stacked-repeats")  # ... it is counted once, and said
    assert stacked.value == str(len(rows) - len(episodes)) == "7" and stacked.other.endswith("; from the 2025 extract")
    cla = data.tables["cla"]
    assert len(cla) == cla["child_id"].nunique() == len({r["CHILD"] for r in rows}) == 6  # one period of care each
    got = figures(config, data, "2026-03")
    assert {key: got[key] for key in SSDA903_FIGURES} == SSDA903_FIGURES
    by_child = cla.set_index("child_id")
    assert by_child.loc["A", "placement_start"] == pd.Timestamp("2022-05-01")  # RNE L: same placement
    assert by_child.loc["B", "placements_12m"] == 3 and by_child.loc["A", "age"] == 12
    assert by_child.loc["F", "uasc"] == "Yes" and by_child.loc["A", "uasc"] == "No"


def test_the_903_xml_return_gives_the_same_figures(tmp_path):
    path = corpus.ssda903_xml(tmp_path)
    data, config = read(
        tmp_path,
        [
            {"dataset": "cla", "file": path.name, "sheet": "Episodes"},
            {"dataset": "children_903", "file": path.name, "sheet": "Header"},
            {"dataset": "uasc_903", "file": path.name, "sheet": "UASC"},
        ],
    )
    episodes = ET.parse(path).getroot().findall("CHILD/EPISODE")
    assert next(f for f in data.files if f.dataset == "cla").rows_read == len(episodes) == 12
    got = figures(config, data, "2026-03")
    assert {key: got[key] for key in SSDA903_FIGURES} == SSDA903_FIGURES


def test_a_code_from_another_years_list_is_read_and_said(tmp_path):
    # E43 (special guardianship, returns up to 2017/18) on a child who left care in 2025.
    files = corpus.ssda903_stacked(tmp_path)
    text = files["episodes"].read_text(encoding="utf-8").replace("30/09/2025,E46", "30/09/2025,E43")
    files["episodes"].write_text(text, encoding="utf-8")
    data, config = read(tmp_path, ssda903_sources(files))
    [old] = codes(data, "code-out-of-use")
    assert old.value == "E43" and "2008 to 2018" in old.message
    assert figures(config, data, "2026-03")["LEAVING_CARE_SGO"] == (1, 3)  # still an SGO


# --- CIN census: ICPCs on the episode --------------------------------------------------------


def test_cin_census_icpcs_recorded_on_the_episode(tmp_path):
    # N1: S47 on 03/06/2025 and its ICPC on 20/06/2025 (repeated on the episode: one ICPC).
    # N2: an ICPC on 25/07/2025 on the episode, no Section47. N3: no ICPC.
    # To March 2026: ICPCs in the last 12 months 2; S47s 1, of which 1 went to an ICPC.
    path = corpus.cin_census_xml(tmp_path)
    data, config = read(
        tmp_path,
        [{"dataset": "s47", "file": path.name, "sheet": "Section47"}, {"dataset": "referrals", "file": path.name, "sheet": "Referrals"}],
    )
    namespace = {"c": "http://www.example.org/cin-census"}
    root = ET.parse(path).getroot()
    icpc_dates = {e.text for e in root.iterfind(".//c:DateOfInitialCPC", namespace)}
    s47 = data.tables["s47"]
    assert sorted(s47["icpc_date"].dt.strftime("%Y-%m-%d")) == sorted(icpc_dates)
    assert s47["strategy_date"].notna().sum() == len(root.findall(".//c:S47ActualStartDate", namespace)) == 1
    assert len(data.tables["referrals"]) == len(root.findall(".//c:CINdetails", namespace)) == 3
    got = figures(config, data, "2026-03")
    assert got["ICPC_RATE"][0] == 2 and got["S47_RATE"][0] == 1 and got["S47_TO_ICPC"] == (1, 1)


# --- text files: RFC 4180 quoting, UTF-16 ----------------------------------------------------


def test_a_quoted_field_late_in_a_csv_stays_one_field(tmp_path):
    path = corpus.quoted_csv(tmp_path)
    independent = pd.read_csv(path, dtype=str, keep_default_na=False)  # pandas' own C parser
    raw = read_sheet(path)
    assert len(raw.rows) - 1 == len(independent) == 400
    assert all(len(row) == 5 for row in raw.rows)
    assert raw.rows[-5][1] == independent.iloc[-5, 1] == corpus.QUOTED_VALUE


def test_unicode_text_from_excel(tmp_path):
    path = corpus.utf16_text(tmp_path)
    lines = [line for line in path.read_bytes().decode("utf-16").splitlines() if line.strip()]
    data, _ = read(tmp_path, [{"dataset": "referrals", "file": path.name}])
    [report] = [f for f in data.files if f.dataset == "referrals"]
    assert report.rows_read == report.rows_loaded == len(lines) - 1 == 50
    assert data.tables["referrals"]["referral_date"].notna().all()


# --- re-referrals from the dates -------------------------------------------------------------


def test_rereferrals_from_the_dates_and_the_column_compared(tmp_path):
    # April-October 2026: R2 on 01/05/2026 (previous 15/10/2025: a re-referral), R1 on
    # 01/06/2026 (previous 01/12/2024, 18 months before: not), R3 on 01/07/2026 (first): 1 of 3.
    # The column, filled with the child's count on every row, would say R1 and R2: 2 of 3.
    path = corpus.referral_history(tmp_path)
    data, config = read(tmp_path, [{"dataset": "referrals", "file": path.name}])
    assert figures(config, data, "2026-10")["REREFERRALS"] == (1, 3)
    loaded = load_config(config)
    report_rereferral_disagreement(data, load_catalogue(loaded.catalogue_path), loaded)
    # Compared where the dates tell (a previous referral within 12 months, or a year of list
    # before the referral, from 01/01/2025): R4 01/06/2024 and R1 01/12/2024 (both say yes),
    # R2 15/10/2025 (dates no, column yes), R2 01/05/2026 (both yes), R1 01/06/2026 (dates no,
    # column yes), R3 (both no): the dates 3 of 6, the column 5, disagreeing on 2.
    [finding] = codes(data, "rereferrals-disagree")
    assert finding.value == "3 of 6" and finding.other == "5; referrals on which they disagree: 2"
    assert finding.column == "Number of Referrals in Last 12 Months"


def test_before_a_year_of_history_the_column_is_used(tmp_path):
    # February 2024 (year to date from April 2023): R4 on 01/01/2024 and R1 on 01/02/2024 have
    # no earlier referral in a list that starts on 01/01/2024, so the dates cannot tell; their
    # column (1 and 2) says both were re-referrals: 2 of 2 (the dates alone would say 0).
    path = corpus.referral_history(tmp_path)
    data, config = read(tmp_path, [{"dataset": "referrals", "file": path.name}])
    assert figures(config, data, "2024-02")["REREFERRALS"] == (2, 2)


# --- the public fixtures of peer projects ---------------------------------------------------

needs_shared = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/samples is not beside the repository")


@needs_shared
def test_demand_model_903_extract_counts_each_episode_and_child_once(tmp_path):
    # Three boroughs' 903 episodes, 2017-2021 extracts stacked: each (child, episode start)
    # counted once, the repeats reported, and one period of care per child and period.
    source = EXTERNAL / "cs-demand-model-regional_v1_episodes.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    episodes = {(r["CHILD"], r["DECOM"]) for r in rows}
    periods_started = {(r["CHILD"], r["DECOM"]) for r in rows if r["RNE"] == "S"}
    data, _ = read(tmp_path, [{"dataset": "cla", "file": str(source)}])
    [report] = [f for f in data.files if f.dataset == "cla"]
    assert report.rows_read == len(rows) and report.rows_excluded == 0
    [stacked] = codes(data, "stacked-repeats")
    assert int(stacked.value) == len(rows) - len(episodes)
    cla = data.tables["cla"]
    assert cla["child_id"].nunique() == len({r["CHILD"] for r in rows})
    assert len(cla) >= len(periods_started)  # a period begins at each S (and at a child's first episode)


@needs_shared
def test_public_annex_a_fixtures_read_without_unknown_values(tmp_path):
    # The peer projects' Annex A fixtures: every list found by name, every code read.
    for name in ("liia-tools_Annex_A.xlsx", "liia-tools-pipeline_Annex_A_2024_Jan.xlsx"):
        data, _ = read(tmp_path, [{"dataset": "annex_a", "file": str(EXTERNAL / name)}])
        assert len({f.dataset for f in data.files if f.file.endswith(name)}) == 11, name
        assert Counter(p.code for p in data.problems if p.code in ("bad-code", "header-unknown", "annex-a-lists")) == Counter(), name


def test_a_period_cut_after_an_x1_episode_is_said_and_counted_in_care(tmp_path):
    # B's last episode (from 01/11/2025) is missing: its period now ends with an X1 episode
    # (care goes on) and nothing after it. B is still counted in care, and the gap is said.
    files = corpus.ssda903_stacked(tmp_path)
    lines = files["episodes"].read_text(encoding="utf-8").splitlines()
    files["episodes"].write_text("\n".join(line for line in lines if not line.startswith("B,01/11/2025")) + "\n", encoding="utf-8")
    data, config = read(tmp_path, ssda903_sources(files))
    [missing] = codes(data, "episode-missing")
    assert missing.value == "1" and "X1" in missing.message
    assert figures(config, data, "2026-03")["CLA_RATE"] == SSDA903_FIGURES["CLA_RATE"]  # A and B, as before
    assert "_x1_without_next_episode" not in data.tables["cla"]


def test_a_same_day_episode_is_not_a_stacked_repeat(tmp_path):
    # G's care began on 01/09/2025 with an episode that ended the same day (X1), followed by
    # the episode of its placement, both in the 2026 extract: two episodes, one period of care,
    # the placement from 01/09/2025; nothing is reported as repeated.
    files = corpus.ssda903_stacked(tmp_path)
    with files["episodes"].open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["G", "01/09/2025", "S", "V2", "N1", "U4", "PR1", "01/09/2025", "X1", "", 2026],
                ["G", "01/09/2025", "P", "V2", "N1", "U6", "PR1", "", "", "", 2026],
            ]
        )
    with files["header"].open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(["G", 1, "01/01/2015"])
    data, config = read(tmp_path, ssda903_sources(files))
    [stacked] = codes(data, "stacked-repeats")
    assert stacked.value == "7"  # the 2025 rows only, as before
    cla = data.tables["cla"].set_index("child_id")
    assert cla.loc["G", "placement_start"] == pd.Timestamp("2025-09-01") and pd.isna(cla.loc["G", "cla_end"])
    assert figures(config, data, "2026-03")["CLA_RATE"] == (3, 10_000)  # A, B and G (F is UASC)
