"""Figures kept from the last refresh (xl_scorecard.indicators.saved, issue 21): a refresh whose
tables, months, districts and definitions did not change takes the figures it saved instead of
computing them again; anything else is computed.

Every master written from saved figures is checked against a master written by a refresh that
computes everything (``read_cache = false``), read back with openpyxl.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import xl_scorecard.indicators.compute as compute
from xl_scorecard.config import load_config
from xl_scorecard.indicators.catalogue import shipped_catalogue
from xl_scorecard.indicators.saved import FILE_NAME, TableReads, table_digests
from xl_scorecard.pipeline import refresh
from xl_scorecard.sources.cache import cache_folder

COMPARED = ("History data", "History", "Districts")


@pytest.fixture
def computed(monkeypatch) -> list[tuple[str, str]]:
    """Every (indicator, month) figure computed in this process (compute_all works an
    indicator's months out together)."""
    seen: list[tuple[str, str]] = []
    original = compute.figures_for_months

    def counted(indicator, tables, periods, *args, **kwargs):
        seen.extend((indicator.id, str(period)) for period in periods)
        return original(indicator, tables, periods, *args, **kwargs)

    monkeypatch.setattr(compute, "figures_for_months", counted)
    return seen


def _values(master: Path, sheet: str) -> list[tuple]:
    book = load_workbook(master, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def _computed_afresh(authority: Path, name: str) -> Path:
    """A master written by a refresh that saves and takes nothing, from the same configuration."""
    text = (authority / "authority.toml").read_text()
    (authority / f"{name}.toml").write_text(text.replace("[authority]\n", "[authority]\nread_cache = false\n", 1))
    master = authority / name / "master.xlsx"
    master.parent.mkdir(exist_ok=True)
    master.unlink(missing_ok=True)
    refresh(load_config(authority / f"{name}.toml"), master=master)
    assert not cache_folder(master).exists()
    return master


def _same_figures(master: Path, fresh: Path) -> None:
    for sheet in COMPARED:
        assert _values(master, sheet) == _values(fresh, sheet), sheet


def _use_own_catalogue(authority: Path) -> Path:
    catalogue = authority / "catalogue.toml"
    shutil.copy(shipped_catalogue("default"), catalogue)
    text = (authority / "authority.toml").read_text()
    (authority / "authority.toml").write_text(text.replace("[authority]\n", '[authority]\ncatalogue = "catalogue.toml"\n', 1))
    return catalogue


def test_a_second_refresh_takes_every_figure_saved_and_writes_the_same_master(authority, computed):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    first = refresh(config, master=master)
    indicators = len(first.catalogue)
    assert len(computed) > indicators and len(computed) % indicators == 0  # every indicator, every month
    saved = cache_folder(master) / FILE_NAME
    with np.load(saved, allow_pickle=False) as archive:
        assert len(archive["keys"]) == indicators
    half_saved = saved.with_name(f"{saved.name}.99999.tmp")  # left by a refresh stopped while saving
    half_saved.write_bytes(b"PK")
    computed.clear()
    second = refresh(config, master=master)
    assert computed == [] and not half_saved.exists()
    assert not [p for p in second.sources.problems if p.code == "figures-not-used"]
    _same_figures(master, _computed_afresh(authority, "fresh"))


def test_a_new_target_computes_nothing_and_a_new_calculation_only_its_indicator(authority, computed):
    catalogue = _use_own_catalogue(authority)
    master = authority / "master.xlsx"
    first = refresh(load_config(authority / "authority.toml"), master=master)
    months = len(computed) // len(first.catalogue)
    text = catalogue.read_text()
    # A target is scoring, not computing: the figures are the same.
    catalogue.write_text(text.replace("target = 0.08\nfloor = 0.12", "target = 0.5\nfloor = 0.6", 1))
    computed.clear()
    again = refresh(load_config(authority / "authority.toml"), master=master)
    assert computed == []
    rags = [run.scored.loc[run.scored["indicator"] == "REFERRALS_NFA", "rag"].tolist() for run in (first, again)]
    assert rags[0] != rags[1]  # scored against the new target
    # A new period for one indicator: that indicator alone is computed, for every month.
    before = '''period = "rolling12"\ncalculation = { name = "rate_per_population", dataset = "referrals"'''
    assert before in text
    catalogue.write_text(catalogue.read_text().replace(before, before.replace("rolling12", "ytd"), 1))
    computed.clear()
    refresh(load_config(authority / "authority.toml"), master=master)
    assert {indicator for indicator, _ in computed} == {"REFERRALS_RATE"} and len(computed) == months
    _same_figures(master, _computed_afresh(authority, "fresh"))


def _add_last_row_again(path: Path) -> None:
    data = path.read_bytes()  # as it is encoded (the example's supervision log is Windows-1252)
    lines = data.splitlines(keepends=True)
    path.write_bytes(data + (b"" if data.endswith(b"\n") else b"\r\n") + lines[-1])


def test_a_changed_list_computes_only_the_figures_that_look_at_it(authority, computed):
    catalogue = _use_own_catalogue(authority)
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    first = refresh(config, master=master)
    months = len(computed) // len(first.catalogue)
    declared = tomllib.loads(catalogue.read_text())["indicator"]

    def recomputed() -> set[str]:
        assert len(computed) % months == 0  # each indicator computed is computed for every month
        return {indicator for indicator, _ in computed}

    # A row more in the referrals list: the figures of the referrals list alone.
    _add_last_row_again(authority / "Southmere" / "list3_referrals.csv")
    computed.clear()
    refresh(config, master=master)
    assert recomputed() == {i["id"] for i in declared if i["calculation"].get("dataset") == "referrals"}
    # The population: every rate per 10,000 children, though none names it as its dataset.
    population = authority / "population.csv"
    population.write_text(population.read_text().replace(",2026,21400", ",2026,21401"))
    computed.clear()
    refresh(config, master=master)
    assert recomputed() == {i["id"] for i in declared if i["unit"] == "per 10,000"}
    # The supervision log: the one figure that reads it (its calculation names no dataset).
    _add_last_row_again(authority / "Southmere" / "supervision_log.csv")
    computed.clear()
    refresh(config, master=master)
    assert recomputed() == {"SUPERVISED"}
    # The contacts list, which no figure of this catalogue reads: nothing.
    _add_last_row_again(authority / "Southmere" / "list1_contacts.csv")
    computed.clear()
    refresh(config, master=master)
    assert computed == []
    _same_figures(master, _computed_afresh(authority, "fresh"))
    # Another reporting month: other months to compute, nothing taken from the saved ones.
    computed.clear()
    earlier = config.period.shift(-1) if config.period else None
    assert earlier is not None
    refresh(config, master=master, period=earlier)
    assert recomputed() == {i["id"] for i in declared}


def test_a_computation_that_goes_through_every_table_depends_on_all_of_them():
    tables = {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"x": [2]})}
    looked_at = TableReads(tables)
    assert "a" in looked_at and looked_at.get("c") is None and len(looked_at["a"]) == 1
    assert looked_at.read() == ["a", "c"]
    for going_through in (list, dict, len, lambda t: {**t}, lambda t: t.copy(), lambda t: list(t.items())):
        again = TableReads(tables)
        going_through(again)
        assert again.read() is None, going_through


@pytest.mark.parametrize("damage", ["garbage", "cut short", "pickled", "other format"])
def test_a_damaged_or_foreign_figures_file_is_not_trusted(authority, computed, damage):
    config = load_config(authority / "authority.toml")
    master = authority / "master.xlsx"
    refresh(config, master=master)
    every = len(computed)
    saved = cache_folder(master) / FILE_NAME
    data = saved.read_bytes()
    if damage == "garbage":
        saved.write_bytes(b"not a figures file" * 100)
    elif damage == "cut short":
        saved.write_bytes(data[: len(data) // 2])
    elif damage == "pickled":
        # The right keys, but the arrays as Python objects (a pickle): never loaded.
        with np.load(saved, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        np.savez(saved.with_suffix(""), **{k: v.astype(object) if k.startswith("value_") else v for k, v in arrays.items()})
    else:
        with np.load(saved, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        arrays["format"] = np.array("xl-scorecard figures 0")
        np.savez(saved.with_suffix(""), **arrays)
    computed.clear()
    result = refresh(config, master=master)
    notes = [p for p in result.sources.problems if p.code == "figures-not-used"]
    assert len(notes) == 1 and notes[0].severity == "warning"
    assert str(cache_folder(master)) in notes[0].message and "computed again" in notes[0].message
    assert len(computed) == every
    with np.load(saved, allow_pickle=False) as archive:  # written afresh, and usable
        assert archive["value_" + str(archive["keys"][0])].dtype == np.float64
    computed.clear()
    refresh(config, master=master)
    assert computed == []
    _same_figures(master, _computed_afresh(authority, "fresh"))


def test_the_table_digest_tells_apart_what_pandas_hashes_alike():
    base = pd.DataFrame({"code": pd.Series(["1", "2", None], dtype=object), "n": [1.0, 2.0, 3.0]})

    def table_digest(tables: dict[str, pd.DataFrame]) -> str:
        return "".join(table_digests(tables).values())

    digest = table_digest({"t": base})
    assert table_digest({"t": base.copy()}) == digest
    as_number = base.copy()
    as_number["code"] = pd.Series([1, "2", None], dtype=object)  # pandas hashes 1 and "1" alike
    the_word = base.copy()
    the_word["code"] = pd.Series(["1", "2", "None"], dtype=object)
    reordered = base.iloc[[1, 0, 2]].reset_index(drop=True)
    one_more = base.assign(n=[1.0, 2.0, 3.5])
    other_name = {"u": base}
    digests = {table_digest({"t": t}) for t in (as_number, the_word, reordered, one_more)} | {table_digest(other_name), digest}
    assert len(digests) == 6
