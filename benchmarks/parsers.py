"""Benchmark: what reading into Arrow would save (issue 21, "columns end to end"), parse alone.

Run on demand (not part of the test suite):

    python benchmarks/parsers.py --config out/bench-growth/kent-size/authority.toml --python PY [--repeat 5]

Every .xlsx/.xlsm sheet the configuration reads is parsed by the two readers of the calamine
family, in one process each time, alternating, and their CPU seconds printed (medians):

- python-calamine (what the tool reads with): ``get_sheet_by_name`` + ``to_python``, the cells as
  Python objects;
- fastexcel: ``load_sheet(header_row=None, skip_rows=0, dtypes="string")`` + ``to_arrow``, every
  cell as text in Arrow columns from spreadsheet row 1 (the header row is not known before the
  parse, so the columns cannot be typed; ``skip_rows=0`` keeps the empty rows above the data, so
  row numbers stay the spreadsheet's).

``PY`` is an interpreter with fastexcel, pyarrow and python-calamine (kept apart from the tool's:
pyarrow changes pandas' string type). The sheets are listed by this interpreter (the tool's) and
handed over as JSON. Validation, CSV files and the rest of the refresh are not measured: this is
the most the reader change could save, before the cost of typing text columns again.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any


def sheets(config_path: Path) -> list[tuple[str, str]]:
    """Every (workbook, sheet) of the configuration that python-calamine would parse as .xlsx."""
    from xl_scorecard.config import load_config
    from xl_scorecard.sources import ANNEX_A, _paths, annex_a_sheets

    config = load_config(config_path)
    found: dict[tuple[str, str], None] = {}
    for source in config.data.source:
        for path in _paths(config, source):
            if path.suffix.lower() not in (".xlsx", ".xlsm"):
                continue
            if source.dataset == ANNEX_A:
                names = [sheet for sheet, _, _ in annex_a_sheets(path, None, config.datasets).found]
            elif isinstance(source.sheet, str):
                names = [source.sheet]
            else:
                from python_calamine import CalamineWorkbook

                book = CalamineWorkbook.from_path(str(path))
                names = [book.sheet_names[0]]
                book.close()
            for name in names:
                found[(str(path), name)] = None
    return list(found)


def parse(reader: str, listed: list[tuple[str, str]]) -> float:
    """CPU seconds for ``reader`` to parse every listed sheet (each workbook opened once)."""
    started = time.process_time()
    if reader == "python-calamine":
        from python_calamine import CalamineWorkbook

        books: dict[str, Any] = {}
        for path, name in listed:
            book = books.setdefault(path, CalamineWorkbook.from_path(path))
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    else:
        import fastexcel

        readers: dict[str, Any] = {}
        for path, name in listed:
            excel = readers.setdefault(path, fastexcel.read_excel(path))
            excel.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_arrow()
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("out/bench-growth/kent-size/authority.toml"))
    parser.add_argument("--python", help="an interpreter with fastexcel, pyarrow and python-calamine")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # READER FILE: one measurement
    args = parser.parse_args()
    if args.child:
        print(parse(args.child[0], [tuple(pair) for pair in json.loads(Path(args.child[1]).read_text())]))
        return 0
    if not args.python or not args.config.is_file():
        print("give --python (an interpreter with fastexcel and pyarrow) and --config (an authority.toml)")
        return 2
    listed = sheets(args.config)
    listing = args.config.parent / "parsers-sheets.json"
    listing.write_text(json.dumps(listed))
    times: dict[str, list[float]] = {"python-calamine": [], "fastexcel": []}
    try:
        for _ in range(args.repeat):
            for reader in times:
                command = [args.python, __file__, "--child", reader, str(listing)]
                times[reader].append(float(subprocess.run(command, capture_output=True, text=True, check=True).stdout))
    finally:
        listing.unlink(missing_ok=True)
    base = statistics.median(times["python-calamine"])
    print(f"{len(listed)} sheets of {len({p for p, _ in listed})} workbooks, CPU seconds (median of {args.repeat}, alternating)")
    for reader, found in times.items():
        middle = statistics.median(found)
        print(f"  {reader:16s} {middle:6.2f}   {middle / base:5.2f}x   runs {', '.join(f'{t:.2f}' for t in found)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
