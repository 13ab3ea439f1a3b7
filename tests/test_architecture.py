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


def module_name(path: Path) -> str:
    parts = path.with_suffix("").parts
    parts = parts[len(parts) - 1 - parts[::-1].index("xl_scorecard") :]  # from the package folder down
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for each ``import``/``from ... import`` of the package's own modules in
    ``path``, wherever it stands (top level or inside a function), relative imports resolved."""
    found = []
    here = module_name(path).split(".")
    is_package = path.name == "__init__.py"
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.startswith("xl_scorecard")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.startswith("xl_scorecard"):
                found.append((module, [alias.name for alias in node.names]))
    return found


def _runtime_nodes(tree: ast.AST):
    # Every node but those under ``if TYPE_CHECKING:``: annotations-only imports never run.
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            guarded = isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            stack.extend(child.orelse if guarded else [child])


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package modules it imports, at the top or inside a function. Importing
    ``a.b.c`` runs ``a.b`` (its ``__init__``) too, so the parent packages count; ``from pkg
    import module`` counts as the module."""
    files = {module_name(p): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for module, names in package_imports(path):
            targets = {f"{module}.{n}" for n in names if f"{module}.{n}" in files} or {module}
            parents = {".".join(t.split(".")[:k]) for t in targets for k in range(2, t.count(".") + 1)}
            graph[name] |= {t for t in targets | parents if t in files and t != name and not name.startswith(t + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, found by depth-first search (each reported once, from its smallest module)."""
    found: set[tuple[str, ...]] = set()

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                loop = trail[trail.index(nxt) :]
                start = loop.index(min(loop))
                found.add(tuple(loop[start:] + loop[:start]))
            elif len(trail) < 12:
                visit(nxt, [*trail, nxt])

    for node in sorted(graph):
        visit(node, [node])
    return sorted(list(c) for c in found)


def private_imports(package: Path = PACKAGE) -> list[str]:
    """``module imports other.module._name``: a module reaching into another's private names."""
    bad = []
    for path in sorted(package.rglob("*.py")):
        for module, names in package_imports(path):
            if module != module_name(path):
                bad += [f"{module_name(path)} imports {module}.{n}" for n in names if n.startswith("_") and n != "__version__"]
            bad += [f"{module_name(path)} imports {module}" for part in module.split(".") if part.startswith("_") and part != "__init__"]
    return bad


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_no_module_imports_another_modules_private_names():
    assert private_imports() == []


def test_the_rules_would_catch_a_cycle_and_a_private_import(tmp_path):
    # A copy of the package with a cycle (render.cells -> render.workbook -> render.cells) and a
    # private name imported from another module, as the two rules must report.
    package = tmp_path / "xl_scorecard"
    for path in PACKAGE.rglob("*.py"):
        target = package / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    cells = package / "render" / "cells.py"
    cells.write_text(cells.read_text(encoding="utf-8") + "\nfrom xl_scorecard.render.workbook import write_workbook\n")
    panels = package / "render" / "panels.py"
    panels.write_text(panels.read_text(encoding="utf-8") + "\nfrom xl_scorecard.render.workbook import _write_scorecard\n")
    assert ["xl_scorecard.render.cells", "xl_scorecard.render.workbook"] in cycles(import_graph(package))
    assert private_imports(package) == ["xl_scorecard.render.panels imports xl_scorecard.render.workbook._write_scorecard"]


def test_modules_stay_small():
    for path in PACKAGE.rglob("*.py"):
        # Lines as ruff format lays them out (it wraps long literals one item a line).
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 800, path
