"""Legible on paper (issue 19, part 1): every page of every sheet the tool writes, printed
through LibreOffice at A4 landscape, has its text at 8 pt or more as printed, and no two lines
of text print on top of each other. Measured in the PDF with pdfplumber (the size of each
character after the page's scaling), not assumed from the font sizes the writer asked for.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import requires_libreoffice

from xl_scorecard.cli import main

MIN_POINTS = 8.0
DOCS = Path(__file__).resolve().parents[1] / "docs"


def _images():
    spec = importlib.util.spec_from_file_location("make_images", DOCS / "make_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_pages_pdf(master: Path, out: Path) -> Path:
    """Every sheet of ``master`` but the Drill-down ones, as LibreOffice prints them."""
    from xl_scorecard.render.pdf import export_pdf

    return export_pdf(master, out)


def overlapping_lines(words: list[dict]) -> list[tuple[str, str]]:
    """Pairs of words on different lines whose boxes overlap: text printed over text."""
    found = []
    words = sorted(words, key=lambda w: w["top"])
    for i, first in enumerate(words):
        for second in words[i + 1 :]:
            if second["top"] >= first["bottom"] - 0.5:
                break  # sorted by top: nothing further down can overlap this one
            same_line = abs(second["top"] - first["top"]) < 1.0
            apart = second["x0"] >= first["x1"] - 0.5 or first["x0"] >= second["x1"] - 0.5
            if not same_line and not apart:
                found.append((first["text"], second["text"]))
    return found


@requires_libreoffice
@pytest.mark.parametrize("layout", ["kent_table", "london_ni", "birmingham_panels"])
def test_every_printed_page_is_legible_and_nothing_overprints(layout, tmp_path):
    import pdfplumber

    config = _images().example_with_layout(tmp_path / "example", layout)
    assert main(["refresh", "--config", str(config)]) == 0
    pdf = all_pages_pdf(config.parent / "master.xlsx", tmp_path / "all.pdf")
    small, overprinted = [], []
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) > 3
        for number, page in enumerate(document.pages, start=1):
            sizes = [c["size"] for c in page.chars if c["text"].strip()]
            if sizes and min(sizes) < MIN_POINTS:
                small.append((number, round(min(sizes), 1), page.extract_text()[:60]))
            # Words of two characters or more: a chart's axis labels, turned 45 degrees on purpose,
            # reach the PDF as single characters stepping down a diagonal.
            words = [w for w in page.extract_words() if len(w["text"]) > 1]
            overprinted += [(number, pair) for pair in overlapping_lines(words)]
    assert not small, f"text under {MIN_POINTS} pt: {small}"
    assert not overprinted, f"text printed over text: {overprinted[:10]}"


def test_the_overlap_check_finds_text_over_text():
    # Two words a line apart do not overlap; the same two words half a line apart do.
    apart = [{"text": "a", "x0": 0, "x1": 10, "top": 0, "bottom": 9}, {"text": "b", "x0": 0, "x1": 10, "top": 10, "bottom": 19}]
    over = [{"text": "a", "x0": 0, "x1": 10, "top": 0, "bottom": 9}, {"text": "b", "x0": 2, "x1": 12, "top": 4, "bottom": 13}]
    assert overlapping_lines(apart) == [] and overlapping_lines(over) == [("a", "b")]
