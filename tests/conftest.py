"""Shared fixtures: the generated example authority and one refreshed master (made once)."""

from __future__ import annotations

import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from structure import check_package

from xl_scorecard.config import load_config
from xl_scorecard.demo.generate import generate_example
from xl_scorecard.pipeline import refresh

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def every_written_workbook_is_structurally_clean(request):
    """After each test that uses ``tmp_path``, every .xlsx/.xlsm it wrote there passes the
    structural checker (tests/structure.py). A test that writes broken workbooks on purpose says
    so with ``@pytest.mark.writes_broken_workbooks``."""
    if "tmp_path" not in request.fixturenames or request.node.get_closest_marker("writes_broken_workbooks"):
        yield
        return
    folder = request.getfixturevalue("tmp_path")  # set up first, so it is still there at the end
    started = time.time() - 1
    yield
    for path in sorted([*folder.rglob("*.xlsx"), *folder.rglob("*.xlsm")]):
        if path.stat().st_mtime < started or not zipfile.is_zipfile(path):
            continue
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist() and not any(n.endswith("workbook.xml") for n in archive.namelist()):
                continue
        problems = check_package(path)
        assert not problems, f"{path.relative_to(folder)} would need repair in Excel: {problems}"


@pytest.fixture(scope="session")
def example_dir(tmp_path_factory) -> Path:
    """A freshly generated example authority (small size)."""
    out = tmp_path_factory.mktemp("northshire")
    generate_example(out)
    return out


@pytest.fixture
def authority(example_dir, tmp_path) -> Path:
    """A copy of the example authority to change (its master not yet written)."""
    folder = tmp_path / "northshire"
    shutil.copytree(example_dir, folder)
    (folder / "master.xlsx").unlink(missing_ok=True)
    return folder


@pytest.fixture(scope="session")
def demo_run(example_dir, tmp_path_factory):
    """One refresh of the example authority into a new master; returns (RunResult, master path)."""
    master = tmp_path_factory.mktemp("master") / "master.xlsx"
    result = refresh(load_config(example_dir / "authority.toml"), master=master)
    return result, master


def soffice() -> str | None:
    """The LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(workbook: Path, out_dir: Path) -> Path:
    """Convert with LibreOffice headless (own profile dir so parallel runs don't clash)."""
    profile = out_dir / "lo-profile"
    completed = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = out_dir / (workbook.stem + ".pdf")
    assert completed.returncode == 0 and pdf.exists(), completed.stderr + completed.stdout
    return pdf


requires_libreoffice = pytest.mark.skipif(
    soffice() is None or shutil.which("pdftoppm") is None,
    reason="LibreOffice headless and poppler-utils are not installed (Debian: libreoffice-calc poppler-utils; .ci/run installs them)",
)


def chromium() -> str | None:
    """Headless Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


requires_chromium = pytest.mark.skipif(
    chromium() is None, reason="headless Chromium is not installed (Debian: chromium; .ci/run installs it)"
)


def northgate_config(
    folder: Path,
    example_dir: Path,
    *,
    name: str = "Northshire",
    config: str = "authority.toml",
    authority: str = "",
    extra_sources: str = "",
    annex: Path | None = None,
    sheets: tuple[tuple[str, str], ...] = (("cp_plans", "List 7"),),
) -> Path:
    """A one-district configuration over the example's Northgate files (quick to read): the
    population and the given (dataset, sheet) pairs of its Annex A workbook, plus any extra
    TOML. ``annex`` replaces the workbook (a corrupt file, for instance)."""
    annex_path = (annex or example_dir / "Northgate" / "Northgate Annex A lists.xlsx").as_posix()
    (folder / "population.csv").write_text("District,Year,Population aged 0-17\nNorthgate,2026,21400\n", encoding="utf-8")
    lines = [
        "[authority]",
        f'name = "{name}"',
        'period = "2026-10"',
        authority,
        "[[district]]",
        'code = "NG"',
        'name = "Northgate"',
        "[[source]]",
        'dataset = "population"',
        'file = "population.csv"',
    ]
    for dataset, sheet in sheets:
        lines += ["[[source]]", 'district = "NG"', f'dataset = "{dataset}"', f'file = "{annex_path}"', f'sheet = "{sheet}"']
    path = folder / config
    path.write_text("\n".join(lines) + "\n" + extra_sources, encoding="utf-8")
    return path
