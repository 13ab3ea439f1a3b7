"""Benchmark: what a PSS administrator waits for after pressing Refresh on the ribbon.

Run on demand:  python benchmarks/ribbon_latency.py [--repeat 5]

Copies the small example authority (Northshire, ~63,000 rows) to a temporary folder, makes its
master once, then times, each in a fresh Python process as xlwings' RunPython starts one, the
refresh entry point the ribbon calls (``xl_scorecard.excel.run_from_excel("refresh", path)``)
from interpreter start to the master rewritten, with the package's bytecode compiled as an
installed package has it (``--no-bytecode``: without). Prints the median and the stage timings.
Target (issue 21): <= 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
started = time.perf_counter()
from xl_scorecard.excel import run_from_excel
imported = time.perf_counter()
import xl_scorecard.pipeline as pipeline
timings = {}
original = pipeline.refresh
def timed(*args, **kwargs):
    result = original(*args, **kwargs)
    timings.update(result.timings)
    return result
pipeline.refresh = timed
message = run_from_excel("refresh", sys.argv[1])
print(json.dumps({"imports": imported - started, "run": time.perf_counter() - imported, "timings": timings,
                  "ok": not message.startswith("ERROR")}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--no-bytecode", action="store_true", help="leave the package's bytecode uncompiled (each press compiles its sources)"
    )
    args = parser.parse_args()
    if not args.no_bytecode:
        # As an installed package has it (pip compiles it at install; Python writes it at the
        # first import unless PYTHONDONTWRITEBYTECODE is set, as it is on some build machines).
        import compileall

        compileall.compile_dir(str(ROOT / "xl_scorecard"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="xl-scorecard-ribbon-") as work:
        example = Path(work) / "northshire"
        shutil.copytree(ROOT / "examples" / "northshire", example)
        master = example / "master.xlsx"
        master.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "-m", "xl_scorecard", "refresh", "--config", str(example / "authority.toml")], check=True, capture_output=True
        )
        walls, reports = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, str(master)], check=True, capture_output=True, text=True)
            walls.append(time.perf_counter() - started)
            reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
    middle = sorted(range(len(walls)), key=walls.__getitem__)[len(walls) // 2]
    report = reports[middle]
    print(
        f"ribbon Refresh, small authority: median {statistics.median(walls):.2f} s wall from Python start "
        f"(runs: {', '.join(f'{w:.2f}' for w in walls)}{'; sources compiled at each press' if args.no_bytecode else ''}); "
        "target <= 1.5 s"
    )
    print(
        f"  start-up and imports {walls[middle] - report['run']:.2f} s, refresh {report['run']:.2f} s: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in report["timings"].items())
    )
    return 0 if all(r["ok"] for r in reports) else 1


if __name__ == "__main__":
    raise SystemExit(main())
