"""Email: the performance summary and a compact RAG table in the body (HTML with a plain-text
alternative), the aggregate-only copy of the workbook attached, sent over SMTP with the
standard library, or written as ``.eml`` files for a dry run.

Credentials come from environment variables or the OS keyring, never from configuration files,
workbooks or logs. The attachment leaves out child-level sheets unless the configuration
explicitly allows them (``allow_child_level = true``).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import html
import logging
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_rowcol_to_cell

from xl_scorecard.config import AuthorityConfig, EmailSection
from xl_scorecard.errors import ScorecardError
from xl_scorecard.history import read_history
from xl_scorecard.indicators import AUTHORITY, load_catalogue
from xl_scorecard.indicators.catalogue import Indicator, format_value
from xl_scorecard.periods import Month
from xl_scorecard.render.cells import (
    AMBER,
    AMBER_TEXT,
    DISTRICTS_SHEET,
    EARLY_WARNING,
    GREEN,
    GREEN_TEXT,
    NOT_RATED_FILL,
    NOT_RATED_TEXT,
    OUTLOOK,
    QUALITY_SHEET,
    RED,
    RED_TEXT,
    outlook_heading,
    outlook_sentence,
    outlook_when,
)  # the scorecard's own colours
from xl_scorecard.render.guard import small_numbers
from xl_scorecard.render.layout import load_layout
from xl_scorecard.scoring import IMPROVED, SUPPRESSED, WORSE, disclosure_basis, is_small, score_results, summary_sentence

if TYPE_CHECKING:
    from xl_scorecard.pipeline import RunResult

log = logging.getLogger(__name__)

RAG_COLOURS = {"G": (GREEN, GREEN_TEXT, "Green"), "A": (AMBER, AMBER_TEXT, "Amber"), "R": (RED, RED_TEXT, "Red")}
ARROWS = {IMPROVED: "&#9650;", WORSE: "&#9660;"}


class MailError(ScorecardError):
    """The email could not be prepared or sent (message says why and what to do)."""


@dataclass
class Digest:
    """What the email says, taken from a run's scored results. Only the ``email`` command, run
    without a refresh, reads two tables back from the master: the problem list (district, file,
    severity) and the early-warning counts, both written by the tool, never a figure."""

    title: str
    period: Month
    summary: str
    rows: list[dict]  # indicator title, value text, rag, travel
    quality: list[str]
    restated: list[str] = field(default_factory=list)  # stored figures this run computed differently
    warnings: list[str] = field(default_factory=list)  # early-warning counts for the area, one line per timescale
    warning_heading: str = ""
    outlook: list[str] = field(default_factory=list)  # what the timeliness figures can still become
    outlook_heading: str = ""


@dataclass
class Results:
    """A refresh's scored results, as the email needs them: ``pipeline.RunResult`` has these
    fields, and ``stored_results`` rebuilds them from a master's history for the ``email``
    command run on its own."""

    period: Month
    catalogue: list[Indicator]
    scored: pd.DataFrame  # scoring.score_results: value, rag and travel per indicator, area and period
    problems: list[tuple[str, str, str]]  # (district, file, severity) of each data problem: never its value
    restated: list[str] = field(default_factory=list)  # the run's restatements (pipeline.restated_lines)
    # Early warning, aggregate only: clock, district (code) and the two counts; and its heading.
    due_counts: pd.DataFrame | None = None
    due_heading: str = ""
    # What the timeliness figures can still become, as the Districts sheet shows them: OUTLOOK_COLUMNS.
    outlook: pd.DataFrame | None = None

    @classmethod
    def of_run(cls, run: RunResult) -> Results:
        """The results of a refresh that has just run."""
        problems = [(p.district, p.file, str(p.severity)) for p in run.sources.problems]
        outlook = _outlook_of_run(run.projections, run.catalogue)
        return cls(run.period, run.catalogue, run.scored, problems, run.restated, run.due_counts, run.due_heading, outlook)


OUTLOOK_COLUMNS = ["title", "when", "ends", "area", "best", "worst", "best_basis", "worst_basis"]


def _outlook_of_run(projected: pd.DataFrame | None, catalogue: list[Indicator]) -> pd.DataFrame | None:
    if projected is None or projected.empty:
        return None
    by_id = {ind.id: ind for ind in catalogue}
    rows = []
    for r in projected.to_dict("records"):
        ind = by_id.get(str(r["indicator"]))
        if ind is None:
            continue
        shown = {k: format_value(r[k], ind.unit) if not pd.isna(r[k]) else None for k in ("best", "worst")}
        rows.append(
            {
                "title": ind.title,
                "when": outlook_when(Month.parse(str(r["period"])), ind.period),
                "ends": r["ends"],
                "area": r["area"],
                **shown,
                **{f"{k}_basis": disclosure_basis(ind.unit, r[f"{k}_numerator"], r[f"{k}_denominator"]) for k in ("best", "worst")},
            }
        )
    return pd.DataFrame(rows, columns=OUTLOOK_COLUMNS)


def _outlook_lines(outlook: pd.DataFrame | None, area: str, suppress_below: int) -> list[str]:
    """The area's "what the figures can still become" lines; a figure resting on few children
    withheld as "c" when asked, and a figure not known (a district without the lists) left out."""
    if outlook is None or outlook.empty:
        return []
    lines = []
    for r in outlook[outlook["area"] == area].to_dict("records"):
        if r["best"] is None or r["worst"] is None or pd.isna(r["best"]) or pd.isna(r["worst"]):
            continue
        shown = {}
        for k in ("best", "worst"):
            basis = r[f"{k}_basis"]
            small = suppress_below > 1 and basis is not None and not pd.isna(basis) and is_small(float(basis), suppress_below)
            shown[k] = SUPPRESSED if small else str(r[k])
        lines.append(outlook_sentence(r["title"], r["when"], r["ends"], shown["best"], shown["worst"]))
    return lines


def digest(config: AuthorityConfig, results: Results, area: str = AUTHORITY, suppress_below: int = 0) -> Digest:
    """The summary sentence, one row per indicator and the data-quality lines for ``area``
    (the authority or a district code), from the scored results; with ``suppress_below`` > 1,
    a figure resting on fewer people (``scoring.disclosure_basis``) shows as "c"."""
    names = {d.code: d.name for d in config.districts}
    name = config.name if area == AUTHORITY else names.get(area, area)
    scored = results.scored
    rows_now = scored[(scored["period"] == str(results.period)) & (scored["area"] == area)].set_index("indicator")
    rows = []
    for ind in results.catalogue:
        found = ind.id in rows_now.index
        now = rows_now.at[ind.id, "value"] if found else None
        rag = str(rows_now.at[ind.id, "rag"]) if found else ""
        # Results scored without completeness (older history) count as complete.
        has_status = "status" in rows_now.columns
        status = (str(rows_now.at[ind.id, "status"]) if has_status else "complete") if found else "no data"
        shown = format_value(None if now is None or pd.isna(now) else float(now), ind.unit)
        if found and now is not None and not pd.isna(now) and suppress_below > 1:
            parts = [rows_now.at[ind.id, c] if c in rows_now.columns else None for c in ("numerator", "denominator")]
            if is_small(disclosure_basis(ind.unit, *parts), suppress_below):
                shown = SUPPRESSED
        rows.append(
            {
                "title": ind.title,
                "value": shown,
                "target": format_value(ind.target, ind.unit) if ind.target is not None else "",
                "rag": rag if rag in RAG_COLOURS else "",
                "travel": str(rows_now.at[ind.id, "travel"]) if found else "",
                "status": status,  # "complete", or "incomplete" / "no data", shown instead of a RAG
            }
        )
    layout = load_layout(config.layout)
    title = layout.title.replace("{authority}", config.name) + ("" if area == AUTHORITY else f" - {name}")
    titles = {ind.id: ind.title for ind in results.catalogue}
    summary = summary_sentence(scored, results.period, name, area, titles=titles, wording=layout.summary_wording)
    quality = _problem_lines(results.problems, area)
    # Restatement lines quote figures: with small numbers withheld they are on the Restatements sheet only.
    restated = results.restated if area == AUTHORITY and suppress_below <= 1 else []
    warnings = _warning_lines(results.due_counts, area, suppress_below)
    outlook = _outlook_lines(results.outlook, area, suppress_below)
    return Digest(
        title,
        results.period,
        summary,
        rows,
        quality,
        restated,
        warnings,
        results.due_heading if warnings else "",
        outlook,
        outlook_heading(results.period) if outlook else "",
    )


def _warning_lines(counts: pd.DataFrame | None, area: str, suppress_below: int) -> list[str]:
    """Per timescale, how many of the area's open cases are overdue and how many due soon
    (counts only: the cases stay in the master); a small count withheld as "c" when asked."""
    if counts is None or counts.empty:
        return []

    def shown(count: int) -> str:
        return SUPPRESSED if suppress_below > 1 and is_small(float(count), suppress_below) else str(count)

    lines = []
    for clock, group in counts.groupby("clock", sort=False):
        mine = group if area == AUTHORITY else group[group["district"] == area]
        if mine["overdue"].isna().any():  # a district without the lists the clock needs
            lines.append(
                f"{clock}: "
                + ("no data (the lists it needs are missing)" if area != AUTHORITY else "incomplete (not every district's lists are there)")
            )
            continue
        overdue, soon = int(mine["overdue"].sum()), int(mine["due_soon"].sum())
        lines.append(f"{clock}: {shown(overdue)} overdue, {shown(soon)} due soon")
    return lines


def stored_results(config: AuthorityConfig, master: Path) -> Results:
    """The latest month of ``master``'s history, scored by the scoring stage (for the ``email``
    command and the ribbon's Email button, which run without a refresh)."""
    if not master.is_file():
        raise MailError(f"{master} does not exist: refresh it first (xl-scorecard refresh --config ...).")
    history = read_history(master)
    if history is None or history.empty:
        raise MailError(f"{master} has no scorecard history: refresh it first.")
    catalogue = load_catalogue(config.catalogue_path)
    current = history[history["indicator"].isin([ind.id for ind in catalogue])]
    period = max(Month.parse(str(p)) for p in current["period"].unique())
    counts, heading = _stored_due_counts(master, config)
    scored = score_results(current.drop(columns=["rag"]), catalogue)
    return Results(period, catalogue, scored, _stored_problems(master), [], counts, heading, _stored_outlook(master, config, catalogue))


def _districts_rows(master: Path) -> list[list]:
    """The cells of ``master``'s Districts sheet (row 0 is the sheet's first row: its title)."""
    book = CalamineWorkbook.from_path(str(master))
    try:
        return book.get_sheet_by_name(DISTRICTS_SHEET).to_python() if DISTRICTS_SHEET in book.sheet_names else []
    finally:
        book.close()


def _stored_outlook(master: Path, config: AuthorityConfig, catalogue: list[Indicator]) -> pd.DataFrame | None:
    # "What the figures can still become" as the last refresh wrote it on the Districts sheet:
    # a heading row, then two rows per indicator ("<title>, <when>: if every case due by
    # dd/mm/yyyy ..." and "<title>, <when>: if none is") with each area's figure in the area
    # columns, and the bases of small figures as the fingerprint noted them.
    rows = _districts_rows(master)
    top = next((i for i, r in enumerate(rows) if r and str(r[0]).startswith(OUTLOOK)), None)
    if top is None:
        return None
    small = (small_numbers(master) or {}).get(DISTRICTS_SHEET, {})
    units = {ind.title: ind.unit for ind in catalogue}
    areas = [AUTHORITY, *(d.code for d in config.districts)]
    records = []
    body = rows[top + 1 :]
    for number, (best_row, worst_row) in enumerate(zip(body[::2], body[1::2])):
        label = str(best_row[0]) if best_row else ""
        head, found, rest = label.partition(": if every case due by ")
        title = next((t for t in units if head.startswith(t + ", ")), None)
        if not found or title is None:
            break
        ends = dt.datetime.strptime(rest[:10], "%d/%m/%Y").date()
        for n, area in enumerate(areas):
            record: dict[str, object] = {"title": title, "when": head[len(title) + 2 :], "ends": ends, "area": area}
            for key, row, offset in (("best", best_row, 0), ("worst", worst_row, 1)):
                value = row[1 + 2 * n] if len(row) > 1 + 2 * n else None
                record[key] = format_value(float(value), units[title]) if isinstance(value, (int, float)) else None
                record[f"{key}_basis"] = small.get(xl_rowcol_to_cell(top + 1 + 2 * number + offset, 1 + 2 * n))
            records.append(record)
    return pd.DataFrame(records, columns=OUTLOOK_COLUMNS)


def _stored_due_counts(master: Path, config: AuthorityConfig) -> tuple[pd.DataFrame | None, str]:
    # The early-warning counts as the last refresh wrote them under the Districts sheet's
    # figures: a heading row, then "<timescale>: overdue" / "<timescale>: due soon" rows with
    # the authority's and each district's count in the district columns.
    rows = _districts_rows(master)
    top = next((i for i, r in enumerate(rows) if r and str(r[0]).startswith(EARLY_WARNING)), None)
    if top is None:
        return None, ""
    codes = [d.code for d in config.districts]
    records: dict[tuple[str, str], dict[str, float]] = {}
    for row in rows[top + 1 :]:
        label = str(row[0]) if row else ""
        for kind, suffix in (("overdue", ": overdue"), ("due_soon", ": due soon")):
            if suffix in label:
                clock = label.split(suffix)[0]
                for n, code in enumerate(codes, start=1):
                    value = row[1 + 2 * n] if len(row) > 1 + 2 * n else None
                    # "no data" (the district lacks a list the clock needs) stays no count.
                    count = float(value) if isinstance(value, (int, float)) else float("nan")
                    records.setdefault((clock, code), {"overdue": 0.0, "due_soon": 0.0})[kind] = count
    frame = pd.DataFrame(
        [{"clock": c, "indicator": "", "district": d, **v} for (c, d), v in records.items()],
        columns=["clock", "indicator", "district", "overdue", "due_soon"],
    )
    return frame, str(rows[top][0])


def _stored_problems(master: Path) -> list[tuple[str, str, str]]:
    # The last refresh's problems as its "Data quality" sheet lists them (district, file and
    # severity columns of the problem table; values are never read).
    book = CalamineWorkbook.from_path(str(master))
    try:
        rows = book.get_sheet_by_name(QUALITY_SHEET).to_python() if QUALITY_SHEET in book.sheet_names else []
    finally:
        book.close()
    header = next((i for i, r in enumerate(rows) if r and r[0] == "District" and "Severity" in r), None)
    if header is None:
        return []
    names = rows[header]
    district, file, severity = names.index("District"), names.index("File"), names.index("Severity")
    return [
        (str(row[district]), str(row[file]), str(row[severity]))
        for row in rows[header + 1 :]
        if len(row) > severity and row[severity] in ("error", "warning")
    ]


def _problem_lines(problems: list[tuple[str, str, str]], area: str) -> list[str]:
    # Problems per file and severity; values are never copied (they may be personal).
    counts: dict[tuple[str, str], int] = {}
    for district, file, severity in problems:
        if area in (AUTHORITY, district):
            counts[(file, severity)] = counts.get((file, severity), 0) + 1
    return [f"{file}: {n} {severity}{'s' if n > 1 else ''}" for (file, severity), n in sorted(counts.items())]


def _status_style(row: dict) -> tuple[str, str, str]:
    # (fill, text colour, word) of a row's status cell: its RAG, or why it has none.
    if row.get("status", "complete") != "complete":
        return NOT_RATED_FILL, NOT_RATED_TEXT, row["status"]
    return RAG_COLOURS.get(row["rag"], ("#FFFFFF", "#595959", "-"))


def render_html(digest: Digest, note: str = "") -> str:
    """The HTML body: summary, a RAG table with inline colours (mail clients drop style sheets),
    data-quality warnings."""
    cell = 'style="border:1px solid #BFBFBF;padding:4px 8px;font-family:Arial,sans-serif;font-size:13px"'
    lines = [
        '<html><body style="font-family:Arial,sans-serif;font-size:14px;color:#1F1F1F">',
        f'<h2 style="color:#1F3864;margin-bottom:4px">{html.escape(digest.title)}</h2>',
        f'<p style="margin-top:0;color:#595959">{html.escape(digest.period.label)}</p>',
        f"<p><b>Performance summary.</b> {html.escape(digest.summary)}</p>",
        '<table style="border-collapse:collapse" cellspacing="0">',
        f'<tr style="background:#1F3864;color:#FFFFFF"><th {cell}>Indicator</th><th {cell}>Value</th>'
        f"<th {cell}>Target</th><th {cell}>RAG</th><th {cell}>Since last month</th></tr>",
    ]
    for row in digest.rows:
        fill, ink, word = _status_style(row)
        arrow = ARROWS.get(row["travel"], "")
        lines.append(
            f'<tr><td {cell}>{html.escape(row["title"])}</td><td {cell} align="right">{html.escape(row["value"])}</td>'
            f'<td {cell} align="right">{html.escape(row.get("target", ""))}</td>'
            f'<td bgcolor="{fill}" style="background:{fill};color:{ink};font-weight:bold;border:1px solid #BFBFBF;'
            f'padding:4px 8px;font-family:Arial,sans-serif;font-size:13px">{word}</td>'
            f"<td {cell}>{arrow} {html.escape(row['travel'] or '')}</td></tr>"
        )
    lines.append("</table>")
    if digest.restated:
        lines.append("<p><b>Restated:</b> figures reported before, computed differently now (the Restatements sheet lists them):</p><ul>")
        lines += [f"<li>{html.escape(line)}</li>" for line in digest.restated]
        lines.append("</ul>")
    if digest.warnings:
        lines.append(f"<p><b>{html.escape(digest.warning_heading)}</b> (the cases are listed in the master workbook):</p><ul>")
        lines += [f"<li>{html.escape(line)}</li>" for line in digest.warnings]
        lines.append("</ul>")
    if digest.outlook:
        lines.append(f"<p><b>{html.escape(digest.outlook_heading)}</b>:</p><ul>")
        lines += [f"<li>{html.escape(line)}</li>" for line in digest.outlook]
        lines.append("</ul>")
    if digest.quality:
        lines.append('<p><b>Data quality:</b> problems in the district files (details on the "Data quality" sheet):</p><ul>')
        lines += [f"<li>{html.escape(line)}</li>" for line in digest.quality]
        lines.append("</ul>")
    if note:
        lines.append(f'<p style="color:#595959">{html.escape(note)}</p>')
    lines.append("</body></html>")
    return "\n".join(lines)


def render_text(digest: Digest, note: str = "") -> str:
    """The plain-text alternative of the body."""
    width = max((len(r["title"]) for r in digest.rows), default=20)
    lines = [digest.title, digest.period.label, "", "Performance summary. " + digest.summary, ""]
    for row in digest.rows:
        word = _status_style(row)[2]
        target = f"target {row['target']}" if row.get("target") else ""
        lines.append(f"{row['title']:<{width}}  {row['value']:>9}  {target:<16}  {word:<5}  {row['travel']}")
    if digest.restated:
        lines += ["", "Restated (figures reported before, computed differently now):", *[f"  {r}" for r in digest.restated]]
    if digest.warnings:
        lines += ["", f"{digest.warning_heading} (the cases are listed in the master workbook):", *[f"  {w}" for w in digest.warnings]]
    if digest.outlook:
        lines += ["", f"{digest.outlook_heading}:", *[f"  {w}" for w in digest.outlook]]
    if digest.quality:
        lines += ["", 'Data quality (details on the "Data quality" sheet):', *[f"  {q}" for q in digest.quality]]
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def compose(
    config: AuthorityConfig,
    master: Path,
    recipients: list[str],
    attachment: Path,
    results: Results,
    area: str = AUTHORITY,
    suppress_below: int = 0,
    pdf: Path | None = None,
) -> EmailMessage:
    """One message: the body for ``area`` from ``results``, ``attachment`` (the aggregate-only
    copy) attached; ``suppress_below`` > 1: small numbers withheld in the body (and, the caller
    makes sure, in the attachment)."""
    settings = _settings(config)
    body = digest(config, results, area, suppress_below)
    note = "The attached workbook has the authority's figures and each district's. " + (
        "It includes child-level drill-down rows: handle it as personal data."
        if settings.allow_child_level
        else "Child-level drill-down rows are not included; they stay in the master workbook."
    )
    if suppress_below > 1:
        note += (
            f' Figures resting on 1 to {suppress_below - 1} children (or staff) are shown as "c", as in DfE statistics, '
            "to protect confidentiality."
        )
    size = attachment.stat().st_size
    if size > settings.max_attachment_mb * 1024 * 1024:
        raise MailError(
            f"{master.name} is {size / 1024**2:.1f} MB, over the {settings.max_attachment_mb:g} MB limit set "
            "for email ([email] max_attachment_mb). Share it from a network folder instead, or raise the limit "
            "if your mail system accepts more."
        )
    names = {d.code: d.name for d in config.districts}
    district = "" if area == AUTHORITY else names.get(area, area)
    message = EmailMessage()
    message["Subject"] = subject_line(settings.subject, config.name, district, body.period.label)
    message["From"] = settings.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    message.set_content(render_text(body, note))
    message.add_alternative(render_html(body, note), subtype="html")
    subtype = (
        "vnd.ms-excel.sheet.macroEnabled.12"
        if master.suffix.lower() == ".xlsm"
        else "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = attachment_name(config.name, district, body.period.label, master.suffix)
    message.add_attachment(attachment.read_bytes(), maintype="application", subtype=subtype, filename=filename)
    if pdf is not None:  # the committee pack, made from the same aggregate-only copy
        pdf_name = attachment_name(config.name, district, body.period.label, ".pdf")
        message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf_name)
    return message


def subject_line(template: str, authority: str, district: str, month: str) -> str:
    """The subject: ``template`` with {authority}, {month} and {area} (" - Northgate" for a
    district's email, empty for the authority's). A template without {area} gets the district
    added at the end, so no two recipients' subjects are the same."""
    area = f" - {district}" if district else ""
    subject = template.format(authority=authority, month=month, area=area)
    return subject + area if district and "{area}" not in template else subject


def attachment_name(authority: str, district: str, month: str, suffix: str) -> str:
    """ "Northshire scorecard Oct 2026.xlsx", or "... Oct 2026 - Northgate.xlsx": what a reader
    saves it as, without the characters Windows refuses in a file name."""
    name = f"{authority} scorecard {month}" + (f" - {district}" if district else "")
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip(" .") + suffix


def _settings(config: AuthorityConfig) -> EmailSection:
    if config.data.email is None:
        raise MailError(f"{config.path}: no [email] section. Add one with sender and to (see docs/scheduling.md).")
    return config.data.email


def messages_for(config: AuthorityConfig, master: Path, results: Results | None = None) -> list[tuple[str, EmailMessage]]:
    """(label, message) for the whole authority's recipients and each district's, all with one
    aggregate-only copy of ``master`` attached (the master itself is only read). The bodies come
    from ``results``: the refresh's own, or when sending on its own the master's stored history."""
    settings = _settings(config)
    from xl_scorecard.render.copies import aggregate_copy  # the writer stage, used only here
    from xl_scorecard.render.master import work_prefix

    results = results or stored_results(config, master)
    # The aggregate copy holds no child-level text, so it may be built in the system temp
    # folder; a copy with the Drill-down sheets (allow_child_level) is built beside the master.
    if settings.allow_child_level:
        work_dir: Path | None = master.parent
        prefix = f"{work_prefix(master)}{os.getpid()}-mail-"
    else:
        work_dir, prefix = None, "xl-scorecard-mail-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=work_dir) as work:
        copies: dict[int, Path] = {}

        def copy_for(below: int) -> Path:
            # One copy as it is and one with small numbers withheld, each built once, when needed.
            if below not in copies:
                folder = Path(work) / f"threshold {below}"
                copies[below] = aggregate_copy(master, folder / master.name, settings.allow_child_level, below)
            return copies[below]

        packs: dict[int, Path] = {}

        def pack_for(below: int) -> Path | None:
            # The committee pack as a PDF, when asked for: one per threshold, made once.
            if not settings.attach_pdf:
                return None
            if below not in packs:
                from xl_scorecard.render.committee import TitlePage
                from xl_scorecard.render.layout import load_layout
                from xl_scorecard.render.pdf import export_pdf

                folder = Path(work) / f"pack {below}"
                folder.mkdir(parents=True, exist_ok=True)
                sheets = load_layout(config.layout).committee
                title = TitlePage(config.name, results.period)
                packs[below] = export_pdf(master, folder / "pack.pdf", suppress_below=below, sheets=sheets, title=title)
            return packs[below]

        out = []
        wanted = [("authority", AUTHORITY, settings.to)] if settings.to else []
        wanted += [(code, code, recipients) for code, recipients in settings.districts.items()]
        for label, area, recipients in wanted:
            below = settings.small_number_threshold if settings.suppresses(label) else 0
            out.append((label, compose(config, master, recipients, copy_for(below), results, area, below, pack_for(below))))
    if not out:
        raise MailError(f"{config.path}: [email] names no recipients (to = [...] or [email.districts]).")
    return out


def write_eml(message: EmailMessage, folder: Path, stem: str) -> Path:
    """Write ``message`` as ``folder/stem.eml`` (a dry run: nothing is sent)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.eml"
    partial = folder / f".{stem}.eml.part"  # written whole, then renamed: never a truncated .eml
    draft = copy.copy(message)
    # Outlook opens an .eml with this header as a draft to send, not as mail received.
    del draft["X-Unsent"]
    draft["X-Unsent"] = "1"
    try:
        partial.write_bytes(bytes(draft))
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return path


def credentials(settings: EmailSection, environ: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """(user, password) from the environment, else the OS keyring; (None, None) for no login."""
    source = os.environ if environ is None else environ
    user = source.get(settings.username_env)
    password = source.get(settings.password_env)
    if user and not password and settings.keyring_service:
        try:
            import keyring
        except ImportError:
            raise MailError("keyring_service is set but the keyring package is not installed (pip install keyring).") from None
        password = keyring.get_password(settings.keyring_service, user)
    if user and not password:
        raise MailError(
            f"{settings.username_env} is set but no password was found: set {settings.password_env} "
            "or store it in the OS keyring (keyring_service)."
        )
    return user, password


def send(
    config: AuthorityConfig, messages: list[tuple[str, EmailMessage]], environ: dict[str, str] | None = None, timeout: float = 60
) -> int:
    """Send over SMTP (STARTTLS, SSL or plain as configured). Returns the number sent."""
    settings = _settings(config)
    user, password = credentials(settings, environ)
    port = settings.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[settings.security]
    context = ssl.create_default_context()
    try:
        if settings.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(settings.smtp_host, port, timeout=timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=context)
            if user:
                _login(server, user, password or "")
            for label, message in messages:
                server.send_message(message)
                log.info("email for %s sent to %d recipient(s)", label, len(message["To"].split(",")))
    except smtplib.SMTPAuthenticationError:
        raise MailError(
            f"the mail server {settings.smtp_host} refused the login for {settings.username_env}'s user: check the user name and password."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        # The exception text never holds the password; the host and port say where to look.
        raise MailError(
            f"could not send through {settings.smtp_host}:{port} ({type(exc).__name__}: {exc}). "
            "Check smtp_host, smtp_port and security in [email]; nothing was sent."
        ) from None
    return len(messages)


def _login(server: smtplib.SMTP, user: str, password: str) -> None:
    # One attempt with the server's plainest mechanism over the (TLS) connection. smtplib's own
    # login() retries every mechanism after a refusal, which some servers answer by hanging.
    server.ehlo_or_helo_if_needed()
    advertised = server.esmtp_features.get("auth", "").upper().split()
    for mechanism, method in (("PLAIN", server.auth_plain), ("LOGIN", server.auth_login)):
        if mechanism in advertised:
            server.user, server.password = user, password
            server.auth(mechanism, method, initial_response_ok=True)
            return
    server.login(user, password)


def outlook_drafts(messages: list[tuple[str, EmailMessage]], attachment_folder: Path) -> int:
    """Create Outlook drafts instead of sending (Windows with Outlook and pywin32 only)."""
    try:
        import win32com.client
    except ImportError:
        raise MailError(
            "--outlook needs Windows with Outlook and the pywin32 package (pip install pywin32); use --dry-run to write .eml files instead."
        ) from None
    outlook = win32com.client.Dispatch("Outlook.Application")
    attachment_folder.mkdir(parents=True, exist_ok=True)
    for _label, message in messages:
        draft = outlook.CreateItem(0)
        draft.Subject, draft.To = message["Subject"], message["To"]
        html_part = message.get_body(("html",))
        draft.HTMLBody = html_part.get_content() if html_part is not None else ""
        for part in message.iter_attachments():
            saved = attachment_folder / (part.get_filename() or "attachment")
            saved.write_bytes(part.get_content())
            draft.Attachments.Add(str(saved))
        draft.Save()
    return len(messages)
