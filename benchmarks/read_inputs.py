"""Benchmark: reading the Kent-size example inputs into validated canonical tables.

Run on demand (not part of the test suite):

    python benchmarks/read_inputs.py [--dir DIR] [--skip-openpyxl]

Generates the ``--size large`` example authority (~300k case-list rows plus 24 months of
workforce sheets) into DIR if missing, then measures, each in a fresh process so peak memory is
its own:

- ours:     xl_scorecard's validated read (read + header finding + typing + checks)
- floor:    raw python-calamine reading the same sheets (csv module for the CSV district)
- openpyxl: pandas.read_excel with its default openpyxl engine (pandas.read_csv for CSV)

and prints seconds (median of --repeat runs, alternating), peak memory and the ratios. Targets: ours <= 1.5x the floor, >= 10x faster
than openpyxl, peak memory < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def _sheets(config_path: Path) -> list[tuple[Path, str | None]]:
    from xl_scorecard.config import load_config

    config = load_config(config_path)
    return [(config.resolve(s.file), s.sheet if isinstance(s.sheet, str) else None) for s in config.data.source]


def measure(mode: str, config_path: Path) -> dict:
    """Run one reader over every input; return seconds, rows and peak resident memory (MB).

    Imports happen before the clock starts, for every mode alike: what is timed is reading.
    """
    import csv

    import pandas as pd
    from python_calamine import CalamineWorkbook

    from xl_scorecard.config import load_config
    from xl_scorecard.sources import read_sources

    sheets = _sheets(config_path)
    start = time.perf_counter()
    rows = 0
    if mode == "ours":
        data = read_sources(load_config(config_path))
        rows = sum(f.rows_read for f in data.files)
    elif mode == "floor":
        for path, sheet in sheets:
            if path.suffix == ".csv":
                with open(path, newline="", encoding="utf-8-sig" if "list" in path.name else "cp1252") as handle:
                    rows += sum(1 for _ in csv.reader(handle))
            else:
                book = CalamineWorkbook.from_path(str(path))
                rows += len(book.get_sheet_by_name(sheet or book.sheet_names[0]).to_python())
                book.close()
    elif mode == "openpyxl":
        for path, sheet in sheets:
            if path.suffix == ".csv":
                rows += len(pd.read_csv(path, header=None, dtype=str, encoding="cp1252"))
            else:
                rows += len(pd.read_excel(path, sheet_name=sheet or 0, header=None, engine="openpyxl"))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "seconds": seconds, "rows": rows, "peak_mb": peak_mb}


def run_in_child(mode: str, config_path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--config", str(config_path)], capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("out/bench-large"))
    parser.add_argument("--skip-openpyxl", action="store_true", help="leave out the slow baseline")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours and the floor (median taken; openpyxl runs once)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.config)))
        return 0
    config = args.dir / "authority.toml"
    if not config.exists():
        from xl_scorecard.demo.generate import generate_example

        print(f"generating the Kent-size example into {args.dir} ...", flush=True)
        generate_example(args.dir, "large")
    results = {}
    for mode in ["floor", "ours"]:
        runs = sorted((run_in_child(mode, config) for _ in range(args.repeat)), key=lambda r: r["seconds"])
        results[mode] = runs[len(runs) // 2]  # the median run: this machine is shared and noisy
    if not args.skip_openpyxl:
        results["openpyxl"] = run_in_child("openpyxl", config)
    floor = results["floor"]["seconds"]
    print(f"\n{'reader':<10}{'seconds':>10}{'peak MB':>10}{'rows':>10}{'x floor':>10}")
    for mode, r in results.items():
        print(f"{mode:<10}{r['seconds']:>10.2f}{r['peak_mb']:>10.0f}{r['rows']:>10,}{r['seconds'] / floor:>10.2f}")
    ours = results["ours"]["seconds"]
    print(f"\nours / floor = {ours / floor:.2f}x (target <= 1.5x)")
    if "openpyxl" in results:
        print(f"openpyxl / ours = {results['openpyxl']['seconds'] / ours:.1f}x faster (target >= 10x)")
    print(f"ours peak memory = {results['ours']['peak_mb']:.0f} MB (target < 1024 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
