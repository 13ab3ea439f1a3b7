"""Early warning (issue 20): the open cases due within the next 5 working days, or overdue, on
Thursday 31 December 2026, worked out by hand.

The days after 31 December that count: Friday 1 January 2027 is a bank holiday, so the five
working days are Mon 4, Tue 5, Wed 6, Thu 7 and Fri 8 January. Christmas Day (Fri 25 December)
and the substitute for Boxing Day (Mon 28 December) are not working days either. Working days
between two dates are the days after the first up to and including the second (as the
indicators count them); a deadline is the working day on which that count reaches the limit.
Each expectation's arithmetic is in its comment, and checked again with the independent counter
in tests/independent.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from independent import working_days

from xl_scorecard.errors import ConfigError
from xl_scorecard.indicators.catalogue import default_catalogue_path
from xl_scorecard.indicators.clocks import due_cases, load_clocks, went_past_due

D = pd.Timestamp
NaT = pd.NaT
DAY = dt.date(2026, 12, 31)
CLOCKS = load_clocks(default_catalogue_path())


def frame(columns: str, *rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns.split())


TABLES = {
    "assessments": frame(
        "district child_id team worker start_date authorised_date",
        # A1 Tue 3 Nov: the 45th working day after it is Fri 8 Jan 2027, the window's last day.
        ("EAST", "A1", "Assessment 1", "Ash", D("2026-11-03"), NaT),
        # A2 Wed 4 Nov: due Mon 11 Jan, the 6th working day: not yet.
        ("EAST", "A2", "Assessment 1", "Ash", D("2026-11-04"), NaT),
        # A3 Mon 12 Oct: due Mon 14 Dec, already 11 working days over (15-18, 21-24, 29-31 Dec).
        ("SOUTH", "A3", "Assessment 2", "Birch", D("2026-10-12"), NaT),
        # A4 as A1 but authorised the day before (Wed 30 Dec): its clock has stopped.
        ("EAST", "A4", "Assessment 1", "Ash", D("2026-11-03"), D("2026-12-30")),
        # A5 as A1, authorised after the day (a list extracted later): still open on the day.
        ("EAST", "A5", "Assessment 1", "Cedar", D("2026-11-03"), D("2027-01-04")),
        # A6 starts after the day: no clock yet.
        ("EAST", "A6", "Assessment 1", "Ash", D("2027-01-04"), NaT),
    ),
    "s47": frame(
        "district child_id team worker strategy_date icpc_date icpc_unnecessary",
        # S1 Mon 14 Dec: 15 working days is Thu 7 Jan (15-18, 21-24, 29-31 Dec, 4-7 Jan): 4 left.
        ("EAST", "S1", "Safeguarding", "Dove", D("2026-12-14"), NaT, "No"),
        # S2 the same, but no conference is needed: no clock.
        ("EAST", "S2", "Safeguarding", "Dove", D("2026-12-14"), NaT, "Yes"),
    ),
    "cp_plans": frame(
        "district child_id team worker plan_start plan_end",
        # K1 visited Wed 16 Dec: next visit due 10 working days later, Mon 4 Jan (17, 18, 21-24,
        # 29-31 Dec, 4 Jan): 1 working day left.
        ("EAST", "K1", "Safeguarding", "Dove", D("2026-06-01"), NaT),
        # K2 visited at the same time, but the plan ended the day before: no clock.
        ("EAST", "K2", "Safeguarding", "Dove", D("2026-06-01"), D("2026-12-30")),
        # K3 started Tue 1 Dec and never visited in its own district: due Tue 15 Dec (2-4, 7-11,
        # 14-15 Dec), 10 working days over (16-18, 21-24, 29-31 Dec).
        ("SOUTH", "K3", "Safeguarding", "Elm", D("2026-12-01"), NaT),
        # V1's plan, visited Wed 30 Dec: next visit due Thu 14 Jan (31 Dec, 4-8 and 11-14 Jan), 9
        # working days away: not yet.
        ("EAST", "V1", "Safeguarding", "Dove", D("2026-06-01"), NaT),
        # V6's plan ended Wed 16 December.
        ("EAST", "V6", "Safeguarding", "Dove", D("2026-06-01"), D("2026-12-16")),
    ),
    "cp_visits": frame(
        "district child_id visit_date",
        ("EAST", "K1", D("2026-12-02")),
        ("EAST", "K1", D("2026-12-16")),
        ("EAST", "K2", D("2026-12-16")),
        ("EAST", "K3", D("2026-12-22")),  # another district's child with the same id
        ("EAST", "K1", D("2027-01-05")),  # after the day: not yet known on it
        ("EAST", "V1", D("2026-12-30")),
    ),
    "reviews": frame(
        "district child_id team review_type due_date review_date",
        # V1 CP review due Wed 6 Jan, not held: 3 working days left (4, 5, 6 Jan).
        ("EAST", "V1", "Safeguarding", "CP", D("2027-01-06"), NaT),
        # V2 held on its due day: done.
        ("SOUTH", "V2", "Children in Care", "CLA", D("2026-12-14"), D("2026-12-14")),
        # V3 looked-after review due Mon 21 Dec, not held: 6 working days over (22-24, 29-31 Dec).
        ("SOUTH", "V3", "Children in Care", "CLA", D("2026-12-21"), NaT),
        # V4 due Mon 18 Jan: not within the window (11 working days).
        ("SOUTH", "V4", "Children in Care", "CLA", D("2027-01-18"), NaT),
        # V5's review due Mon 14 Dec was missed, but the next one (due Mon 28 Dec) was held on
        # Wed 23 Dec: the missed one is superseded, not overdue for ever.
        ("EAST", "V5", "Children in Care", "CLA", D("2026-12-14"), NaT),
        ("EAST", "V5", "Children in Care", "CLA", D("2026-12-28"), D("2026-12-23")),
        # V6's CP review due Mon 21 Dec was not held, but the plan ended on Wed 16 Dec: no clock.
        ("EAST", "V6", "Safeguarding", "CP", D("2026-12-21"), NaT),
    ),
    # Periods in care (the looked-after reviews run only while the child is in care).
    "cla": frame(
        "district child_id cla_start cla_end",
        ("SOUTH", "V2", D("2025-01-01"), NaT),
        ("SOUTH", "V3", D("2025-01-01"), NaT),
        ("SOUTH", "V4", D("2025-01-01"), NaT),
        ("EAST", "V5", D("2025-01-01"), NaT),
    ),
    "unallocated": frame(
        "district child_id team unallocated_since as_at",
        # U1 on the 31 December list, waiting since 1 December: 28 days ran out on Tue 29 Dec,
        # 2 working days ago (30, 31 Dec).
        ("EAST", "U1", "Assessment 1", D("2026-12-01"), D("2026-12-31")),
        # U2 only on November's list: allocated since.
        ("EAST", "U2", "Assessment 1", D("2026-10-01"), D("2026-11-30")),
        # U3 waiting since 20 December: runs out Sun 17 Jan, 10 working days away.
        ("SOUTH", "U3", "Assessment 2", D("2026-12-20"), D("2026-12-31")),
    ),
    # Supervision: 28 calendar days from a qualified worker's last supervision, for the workers on
    # the latest staff list (31 December); a worker with none runs from the log's first entry.
    "staff": frame(
        "district month worker team qualified",
        ("EAST", D("2026-12-31"), "Fir", "Assessment 1", "Yes"),
        ("EAST", D("2026-12-31"), "Gorse", "Assessment 1", "Yes"),
        ("EAST", D("2026-12-31"), "Hazel", "Assessment 1", "Yes"),
        ("EAST", D("2026-12-31"), "Ivy", "Assessment 1", "No"),  # not qualified: no clock
        ("EAST", D("2026-11-30"), "Juniper", "Assessment 1", "Yes"),  # left in November: no clock
        ("SOUTH", D("2026-12-31"), "Larch", "Assessment 2", "Yes"),
    ),
    "supervision": frame(
        "district worker supervision_date",
        # The log's first entry: Mon 2 Nov (Ivy's).
        ("EAST", "Ivy", D("2026-11-02")),
        # Fir last supervised Tue 8 Dec: due Tue 5 Jan 2027 (8 Dec + 28 days), 2 working days
        # left (Mon 4, Tue 5 Jan; Fri 1 Jan is a bank holiday).
        ("EAST", "Fir", D("2026-11-10")),
        ("EAST", "Fir", D("2026-12-08")),
        # Gorse last supervised Tue 1 Dec: due Tue 29 Dec, 2 working days over (30, 31 Dec).
        ("EAST", "Gorse", D("2026-12-01")),
        # Hazel: none recorded, so from the log's first entry, Mon 2 Nov: due Mon 30 Nov, 21
        # working days over (1-4, 7-11, 14-18, 21-24 and 29-31 Dec).
        # Juniper supervised long ago, but no longer on the staff list.
        ("EAST", "Juniper", D("2026-11-02")),
        # Larch supervised Sun 20 Dec: due Sun 17 Jan, 10 working days away: not yet.
        ("SOUTH", "Larch", D("2026-12-20")),
        ("SOUTH", "Larch", D("2027-01-06")),  # after the day: not yet known on it
    ),
}

# (clock id, child id) -> (due date, working days left) worked out above.
EXPECTED = {
    ("ASSESSMENT_45WD", "A1"): (dt.date(2027, 1, 8), 5),
    ("ASSESSMENT_45WD", "A5"): (dt.date(2027, 1, 8), 5),
    ("ASSESSMENT_45WD", "A3"): (dt.date(2026, 12, 14), -11),
    ("ICPC_15WD", "S1"): (dt.date(2027, 1, 7), 4),
    ("CP_VISIT_10WD", "K1"): (dt.date(2027, 1, 4), 1),
    ("CP_VISIT_10WD", "K3"): (dt.date(2026, 12, 15), -10),
    ("CP_REVIEW", "V1"): (dt.date(2027, 1, 6), 3),
    ("CLA_REVIEW", "V3"): (dt.date(2026, 12, 21), -6),
    ("ALLOCATION_28D", "U1"): (dt.date(2026, 12, 29), -2),
    ("SUPERVISION_4W", "Fir"): (dt.date(2027, 1, 5), 2),
    ("SUPERVISION_4W", "Gorse"): (dt.date(2026, 12, 29), -2),
    ("SUPERVISION_4W", "Hazel"): (dt.date(2026, 11, 30), -21),
}


def test_each_open_case_due_within_five_working_days_or_overdue_appears_exactly_as_worked_out():
    titles = {c.title: c.id for c in CLOCKS}
    found, unavailable = due_cases(CLOCKS, TABLES, DAY, within=5)
    # A supervision row names the worker, not a child.
    got = {(titles[r.clock], r.child_id or r.worker): (r.due, r.days_left) for r in found.itertuples()}
    assert got == EXPECTED
    assert unavailable == []
    assert set(found[found["clock"] == "Supervision: every 4 weeks (qualified social workers)"]["child_id"]) == {""}
    # The independent counter agrees with every due date and every count of days left.
    for due, left in EXPECTED.values():
        assert (working_days(DAY, due) if due >= DAY else -working_days(due, DAY)) == left
    # Each row says where the case is, who holds it and the figure it will hurt.
    a3 = found[found["child_id"] == "A3"].iloc[0]
    assert (a3.district, a3.team, a3.worker, a3.indicator) == ("SOUTH", "Assessment 2", "Birch", "ASSESS_45WD")
    # Overdue first within a district, then the soonest.
    south = found[found["district"] == "SOUTH"]["days_left"].tolist()
    assert south == sorted(south)


def test_a_case_due_on_the_window_s_last_day_is_in_and_the_next_is_out():
    found, _ = due_cases(CLOCKS, TABLES, DAY, within=4)
    assert "A1" not in set(found["child_id"])  # 5 working days away: outside a 4-day window
    found, _ = due_cases(CLOCKS, TABLES, DAY, within=6)
    assert {"A1", "A2"} <= set(found["child_id"])  # A2's Mon 11 January is the 6th working day


def test_a_clock_whose_list_is_missing_is_not_available_never_none_due():
    tables = {name: table for name, table in TABLES.items() if name not in ("unallocated", "cp_visits")}
    tables["s47"] = TABLES["s47"].drop(columns="icpc_unnecessary")
    gaps = {"ALLOCATION_28D": {"EAST": "no unallocated file for East"}, "ASSESSMENT_45WD": {"SOUTH": "no assessments file for South"}}
    found, unavailable = due_cases(CLOCKS, tables, DAY, gaps=gaps)
    assert "Allocation to a social worker: 28 days: not available (no unallocated list)" in unavailable
    # Said once: no list at all, so no line for the district that lacks it too; a clock that
    # runs says which district it cannot count.
    assert [line for line in unavailable if line.startswith("Allocation")] == [
        "Allocation to a social worker: 28 days: not available (no unallocated list)"
    ]
    assert "Assessment: 45 working days from its start: not available in one district (no assessments file for South)" in unavailable
    assert any("Initial conference" in line and "icpc_unnecessary" in line for line in unavailable)
    # Without the visits log, counting from each plan's start would make every plan overdue:
    # the clock is not available, and no CP plan is listed.
    assert "Child protection visit: every 10 working days: not available (no cp_visits list)" in unavailable
    assert not found["clock"].str.startswith("Child protection visit").any()
    assert not found["clock"].str.startswith("Allocation").any()


def test_a_misspelt_clock_is_an_error_at_load(tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text(
        'extends = "default"\n[[clock]]\nid = "X"\ntitle = "x"\ndataset = "s47"\nstart = "strategy_date"\ndayz = 15\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="dayz"):
        load_clocks(path)
    path.write_text('[[clock]]\nid = "X"\ntitle = "x"\ndataset = "reviews"\nstart = "due_date"\ndue = "due_date"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="either `start`"):
        load_clocks(path)


def test_a_local_variant_replaces_the_shipped_clock_of_the_same_id(tmp_path):
    # Birmingham allocates within 7 days, not 28: the same clock id with its own limit.
    path = tmp_path / "ours.toml"
    path.write_text(
        'extends = "default"\n[[clock]]\nid = "ALLOCATION_28D"\ntitle = "Allocation: 7 days"\ndataset = "unallocated"\n'
        'start = "unallocated_since"\nsnapshot = "as_at"\ndays = 7\ncounting = "days"\n',
        encoding="utf-8",
    )
    clocks = load_clocks(path)
    assert [c.id for c in clocks].count("ALLOCATION_28D") == 1
    found, _ = due_cases(clocks, TABLES, DAY)
    # U3, waiting since 20 December, ran out on Sun 27 December under 7 days: 3 working days
    # over (29, 30, 31 December; the 28th is a bank holiday).
    u3 = found[found["child_id"] == "U3"].iloc[0]
    assert (u3.due, u3.days_left) == (dt.date(2026, 12, 27), -3)


def assessments_due(example_dir) -> dict[str, tuple[str, int]]:
    """Open assessments on Sat 31 October 2026 whose 45 working days run out within the next 5
    working days or have run out: child id -> (district, working days left = 45 - working days
    from the start to 31 October). Read with openpyxl and the csv module (tests/independent.py)."""
    from independent import parse_date, pick, rows

    day = dt.date(2026, 10, 31)
    expected = {}
    for district in ("NG", "EB", "SM", "WF"):
        for row in rows(example_dir, district, "List 4"):
            child = str(pick(row, "Child Unique ID", "Child ID") or "").strip()
            start = parse_date(pick(row, "Continuous Assessment Start Date", "Assessment Start Date"))
            end = parse_date(pick(row, "Continuous Assessment Date of Authorisation", "Date assessment signed off"))
            if child and start and start <= day and end is None:
                left = 45 - working_days(start, day)
                if left <= 5:
                    expected[child] = (district, left)
    return expected


def test_the_demo_master_lists_the_assessments_due_soon_as_an_independent_count_finds_them(example_dir, demo_run):
    from python_calamine import CalamineWorkbook

    expected = {child: left for child, (_, left) in assessments_due(example_dir).items()}
    assert expected and min(expected.values()) < 0 < max(expected.values())  # some overdue, some not yet
    _, master = demo_run
    sheet = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Drill-down due soon").to_python()
    header = sheet[3]
    listed = {
        str(r[header.index("Child ID")]): int(r[header.index("Working days left")])
        for r in sheet[4:]
        if r[header.index("Timescale")] == "Assessment: 45 working days from its start"
    }
    assert listed == expected


def test_the_due_soon_list_never_leaves_in_a_copy(demo_run, tmp_path):
    import zipfile

    from python_calamine import CalamineWorkbook

    from xl_scorecard.render.copies import aggregate_copy, personal_sheets

    _, master = demo_run
    assert "Drill-down due soon" in personal_sheets(master)
    sheet = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Drill-down due soon").to_python()
    # A supervision row names a worker, not a child: its Child ID is blank.
    ids = {str(r[sheet[3].index("Child ID")]) for r in sheet[4:] if r[0]} - {""}
    assert len(ids) > 20
    copy = aggregate_copy(master, tmp_path / "copy.xlsx")
    with zipfile.ZipFile(copy) as package:
        text = "".join(package.read(n).decode("utf-8", errors="ignore") for n in package.namelist())
    assert "Drill-down due soon" not in text
    assert [i for i in ids if i in text] == []


def test_the_due_command_prints_counts_per_district_team_and_timescale_and_no_child_id(example_dir, capsys):
    import json
    import re

    from xl_scorecard.cli import main

    assert main(["due", "--config", str(example_dir / "authority.toml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_at"] == "2026-10-31" and report["within_working_days"] == 5 and report["not_available"] == []
    names = {"NG": "Northgate", "EB": "Eastbrook", "SM": "Southmere", "WF": "Westfield"}
    expected: dict[tuple[str, str], int] = {}
    for district, left in assessments_due(example_dir).values():
        key = (names[district], "overdue" if left < 0 else "due_soon")
        expected[key] = expected.get(key, 0) + 1
    got: dict[tuple[str, str], int] = {}
    for row in report["counts"]:
        if row["timescale"] == "Assessment: 45 working days from its start":
            for kind in ("overdue", "due_soon"):
                if row[kind]:
                    got[(row["district"], kind)] = got.get((row["district"], kind), 0) + row[kind]
    assert got == expected
    assert main(["due", "--config", str(example_dir / "authority.toml")]) == 0
    printed = capsys.readouterr().out
    assert "Northgate: " in printed and "Drill-down due soon" in printed
    assert re.findall(r"\b(?:NG|EB|SM|WF)\d{6}\b", printed) == []  # counts only: no child id on the screen


def test_each_district_email_carries_its_own_early_warning_counts_and_no_child_id(authority):
    # The Districts sheet's early-warning table (read with openpyxl) against the Northgate
    # manager's draft, after a refresh and again from the stored master (the email command).
    import email
    import re
    from email import policy

    import openpyxl

    from xl_scorecard.cli import main

    config = str(authority / "authority.toml")
    assert main(["refresh", "--config", config, "--email", "--dry-run"]) == 0
    sheet = openpyxl.load_workbook(authority / "master.xlsx", read_only=True)["Districts"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if str(r[0] or "").startswith("Early warning: open cases due within 5 working days"))
    northgate = rows[2].index("Northgate")
    counts: dict[str, dict[str, int]] = {}
    for row in rows[top + 1 :]:
        label = str(row[0] or "")
        for suffix, kind in ((": overdue", "overdue"), (": due soon", "due soon")):
            if suffix in label:
                counts.setdefault(label.split(suffix)[0], {})[kind] = int(row[northgate])
    expected = [f"{clock}: {c['overdue']} overdue, {c['due soon']} due soon" for clock, c in counts.items()]
    assert len(expected) == 7  # six case clocks and supervision

    def warning_lines() -> list[str]:
        draft = email.message_from_bytes((authority / "outbox" / "master NG.eml").read_bytes(), policy=policy.default)
        text = draft.get_body(("plain",)).get_content()
        assert re.findall(r"\b(?:NG|EB|SM|WF)\d{6}\b", text) == []
        block = text.split("(the cases are listed in the master workbook):\n", 1)[1].split("\n\n", 1)[0]
        return [line.strip() for line in block.splitlines()]

    # What the figures can still become: Northgate's figures from its Districts column, in words.
    outlook = {}
    for row in rows[top + 1 :]:
        label = str(row[0] or "")
        if ": if every case due by " in label:
            head = label.split(": if every case due by ")[0]
            outlook[head] = [row[northgate]]
        elif label.endswith(": if none is") and label[: -len(": if none is")] in outlook:
            outlook[label[: -len(": if none is")]].append(row[northgate])
    assert len(outlook) == 4  # assessments, initial conferences, CP and looked-after reviews

    def outlook_lines() -> list[str]:
        draft = email.message_from_bytes((authority / "outbox" / "master NG.eml").read_bytes(), policy=policy.default)
        text = draft.get_body(("plain",)).get_content()
        block = text.split("nothing else changing:\n", 1)[1].split("\n\n", 1)[0]
        return [line.strip() for line in block.splitlines()]

    lines = outlook_lines()
    assert len(lines) == 4
    for line, (head, (best, worst)) in zip(lines, outlook.items()):
        assert line.startswith(head + ": " + f"{best:.1%}")
        assert (f"{worst:.1%} if none is." in line) if f"{best:.1%}" != f"{worst:.1%}" else "however the open cases" in line
    assert warning_lines() == expected
    (authority / "outbox" / "master NG.eml").unlink()
    assert main(["email", "--config", config, "--dry-run"]) == 0
    assert warning_lines() == expected
    assert outlook_lines() == lines  # read back from the stored master, the same words


def test_a_district_without_its_visits_log_has_no_count_not_zero(authority):
    # Southmere's CP visits log goes missing: counted from each plan's start, every Southmere
    # plan would look overdue. Its count says "no data", the authority's total "incomplete",
    # no Southmere plan is listed, and the other districts are as before.
    import re

    import openpyxl
    from python_calamine import CalamineWorkbook

    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    def visit_counts() -> dict[str, object]:
        sheet = openpyxl.load_workbook(authority / "master.xlsx", read_only=True)["Districts"]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        row = next(r for r in rows if str(r[0] or "").startswith("Child protection visit: every 10 working days: overdue"))
        return {name: row[col] for col, name in enumerate(rows[2]) if name}

    refresh(load_config(authority / "authority.toml"), master=authority / "master.xlsx")
    before = visit_counts()
    config = authority / "authority.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r'\[\[source\]\]\ndistrict = "SM"\ndataset = "cp_visits"\nfile = "[^"]+"\n', "", text), encoding="utf-8")
    assert config.read_text(encoding="utf-8") != text
    refresh(load_config(config), master=authority / "master.xlsx")
    after = visit_counts()
    assert after["Southmere"] == "no data" and after["Northshire"] == "incomplete"
    assert all(after[d] == before[d] for d in ("Northgate", "Eastbrook", "Westfield"))
    sheet = CalamineWorkbook.from_path(str(authority / "master.xlsx")).get_sheet_by_name("Drill-down due soon").to_python()
    listed = {(r[0], r[4]) for r in sheet[4:] if r[0]}
    assert ("Southmere", "Child protection visit: every 10 working days") not in listed
    assert ("Northgate", "Child protection visit: every 10 working days") in listed
    assert any("not available in one district (no cp_visits file for Southmere)" in str(c) for c in sheet[2])


# -- was the list acted on (part 4) -------------------------------------------------------------
# On Monday 30 November 2026, the five working days ahead are Tue 1 - Fri 4 and Mon 7 December.
ACTED_ON = {
    "reviews": frame(
        "district child_id team review_type due_date review_date",
        ("EAST", "R1", "Safeguarding", "CP", D("2026-12-03"), D("2026-12-03")),  # held on its due day
        ("EAST", "R2", "Safeguarding", "CP", D("2026-12-04"), D("2026-12-07")),  # held late: went past
        ("EAST", "R3", "Safeguarding", "CP", D("2026-12-07"), NaT),  # never held: went past
        ("EAST", "R4", "Safeguarding", "CP", D("2026-11-30"), D("2026-12-01")),  # due on the day, held late
        ("EAST", "R5", "Safeguarding", "CP", D("2026-11-27"), NaT),  # already overdue: not "due soon"
        ("EAST", "R6", "Safeguarding", "CP", D("2026-12-08"), NaT),  # 6 working days ahead: not due soon
        ("EAST", "R8", "Safeguarding", "CP", D("2026-12-01"), D("2026-11-20")),  # held before: no clock
    ),
    "cp_plans": frame(
        "district child_id team worker plan_start plan_end",
        ("EAST", "K1", "Safeguarding", "Dove", D("2026-06-01"), NaT),
        ("EAST", "K2", "Safeguarding", "Dove", D("2026-06-01"), NaT),
        ("EAST", "K3", "Safeguarding", "Dove", D("2026-06-01"), D("2026-12-01")),
        # R1-R8's plans, open all along (never visited: their visit clocks were overdue long
        # before 30 November, so never "due soon" on it).
        *[("EAST", f"R{n}", "Safeguarding", "Dove", D("2026-06-01"), NaT) for n in range(1, 9)],
    ),
    "cp_visits": frame(
        "district child_id visit_date",
        # K1 visited Wed 18 Nov: due 10 working days later, Wed 2 Dec (19-20, 23-27, 30 Nov, 1-2
        # Dec); visited on 2 Dec: in time.
        ("EAST", "K1", D("2026-11-18")),
        ("EAST", "K1", D("2026-12-02")),
        # K2 visited Thu 19 Nov: due Thu 3 Dec; next visit Fri 4 Dec: went past.
        ("EAST", "K2", D("2026-11-19")),
        ("EAST", "K2", D("2026-12-04")),
        # K3 visited Mon 16 Nov: due Mon 30 Nov, the day itself; no visit, the plan ended on 1 Dec,
        # after the visit was due: went past.
        ("EAST", "K3", D("2026-11-16")),
    ),
}


def test_of_the_cases_due_soon_those_that_went_past_their_due_date_are_counted_as_worked_out():
    clocks = [c for c in CLOCKS if c.id in ("CP_REVIEW", "CP_VISIT_10WD")]
    found = went_past_due(clocks, ACTED_ON, dt.date(2026, 11, 30), 5, dt.date(2026, 12, 31))
    got = {r.clock: (r.due_soon, r.went_past, r.not_yet_due) for r in found.itertuples()}
    assert got == {
        "Child protection review conference": (4, 3, 0),  # R1-R4 due soon; R2, R3 and R4 went past
        "Child protection visit: every 10 working days": (3, 2, 0),  # K1-K3; K2 and K3 went past
    }
    # Asked on Fri 4 December: R2 (due that day) and R3 (due Mon 7) are not decided yet; R1 was
    # held in time and R4 went past.
    found = went_past_due(clocks, ACTED_ON, dt.date(2026, 11, 30), 5, dt.date(2026, 12, 4))
    reviews = found[found["clock"] == "Child protection review conference"].iloc[0]
    assert (reviews.due_soon, reviews.went_past, reviews.not_yet_due) == (4, 1, 2)
