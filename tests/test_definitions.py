"""Definition slips found when the catalogue is loaded, before any file is read: a misspelt
dataset, column or code is one message naming the catalogue, the indicator, the wrong word and
the nearest right one; exit code 2 from the command line; nothing written."""

from __future__ import annotations

import pytest

from xl_scorecard.cli import main
from xl_scorecard.indicators import load_catalogue
from xl_scorecard.indicators.catalogue import shipped_catalogue
from xl_scorecard.indicators.definitions import definition_problems
from xl_scorecard.sources.schema import load_dataset_specs


def use_catalogue(folder, text: str):
    (folder / "mine.toml").write_text('extends = "default"\n' + text, encoding="utf-8")
    config = folder / "authority.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[authority]\n", '[authority]\ncatalogue = "mine.toml"\n', 1), encoding="utf-8"
    )
    return config


SLIPS = [
    # (the change, what the message must say)
    (
        '[[change]]\nid = "REFERRALS_RATE"\n'
        'calculation = { name = "rate_per_population", dataset = "refferals", date = "referral_date" }\n',
        "indicator REFERRALS_RATE: dataset = 'refferals' is not a dataset (did you mean 'referrals'?)",
    ),
    (
        '[[change]]\nid = "SUPERVISED"\ncalculation = { name = "share_supervised", where = { qualified = "yes" } }\n',
        "indicator SUPERVISED: where.qualified: 'yes' is not a code of staff.qualified (did you mean 'Yes'?)",
    ),
    (
        '[[change]]\nid = "REFERRALS_RATE"\ncalculation = { name = "rate_per_population", dataset = "referrals", date = "referal_date" }\n',
        "indicator REFERRALS_RATE: date = 'referal_date' is not a column of referrals (did you mean 'referral_date'?)",
    ),
    (
        '[[change]]\nid = "CLA_RATE"\n'
        'calculation = { name = "open_per_population", dataset = "cla", start = "cla_start", end = "cla_end", exclude = { uasc = "Y" } }\n',
        "indicator CLA_RATE: exclude.uasc: 'Y' is not a code of cla.uasc",
    ),
]


@pytest.mark.parametrize(("change", "message"), SLIPS, ids=["dataset", "code-case", "column", "alias-not-code"])
def test_a_definition_slip_stops_the_refresh_before_reading(authority, change, message, capsys):
    config = use_catalogue(authority, change)
    assert main(["refresh", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert message in err and "mine.toml" in err and "Traceback" not in err
    assert not (authority / "master.xlsx").exists()
    assert main(["check", "--config", str(config)]) == 2  # check stops the same way


def test_every_shipped_catalogue_agrees_with_the_shipped_datasets():
    datasets = load_dataset_specs(None)
    for name in ("default", "kent_2012", "london_2010", "birmingham_2017"):
        assert definition_problems(load_catalogue(shipped_catalogue(name)), datasets, name) == [], name


def test_starts_with_prefixes_must_start_some_code():
    # Codes are matched by their start ("F1" for "F1: Full time ..."): "In" starts "Initial",
    # "Zz" starts no assessment type.
    datasets = load_dataset_specs(None)
    indicator = load_catalogue(shipped_catalogue("default"))[0]
    calculation = {"name": "share_where", "dataset": "assessments", "date": "start_date", "column": "assessment_type"}
    starts = indicator.model_copy(update={"calculation": {**calculation, "op": "starts with", "value": ["In", "Zz"]}})
    assert definition_problems([starts], datasets, "x.toml") == [
        f"x.toml: indicator {indicator.id}: column: no code of assessments.assessment_type starts with 'Zz'; known: Initial, Core, Single"
    ]
    equal = indicator.model_copy(update={"calculation": {**calculation, "op": "==", "value": "Intial"}})
    assert definition_problems([equal], datasets, "x.toml") == [
        f"x.toml: indicator {indicator.id}: column: 'Intial' is not a code of assessments.assessment_type (did you mean 'Initial'?)"
    ]
    numeric = indicator.model_copy(update={"calculation": {**calculation, "op": ">=", "value": 1}})
    assert definition_problems([numeric], datasets, "x.toml") == []  # a comparison, not a code


def test_a_configured_header_the_file_does_not_have_stops_the_run(authority, capsys):
    # Eastbrook's own heading for the authorisation date, misspelt in the configuration.
    config = authority / "authority.toml"
    text = config.read_text(encoding="utf-8")
    assert 'authorised_date = ["Date assessment signed off"]' in text
    config.write_text(text.replace('["Date assessment signed off"]', '["Date assesment signed off"]'), encoding="utf-8")
    for command in (["refresh"], ["refresh", "--strict"], ["check"]):
        assert main([*command, "--config", str(config)]) == 2
        err = capsys.readouterr().err
        assert 'names "Date assesment signed off" as the heading of authorised_date' in err
        assert '(did you mean "Date assessment signed off"?)' in err and "authority.toml" in err and "Traceback" not in err
    assert not (authority / "master.xlsx").exists()
