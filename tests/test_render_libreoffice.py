"""The demo workbook opens and renders in LibreOffice headless (marked: needs LibreOffice)."""

from __future__ import annotations

import subprocess
import zipfile

import pytest
from conftest import convert_to_pdf, requires_libreoffice

pytestmark = [pytest.mark.libreoffice, requires_libreoffice]


def dark_fraction(pgm: bytes) -> float:
    """Share of non-white pixels in a binary PGM (P5) image."""
    parts = pgm.split(maxsplit=4)
    assert parts[0] == b"P5"
    pixels = parts[4]
    return sum(1 for value in pixels if value < 200) / len(pixels)


def test_demo_master_renders_to_pdf_and_is_not_blank(demo_run, tmp_path):
    _, master = demo_run
    pdf = convert_to_pdf(master, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    # Cover, scorecard, districts, history, definitions, quality... and the Drill-down sheets,
    # every one at 8 pt or more (tests/test_print.py): the wide ones take two pages across.
    assert 4 <= pages <= 150, info  # grows with the catalogue: 30 indicators by default, 44 for Kent
    cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    # The Scorecard of 30 indicators takes several pages, its summary under the table.
    scorecard = subprocess.run(["pdftotext", "-f", "2", "-l", "10", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "How this workbook works" in cover
    assert "Children's Services Performance Scorecard" in scorecard and "PERFORMANCE SUMMARY" in scorecard
    subprocess.run(["pdftoppm", "-gray", "-r", "50", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "page")], check=True)
    (image,) = tmp_path.glob("page*.pgm")
    assert dark_fraction(image.read_bytes()) > 0.01


def test_libreoffice_round_trip_keeps_the_sparklines(demo_run, tmp_path):
    from conftest import soffice

    _, master = demo_run
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "saved"),
            str(master),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with zipfile.ZipFile(tmp_path / "saved" / "master.xlsx") as package:
        xml = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/sheet"))
    assert xml.count("<x14:sparkline>") >= 8


@pytest.mark.parametrize(
    ("layout", "heading"), [("kent_table", "Denominator"), ("london_ni", "NI description"), ("birmingham_panels", "Measure")]
)
def test_each_layout_preset_renders_to_pdf_and_png(layout, heading, tmp_path):
    import importlib.util
    from pathlib import Path

    from xl_scorecard.cli import main

    spec = importlib.util.spec_from_file_location("make_images", Path(__file__).parents[1] / "docs" / "make_images.py")
    images = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(images)
    config = images.preset_example(tmp_path / "example", layout)
    assert main(["refresh", "--config", str(config)]) == 0
    pdf, png = images.render_scorecard(config.parent / "master.xlsx", tmp_path / "scorecard.png")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    # Every sheet at 8 pt or more (tests/test_print.py): the wide ones take two pages across.
    assert 4 <= pages <= 150, info  # grows with the catalogue: 30 indicators by default, 44 for Kent
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "10", str(pdf), "-"], capture_output=True, text=True).stdout
    assert heading in text and "PERFORMANCE SUMMARY" in text
    subprocess.run(["pdftoppm", "-gray", "-r", "50", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "grey")], check=True)
    (grey,) = tmp_path.glob("grey*.pgm")
    assert dark_fraction(grey.read_bytes()) > 0.01 and png.stat().st_size > 10_000


def test_london_detailed_analysis_prints_on_its_own_page_with_numbers_and_shares(tmp_path):
    # The worked-example authority (test_views.py), with the London preset and layout: its
    # detailed-analysis page has the months, "No." and "%" and October's NI 59 figures.
    from test_views import write_authority

    from xl_scorecard.config import load_config
    from xl_scorecard.pipeline import refresh

    master = tmp_path / "master.xlsx"
    refresh(load_config(write_authority(tmp_path)), master=master)
    pdf = convert_to_pdf(master, tmp_path)
    pages = [
        subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True).stdout
        for n in range(1, 20)
    ]
    page = next(text for text in pages if "Worked - detailed analysis, Oct 2026" in text)
    assert "May 2026" in page and "Oct 2026" in page and "No." in page and "66.7%" in page
    line = next(text for text in page.splitlines() if "completed within 7 days" in text)
    assert line.split()[-2:] == ["2", "66.7%"]  # October: 2 of 3 within 7 working days
    assert "As at 31/10/2026" in page  # the page header
