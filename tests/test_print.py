"""Legible on paper (issue 19, part 1): every page of every sheet the tool writes, printed
through LibreOffice at A4 landscape, has its text at 8 pt or more as printed, and no two lines
of text print on top of each other. Measured in the PDF with pdfplumber (the size of each
character after the page's scaling), not assumed from the font sizes the writer asked for.
"""

from __future__ import annotations

import importlib.util
import re
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

    config = _images().preset_example(tmp_path / "example", layout)
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


@requires_libreoffice
@pytest.mark.parametrize("layout", ["kent_table", "london_ni", "birmingham_panels"])
def test_the_committee_pack_has_no_ids_no_paths_and_no_empty_pages(layout, tmp_path):
    import openpyxl
    import pdfplumber

    config = _images().preset_example(tmp_path / "example", layout)
    assert main(["refresh", "--config", str(config)]) == 0
    pack = tmp_path / "pack.pdf"
    assert main(["pdf", "--config", str(config), "--out", str(pack), "--agenda", "Agenda item 4: Scrutiny Committee"]) == 0
    book = openpyxl.load_workbook(config.parent / "master.xlsx", read_only=True)
    rows = list(book["Definitions"].iter_rows(values_only=True))
    book.close()
    column = rows[0].index("Id")
    ids = {r[column] for r in rows[1:] if r[column]}
    assert ids  # the premise: the catalogue's ids, which the master's sheets know
    with pdfplumber.open(pack) as document:
        texts = [page.extract_text() or "" for page in document.pages]
        for number, page in enumerate(document.pages, start=1):
            sizes = [c["size"] for c in page.chars if c["text"].strip()]
            assert sizes and min(sizes) >= MIN_POINTS, (number, min(sizes, default=0))
    from xl_scorecard.config import load_config

    assert "Agenda item 4: Scrutiny Committee" in texts[0] and load_config(config).period.label in texts[0]
    assert "How this workbook works" not in "".join(texts)  # the cover's instructions stay in the workbook
    from xl_scorecard.render.layout import load_layout

    # A layout with a code column (London's NI codes) shows each indicator's id on purpose: there
    # it is the code readers know. Elsewhere an id is the catalogue's key and must not print.
    if "code" not in [c.field for c in load_layout(layout).column]:
        found_ids = sorted({i for i in ids for text in texts if re.search(rf"\b{re.escape(i)}\b", text)})
        assert found_ids == [], found_ids
    path = re.compile(r"\S+\.(?:xlsx|xlsm|xls|csv|xml)\b|[A-Za-z]:\\\S+|/(?:tmp|home|srv)/\S+")
    assert [m.group(0) for text in texts for m in path.finditer(text)] == []
    running = re.compile(r"(Northshire\s+Performance scorecard|Generated by)")
    for number, text in enumerate(texts, start=1):
        body = [line for line in text.splitlines() if line.strip() and not running.match(line)]
        assert len(body) >= 3, f"page {number} has next to nothing on it: {text[:200]!r}"


@requires_libreoffice
def test_the_email_can_carry_the_committee_pack(authority):
    import email
    from email import policy

    import pdfplumber

    config = authority / "authority.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[email]\n", "[email]\nattach_pdf = true\n"), encoding="utf-8")
    assert main(["refresh", "--config", str(config), "--email", "--dry-run"]) == 0
    draft = email.message_from_bytes((authority / "outbox" / "master NG.eml").read_bytes(), policy=policy.default)
    workbook, pack = list(draft.iter_attachments())
    assert workbook.get_filename() == "Northshire scorecard Oct 2026 - Northgate.xlsx"
    assert pack.get_filename() == "Northshire scorecard Oct 2026 - Northgate.pdf" and pack.get_content_type() == "application/pdf"
    (authority / "pack.pdf").write_bytes(pack.get_content())
    with pdfplumber.open(authority / "pack.pdf") as document:
        first = document.pages[0].extract_text()
        assert "Children's services performance scorecard" in first and "Oct 2026" in first
        assert len(document.pages) > 2
