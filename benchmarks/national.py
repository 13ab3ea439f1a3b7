"""Benchmark: a national-scale run, 150 fictional authorities (~2M case-list rows), through
``refresh --all`` on this machine.

Run on demand:  python benchmarks/national.py [--dir DIR] [--workers 2]

Generates the authorities into DIR if missing (a few minutes, not timed), then refreshes them
all with ``refresh_all`` in ``--workers`` processes and prints the wall time, rows read,
authorities refreshed, and peak memory of the parent and of the largest worker.
Targets: <= 5 minutes on a 2-core machine (the first); <= 60 s on 2 workers (issue 21).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("out/bench-national"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from xl_scorecard.batch import authority_configs, refresh_all
    from xl_scorecard.demo.generate import generate_national

    if not authority_configs(args.dir):
        print(f"generating 150 authorities into {args.dir} ...", flush=True)
        generate_national(args.dir)
    for master in args.dir.glob("*/master.xlsx"):
        master.unlink()  # every authority's first refresh, from the template, each run
        shutil.rmtree(master.parent / "backups", ignore_errors=True)  # with nothing saved: every file read
    started = time.perf_counter()
    outcomes = refresh_all(args.dir, workers=args.workers, strict=False)
    seconds = time.perf_counter() - started
    ok = [o for o in outcomes if o.ok]
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"\n{len(ok)} of {len(outcomes)} authorities ({sum(o.rows for o in outcomes):,} input rows) refreshed in "
        f"{seconds:.0f} s ({seconds / 60:.1f} min) with {args.workers} worker(s); targets <= 5 min, and <= 60 s on 2 workers (issue 21)"
    )
    print(
        f"mean {seconds * args.workers / max(len(outcomes), 1):.2f} s per authority per worker; "
        f"peak memory: parent {parent:.0f} MB, largest worker {child:.0f} MB"
    )
    for o in outcomes:
        if not o.ok:
            print(f"FAILED {o.config}: {o.error}")
    return 0 if len(ok) == len(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
