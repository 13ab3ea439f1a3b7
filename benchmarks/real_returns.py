"""Read the public fixtures of peer projects as a council would hand them over, and print, per
file: rows read, loaded and excluded (with the problem codes), distinct children, and every
figure of the Kent 2012, London 2010 and Birmingham 2017 presets that the file feeds, for the
last month it has data for. Run before and after a change to see which figures moved.

    python benchmarks/real_returns.py [--samples ../shared/samples/external] [--json out.json]

The fixtures are not in the repository (their licences are the peer projects'); the script
reads them from ``../shared/samples/external`` by default.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from xl_scorecard.config import load_config  # noqa: E402
from xl_scorecard.indicators.catalogue import load_catalogue  # noqa: E402
from xl_scorecard.indicators.compute import compute_all  # noqa: E402
from xl_scorecard.periods import Month  # noqa: E402
from xl_scorecard.pipeline import input_range  # noqa: E402
from xl_scorecard.sources import read_sources  # noqa: E402

PRESETS = ["kent_2012", "london_2010", "birmingham_2017"]
# file -> the sources it is read as (dataset, optional sheet)
FIXTURES: dict[str, list[dict]] = {
    "liia-tools_Annex_A.xlsx": [{"dataset": "annex_a"}],
    "liia-tools-pipeline_Annex_A_2024_Jan.xlsx": [{"dataset": "annex_a"}],
    "CSCDP-AnnexA_CiNCensus_Cleaner_2015-01-sample.xlsx": [{"dataset": "annex_a"}],
    "CSCDP-AnnexA_CiNCensus_Cleaner_2016-01-sample.xlsx": [{"dataset": "annex_a"}],
    "CSCDP-AnnexA_CiNCensus_Cleaner_2016-02-sample.xlsx": [{"dataset": "annex_a"}],
    "CSCDP-AnnexA_CiNCensus_Cleaner_example-A-2005.xls": [{"dataset": "annex_a"}],
    "CSCDP-AnnexA_CiNCensus_Cleaner_example-B-2004.xlsx": [{"dataset": "annex_a"}],
    "CSCDP-child-event-journeys_annexa_example.xlsx": [{"dataset": "annex_a"}],
    "cs-demand-model-regional_v1_episodes.csv": [{"dataset": "cla"}],
    "liia-tools_SSDA903_2020_episodes.csv": [{"dataset": "cla"}],
    "liia-tools_SSDA903_episodes_for_testing_fixes_INPUT.csv": [{"dataset": "cla"}],
    "csc-validator-be-cin_fake_CIN_data.xml": [
        {"dataset": "referrals", "sheet": "Referrals"},
        {"dataset": "assessments", "sheet": "Assessments"},
        {"dataset": "s47", "sheet": "Section47"},
        {"dataset": "cp_plans", "sheet": "ChildProtectionPlans"},
        {"dataset": "cin", "sheet": "CIN"},
    ],
    "liia-tools_cin-2022.xml": [
        {"dataset": "referrals", "sheet": "Referrals"},
        {"dataset": "assessments", "sheet": "Assessments"},
        {"dataset": "s47", "sheet": "Section47"},
        {"dataset": "cp_plans", "sheet": "ChildProtectionPlans"},
        {"dataset": "cin", "sheet": "CIN"},
    ],
    # Data to Insight's 903 validator fixture (tests/fake_data/fake_903.xml), if put beside the others.
    "fake_903.xml": [
        {"dataset": "cla", "sheet": "Episodes"},
        {"dataset": "children_903", "sheet": "Header"},
        {"dataset": "uasc_903", "sheet": "UASC"},
    ],
    "liia-tools_social_work_workforce_2022.xml": [
        {"dataset": "staff", "sheet": "Workers"},
        {"dataset": "establishment", "sheet": "Establishment"},
    ],
}


def _config(folder: Path, path: Path, sources: list[dict], catalogue: str) -> Path:
    lines = ["[authority]", 'name = "Samples"', f'catalogue = "{catalogue}"', "[[district]]", 'code = "X"', 'name = "X"']
    for source in sources:
        lines += ["[[source]]", 'district = "X"', f'file = "{path.as_posix()}"']
        lines += [f'{key} = "{value}"' for key, value in source.items()]
    config = folder / f"{catalogue}.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def measure(samples: Path) -> dict:
    """Rows and figures per fixture, as a plain dictionary."""
    out: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, sources in FIXTURES.items():
            path = samples / name
            if not path.is_file():
                continue
            entry: dict = {"figures": {}}
            for preset in PRESETS:
                config = load_config(_config(Path(folder), path, sources, preset))
                data = read_sources(config, workers=1)
                if preset == PRESETS[0]:
                    entry["read"] = sum(f.rows_read for f in data.files)
                    entry["loaded"] = sum(f.rows_loaded for f in data.files)
                    entry["excluded"] = sum(f.rows_excluded for f in data.files)
                    entry["problems"] = dict(collections.Counter(p.code for p in data.problems))
                    entry["children"] = {d: int(t["child_id"].nunique()) for d, t in data.tables.items() if "child_id" in t}
                    entry["lists"] = sorted({f"{f.dataset}<-{f.sheet}" for f in data.files if f.readable})
                covered = input_range(data, config)
                if covered is None:
                    continue
                period = Month.parse(covered[1])
                catalogue = load_catalogue(config.catalogue_path)
                results = compute_all(catalogue, data.tables, [period], ["X"])
                titles = {ind.id: ind.title for ind in catalogue}
                for row in results[(results["area"] == "X")].itertuples():
                    if row.value == row.value and row.value is not None and (row.denominator != 0):
                        entry["figures"][f"{preset}: {titles[row.indicator]} ({period})"] = round(float(row.value), 3)
            out[name] = entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=HERE.parent.parent / "shared" / "samples" / "external")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--compare", type=Path, help="an earlier --json output: print the figures that changed")
    args = parser.parse_args()
    results = measure(args.samples)
    for name, entry in results.items():
        print(f"{name}: read {entry['read']}, loaded {entry['loaded']}, excluded {entry['excluded']}; problems {entry['problems']}")
        print(f"    children: {entry['children']}")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        print("\nFigures that changed (before -> after):")
        for name, entry in results.items():
            old = before.get(name, {}).get("figures", {})
            for key in sorted(set(old) | set(entry["figures"])):
                if old.get(key) != entry["figures"].get(key):
                    print(f"  {name}: {key}: {old.get(key, 'no figure')} -> {entry['figures'].get(key, 'no figure')}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
