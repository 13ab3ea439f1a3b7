"""What the figures can still become (issue 20, part 3), worked by hand on a small authority and
then confirmed the next month.

East district, as at Monday 30 November 2026. Working days are counted as the indicators count
them: the days after the start up to and including the end, weekends and England & Wales bank
holidays left out (Christmas Day Fri 25 December, Boxing Day's substitute Mon 28 December).

Assessments, 45 working days from the start ("Assessments completed within 45 working days" is a
monthly figure, so what is still open is December's):
- A1 started Mon 5 Oct: Oct 6-30 is 19 working days, Nov 2-30 takes it to 40, Dec 1-4 to 44:
  due Mon 7 Dec.
- A2 started Mon 28 Sep: Sep 29-30 is 2, October 22 more (24), Nov 2-27 (44), Mon 30 Nov is
  the 45th: due on the day itself and not done, so already overdue.
- A3 started Mon 2 Nov: Nov 3-30 is 20, December's 18 working days before Christmas (38), Dec
  29-31 (41), Jan 4-7 (45): due Thu 7 Jan 2027, after December: not part of December's outlook.
- A4 started Mon 19 Oct: Oct 20-30 is 9, November 21 (30), Dec 1-18 (44): due Mon 21 Dec.
- A5 started Mon 26 Oct: Oct 27-30 is 4, November 21 (25), Dec 1-24 (43), Dec 29 (44): due Wed
  30 Dec.
- A6 started Tue 27 Oct: Oct 28-30 is 3, November 21 (24), Dec 1-24 (42), Dec 29-31 (45): due
  Thu 31 Dec.
- A7 started Mon 2 Nov and authorised Fri 20 Nov: its clock has stopped.

December if every case that can still be is completed in time (A2 the next working day, Tue 1
Dec): A1 7 Dec in time, A2 1 Dec late, A4 21 Dec, A5 30 Dec and A6 31 Dec in time: 4 of 5 = 80%.
December if none is: each the working day after its due date: A1 Tue 8 Dec, A2 Tue 1 Dec, A4
Tue 22 Dec, A5 Thu 31 Dec, all late; A6's is Mon 4 Jan, after December, so it is not completed
in December: 0 of 4 = 0%.

Initial conferences, 15 working days from the strategy discussion (a year-to-date figure, so
what is still open is the year to March 2027). Held this year: S1 strategy Mon 1 Jun, ICPC Fri 12
Jun (9 working days, in time); S2 Mon 6 Jul, Fri 31 Jul (19, late); S3 Mon 7 Sep, Mon 28 Sep (Sep
8-11, 14-18, 21-25 is 14, the 28th the 15th: in time). Now: 2 of 3.
- S4 strategy Mon 16 Nov: Nov 17-27 is 9, Mon 30 Nov 10, Dec 1-4 14: due Mon 7 Dec.
- S5 strategy Tue 3 Nov: Nov 4-6 is 3, 9-13 (8), 16-20 (13), 23-24 (15): due Tue 24 Nov, overdue.
- S6 strategy Mon 23 Nov, conference deemed unnecessary: no clock.
Best: S4 on Mon 7 Dec (in time), S5 on Tue 1 Dec (late): 3 of 5 = 60%. Worst: S4 Tue 8 Dec and
S5 Tue 1 Dec, both late: 2 of 5 = 40%.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from independent import working_days

from xl_scorecard.config import load_config
from xl_scorecard.periods import Month
from xl_scorecard.pipeline import refresh

D = dt.date
DATASETS = tomllib.loads((Path(__file__).resolve().parents[1] / "xl_scorecard" / "sources" / "datasets.toml").read_text(encoding="utf-8"))
ASSESS = "Assessments completed within 45 working days"
ICPC = "Initial child protection conferences held within 15 working days of the strategy discussion"

ASSESSMENTS = [  # child, start, authorised (None: open on 30 November)
    ("A1", D(2026, 10, 5), None),
    ("A2", D(2026, 9, 28), None),
    ("A3", D(2026, 11, 2), None),
    ("A4", D(2026, 10, 19), None),
    ("A5", D(2026, 10, 26), None),
    ("A6", D(2026, 10, 27), None),
    ("A7", D(2026, 11, 2), D(2026, 11, 20)),
]
S47 = [  # child, strategy discussion, conference, deemed unnecessary
    ("S1", D(2026, 6, 1), D(2026, 6, 12), "No"),
    ("S2", D(2026, 7, 6), D(2026, 7, 31), "No"),
    ("S3", D(2026, 9, 7), D(2026, 9, 28), "No"),
    ("S4", D(2026, 11, 16), None, "No"),
    ("S5", D(2026, 11, 3), None, "No"),
    ("S6", D(2026, 11, 23), None, "Yes"),
]
# The two futures, as worked out in the module's docstring.
BEST = {"A1": D(2026, 12, 7), "A2": D(2026, 12, 1), "A4": D(2026, 12, 21), "A5": D(2026, 12, 30), "A6": D(2026, 12, 31)}
BEST_S47 = {"S4": D(2026, 12, 7), "S5": D(2026, 12, 1)}
WORST = {"A1": D(2026, 12, 8), "A2": D(2026, 12, 1), "A4": D(2026, 12, 22), "A5": D(2026, 12, 31), "A6": D(2027, 1, 4)}
WORST_S47 = {"S4": D(2026, 12, 8), "S5": D(2026, 12, 1)}


def write_lists(folder: Path, done: dict[str, dt.date], held: dict[str, dt.date]) -> None:
    """East's assessments and S47 lists as CSV files with the first header each column is known
    by, dates typed as people type them; ``done`` and ``held`` complete the open cases."""

    def save(dataset: str, rows: list[dict]) -> None:
        columns = DATASETS[dataset]["columns"]
        table = pd.DataFrame(rows)
        table = table.rename(columns={c: columns[c]["headers"][0] for c in table.columns})
        table.to_csv(folder / f"East {dataset}.csv", index=False)

    def typed(day: dt.date | None) -> str:
        return "" if day is None else f"{day:%d/%m/%Y}"

    save(
        "assessments",
        [
            {"child_id": c, "start_date": typed(s), "authorised_date": typed(a or done.get(c)), "team": "Assessment", "worker": "Ash"}
            for c, s, a in ASSESSMENTS
        ],
    )
    save(
        "s47",
        [
            {"child_id": c, "strategy_date": typed(s), "icpc_date": typed(i or held.get(c)), "icpc_unnecessary": u, "team": "Safeguarding"}
            for c, s, i, u in S47
        ],
    )


def write_authority(folder: Path) -> Path:
    write_lists(folder, {}, {})
    lines = ["[authority]", 'name = "Outlook"', 'period = "2026-11"', "[[district]]", 'code = "EAST"', 'name = "East"']
    for dataset in ("assessments", "s47"):
        lines += ["[[source]]", 'district = "EAST"', f'dataset = "{dataset}"', f'file = "East {dataset}.csv"']
    config = folder / "authority.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def districts_rows(master: Path) -> list[list]:
    book = openpyxl.load_workbook(master, read_only=True)
    rows = [list(r) for r in book["Districts"].iter_rows(values_only=True)]
    book.close()
    return rows


def outlook(master: Path) -> dict[tuple[str, str], float]:
    """(indicator title, "best" | "worst") -> the authority's projected figure, as the Districts
    sheet shows it (the authority's column is the first after the labels)."""
    found = {}
    for row in districts_rows(master):
        label = str(row[0] or "")
        for title in (ASSESS, ICPC):
            if label.startswith(title + ", "):
                found[(title, "worst" if label.endswith(": if none is") else "best")] = row[1]
    return found


def figure(master: Path, title: str) -> float:
    return next(r[1] for r in districts_rows(master) if r[0] == title)


def test_the_hand_worked_dates_agree_with_an_independent_counter():
    # Each due date above, counted again by tests/independent.py.
    assert working_days(D(2026, 10, 5), D(2026, 12, 7)) == 45
    assert working_days(D(2026, 9, 28), D(2026, 11, 30)) == 45
    assert working_days(D(2026, 11, 2), D(2027, 1, 7)) == 45
    assert working_days(D(2026, 10, 19), D(2026, 12, 21)) == 45
    assert working_days(D(2026, 10, 26), D(2026, 12, 30)) == 45
    assert working_days(D(2026, 10, 27), D(2026, 12, 31)) == 45
    assert working_days(D(2026, 11, 16), D(2026, 12, 7)) == 15
    assert working_days(D(2026, 11, 3), D(2026, 11, 24)) == 15
    assert working_days(D(2026, 9, 7), D(2026, 9, 28)) == 15
    assert working_days(D(2026, 7, 6), D(2026, 7, 31)) == 19


def warning_record(master: Path) -> dict[str, tuple]:
    """The Districts sheet's early-warning record: row label -> (due soon, went past due) in
    the authority's columns."""
    rows = districts_rows(master)
    top = next(i for i, r in enumerate(rows) if str(r[0] or "").startswith("Early warning record"))
    return {str(r[0]): (r[1], r[2]) for r in rows[top + 2 :] if r[0]}


# On 30 November the five working days ahead are 1-4 and 7 December: A1 (due 7 Dec) and A2 (due
# that day) are due soon, and S4 (due 7 Dec); S5 is already overdue, so not "due soon".
# Best: A1 completed on its due date, A2 the day after (went past), S4 on its due date.
# Worst: all three went past their due dates.
ASSESS_CLOCK = "30/11/2026, 5 working days: Assessment: 45 working days from its start"
ICPC_CLOCK = "30/11/2026, 5 working days: Initial conference: 15 working days from the strategy discussion"


@pytest.mark.parametrize(
    ("future", "done", "held", "assess", "icpc", "went_past"),
    [("best", BEST, BEST_S47, 4 / 5, 3 / 5, (1, 0)), ("worst", WORST, WORST_S47, 0 / 4, 2 / 5, (2, 1))],
)
def test_the_predicted_figures_are_the_ones_the_next_month_reports_when_the_cases_go_so(
    tmp_path, future, done, held, assess, icpc, went_past
):
    config = write_authority(tmp_path)
    master = tmp_path / "master.xlsx"
    run = refresh(load_config(config), master=master)
    assert run.period == Month(2026, 11)
    predicted = outlook(master)
    assert predicted[(ASSESS, future)] == pytest.approx(assess)
    assert predicted[(ICPC, future)] == pytest.approx(icpc)
    assert figure(master, ICPC) == pytest.approx(2 / 3)  # now: S1 and S3 of S1-S3
    # The Scorecard says the same in words.
    book = openpyxl.load_workbook(master, read_only=True)
    text = "\n".join(str(r[0]) for r in book["Scorecard"].iter_rows(values_only=True) if r and r[0])
    book.close()
    assert f"{ASSESS}, Dec 2026: 80.0% if every case due by 31/12/2026 that can still be is completed in time, 0.0% if none is." in text
    assert (
        f"{ICPC}, year to Mar 2027: 60.0% if every case due by 31/03/2027 that can still be is completed in time, 40.0% if none is." in text
    )

    # December: the cases are completed as scripted, nothing else happens; the month's figures
    # are the ones predicted (the year to December is the year to March when nothing else does).
    write_lists(tmp_path, done, held)
    refresh(load_config(config), master=master, period=Month(2026, 12))
    assert figure(master, ASSESS) == pytest.approx(assess)
    assert figure(master, ICPC) == pytest.approx(icpc)
    # The early-warning record: November's due-soon cases, and how many then went past due.
    record = warning_record(master)
    assert record[ASSESS_CLOCK] == (2, went_past[0])
    assert record[ICPC_CLOCK] == (1, went_past[1])
    assert record["31/12/2026, 5 working days: Assessment: 45 working days from its start"][1] is None  # not known yet


def test_the_record_follows_each_district_by_its_name_when_one_is_added(tmp_path):
    # November is recorded for East alone; North is then configured before East, so East moves
    # one pair of columns to the right. East's November counts stay East's, and North has no
    # November record ("no data"), never East's numbers.
    config = write_authority(tmp_path)
    master = tmp_path / "master.xlsx"
    refresh(load_config(config), master=master)
    write_lists(tmp_path, WORST, WORST_S47)
    text = config.read_text(encoding="utf-8")
    north = ["[[district]]", 'code = "NORTH"', 'name = "North"']
    for dataset in ("assessments", "s47"):
        (tmp_path / f"North {dataset}.csv").write_bytes((tmp_path / f"East {dataset}.csv").read_bytes())
        north += ["[[source]]", 'district = "NORTH"', f'dataset = "{dataset}"', f'file = "North {dataset}.csv"']
    config.write_text(text.replace("[[district]]", "\n".join(north) + "\n[[district]]", 1), encoding="utf-8")
    refresh(load_config(config), master=master, period=Month(2026, 12))
    rows = districts_rows(master)
    east, north_col = rows[2].index("East"), rows[2].index("North")
    assert north_col < east
    row = next(r for r in rows if r[0] == ASSESS_CLOCK)
    assert (row[east], row[east + 1]) == (2, 2)  # as in the worst future above
    assert row[north_col] == "no data"


def test_no_projection_for_a_figure_that_does_not_read_the_date_that_stops_the_clock():
    # A local variant of the assessments figure counting to another date: scripting the
    # authorisation date would not move it, so it gets no "can still become" line (rather than
    # one saying it cannot change).
    from xl_scorecard.indicators import load_catalogue
    from xl_scorecard.indicators.catalogue import default_catalogue_path
    from xl_scorecard.indicators.clocks import load_clocks, projections

    catalogue = load_catalogue(default_catalogue_path())
    clocks = [c for c in load_clocks(default_catalogue_path()) if c.id == "ASSESSMENT_45WD"]
    table = pd.DataFrame(
        {
            "district": "EAST",
            "child_id": [c for c, _, _ in ASSESSMENTS],
            "start_date": pd.to_datetime([s for _, s, _ in ASSESSMENTS]),
            "authorised_date": pd.to_datetime([a for _, _, a in ASSESSMENTS]),
        }
    )
    table["closed_date"] = table["authorised_date"]
    tables = {"assessments": table}
    found = projections(clocks, catalogue, tables, Month(2026, 11), ["EAST"])
    east = found[found["area"] == "EAST"].iloc[0]
    assert (east.best, east.worst, east.cases, east.overdue) == (pytest.approx(4 / 5), 0.0, 5, 1)  # as worked out above
    variant = [
        ind.model_copy(update={"calculation": {**ind.calculation, "end": "closed_date"}}) if ind.id == "ASSESS_45WD" else ind
        for ind in catalogue
    ]
    assert projections(clocks, variant, tables, Month(2026, 11), ["EAST"]).empty
