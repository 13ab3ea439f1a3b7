"""Each seed preset has an example authority (``xl-scorecard demo --preset``) whose data feed
every indicator it computes, with the typed figures it needs, so every indicator of the preset
is rated there; and each preset names the layout its seed scorecard is shown in.

The master is read back with python-calamine: the Districts sheet holds, for every indicator,
the authority's and each district's figure and rating.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from xl_scorecard.cli import main
from xl_scorecard.config import load_config
from xl_scorecard.indicators.catalogue import load_catalogue, shipped_catalogue
from xl_scorecard.render.layout import load_layout

PRESETS = {
    "kent_2012": ("kent_table", "Mar 2012"),
    "london_2010": ("london_ni", "Mar 2012"),
    "birmingham_2017": ("birmingham_panels", "Oct 2026"),
}


@pytest.fixture(scope="module")
def preset_runs(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Each preset's example, made and refreshed by the demo command: (folder, printed output)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("presets")
    runs = {}
    for preset in PRESETS:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["demo", "--out", str(out), "--preset", preset]) == 0
        runs[preset] = (out / preset, printed.getvalue())
    return runs


def districts_sheet(master: Path) -> dict[str, list]:
    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("Districts").to_python()
    return {str(r[0]): list(r) for r in rows[3:] if r[0]}


@pytest.mark.parametrize("preset", PRESETS)
def test_every_indicator_of_each_preset_is_rated_in_its_example(preset, preset_runs):
    folder, printed = preset_runs[preset]
    catalogue = load_catalogue(shipped_catalogue(preset))
    sheet = districts_sheet(folder / "master.xlsx")
    # The words the preset's layout shows for a rating (London: OK / Warning / Alert).
    words = {str(k): w for k, w in load_layout(PRESETS[preset][0]).rag_words.items()}
    rating_words = {words.get(k, k) for k in ("G", "A", "R")}
    unrated = []
    for ind in catalogue:
        row = sheet[ind.title]
        figures, ratings = row[1::2], row[2::2]  # the authority, then each district
        assert len(figures) == 5 and all(isinstance(v, float) for v in figures), (ind.id, row)
        if ind.target is None:
            assert all(r == words.get("data only", "-") for r in ratings), ind.id  # no target: shown, never rated
        elif any(r not in rating_words for r in ratings):
            unrated.append((ind.id, ratings))
    assert unrated == []
    rated = sum(1 for ind in catalogue if ind.target is not None)
    no_target = len(catalogue) - rated
    assert f"{len(catalogue)} indicators: " in printed
    assert ("data only, with no target" in printed) == (no_target > 0) and "not rated" not in printed
    assert PRESETS[preset][1] in printed  # the era the example lives in


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_names_its_layout_and_the_example_is_shown_in_it(preset, preset_runs):
    folder, _ = preset_runs[preset]
    config = load_config(folder / "authority.toml")
    authority = (folder / "authority.toml").read_text(encoding="utf-8").split("[[district]]")[0]
    assert re.search(r"^layout\s*=", authority, re.M) is None  # the configuration names no layout
    assert config.layout == PRESETS[preset][0]
    names = CalamineWorkbook.from_path(str(folder / "master.xlsx")).sheet_names
    # The panels layout adds its own sheet of district panels; the table layouts do not.
    assert ("District panels" in names) == (PRESETS[preset][0] == "birmingham_panels")


def test_an_authoritys_own_layout_wins_and_an_extending_catalogue_inherits(tmp_path):
    config = tmp_path / "authority.toml"
    (tmp_path / "local.toml").write_text('extends = "kent_2012"\ndrop = ["LAC_DENTAL"]\n', encoding="utf-8")
    base = (
        '[authority]\nname = "X"\ncatalogue = "{catalogue}"\n{layout}\n[[district]]\ncode = "A"\nname = "A"\n'
        '[[source]]\ndistrict = "A"\ndataset = "referrals"\nfile = "referrals.csv"\n'
    )
    config.write_text(base.format(catalogue="local.toml", layout=""), encoding="utf-8")
    assert load_config(config).layout == "kent_table"
    config.write_text(base.format(catalogue="kent_2012", layout='layout = "london_ni"'), encoding="utf-8")
    assert load_config(config).layout == "london_ni"
    config.write_text(base.format(catalogue="default", layout=""), encoding="utf-8")
    assert load_config(config).layout is None  # the default catalogue: the default layout


def test_the_kent_example_types_only_the_figures_no_list_feeds(preset_runs):
    # The typed-figures sheet carries Kent's ten typed indicators for every district and month,
    # and nothing the lists compute (a typed figure would take the computed one's place).
    folder, _ = preset_runs["kent_2012"]
    rows = CalamineWorkbook.from_path(str(folder / "Typed figures.xlsx")).get_sheet_by_name("Figures").to_python()
    header = rows[2]
    typed = {r[header.index("Indicator")] for r in rows[3:] if r[0]}
    expected = {i.id for i in load_catalogue(shipped_catalogue("kent_2012")) if i.calculation["name"] == "typed_figure"}
    assert typed == expected and len(expected) == 10
    assert len(rows) - 3 == 10 * 4 * 24  # ten indicators, four districts, 24 months


def test_the_birmingham_panels_end_with_each_districts_population(preset_runs):
    # The population table, as the seed's panels show it: the latest mid-year estimate not after
    # the month (population.csv, read here with the csv module), each district and their sum.
    import csv

    folder, _ = preset_runs["birmingham_2017"]
    with open(folder / "population.csv", encoding="utf-8", newline="") as handle:
        latest = {r["District"]: float(r["Population aged 0-17"]) for r in csv.DictReader(handle) if r["Year"] == "2026"}
    rows = CalamineWorkbook.from_path(str(folder / "master.xlsx")).get_sheet_by_name("District panels").to_python()
    at = next(n for n, r in enumerate(rows) if r[0] == "Population aged 0-17, Northshire (latest mid-year estimate)")
    codes = {"NG": "Northgate", "EB": "Eastbrook", "SM": "Southmere", "WF": "Westfield", "Total": "Northshire"}
    header, values = rows[at + 1], rows[at + 2]
    shown = {codes.get(h, h): values[n] for n, h in enumerate(header) if h}
    assert shown == {"Northshire": sum(latest.values()), **latest}
