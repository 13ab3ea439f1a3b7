"""The command line: forms kept stable, exit codes that say validity, messages not tracebacks."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from xl_scorecard import __version__
from xl_scorecard.cli import main


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0 and __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "refresh", "check", "indicators"):
        assert command in out


def test_check_exits_1_when_there_are_errors_and_prints_locations(example_dir, capsys):
    assert main(["check", "--config", str(example_dir / "authority.toml")]) == 1
    out = capsys.readouterr().out
    assert "ERROR Eastbrook/EB Annex A 2026.xlsx › List_4 › row" in out
    sources = (example_dir / "authority.toml").read_text(encoding="utf-8").count("[[source]]")
    assert f"Data quality: {sources} sources" in out and sources > 60


def test_check_json_is_machine_readable_and_hides_personal_values(example_dir, capsys):
    assert main(["check", "--config", str(example_dir / "authority.toml"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    codes = {p["code"] for p in report["problems"]}
    assert {"missing-value", "date-order", "bad-date", "bad-number"} <= codes
    assert all(p["value"] == "" for p in report["problems"] if p["personal"])


def test_check_exits_0_on_clean_input(tmp_path, capsys):
    (tmp_path / "log.csv").write_text("Worker,Supervision Date\nA,01/10/2026\n", encoding="utf-8")
    (tmp_path / "a.toml").write_text(
        '[authority]\nname = "T"\n[[district]]\ncode = "N"\nname = "North"\n'
        '[[source]]\ndistrict = "N"\ndataset = "supervision"\nfile = "log.csv"\n'
    )
    assert main(["check", "--config", str(tmp_path / "a.toml")]) == 0


def test_refresh_with_master_and_period(example_dir, tmp_path, capsys):
    master = tmp_path / "elsewhere" / "board.xlsx"
    code = main(["refresh", "--config", str(example_dir / "authority.toml"), "--master", str(master), "--period", "2026-06", "--json"])
    assert code == 0 and master.is_file()
    report = json.loads(capsys.readouterr().out)
    assert report["period"] == "2026-06" and report["summary"].startswith("As at 30/06/2026, Northshire has")
    from xl_scorecard.indicators.catalogue import default_catalogue_path

    assert report["counts"]["indicators"] == default_catalogue_path().read_text(encoding="utf-8").count("\n[[indicator]]\n") == 30


def test_bad_configuration_is_a_message_not_a_traceback(tmp_path, capsys):
    (tmp_path / "a.toml").write_text(
        '[authority]\nname = "T"\nmastr = "x.xlsx"\n[[district]]\ncode = "N"\nname = "N"\n'
        '[[source]]\ndistrict = "N"\ndataset = "supervision"\nfile = "log.csv"\n'
    )
    assert main(["refresh", "--config", str(tmp_path / "a.toml")]) == 2
    err = capsys.readouterr().err
    assert "authority.mastr: unknown key" in err and "Traceback" not in err


def test_bad_period_is_a_usage_error(example_dir, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["refresh", "--config", str(example_dir / "authority.toml"), "--period", "10/2026"])
    assert caught.value.code == 2 and "YYYY-MM" in capsys.readouterr().err


def test_busy_master_exits_2_and_says_so(example_dir, tmp_path, capsys):
    folder = tmp_path / "n"
    shutil.copytree(example_dir, folder)
    from filelock import FileLock

    with FileLock(str(folder / "master.xlsx.lock")):  # another refresh holds the lock
        assert main(["refresh", "--config", str(folder / "authority.toml")]) == 2
    assert "another refresh" in capsys.readouterr().err and not (folder / "master.xlsx").exists()


def test_indicators_lists_the_catalogue(capsys):
    assert main(["indicators"]) == 0
    out = capsys.readouterr().out
    assert "ASSESS_45WD" in out and "Month" in out and "85%" in out and "data only" not in out  # every one has a target


def test_indicators_lists_a_preset(capsys):
    assert main(["indicators", "--catalogue", "london_2010"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 13 and lines[1].split()[:4] == ["NI59", "H", "YTD", "53%"]
    assert "data only" in next(line for line in lines if line.startswith("L0508"))


def test_python_dash_m_runs_the_cli():
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-m", "xl_scorecard", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0 and __version__ in completed.stdout


def test_an_unexpected_error_is_one_sentence_without_the_data_it_quoted(example_dir, monkeypatch, capsys):
    # A bug of ours whose message quotes a cell (a child's id): one sentence naming the kind of
    # error and where, exit 2, no traceback and not the quoted value; -v logs the details.
    import xl_scorecard.pipeline

    def broken(*args, **kwargs):
        raise KeyError("child C0012345")

    monkeypatch.setattr(xl_scorecard.pipeline, "check", broken)
    assert main(["check", "--config", str(example_dir / "authority.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "C0012345" not in err
    assert err.startswith("xl-scorecard: an unexpected error (KeyError in test_cli.py, line ")
    assert "the master workbook is as it was" in err


def test_addin_build_without_pyopenvba_says_which_extra_to_install(tmp_path, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_pyopenvba(name, *args, **kwargs):
        if name == "pyopenvba":
            raise ImportError("No module named 'pyopenvba'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyopenvba)
    assert main(["addin", "build", "--out", str(tmp_path / "x.xlam")]) == 2
    err = capsys.readouterr().err
    assert 'pip install "xl-scorecard[addin]"' in err and "Traceback" not in err
    assert not (tmp_path / "x.xlam").exists()


@pytest.mark.parametrize(
    ("period", "said"),
    [
        ("2019-01", "no data for Jan 2019 (before the inputs start: they cover Nov 2024 to Oct 2026)"),
        ("2027-05", "no data for May 2027 (after the inputs end: they cover Nov 2024 to Oct 2026)"),
    ],
)
def test_a_period_the_inputs_do_not_cover_is_refused(example_dir, tmp_path, period, said, capsys):
    # The example's lists run from November 2024 (contacts from 31 October) to October 2026 (the
    # medians of the lists' first and last months); a child in care since 2016 does not make 2019
    # a month of data.
    master = tmp_path / "master.xlsx"
    assert main(["refresh", "--config", str(example_dir / "authority.toml"), "--master", str(master), "--period", period]) == 2
    err = capsys.readouterr().err
    assert said in err and "Nothing was written" in err and "Traceback" not in err
    assert not master.exists()


def test_a_month_missing_between_covered_months_is_refused(example_dir, tmp_path):
    from xl_scorecard.config import load_config
    from xl_scorecard.errors import PeriodError
    from xl_scorecard.periods import Month
    from xl_scorecard.pipeline import check_period
    from xl_scorecard.sources import SourceData

    # Hand-made tables: referrals and staff in January and March 2026, nothing in February.
    config = load_config(example_dir / "authority.toml")
    dates = pd.to_datetime(["2026-01-05", "2026-03-09"])
    tables = {"referrals": pd.DataFrame({"referral_date": dates}), "staff": pd.DataFrame({"month": dates})}
    sources = SourceData(tables=tables)
    check_period(Month(2026, 3), sources, config)  # covered: no error
    with pytest.raises(PeriodError, match=r"no data for Feb 2026 \(a month missing from them: they cover Jan 2026 to Mar 2026\)"):
        check_period(Month(2026, 2), sources, config)
