"""One direction of flow: computation imports no writer, no Excel automation, no mail."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xl_scorecard"
COMPUTATION = ["sources", "indicators", "scoring.py", "history.py", "periods.py", "config.py", "datafiles.py"]
FORBIDDEN = ("xlsxwriter", "openpyxl", "xlwings", "smtplib", "xl_scorecard.render", "xl_scorecard.cli", "xl_scorecard.pipeline")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def computation_files() -> list[Path]:
    files = []
    for entry in COMPUTATION:
        target = PACKAGE / entry
        files += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return files


@pytest.mark.parametrize("path", computation_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_computation_imports_no_writer(path):
    bad = {name for name in imported_modules(path) if name.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {bad}"


def test_the_rule_would_catch_a_writer_import(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from xl_scorecard.render import write_workbook\n    import xlsxwriter\n")
    assert {"xl_scorecard.render", "xlsxwriter"} <= imported_modules(sneaky)


def test_modules_stay_small():
    for path in PACKAGE.rglob("*.py"):
        # Lines as ruff format lays them out (it wraps long literals one item a line).
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 800, path
