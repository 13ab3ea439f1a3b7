"""What the wheel carries: every module and every file read at run time is package data.

The wheel itself is built and installed outside the repository by ``.ci/install_check.py``
(``make install-check``, run by CI); these tests keep ``pyproject.toml`` in step with the tree
so that a new subpackage, layout or ribbon file cannot be left out of it without a red test.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import xl_scorecard
from xl_scorecard.resources import shipped_folder

REPO = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def source_folder(package: str) -> Path:
    """Where setuptools takes ``package`` from, following ``package-dir``."""
    mapped = SETUPTOOLS.get("package-dir", {})
    if package in mapped:
        return REPO / mapped[package]
    parent, _, leaf = package.rpartition(".")
    return source_folder(parent) / leaf if parent else REPO / package


def test_every_folder_of_the_package_is_listed():
    found = {"xl_scorecard"}
    for folder in (REPO / "xl_scorecard").rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.iterdir()):
            found.add(".".join(folder.relative_to(REPO).parts))
    for mapped, folder in SETUPTOOLS["package-dir"].items():
        found.add(mapped)
        found.update(f"{mapped}.{'.'.join(sub.relative_to(REPO / folder).parts)}" for sub in (REPO / folder).rglob("*") if sub.is_dir())
    assert found == set(SETUPTOOLS["packages"])


def test_every_data_file_matches_a_package_data_pattern():
    # READMEs explain the folders to people editing them; everything else is read at run time.
    data = SETUPTOOLS["package-data"]
    missed = []
    for package in SETUPTOOLS["packages"]:
        for path in source_folder(package).iterdir():
            shipped = any(fnmatch.fnmatch(path.name, pattern) for pattern in data.get(package, []))
            if path.is_file() and path.suffix != ".py" and path.name != "README.md" and not shipped:
                missed.append(str(path.relative_to(REPO)))
    assert not missed, f"not shipped in the wheel: {missed}"


def test_shipped_folders_are_the_ones_people_edit_in_a_checkout():
    # In a checkout the top-level folders are the home; an installed wheel has them inside the
    # package (checked by the install check, which runs outside the repository).
    assert shipped_folder("workbook_templates") == REPO / "workbook_templates"
    assert shipped_folder("macros") == REPO / "macros"
    assert (shipped_folder("workbook_templates") / "layouts" / "kent_table.toml").is_file()
    assert not (Path(xl_scorecard.__file__).parent / "workbook_templates").exists()


def test_the_version_has_one_home():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert SETUPTOOLS["dynamic"]["version"] == {"attr": "xl_scorecard.__version__"}
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{xl_scorecard.__version__}]" in changelog
