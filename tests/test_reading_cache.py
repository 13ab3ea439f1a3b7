"""Refresh only what changed: each input's reading is saved beside the master's backups and an
unchanged file is not read again (xl_scorecard.sources.cache, issue 21 part 2).

The readings are checked against reading the files afresh: the tables, problems and row
accounting a refresh uses are the same whether they came from the files or from the saved
readings, and the master written from them is the same.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import xl_scorecard.sources as sources
import xl_scorecard.sources.cache as cache
from xl_scorecard.config import load_config
from xl_scorecard.pipeline import refresh
from xl_scorecard.sources import read_sources
from xl_scorecard.sources.cache import SUFFIX, Damaged, cache_folder, decode, encode


@pytest.fixture
def reads(monkeypatch) -> list[tuple[str, str]]:
    """Every source read from its file in this process, as (district, file)."""
    seen: list[tuple[str, str]] = []
    original = sources.read_district

    def counted(config, source, workbooks=None, *kept):
        seen.append((source.district or "", source.file))
        return original(config, source, workbooks, *kept)

    monkeypatch.setattr(sources, "read_district", counted)
    return seen


def _same(a, b) -> None:
    assert set(a.tables) == set(b.tables)
    for name, table in a.tables.items():
        pd.testing.assert_frame_equal(b.tables[name], table, check_exact=True)
    assert b.files == a.files
    assert b.problems == a.problems


def _sheet_values(master: Path, sheet: str) -> list[tuple]:
    book = load_workbook(master, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def test_an_unchanged_authority_is_not_read_again_and_gives_the_same_master(authority, reads):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    first = refresh(config, master=master)
    sources_count = len(config.data.source)
    assert len(reads) == sources_count  # the first refresh reads every source
    folder = cache_folder(master)
    assert folder == authority / "backups" / "master readings"
    saved = sorted(folder.glob(f"*{SUFFIX}"))
    groups = {tuple(sorted(authority.glob(s.file))) for s in config.data.source}
    assert len(saved) == len(groups)  # one reading per file (an Annex A workbook's lists together)

    reads.clear()
    second = refresh(config, master=master)
    assert reads == []  # nothing read again
    _same(first.sources, second.sources)
    assert sorted(folder.glob(f"*{SUFFIX}")) == saved

    # The same figures as a refresh that reads every file (an independent reader of both masters).
    fresh = authority / "fresh" / "master.xlsx"
    fresh.parent.mkdir()
    config_text = (authority / "authority.toml").read_text()
    assert "read_cache" not in config_text
    (authority / "no-cache.toml").write_text(config_text.replace("[authority]\n", "[authority]\nread_cache = false\n", 1))
    uncached = refresh(load_config(authority / "no-cache.toml"), master=fresh)
    _same(uncached.sources, second.sources)
    assert not cache_folder(fresh).exists()
    for sheet in ("History", "Districts"):
        assert _sheet_values(fresh, sheet) == _sheet_values(master, sheet)


def test_a_changed_file_alone_is_read_again(authority, reads):
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    before = read_sources(config, cache=folder)
    saved = {p.name for p in folder.iterdir()}
    contacts = authority / "Southmere" / "list1_contacts.csv"
    lines = contacts.read_text(encoding="utf-8-sig").splitlines()
    contacts.write_text("\n".join([*lines, lines[-1]]) + "\n", encoding="utf-8")  # one row more (a repeat)
    reads.clear()
    after = read_sources(config, cache=folder)
    assert reads == [("SM", "Southmere/list1_contacts.csv")]
    report = next(f for f in after.files if f.file == "Southmere/list1_contacts.csv")
    old = next(f for f in before.files if f.file == "Southmere/list1_contacts.csv")
    assert report.rows_read == old.rows_read + 1
    now = {p.name for p in folder.iterdir()}
    assert len(now - saved) == 1 and len(saved - now) == 1  # the old reading of that file went
    _same(read_sources(config), after)


def test_a_change_of_description_or_tool_reads_everything_again(authority, reads, monkeypatch):
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    read_sources(config, cache=folder)
    reads.clear()
    monkeypatch.setattr(cache, "__version__", "99.0")
    read_sources(config, cache=folder)
    assert len(reads) == len(config.data.source)
    reads.clear()
    # A new version of the spreadsheet reader may read a date differently: everything again.
    readers = cache._readers
    monkeypatch.setattr(cache, "_readers", lambda: "python-calamine 99.0")
    read_sources(config, cache=folder)
    assert len(reads) == len(config.data.source)
    monkeypatch.setattr(cache, "_readers", readers)
    read_sources(config, cache=folder)  # saved again under the readers installed
    reads.clear()
    text = (authority / "authority.toml").read_text()
    # A heading people type, added to one source: that source's entry is part of its key.
    entry = 'file = "Southmere/list1_contacts.csv"\n'
    changed = text.replace(entry, entry + 'headers = { child_id = ["Ref"] }\n', 1)
    assert changed != text
    (authority / "authority.toml").write_text(changed)
    read_sources(load_config(authority / "authority.toml"), cache=folder)
    assert reads == [("SM", "Southmere/list1_contacts.csv")]


@pytest.mark.parametrize("damage", ["flip a byte", "cut short", "another file's reading", "not a reading"])
def test_a_damaged_or_foreign_reading_is_ignored_with_a_note(authority, reads, damage):
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    fresh = read_sources(config, cache=folder)
    saved = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_size)
    victim, other = saved[-1], saved[0]
    data = victim.read_bytes()
    if damage == "flip a byte":
        victim.write_bytes(data[:5000] + bytes([data[5000] ^ 1]) + data[5001:])
    elif damage == "cut short":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "another file's reading":
        victim.write_bytes(other.read_bytes())
    else:
        victim.write_bytes(b"PK\x03\x04 not a reading at all")
    reads.clear()
    again = read_sources(config, cache=folder)
    assert len(reads) >= 1  # the files of that reading were read again
    notes = [p for p in again.problems if p.code == "reading-not-used"]
    assert len(notes) == 1 and notes[0].severity == "warning"
    reason = {"flip a byte": "damaged", "cut short": "damaged", "another file's reading": "another file", "not a reading": "not a saved"}
    assert reason[damage] in notes[0].message and str(folder) in notes[0].message
    again.problems.remove(notes[0])
    _same(fresh, again)
    assert victim.read_bytes() == data  # read again and saved again, whole
    reads.clear()
    third = read_sources(config, cache=folder)
    assert reads == [] and not [p for p in third.problems if p.code == "reading-not-used"]


def test_an_unreadable_file_is_not_saved_and_is_reported_every_time(authority, reads):
    broken = authority / "Northgate" / "Northgate workforce.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    first = read_sources(config, cache=folder)
    codes = {p.code for p in first.problems if p.file == "Northgate/Northgate workforce.xlsx"}
    assert "file-unreadable" in codes
    reads.clear()
    second = read_sources(config, cache=folder)
    assert {file for _, file in reads} == {"Northgate/Northgate workforce.xlsx"}
    assert {p.code for p in second.problems if p.file == "Northgate/Northgate workforce.xlsx"} == codes


def test_readings_are_kept_only_beside_a_master_that_holds_child_rows(authority):
    text = (authority / "authority.toml").read_text()
    (authority / "authority.toml").write_text(text.replace("[authority]\n", "[authority]\ndrilldown = false\n", 1))
    config = load_config(authority / "authority.toml")
    assert not config.keeps_readings
    refresh(config, master=authority / "master.xlsx")
    assert not cache_folder(authority / "master.xlsx").exists()


def test_stray_and_half_written_readings_are_removed(authority):
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    read_sources(config, cache=folder)
    (folder / f"{'0' * 64}{SUFFIX}").write_bytes(b"an old reading")
    (folder / f"{'1' * 64}{SUFFIX}.tmp").write_bytes(b"half written")
    (folder / "notes.txt").write_text("someone's own file")
    read_sources(config, cache=folder)
    assert not (folder / f"{'0' * 64}{SUFFIX}").exists() and not (folder / f"{'1' * 64}{SUFFIX}.tmp").exists()
    assert (folder / "notes.txt").exists()  # not ours: left alone


def test_every_kind_of_column_comes_back_exactly():
    from xl_scorecard.sources import FileReport
    from xl_scorecard.sources.problems import Problem
    from xl_scorecard.sources.validate import SheetResult

    table = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "b", np.nan, "a"], dtype=object, index=[3, 4, 7, 9, 10]),
            "string": pd.Series(["a", None, "b", "c", "a"], dtype=pd.StringDtype(), index=[3, 4, 7, 9, 10]),
            "mixed": pd.Series(["1", 2, None, 2.5, True], dtype=object, index=[3, 4, 7, 9, 10]),
            "blank": pd.Series([None] * 5, dtype=object, index=[3, 4, 7, 9, 10]),
            "whole": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "flag": pd.array([True, False, None, True, False], dtype="boolean"),
            "number": [1.5, np.nan, 0.0, -2.0, 1e300],
            "count": np.arange(5, dtype=np.int64),
            "ok": [True, False, True, True, False],
            "date": pd.to_datetime(["2026-01-31", None, "2025-12-25", "1999-02-28", "2026-11-29"]),
            "team": pd.Categorical(["A", "B", "A", None, "B"]),
        },
        index=[3, 4, 7, 9, 10],
    )
    problem = Problem("no-rows", "warning", "SM", "contacts", "x.csv", "List 1", row=4, column="ID", value="v", personal=True)
    report = FileReport("SM", "contacts", "x.csv", "List 1", 6, 5, 1, True, ("child_id",), False)
    outcome = ([("contacts", SheetResult(table, [problem], 6, 1, {"child_id": "ID"}))], [report], [problem])
    data = b"".join(bytes(chunk) for chunk in encode([outcome], "k" * 64))
    ((results, reports, problems),) = decode(data, "k" * 64)
    pd.testing.assert_frame_equal(results[0][1].table, table, check_exact=True)
    assert results[0][1].table["text"].tolist()[1] is None and np.isnan(results[0][1].table["text"].tolist()[3])
    assert results[0][1].problems == [problem] and results[0][1].rows_read == 6 and results[0][1].mapped == {"child_id": "ID"}
    assert reports == [report] and problems == [problem]
    results[0][1].table.loc[3, "count"] = 99  # the tables can be changed in place, like a fresh read's
    with pytest.raises(Damaged, match="another file"):
        decode(data, "j" * 64)


def test_a_reading_never_holds_code_to_run():
    # The format has no pickled objects: a reading whose description asks for an array of
    # Python objects is refused, not unpickled.
    from xl_scorecard.sources import FileReport
    from xl_scorecard.sources.validate import SheetResult

    table = pd.DataFrame({"count": np.arange(3, dtype=np.int64)})
    report = FileReport("SM", "contacts", "x.csv", "", 3, 3, 0, True)
    chunks = encode([([("contacts", SheetResult(table))], [report], [])], "k" * 64)
    data = b"".join(bytes(chunk) for chunk in chunks[:-1])
    forged = data.replace(b'"dtype": "<i8"', b'"dtype": "|O8"')
    assert forged != data
    import hashlib

    with pytest.raises(Damaged, match="objects"):
        decode(forged + hashlib.sha256(forged).digest(), "k" * 64)


def test_the_readings_folder_goes_with_the_backups(authority):
    # Deleting the backups folder removes every saved reading; the next refresh reads all again.
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    assert cache_folder(master).is_dir()
    shutil.rmtree(authority / "backups")
    result = refresh(config, master=master)
    assert cache_folder(master).is_dir() and not [p for p in result.sources.problems if p.code == "reading-not-used"]


def test_readings_saved_by_reading_processes_are_the_same(authority, monkeypatch):
    # A large authority's files are read (and their readings saved) in separate processes.
    config = load_config(authority / "authority.toml")
    alone = read_sources(config, workers=1)
    monkeypatch.setattr(sources, "process_threshold", lambda: 0)
    folder = authority / "cache"
    pooled = read_sources(config, workers=2, cache=folder)
    saved = read_sources(config, workers=2, cache=folder)
    for data in (pooled, saved):
        assert set(data.tables) == set(alone.tables)
        for name, table in alone.tables.items():
            pd.testing.assert_frame_equal(data.tables[name], table, check_categorical=False)
        assert data.files == alone.files and data.problems == alone.problems
    assert len(list(folder.glob(f"*{SUFFIX}"))) == len({tuple(sorted(authority.glob(s.file))) for s in config.data.source})


def test_one_changed_workbook_read_on_two_threads_is_the_same(authority, reads, monkeypatch):
    # When one workbook is all there is to read, its sheets are shared between two threads,
    # each with the workbook open: the tables, reports, problems and the reading saved are
    # those of one thread reading every sheet in turn.
    config = load_config(authority / "authority.toml")
    folder = authority / "cache"
    read_sources(config, cache=folder)
    annex = authority / "Eastbrook" / "EB Annex A 2026.xlsx"
    from_annex = [s for s in config.data.source if s.file == "Eastbrook/EB Annex A 2026.xlsx"]
    assert len(from_annex) > 2
    # The same workbook zipped again (other bytes, the same sheets): it alone is read again.
    with zipfile.ZipFile(annex) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(annex, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as new:
        for info, content in parts:
            new.writestr(info.filename, content)
    threads: list[int] = []
    original = sources._read_one_group_on_threads
    monkeypatch.setattr(sources, "_read_one_group_on_threads", lambda *a: threads.append(a[-1]) or original(*a))
    reads.clear()
    threaded = read_sources(config, workers=2, cache=folder)
    assert threads == [2]
    assert sorted(reads) == sorted(("EB", "Eastbrook/EB Annex A 2026.xlsx") for _ in from_annex)
    alone = read_sources(config, workers=1)
    _same(alone, threaded)
    reads.clear()
    _same(alone, read_sources(config, workers=2, cache=folder))  # its reading, saved from the threads
    assert reads == []


def test_a_problem_naming_its_figures_is_what_dataclasses_replace_gives():
    # ``Problem.with_figures`` (the pipeline names the figures a bad value leaves its row out of,
    # tens of thousands of times in a messy district) is ``dataclasses.replace(p, figures=...)``
    # without its cost: the same fields in the same order, equal and hashed alike, still frozen,
    # and the problem it was made from unchanged.
    import dataclasses

    from xl_scorecard.sources.problems import Problem

    original = Problem(
        "bad-number", "warning", "SM", "caseloads", "Southmere/caseloads.csv", "caseloads.csv", 9, "Cases", '"n/k"', field="cases"
    )
    named = original.with_figures('"Average caseload"')
    expected = dataclasses.replace(original, figures='"Average caseload"')
    assert type(named) is Problem and named == expected and hash(named) == hash(expected)
    assert list(named.fields().items()) == list(dataclasses.asdict(expected).items())
    assert named.scope == ' The row is left out of "Average caseload"; the others count it.'
    assert original.figures == "" and original.scope.startswith(" The row is left out of the figures that read this column")
    with pytest.raises(dataclasses.FrozenInstanceError):
        named.figures = "other"  # type: ignore[misc]


def test_a_problem_saved_in_a_reading_keeps_every_field():
    # Problems are saved by their fields (``Problem.fields``: no deep copy, tens of thousands in a
    # messy district's lists): what ``dataclasses.asdict`` gives, in the same order, whatever was
    # asked of the problem before (its message, scope and type are worked out, never stored).
    # Read back, each is the problem saved.
    import dataclasses

    from xl_scorecard.sources.columns import SheetResult
    from xl_scorecard.sources.problems import Problem

    problems = [
        Problem("bad-date", "warning", "NG", "referrals", "Northgate/lists.xlsx", "List 3", row=12, column="Date", value='"TBC"'),
        Problem(
            "missing-value", "error", "SM", "assessments", "Southmere/list4.csv", row=7, column="Child ID", personal=True, excluded=True
        ),
        Problem("file-missing", "error", "EB", "cin", "Eastbrook/*.xlsx", value="Eastbrook/*.xlsx", field="start", figures="CIN rate"),
    ]
    for problem in problems:
        _ = (problem.message, problem.scope, problem.type, problem.as_dict())
        assert problem.fields() == dataclasses.asdict(problem)
        assert list(problem.fields()) == [f.name for f in dataclasses.fields(Problem)]
    result = SheetResult(pd.DataFrame({"child_id": ["A1", "A2"]}), problems[:2], rows_read=2)
    outcome = ([("referrals", result)], [], problems)
    [(results, _, again)] = decode(b"".join(bytes(part) for part in encode([outcome], "k" * 64)), "k" * 64)
    assert again == problems and results[0][1].problems == problems[:2]
