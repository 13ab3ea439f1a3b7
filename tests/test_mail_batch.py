"""Email through a real SMTP server (aiosmtpd on 127.0.0.1), the batch refresh of many
authorities, and the PDF export."""

from __future__ import annotations

import email
import io
import re
import socket
import subprocess
import zipfile
from email import policy
from pathlib import Path

import pandas as pd
import pytest
from conftest import northgate_config, requires_chromium, requires_libreoffice
from python_calamine import CalamineWorkbook

from xl_scorecard.cli import EXIT_OK, EXIT_PARTIAL, main
from xl_scorecard.config import load_config
from xl_scorecard.errors import ConfigError

CHILD_ID = re.compile(rb"\b(?:NG|EB|SM|WF)\d{6}\b")
USER, PASSWORD = "perf.team", "S3cret-Pa55-never-logged"


class Inbox:
    """What the SMTP server received (an aiosmtpd handler)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            inbox.logins.append((auth_data.login, auth_data.password))
            ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
            return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself
        return AuthResult(success=False, handled=False)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def point_email_at(config: Path, port: int, **extra) -> None:
    text = config.read_text(encoding="utf-8")
    settings = f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\n' + "".join(f"{k} = {v}\n" for k, v in extra.items())
    config.write_text(re.sub(r'smtp_host = ".*"\n', settings, text), encoding="utf-8")


def test_refresh_and_email_through_a_real_smtp_server(authority, smtp_server, monkeypatch, capsys):
    port, inbox = smtp_server
    config = authority / "authority.toml"
    point_email_at(config, port)
    monkeypatch.setenv("XL_SCORECARD_SMTP_USER", USER)
    monkeypatch.setenv("XL_SCORECARD_SMTP_PASSWORD", PASSWORD)
    run_log = authority / "run.log"
    assert main(["-v", "refresh", "--config", str(config), "--email", "--log", str(run_log)]) == EXIT_OK
    out = capsys.readouterr()
    # One message for the whole authority, one per district; the server saw our login.
    assert len(inbox.messages) == 5 and inbox.logins[0] == (USER.encode(), PASSWORD.encode())
    by_to = {m["To"]: m for m in inbox.messages}
    head = by_to["head.of.service@northshire.example"]
    assert head["Subject"] == "Northshire children's services scorecard, Oct 2026"
    html = head.get_body(("html",)).get_content()
    assert "As at 31/10/2026, Northshire has" in html and "Data quality" in html
    assert "As at 31/10/2026, Northshire has" in head.get_body(("plain",)).get_content()
    assert (
        "Northgate"
        in by_to["northgate.manager@northshire.example"]["Subject"]
        + by_to["northgate.manager@northshire.example"].get_body(("plain",)).get_content()
    )
    # The attachment opens, has no drill-down sheet and no child id anywhere in the package.
    (attachment,) = list(head.iter_attachments())
    data = attachment.get_content()
    sheets = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    assert "Scorecard" in sheets and "Drill-down" not in sheets
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert not [n for n in package.namelist() if CHILD_ID.search(package.read(n))]
    assert not CHILD_ID.search(bytes(head))
    # ...while the master itself keeps its drill-down, with child ids.
    master = authority / "master.xlsx"
    assert "Drill-down" in CalamineWorkbook.from_path(str(master)).sheet_names
    with zipfile.ZipFile(master) as package:
        assert any(CHILD_ID.search(package.read(n)) for n in package.namelist())
    # The password is in no output and no log.
    for text in (out.out, out.err, run_log.read_text(encoding="utf-8")):
        assert PASSWORD not in text
    assert "sent to" in run_log.read_text(encoding="utf-8")


def test_wrong_password_is_a_clear_message_without_the_password(authority, smtp_server, monkeypatch, capsys):
    port, inbox = smtp_server
    config = authority / "authority.toml"
    point_email_at(config, port)
    main(["refresh", "--config", str(config)])
    monkeypatch.setenv("XL_SCORECARD_SMTP_USER", USER)
    monkeypatch.setenv("XL_SCORECARD_SMTP_PASSWORD", "wrong-" + PASSWORD)
    assert main(["email", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "refused the login" in err and PASSWORD not in err and not inbox.messages


def test_dry_run_writes_eml_files_and_sends_nothing(authority, smtp_server):
    port, inbox = smtp_server
    config = authority / "authority.toml"
    point_email_at(config, port)
    assert main(["refresh", "--config", str(config), "--email", "--dry-run"]) == EXIT_OK
    written = sorted(p.name for p in (authority / "outbox").glob("*.eml"))
    assert written == ["master EB.eml", "master NG.eml", "master SM.eml", "master WF.eml", "master authority.eml"]
    assert not inbox.messages


def test_child_level_rows_travel_only_when_the_configuration_allows(authority, smtp_server):
    port, inbox = smtp_server
    config = authority / "authority.toml"
    point_email_at(config, port, allow_child_level="true")
    main(["refresh", "--config", str(config), "--email"])
    (attachment,) = list(inbox.messages[0].iter_attachments())
    assert "Drill-down" in CalamineWorkbook.from_filelike(io.BytesIO(attachment.get_content())).sheet_names
    assert "includes child-level drill-down rows" in inbox.messages[0].get_body(("plain",)).get_content()


def test_attachment_over_the_size_limit_is_refused_with_advice(authority, capsys):
    config = authority / "authority.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'smtp_host = "smtp.northshire.example"', 'smtp_host = "smtp.northshire.example"\nmax_attachment_mb = 0.01'
        )
    )
    main(["refresh", "--config", str(config)])
    assert main(["email", "--config", str(config), "--dry-run"]) == 2
    assert "over the 0.01 MB limit" in capsys.readouterr().err


def test_a_password_in_the_configuration_is_refused(authority):
    config = authority / "authority.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[email]\n", '[email]\npassword = "hunter2"\n'))
    with pytest.raises(ConfigError, match="passwords are never kept in configuration files"):
        load_config(config)


def test_outlook_drafts_need_windows(authority, capsys):
    config = authority / "authority.toml"
    main(["refresh", "--config", str(config)])
    assert main(["email", "--config", str(config), "--outlook"]) == 2
    assert "--outlook needs Windows with Outlook and the pywin32 package" in capsys.readouterr().err


# --- refresh --all ------------------------------------------------------------------------


def test_refresh_all_goes_on_past_a_failing_authority(example_dir, tmp_path, capsys):
    # Three authorities; Cobbleton's district file is corrupt. Two masters are refreshed,
    # Cobbleton's is reported and left exactly as it was; the exit code says some failed.
    (tmp_path / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    for name in ("Ashby", "Brayford", "Cobbleton"):
        northgate_config(tmp_path, example_dir, name=name, config=f"{name.lower()}.toml", authority=f'master = "{name}.xlsx"')
    (tmp_path / "my_catalogue.toml").write_text('extends = "default"\n', encoding="utf-8")  # not an authority: skipped
    assert main(["refresh", "--config", str(tmp_path / "cobbleton.toml")]) == EXIT_OK  # last month's good master
    corrupt = tmp_path / "corrupt.xlsx"
    northgate_config(tmp_path, example_dir, name="Cobbleton", config="cobbleton.toml", annex=corrupt, authority='master = "Cobbleton.xlsx"')
    before = (tmp_path / "Cobbleton.xlsx").read_bytes()
    capsys.readouterr()
    code = main(["refresh", "--all", str(tmp_path), "--json"])
    report = __import__("json").loads(capsys.readouterr().out)
    assert code == EXIT_PARTIAL
    assert (report["refreshed"], report["failed"]) == (2, 1)
    failed = [a for a in report["authorities"] if not a["ok"]]
    assert [a["name"] for a in failed] == ["Cobbleton"] and "corrupt.xlsx" in failed[0]["error"]
    assert (tmp_path / "Ashby.xlsx").is_file() and (tmp_path / "Brayford.xlsx").is_file()
    assert (tmp_path / "Cobbleton.xlsx").read_bytes() == before
    (log,) = (tmp_path / "logs").glob("refresh *.log")
    assert "Cobbleton" in log.read_text(encoding="utf-8") or "cobbleton" in log.read_text(encoding="utf-8")


def test_refresh_all_prints_plain_progress_lines_when_not_in_a_terminal(example_dir, tmp_path, capsys):
    northgate_config(tmp_path, example_dir, name="Ashby", config="ashby.toml", authority='master = "Ashby.xlsx"')
    assert main(["refresh", "--all", str(tmp_path)]) == EXIT_OK
    captured = capsys.readouterr()
    assert "1/1 ashby" in captured.err and "\r" not in captured.err
    assert "1 of 1 authorities refreshed" in captured.out


# --- rendering: the email body in Chromium, the PDF in LibreOffice -------------------------


@requires_chromium
def test_email_body_renders_in_chromium(authority, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_images", Path(__file__).parents[1] / "docs" / "make_images.py")
    images = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(images)
    email_body_html, render_html = images.email_body_html, images.render_html
    main(["refresh", "--config", str(authority / "authority.toml"), "--email", "--dry-run"])
    png = render_html(email_body_html(authority / "outbox" / "master authority.eml"), tmp_path / "body.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page compresses to a few KB


@requires_libreoffice
def test_pdf_export_has_the_scorecard_and_no_child_level_rows(authority, tmp_path):
    config = authority / "authority.toml"
    main(["refresh", "--config", str(config)])
    out = tmp_path / "committee.pdf"
    assert main(["pdf", "--config", str(config), "--out", str(out)]) == EXIT_OK
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout).group(1))
    assert pages >= 2 and "PERFORMANCE SUMMARY" in text and "Northshire - Children's Services Performance Scorecard" in text
    # No Drill-down sheet printed: no child id, no personal-data banner (the cover only names them).
    assert not CHILD_ID.search(text.encode()) and "PERSONAL DATA" not in text and "exception cases" not in text


def test_pdf_without_libreoffice_says_what_to_do(authority, monkeypatch, capsys):
    import xl_scorecard.render.pdf as pdf

    config = authority / "authority.toml"
    main(["refresh", "--config", str(config)])
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    assert main(["pdf", "--config", str(config)]) == 2
    assert "PDF export needs LibreOffice" in capsys.readouterr().err


# --- the body is composed from results, not read back from the rendered sheets ----------------


def test_the_body_comes_from_the_scored_results_per_area(authority):
    from xl_scorecard.config import load_config
    from xl_scorecard.indicators import load_catalogue
    from xl_scorecard.mail import Results, digest, render_text
    from xl_scorecard.periods import Month

    config = load_config(authority / "authority.toml")
    first, second = load_catalogue(config.catalogue_path)[:2]
    district = config.districts[0]
    # Hand-set figures: the district is Green and improving on one, Red and worse on the other,
    # and has no figure at all for the rest; one warning in its own file, one error elsewhere.
    scored = pd.DataFrame(
        [
            {"indicator": first.id, "area": district.code, "period": "2026-10", "value": 0.5, "rag": "G", "travel": "Improved"},
            {"indicator": second.id, "area": district.code, "period": "2026-10", "value": 7.0, "rag": "R", "travel": "Worse"},
            {"indicator": first.id, "area": district.code, "period": "2026-09", "value": 0.4, "rag": "R", "travel": ""},
        ]
    )
    problems = [(district.code, "own.xlsx", "warning"), ("XX", "other.xlsx", "error")]
    body = digest(config, Results(Month(2026, 10), [first, second], scored, problems), district.code)
    assert body.title.endswith(f" - {district.name}")
    assert body.summary.startswith(f"As at 31/10/2026, {district.name} has 1 indicator rated as Green, 0 indicators")
    assert "Compared with last month, performance is better on 1 indicator, the same on 0 indicators and worse on 1 indicator." in (
        body.summary
    )
    assert [(r["rag"], r["travel"]) for r in body.rows] == [("G", "Improved"), ("R", "Worse")]
    assert body.quality == ["own.xlsx: 1 warning"]
    text = render_text(body)
    assert "no data" not in text and "Performance summary. As at 31/10/2026" in text


def test_sending_on_its_own_says_what_the_refresh_said(authority):
    # The email command (no refresh in memory) scores the master's stored history with the
    # scoring stage: every row and the summary agree with the email the refresh itself sends.
    from xl_scorecard.config import load_config
    from xl_scorecard.mail import Results, digest, stored_results
    from xl_scorecard.pipeline import refresh

    config = load_config(authority / "authority.toml")
    run = refresh(config)
    for area in ["ALL", *[d.code for d in config.districts]]:
        after = digest(config, Results.of_run(run), area)
        stored = digest(config, stored_results(config, run.master), area)
        assert stored.rows == after.rows and stored.summary == after.summary and stored.period == run.period
        assert stored.quality == after.quality
    assert digest(config, Results.of_run(run)).summary == run.summary
    # The example's districts carry deliberate mistakes: each district's email lists its own.
    assert any(digest(config, Results.of_run(run), d.code).quality for d in config.districts)


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (OSError(28, "No space left on device"), "the disk is full"),
        (PermissionError(13, "Permission denied", "Ashby.xlsx"), "read-only for you (Ashby.xlsx)"),
        (KeyError("child C0012345"), "unexpected error (KeyError); the master is as it was; details in the run log"),
    ],
    ids=["disk-full", "read-only", "our-bug"],
)
def test_the_batch_turns_any_failure_into_one_sentence_and_goes_on(example_dir, tmp_path, monkeypatch, capsys, raised, said):
    # A failure of the machine (disk full, read-only) or a bug of ours whose message quotes a
    # cell: the authority's line says it in one sentence without the quoted value, the run log
    # has where it happened but not the value, and the batch exits with its partial code.
    import xl_scorecard.pipeline

    northgate_config(tmp_path, example_dir, name="Ashby", config="ashby.toml", authority='master = "Ashby.xlsx"')

    def broken(*args, **kwargs):
        raise raised

    monkeypatch.setattr(xl_scorecard.pipeline, "refresh", broken)
    code = main(["refresh", "--all", str(tmp_path), "--json"])
    report = __import__("json").loads(capsys.readouterr().out)
    assert code != EXIT_OK and report["failed"] == 1
    (failed,) = report["authorities"]
    assert said in failed["error"] and "C0012345" not in failed["error"] and "\n" not in failed["error"]
    (log,) = (tmp_path / "logs").glob("refresh *.log")
    text = log.read_text(encoding="utf-8")
    assert "C0012345" not in text and "Traceback" not in text
    if isinstance(raised, KeyError):
        assert "test_mail_batch.py, line" in text


def test_each_reader_gets_their_own_truth_in_a_draft_they_can_send(authority):
    # Each district's email: its own sentence agreeing with its own table (counted here from
    # the table's words), targets in the table, only its own files' problems, a subject and an
    # attachment name saying authority, district and month, and X-Unsent: 1 so Outlook opens the
    # .eml as a draft to send.
    from email import policy

    config = authority / "authority.toml"
    assert main(["refresh", "--config", str(config), "--email", "--dry-run"]) == EXIT_OK
    outbox = sorted((authority / "outbox").glob("*.eml"))
    drafts = {p.stem.split()[-1]: email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox}
    assert set(drafts) == {"authority", "NG", "EB", "SM", "WF"}
    names = {"NG": "Northgate", "EB": "Eastbrook", "SM": "Southmere", "WF": "Westfield", "authority": "Northshire"}
    folders = {"NG": "Northgate", "EB": "Eastbrook", "SM": "Southmere", "WF": "Westfield"}
    subjects = [m["Subject"] for m in drafts.values()]
    assert len(set(subjects)) == 5
    for label, message in drafts.items():
        assert message["X-Unsent"] == "1"
        body = message.get_body(("plain",)).get_content()
        name = names[label]
        assert "Oct 2026" in message["Subject"] and "Northshire" in message["Subject"]
        (attachment,) = list(message.iter_attachments())
        assert "Oct 2026" in attachment.get_filename() and "Northshire" in attachment.get_filename()
        if label != "authority":
            assert name in message["Subject"] and name in attachment.get_filename()
        sentence = re.search(r"(\d+) indicators? rated as Green, (\d+) indicators? rated as Amber and (\d+) indicators? rated as Red", body)
        assert sentence and f"{name} has" in body
        table = [
            line
            for line in body.splitlines()
            if not line.startswith("Performance summary") and re.search(r"\s(Green|Amber|Red|-|no data|incomplete)\s", line)
        ]
        counted = [sum(1 for line in table if re.search(rf"\s{word}\s", line)) for word in ("Green", "Amber", "Red")]
        assert counted == [int(n) for n in sentence.groups()], (label, counted, sentence.groups())
        assert any("target " in line for line in table)
        problems = body.split('Data quality (details on the "Data quality" sheet):')[-1] if "Data quality (" in body else ""
        mentioned = {folder for folder in folders.values() if f"{folder}/" in problems}
        if label != "authority":
            assert mentioned <= {folders[label]}, (label, mentioned)
