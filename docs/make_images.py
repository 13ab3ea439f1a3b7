"""Make the images shown in the README from the bundled example (run: python docs/make_images.py).

The tests call the same functions, so what the README shows is what a test rendered.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        raise SystemExit("headless Chromium is not installed (Debian: apt install chromium)")
    return found


def render_html(html_text: str, png: Path, width: int = 900, height: int = 640) -> Path:
    """Render an HTML page to a PNG with headless Chromium."""
    with tempfile.TemporaryDirectory(prefix="xl-scorecard-html-") as work:
        page = Path(work) / "body.html"
        page.write_text(html_text, encoding="utf-8")
        subprocess.run(
            [
                chromium_binary(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={Path(work) / 'profile'}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


def render_scorecard(master: Path, png: Path, page: int = 2, resolution: int = 70) -> tuple[Path, Path]:
    """The master through LibreOffice headless to PDF, then one page (the Scorecard follows the
    cover) to PNG with pdftoppm. Returns (pdf, png)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("LibreOffice is not installed (Debian: apt install libreoffice-calc poppler-utils)")
    work = Path(tempfile.mkdtemp(prefix="xl-scorecard-render-"))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(master),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = work / f"{master.stem}.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(png.with_suffix(""))],
        check=True,
        capture_output=True,
    )
    return pdf, png


# Each seed layout with the preset made for it (the preset names its layout).
LAYOUT_PRESETS = {"kent_table": "kent_2012", "london_ni": "london_2010", "birmingham_panels": "birmingham_2017"}


def render_due_soon(master: Path, png: Path) -> Path:
    """The first page of the master's "Drill-down due soon" sheet (fictional children), as
    LibreOffice prints it."""
    pdf, _ = render_scorecard(master, png.with_name("unused.png"), page=1)
    png.with_name("unused.png").unlink(missing_ok=True)
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True).stdout
        if text.lstrip().startswith("Northshire") and "Due soon: cases due within" in text:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(png.with_suffix(""))],
                check=True,
            )
            return png
    raise SystemExit("the master has no Drill-down due soon page")


def preset_example(folder: Path, layout: str) -> Path:
    """The example authority of the preset whose layout is ``layout`` (``xl-scorecard demo
    --preset``), generated into ``folder``; returns its configuration."""
    from xl_scorecard.demo.generate import generate_example

    return generate_example(folder, preset=LAYOUT_PRESETS[layout])


def email_body_html(eml: Path) -> str:
    message = BytesParser(policy=policy.default).parse(eml.open("rb"))
    return message.get_body(("html",)).get_content()


def main() -> int:
    sys.path.insert(0, str(DOCS.parent))
    from xl_scorecard.cli import main as cli

    with tempfile.TemporaryDirectory(prefix="xl-scorecard-docs-") as work:
        example = Path(work) / "northshire"
        shutil.copytree(DOCS.parent / "examples" / "northshire", example)
        (example / "master.xlsx").unlink(missing_ok=True)
        cli(["refresh", "--config", str(example / "authority.toml"), "--email", "--dry-run"])
        render_html(email_body_html(example / "outbox" / "master authority.eml"), DOCS / "email-body.png")
        print(f"wrote {DOCS / 'email-body.png'}")
        render_scorecard(example / "master.xlsx", DOCS / "scorecard-default.png")
        print(f"wrote {DOCS / 'scorecard-default.png'}")
        render_due_soon(example / "master.xlsx", DOCS / "due-soon.png")
        print(f"wrote {DOCS / 'due-soon.png'}")
        for layout in LAYOUT_PRESETS:
            config = preset_example(Path(work) / layout, layout)
            cli(["refresh", "--config", str(config)])
            png = DOCS / f"scorecard-{layout.replace('_', '-')}.png"
            # The panels sheet follows the scorecard: show its first page.
            render_scorecard(config.parent / "master.xlsx", png, page=3 if layout == "birmingham_panels" else 2)
            print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
