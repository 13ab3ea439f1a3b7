"""Benchmark: the whole refresh of the Kent-size example authority, end to end.

Run on demand (not part of the test suite):

    python benchmarks/refresh.py [--dir DIR] [--repeat 3] [--skip-openpyxl] [--profile FILE]

Generates the ``--size large`` example (~300k case-list rows, 4 districts, 24 months of
workforce sheets) into DIR if missing and makes a master from it once. Then, each run in a
fresh process with a fresh copy of that master (so memory and caches are its own):

- ours:      read + validate + compute every indicator for 24 months + score + write the master
             by transplant into the existing workbook (``pipeline.refresh(months=24)``)
- openpyxl:  the same job with the spreadsheet reader swapped for pandas' default
             ``read_excel`` engine (openpyxl), files read in the same two processes
- openpyxl-1: the same, reading the files one after another in one process, as a pandas
             script would: the baseline a pandas user starts from
- floor:     raw python-calamine reading the same sheets (the csv module for CSV files), plus
             the time ours spent writing the master: what no refresh can go below

and prints wall seconds (median of --repeat, alternating modes), peak memory (ru_maxrss), the
stage timings of ours and the ratios. Targets: ours <= 1.5x the floor, >= 10x faster than the
openpyxl baseline, peak memory <= 1 GB. ``--profile FILE`` writes a cProfile of one run of ours.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MONTHS = 24


def _openpyxl_reader():
    """read_sheet with pandas.read_excel(engine="openpyxl") for workbooks (the baseline)."""
    import pandas as pd

    from xl_scorecard.sources import read as reader

    original = reader.read_sheet

    def read_sheet(path, sheet=None, *, max_rows=reader.MAX_ROWS, max_inflated=reader.MAX_INFLATED_BYTES, workbooks=None):
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            return original(path, sheet, max_rows=max_rows, max_inflated=max_inflated)
        book = pd.ExcelFile(path, engine="openpyxl")
        name = reader.pick_sheet(book.sheet_names, sheet)
        if name is None:
            raise reader.SourceFileError("sheet-missing", str(sheet))
        frame = book.parse(name, header=None)
        frame = frame.astype(object).where(frame.notna(), None)
        return reader.RawSheet(path, name, frame.values.tolist())

    return read_sheet


def measure(mode: str, config_path: Path, master: Path, profile: Path | None = None) -> dict:
    """One run of ``mode``; imports happen before the clock starts, for every mode alike."""
    import csv

    from python_calamine import CalamineWorkbook

    import xl_scorecard.sources as sources
    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    config = load_config(config_path)
    timings: dict[str, float] = {}
    rows = 0
    if mode.startswith("openpyxl"):
        sources.read_sheet = _openpyxl_reader()
    if mode == "openpyxl-1":
        original_read = sources.read_sources
        # (Every other argument passed on: the pipeline's progress and reading cache.)
        sources.read_sources = lambda config, workers=2, **others: original_read(config, workers=1, **others)
        import xl_scorecard.pipeline as pipeline

        pipeline.read_sources = sources.read_sources
    start = time.perf_counter()
    if mode in ("ours", "openpyxl", "openpyxl-1"):
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            result = profiler.runcall(refresh, config, master=master, months=MONTHS)
            profiler.dump_stats(profile)
        else:
            result = refresh(config, master=master, months=MONTHS)
        timings = result.timings
        rows = sum(f.rows_read for f in result.sources.files)
    elif mode == "floor":
        for source in config.data.source:
            for path in sorted(config.resolve(source.file).parent.glob(config.resolve(source.file).name)):
                if path.suffix == ".csv":
                    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
                        rows += sum(1 for _ in csv.reader(handle))
                else:
                    book = CalamineWorkbook.from_path(str(path))
                    names = (
                        [source.sheet] if isinstance(source.sheet, str) else [n for n in book.sheet_names if n.lower().startswith("list")]
                    )
                    for name in names:
                        rows += len(book.get_sheet_by_name(name).to_python())
                    book.close()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "seconds": seconds, "rows": rows, "peak_mb": peak_mb, "timings": timings}


def run_in_child(mode: str, config_path: Path, prepared: Path, profile: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="xl-scorecard-bench-") as work:
        master = Path(work) / "master.xlsx"
        shutil.copy(prepared, master)  # an existing master each time: the transplant path
        command = [sys.executable, __file__, "--child", mode, "--config", str(config_path), "--master", str(master)]
        if profile:
            command += ["--profile", str(profile)]
        completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("out/bench-large"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-openpyxl", action="store_true", help="leave out the slow baseline")
    parser.add_argument("--profile", type=Path, help="write a cProfile of one run of ours to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--master", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.config, args.master, args.profile)))
        return 0
    config = args.dir / "authority.toml"
    if not config.exists():
        from xl_scorecard.demo.generate import generate_example

        print(f"generating the Kent-size example into {args.dir} ...", flush=True)
        generate_example(args.dir, "large")
    prepared = args.dir / "prepared-master.xlsx"
    if not prepared.exists():
        from xl_scorecard.config import load_config
        from xl_scorecard.pipeline import refresh

        print("making the existing master once ...", flush=True)
        refresh(load_config(config), master=prepared, months=MONTHS)
    runs: dict[str, list[dict]] = {"floor": [], "ours": []}
    for _ in range(args.repeat):
        for mode in runs:
            runs[mode].append(run_in_child(mode, config, prepared))
    results = {mode: sorted(r, key=lambda x: x["seconds"])[len(r) // 2] for mode, r in runs.items()}
    if not args.skip_openpyxl:
        results["openpyxl"] = run_in_child("openpyxl", config, prepared)
        results["openpyxl-1"] = run_in_child("openpyxl-1", config, prepared)
    if args.profile:
        run_in_child("ours", config, prepared, args.profile)
        print(f"profile of one run of ours written to {args.profile}")
    write = results["ours"]["timings"].get("write master", 0.0)
    floor = results["floor"]["seconds"] + write
    print(f"\n{'job':<10}{'seconds':>10}{'peak MB':>10}{'rows':>10}{'x floor':>10}")
    for mode, r in results.items():
        shown = r["seconds"] + (write if mode == "floor" else 0.0)
        print(f"{mode:<10}{shown:>10.2f}{r['peak_mb']:>10.0f}{r['rows']:>10,}{shown / floor:>10.2f}")
    print(f"(floor = raw calamine read {results['floor']['seconds']:.2f} s + writing the master {write:.2f} s)")
    print("\nours by stage: " + ", ".join(f"{k} {v:.2f} s" for k, v in results["ours"]["timings"].items()))
    ours = results["ours"]["seconds"]
    print(f"\nours / floor = {ours / floor:.2f}x (target <= 1.5x)")
    if "openpyxl" in results:
        print(f"openpyxl engine, same two processes / ours = {results['openpyxl']['seconds'] / ours:.1f}x")
        print(f"openpyxl engine, one process (a pandas script) / ours = {results['openpyxl-1']['seconds'] / ours:.1f}x (target >= 10x)")
    print(f"ours peak memory = {results['ours']['peak_mb']:.0f} MB (target <= 1024 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
