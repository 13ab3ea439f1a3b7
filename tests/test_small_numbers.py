"""Small-number suppression in copies that leave the service (issue 17, part 4): a figure
resting on 1 to 4 children shows as the DfE's "c" in the attachment and the email body of the
recipients configured for it, and nowhere else.

Which figures rest on few children is worked out here by hand from the master's stored history
(read with openpyxl), with the rule written out below, not by the product's code.
"""

from __future__ import annotations

import email
import tomllib
from pathlib import Path

import openpyxl
import pytest
from conftest import requires_libreoffice
from test_mail_batch import point_email_at, smtp_server  # noqa: F401 (a fixture used below)

from xl_scorecard.cli import main
from xl_scorecard.config import load_config
from xl_scorecard.errors import ConfigError
from xl_scorecard.pipeline import refresh
from xl_scorecard.render.copies import aggregate_copy

BELOW = 5


def rests_on(unit: str, numerator, denominator) -> float | None:
    """How many people a figure rests on, by the rule DfE's tables follow: a count (and a rate's
    numerator) itself; a share the smaller of its counts that is not zero; an average its
    denominator."""
    if numerator is None and denominator is None:
        return None
    if unit in ("count", "per 10,000"):
        return numerator
    if unit == "%":
        counts = [c for c in (numerator, denominator) if c]
        return min(counts) if counts else 0
    return denominator


def hand_worked(master: Path, authority: Path) -> dict[tuple[str, str], bool]:
    """(indicator title, area name) -> whether this month's figure rests on 1 to 4 people."""
    book = openpyxl.load_workbook(master, read_only=True)
    definitions = list(book["Definitions"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(definitions) if r and "Id" in r)
    at = {name: n for n, name in enumerate(definitions[header])}
    rows_of = [r for r in definitions[header + 1 :] if r and r[at["Id"]]]
    units = {r[at["Id"]]: r[at["Unit"]] for r in rows_of}
    titles = {r[at["Id"]]: r[at["Indicator"]] for r in rows_of}
    period = book["Scorecard"].cell(row=1, column=book["Scorecard"].max_column).value
    rows = list(book["History data"].iter_rows(values_only=True))
    book.close()
    config = tomllib.loads((authority / "authority.toml").read_text(encoding="utf-8"))
    names = {d["code"]: d["name"] for d in config["district"]} | {"ALL": config["authority"]["name"]}  # "ALL": the authority
    columns = {name: n for n, name in enumerate(rows[0])}
    found = {}
    for r in rows[1:]:
        if r[columns["period"]] != period or r[columns["indicator"]] not in units:
            continue
        basis = rests_on(units[r[columns["indicator"]]], r[columns["numerator"]], r[columns["denominator"]])
        area = names.get(r[columns["area"]], r[columns["area"]])
        found[(titles[r[columns["indicator"]]], area)] = basis is not None and 0 < basis < BELOW
    return found


def warning_counts(master: Path) -> dict[tuple[str, str], bool]:
    """(early-warning row, area name) -> whether the count of cases is 1 to 4: counts of
    children, withheld in a copy as every other small count is."""
    table = districts_table(master)
    return {
        key: isinstance(v, (int, float)) and 0 < v < BELOW
        for key, v in table.items()
        if str(key[0]).endswith((": due soon",)) or ": overdue" in str(key[0])
    }


def districts_table(path: Path) -> dict[tuple[str, str], object]:
    """(indicator title, area name) -> what the Districts sheet shows."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Districts"].iter_rows(values_only=True))
    book.close()
    areas = {col: name for col, name in enumerate(rows[2]) if col % 2 == 1 and name}
    table = {}
    for row in rows[3:]:
        if row and str(row[0] or "").startswith(("What the figures can still become", "Early warning record")):
            break  # the outlook and the record: checked by tail_table below
        if not row or not row[0] or str(row[0]).startswith(("Data quality", "Lists missing", "Early warning", "Not checked")):
            continue
        for col, name in areas.items():
            table[(row[0], name)] = row[col]
    return table


def tail_table(path: Path) -> dict[tuple[str, int], object]:
    """(row label, column) -> the cell, for the rows under the Districts sheet's outlook and
    early-warning record headings."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Districts"].iter_rows(values_only=True))
    book.close()
    top = next(i for i, r in enumerate(rows) if r and str(r[0] or "").startswith("What the figures can still become"))
    return {(str(r[0]), col): v for r in rows[top:] if r and r[0] for col, v in enumerate(r) if col}


@pytest.fixture
def refreshed(authority) -> Path:
    refresh(load_config(authority / "authority.toml"), master=authority / "master.xlsx")
    return authority


def test_the_copy_shows_c_for_every_figure_resting_on_one_to_four_and_only_those(refreshed, tmp_path):
    master = refreshed / "master.xlsx"
    expected = hand_worked(master, refreshed) | warning_counts(master)
    assert any(expected.values()) and not all(expected.values())  # the premise: some figures rest on few children
    copy = aggregate_copy(master, tmp_path / "copy.xlsx", suppress_below=BELOW)
    before, after = districts_table(master), districts_table(copy)
    withheld = {key for key, value in after.items() if value == "c"}
    assert withheld == {key for key, small in expected.items() if small and before.get(key) is not None}
    assert all(after[key] == before[key] for key in after if key not in withheld)  # everything else as it was
    # Under them, what the figures can still become and the early-warning record: a count of 1
    # to 4 cases due soon is withheld, and nothing there is changed but to "c".
    master_tail, copy_tail = tail_table(master), tail_table(copy)
    for key, value in master_tail.items():
        small_count = key[0][:2].isdigit() and isinstance(value, (int, float)) and 0 < value < BELOW
        if small_count and key[1] % 2 == 1:
            assert copy_tail[key] == "c", key
        assert copy_tail[key] in (value, "c"), key
    # The hidden History data sheet travels too: its small rows are withheld as well.
    book = openpyxl.load_workbook(copy, read_only=True)
    rows = list(book["History data"].iter_rows(values_only=True))
    book.close()
    assert any(v == "c" for r in rows for v in r)
    # No chart keeps a cached copy of a withheld figure.
    import zipfile

    with zipfile.ZipFile(copy) as archive:
        charts = [archive.read(n) for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert all(b"numCache" not in chart for chart in charts)
    # Without the option the copy shows every figure.
    plain = aggregate_copy(master, tmp_path / "plain.xlsx")
    assert districts_table(plain) == before


def test_email_withholds_small_numbers_for_the_recipients_configured(refreshed, smtp_server):  # noqa: F811
    # The district whose figures rest on few children this month gets them withheld; the head
    # of service's email, for the same month, shows every figure.
    port, inbox = smtp_server
    config = refreshed / "authority.toml"
    expected = hand_worked(refreshed / "master.xlsx", refreshed)
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    codes = {d["name"]: d["code"] for d in settings["district"]}
    district = next(area for (_, area), small in expected.items() if small and area in codes)
    point_email_at(config, port, suppress_small_numbers=f'["{codes[district]}"]')
    assert main(["email", "--config", str(config)]) == 0
    by_recipient = {m["To"]: m for m in inbox.messages}
    northgate = by_recipient[settings["email"]["districts"][codes[district]][0]]
    head = by_recipient["head.of.service@northshire.example"]
    body = northgate.get_body(("plain",)).get_content()
    small_titles = [title for (title, area), small in expected.items() if small and area == district]
    for title in small_titles:
        line = next(line for line in body.splitlines() if line.lstrip().startswith(title[:40]))
        assert " c " in f" {line} " or line.rstrip().endswith(" c") or ": c" in line, line
    assert 'shown as "c"' in body and 'shown as "c"' not in head.get_body(("plain",)).get_content()

    def attached_districts(message: email.message.Message, folder: Path) -> dict:
        (attachment,) = list(message.iter_attachments())
        path = folder / f"{message['To']}.xlsx"
        path.write_bytes(attachment.get_content())
        return districts_table(path)

    folder = refreshed / "received"
    folder.mkdir()
    assert "c" in attached_districts(northgate, folder).values()
    assert "c" not in attached_districts(head, folder).values()


def test_an_unknown_recipient_for_suppression_is_a_configuration_error(authority):
    config = authority / "authority.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[email]\n", '[email]\nsuppress_small_numbers = ["XX"]\n'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="suppress_small_numbers: 'XX'"):
        load_config(config)


@requires_libreoffice
def test_the_pdf_can_withhold_small_numbers(refreshed, tmp_path):
    import subprocess

    master = refreshed / "master.xlsx"
    small = sum(hand_worked(master, refreshed).values())
    config = str(refreshed / "authority.toml")
    assert main(["pdf", "--config", config, "--out", str(tmp_path / "plain.pdf")]) == 0
    assert main(["pdf", "--config", config, "--out", str(tmp_path / "withheld.pdf"), "--suppress-small-numbers"]) == 0

    def words(pdf: Path) -> list[str]:
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()

    assert words(tmp_path / "withheld.pdf").count("c") >= small > words(tmp_path / "plain.pdf").count("c")


def test_a_master_that_never_noted_small_numbers_gives_no_copy_that_looks_withheld(refreshed, tmp_path):
    # A master last refreshed by a version that did not note the small numbers (no such rows in
    # its very hidden record): asked to withhold, the copy is refused with a sentence.
    import re
    import zipfile

    from xl_scorecard.errors import MasterError

    master = refreshed / "master.xlsx"
    with zipfile.ZipFile(master) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    record = next(n for n, data in parts.items() if n.startswith("xl/worksheets/") and b">small numbers<" in data)
    parts[record] = re.sub(rb"<row [^>]*>(?:(?!</row>).)*>small numbers<.*?</row>", b"", parts[record], flags=re.S)
    assert b"small numbers" not in parts[record]
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(MasterError, match="Refresh it, then send or print again"):
        aggregate_copy(master, tmp_path / "copy.xlsx", suppress_below=BELOW)
    assert not (tmp_path / "copy.xlsx").exists()
    aggregate_copy(master, tmp_path / "plain.xlsx")  # without withholding, the copy is made as before
