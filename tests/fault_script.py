"""Kill the refresh at random moments and check that nothing is lost, left behind or leaked.

Run on demand (50 kills or more):

    python tests/fault_script.py --kills 50 [--seed 7] [--folder DIR]

The test suite runs a bounded subset (test_copies_safe.py, 10 kills). Each round starts
``xl-scorecard refresh`` on the example authority as a user would (its own process, the system
temp folder pointed at a folder watched here), waits a random time drawn from 0 to 1 times a
clean run's length, sends a random signal (SIGKILL, SIGTERM or SIGHUP; on Windows the process
is terminated) and then checks:

1. the master is the previous one byte for byte, or a complete new one (it opens, passes the
   structural checker in tests/structure.py, and has the guard's sheet);
2. no file holding a child id exists outside the authority's folder (the system temp folder
   included), and no reading process is left running;
3. the next refresh, started straight away with no cleaning by hand, ends with exit code 0; after
   it, no file holding a child id exists in the folder other than the inputs, the master and
   the backups.

Child ids are the ones the first clean master's Drill-down sheets hold, read with openpyxl.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from structure import check_package

SIGNALS = [s for s in ("SIGKILL", "SIGTERM", "SIGHUP") if hasattr(signal, s)] or ["terminate"]


@dataclass
class FaultReport:
    """What the rounds found: one line per problem, and counts of where the kills landed."""

    rounds: int = 0
    problems: list[str] = field(default_factory=list)
    landed: Counter = field(default_factory=Counter)
    signals: Counter = field(default_factory=Counter)
    clean_seconds: float = 0.0


def child_ids(master: Path) -> set[str]:
    """Every child id in the Drill-down sheets of ``master`` (openpyxl, independent of the product)."""
    book = openpyxl.load_workbook(master, read_only=True)
    found: set[str] = set()
    for sheet in book.worksheets:
        if not sheet.title.startswith("Drill-down"):
            continue
        rows = sheet.iter_rows(values_only=True)
        for row in rows:
            if row and any(isinstance(v, str) and v.strip().lower() == "child id" for v in row):
                column = next(i for i, v in enumerate(row) if isinstance(v, str) and v.strip().lower() == "child id")
                found |= {str(r[column]) for r in rows if r and len(r) > column and r[column] not in (None, "")}
                break
    book.close()
    return {i for i in found if len(i) >= 4}


def holds_any(path: Path, needles: set[bytes]) -> bool:
    """Whether ``path`` (read raw, and each member inflated when it is a zip) holds any needle."""
    try:
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(n) for n in archive.namelist()]
    except (OSError, zipfile.BadZipFile):
        return False  # a file cut short by the kill is checked as raw bytes only
    return any(needle in blob for blob in blobs for needle in needles)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def is_complete(master: Path) -> str:
    """ "" when ``master`` is a complete workbook written by a refresh, else what is wrong."""
    try:
        problems = check_package(master)
        if problems:
            return "; ".join(problems)
        book = openpyxl.load_workbook(master, read_only=True)
        names = book.sheetnames
        book.close()
    except Exception as error:  # a damaged file is exactly what this looks for
        return f"does not open ({type(error).__name__}: {error})"
    return "" if "_xl_scorecard" in names and "Scorecard" in names else f"sheets missing: {names}"


def _start(folder: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "xl_scorecard", "refresh", "--config", str(folder / "authority.toml")],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _stray_workers(marker: str) -> list[int]:
    """Live processes started for these rounds (their environment holds ``marker``, the system
    temp folder given to them: a reading process inherits it), POSIX /proc only. Only ours: a
    refresh running elsewhere on the machine is never touched."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    found = []
    needle = f"TMPDIR={marker}".encode()
    for entry in proc.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if state != "Z" and needle in environ:
                found.append(int(entry.name))
    return found


def run_faults(kills: int, seed: int, folder: Path) -> FaultReport:
    """Run ``kills`` rounds on a fresh example authority in ``folder``; see the module docstring."""
    from xl_scorecard.demo.generate import generate_example

    rng = random.Random(seed)
    report = FaultReport()
    authority = folder / "authority"
    system_temp = folder / "system-temp"
    system_temp.mkdir(parents=True, exist_ok=True)
    generate_example(authority)
    (authority / "master.xlsx").unlink(missing_ok=True)
    env = {**os.environ, "TMPDIR": str(system_temp), "TEMP": str(system_temp), "TMP": str(system_temp)}
    inputs = files_under(authority)

    started = time.monotonic()
    first = _start(authority, env)
    _, err = first.communicate(timeout=600)
    report.clean_seconds = time.monotonic() - started
    master = authority / "master.xlsx"
    if first.returncode != 0:
        report.problems.append(f"the first refresh failed: {err.decode(errors='replace')}")
        return report
    needles = {i.encode("utf-8") for i in child_ids(master)}
    if not needles:
        report.problems.append("no child id found in the first master's Drill-down sheets")
        return report

    for round_number in range(1, kills + 1):
        report.rounds = round_number
        before = master.read_bytes()
        backups_before = len(list((authority / "backups").glob("*"))) if (authority / "backups").exists() else 0
        process = _start(authority, env)
        time.sleep(rng.uniform(0.0, report.clean_seconds))
        how = rng.choice(SIGNALS)
        report.signals[how] += 1
        finished = process.poll() is not None
        if not finished:
            if how == "terminate":
                process.terminate()
            else:
                process.send_signal(getattr(signal, how))
        process.communicate(timeout=600)
        time.sleep(0.3)  # reading processes notice their parent has gone
        strays = _stray_workers(str(system_temp))
        for pid in strays:
            report.problems.append(f"round {round_number}: a reading process ({pid}) outlived the killed refresh")
            os.kill(pid, signal.SIGKILL)

        after = master.read_bytes()
        hidden = [p for p in authority.iterdir() if p.name.startswith(".")]
        if finished:
            report.landed["after it had finished"] += 1
        elif after != before:
            report.landed["after the new master was in place"] += 1
        elif any(".work-" in p.name for p in hidden):
            report.landed["while writing (work folder beside the master)"] += 1
        elif any(p.name.endswith(".lock") for p in hidden) or (authority / "master.xlsx.lock").exists():
            report.landed["while reading (lock held)"] += 1
        else:
            report.landed["while starting (before the lock)"] += 1
        if after != before and (problem := is_complete(master)):
            report.problems.append(f"round {round_number}: the master is neither the old one nor a complete new one: {problem}")
        leaked = [p for p in files_under(system_temp) if holds_any(p, needles)]
        report.problems += [f"round {round_number}: {p} holds a child id, outside the master's folder" for p in leaked]

        recovery = _start(authority, env)
        _, err = recovery.communicate(timeout=600)
        if recovery.returncode != 0:
            report.problems.append(f"round {round_number}: the next refresh failed: {err.decode(errors='replace').strip()}")
        if problem := is_complete(master):
            report.problems.append(f"round {round_number}: after the next refresh the master is not complete: {problem}")
        backups = authority / "backups"
        allowed = inputs | {master} | files_under(backups)
        left = [p for p in files_under(authority) - allowed if holds_any(p, needles)]
        report.problems += [f"round {round_number}: {p.relative_to(authority)} holds a child id after the next refresh" for p in left]
        if backups.exists() and len(list(backups.glob("*"))) < min(backups_before, 1):
            report.problems.append(f"round {round_number}: a backup went missing")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--folder", type=Path, default=None, help="where to build the authority (default: a new temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="faults-") as scratch:
        folder = args.folder or Path(scratch)
        started = time.monotonic()
        report = run_faults(args.kills, args.seed, folder)
        print(
            f"{report.rounds} kills (seed {args.seed}) in {time.monotonic() - started:.0f} s; "
            f"a clean refresh took {report.clean_seconds:.2f} s"
        )
        print("signals: " + ", ".join(f"{k} {v}" for k, v in sorted(report.signals.items())))
        for where, count in report.landed.most_common():
            print(f"  {count:3d} landed {where}")
        for problem in report.problems:
            print("PROBLEM: " + problem)
        print("no problem found" if not report.problems else f"{len(report.problems)} problems")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
