"""Figures typed by staff are checked against the catalogue before they are used: an unknown
id, a percentage typed as a number (96.7 for 96.7%) and a figure typed twice are each a problem
record naming the row; the first two rows are left out, and of the twice-typed figure only the
last row is used."""

from __future__ import annotations

from conftest import northgate_config

from xl_scorecard.cli import main
from xl_scorecard.config import load_config
from xl_scorecard.pipeline import check, refresh

FIGURES = """Indicator,District,Month,Numerator,Denominator,Value
SUPERVISD,Northgate,31/10/2026,,,0.9
SUPERVISED,Northgate,31/10/2026,,,96.7
SUPERVISED,Northgate,30/09/2026,,,0.81
SUPERVISED,Northgate,30/09/2026,,,0.83
SUPERVISED,Northgate,31/08/2026,9,8,
CASELOAD,Northgate,31/10/2026,,,17.5
"""


def authority(tmp_path, example_dir):
    (tmp_path / "figures.csv").write_text(FIGURES, encoding="utf-8")
    return northgate_config(tmp_path, example_dir, extra_sources='[[source]]\ndataset = "figures"\nfile = "figures.csv"\n')


def test_typed_figure_slips_are_records_naming_the_row(tmp_path, example_dir, capsys):
    config = authority(tmp_path, example_dir)
    assert main(["check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "ERROR figures.csv › row 2: Indicator SUPERVISD is not in the catalogue (did you mean SUPERVISED?)." in out
    assert 'ERROR figures.csv › row 3: "Value" 96.7 cannot be a share (over 100%): 96.7 looks like 0.967 typed as a percentage' in out
    assert "WARNING figures.csv › row 4: SUPERVISED is typed more than once for the same district and month; row 5 is used." in out
    assert 'ERROR figures.csv › row 6: "Numerator" 9 cannot be a share (over 100%) (the denominator is 8).' in out
    sources = check(load_config(config))
    report = next(f for f in sources.files if f.dataset == "figures")
    assert (report.rows_read, report.rows_loaded, report.rows_excluded) == (6, 2, 4)


def test_only_the_good_typed_figures_are_used(tmp_path, example_dir):
    config = authority(tmp_path, example_dir)
    scored = refresh(load_config(config), master=tmp_path / "m.xlsx").scored.set_index(["indicator", "area", "period"])
    # October's 96.7 is left out, not rated as 9,670%: with no supervision list configured here
    # there is nothing else to show, and the figure says so.
    october = scored.loc[("SUPERVISED", "NG", "2026-10")]
    assert october["status"] == "no data" and october["rag"] == ""
    assert scored.loc[("SUPERVISED", "NG", "2026-09"), "value"] == 0.83  # the last of the two rows typed
    assert scored.loc[("CASELOAD", "NG", "2026-10"), "value"] == 17.5  # not a share: 17.5 is fine
