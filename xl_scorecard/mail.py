"""Email: the scorecard summary with the workbook attached (stdlib ``email.message``).

This version composes the message and, with ``dry_run``, writes it as an ``.eml`` file (which
Outlook and other clients open as a ready-to-send message). Sending over SMTP is a later step.
"""

from __future__ import annotations

import datetime as dt
import html
from email.message import EmailMessage
from pathlib import Path

from python_calamine import CalamineWorkbook

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # most council mail systems refuse more than ~20-25 MB


def scorecard_summary(master: Path) -> tuple[str, str]:
    """(title, performance summary sentence) as written on the master's Scorecard sheet."""
    book = CalamineWorkbook.from_path(str(master))
    try:
        rows = book.get_sheet_by_name("Scorecard").to_python()
    finally:
        book.close()
    title = str(rows[0][0]) if rows else "Scorecard"
    cells = [str(r[0]) for r in rows if r and r[0]]
    at = next((i for i, text in enumerate(cells) if text == "PERFORMANCE SUMMARY"), None)
    return title, cells[at + 1] if at is not None and at + 1 < len(cells) else ""


def compose(master: Path, sender: str, recipients: list[str]) -> EmailMessage:
    """The email for one master: summary in plain text and HTML, the workbook attached."""
    title, summary = scorecard_summary(master)
    size = master.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"{master.name} is {size / 1024**2:.1f} MB, over the {MAX_ATTACHMENT_BYTES // 1024**2} MB "
                         "most mail systems accept; share it from a network folder instead")
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = dt.datetime.now(dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(f"{title}\n\n{summary}\n\nThe workbook is attached.\n")
    message.add_alternative(f"<html><body><h2>{html.escape(title)}</h2><p>{html.escape(summary)}</p>"
                            "<p>The workbook is attached.</p></body></html>", subtype="html")
    subtype = "vnd.ms-excel.sheet.macroEnabled.12" if master.suffix.lower() == ".xlsm" else \
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    message.add_attachment(master.read_bytes(), maintype="application", subtype=subtype, filename=master.name)
    return message


def write_eml(message: EmailMessage, folder: Path, stem: str) -> Path:
    """Write ``message`` as ``folder/stem.eml`` (a dry run: nothing is sent)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.eml"
    path.write_bytes(bytes(message))
    return path
