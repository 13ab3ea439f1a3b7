"""What the last refresh wrote, as bytes: so the guard need not re-read a sheet nobody touched.

The guard (``guard.py``) compares every filled cell of the tool's sheets, read by value, with
the digests in the master's fingerprint; at ten years of history that is 66,000 rows read,
normalised and digested before a refresh and again after it writes. Most refreshes find the
sheets exactly as the last one wrote them: nobody opened the master, or it was opened and
closed without saving. This record says what they were, byte for byte:

- for the master: each owned sheet's part, the styles (calamine tells a date from a number by
  its style) and the date system, as written;
- for the sheets generated before they went into the master (the work folder's workbook,
  which the new fingerprint is digested from): the same.

A sheet whose part is still the bytes written holds the values written, so the guard takes its
fingerprint as the current digests instead of computing them (``guard.changed_cells``); a
generated sheet whose bytes are the last run's gets the last fingerprint's row digests
(``guard.carried_digests``). A sheet whose text is in the shared-string table (``t="s"``) is
not recorded: its values are not in its own bytes alone (the tool writes its text inline).
Anything else, a sheet saved again by Excel, another master, a record of another write, of
other code or damaged, is compared by value as before: the record can only spare work.

The record is kept in the master itself, in the fingerprint sheet's header (the sheet's own part
is not recorded: it is written after the record is made), so it is there whether or not readings
are kept beside the master. Every digest is a keyed BLAKE2b under the fingerprint's key: the
record gives nothing of the sheets away, matches only the master written with that key, and
never leaves the master (the copies sent or printed are built without the fingerprint sheet).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from xl_scorecard.render.package import Package, counts_from_1904, resolve
from xl_scorecard.render.transplant import sheet_parts
from xl_scorecard.versions import library_versions

log = logging.getLogger(__name__)

FORMAT = "xl-scorecard sheets as written 1"
LABEL = "sheets as written "  # the fingerprint header's fifth cell: this, then the record
# What the fingerprint sheet is written with before the record can be made (after the
# transplant, from the master's own parts); then replaced in the sheet's part.
PLACEHOLDER = LABEL + "(to be filled)"
MOST_TEXT = 32767  # characters a cell can hold: a longer record is not kept (compared by value)
_STYLES_REL = "/styles"
_SHARED_TEXT = b't="s"'


def _digest(key: bytes, name: str, data: bytes) -> str:
    return hashlib.blake2b(name.encode("utf-8") + b"\0" + data, key=key, digest_size=16).hexdigest()


def _code() -> str:
    # The guard's digests are the code's and calamine's (it reads the values digested): a record
    # made by another version of either is not this one's.
    from xl_scorecard.indicators.saved import code_digest

    return f"{code_digest()}; {library_versions('python-calamine', 'xlsxwriter')}"


@dataclass(frozen=True)
class Written:
    """One workbook as written: its sheets' parts, styles and date system (digests)."""

    sheets: dict[str, str]
    styles: str
    date_1904: bool

    @classmethod
    def of(cls, package: Package, sheets: list[str], key: bytes) -> Written:
        """The digests of ``sheets`` (those present) of ``package``."""
        parts = sheet_parts(package)
        book = package.main_part()
        styles = next((r.target for r in package.rels(book) if r.type.endswith(_STYLES_REL)), None)
        styles_part = resolve(book, styles) if styles else ""
        found = {name: package.parts[parts[name]] for name in sheets if name in parts}
        return cls(
            {name: _digest(key, name, data) for name, data in found.items() if _SHARED_TEXT not in data},
            _digest(key, "styles", package.parts.get(styles_part, b"")),
            counts_from_1904(package),
        )

    def unchanged_in(self, package: Package, key: bytes) -> set[str]:
        """The sheets of this record whose bytes ``package`` still has (none when its styles or
        date system differ)."""
        return self.unchanged(Written.of(package, list(self.sheets), key))

    def unchanged(self, now: Written) -> set[str]:
        """The sheets of this record that ``now`` (digested under the same key) has as they were."""
        if now.styles != self.styles or now.date_1904 != self.date_1904:
            return set()
        return {name for name, digest in self.sheets.items() if now.sheets.get(name) == digest}


@dataclass(frozen=True)
class Record:
    """What one refresh wrote: the master's sheets and the generated ones, under one key."""

    master: Written
    generated: Written

    def text(self, key: bytes) -> str:
        """The record as the fingerprint header keeps it (``LABEL`` and JSON): made by this code
        with ``key``, so read back only by this code with the key of the same master; "" when it
        would not fit in a cell (the next refresh compares by value)."""
        content = {
            "format": FORMAT,
            "code": _code(),
            "key": _digest(key, "record", b""),
            **{side: vars(getattr(self, side)) for side in ("master", "generated")},
        }
        text = LABEL + json.dumps(content, separators=(",", ":"))
        return text if len(text) <= MOST_TEXT else ""

    @classmethod
    def read(cls, text: object, key: bytes | None) -> Record | None:
        """The record in ``text`` (the fingerprint header's cell) if it was made by this code with
        ``key`` (the key of the master's fingerprint), else None: a missing, damaged or foreign
        record is not used."""
        if type(key) is not bytes or not isinstance(text, str) or not text.startswith(LABEL):
            return None  # an older master's HMAC or plain hashes, or a master written before records
        try:
            content = json.loads(text[len(LABEL) :])
            if content.get("format") != FORMAT or content.get("code") != _code() or content.get("key") != _digest(key, "record", b""):
                return None
            return cls(*(_written(content[side]) for side in ("master", "generated")))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.info("the record of the sheets written is not used (%s)", type(exc).__name__)
            return None


def _written(found: Any) -> Written:
    sheets, styles, date_1904 = found["sheets"], found["styles"], found["date_1904"]
    if not (isinstance(sheets, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in sheets.items())):
        raise ValueError("sheets")
    if not isinstance(styles, str) or not isinstance(date_1904, bool):
        raise ValueError("styles")
    return Written(sheets, styles, date_1904)


def fill_placeholder(package: Package, part: str, text: str) -> None:
    """Put ``text`` (``Record.text``) in place of ``PLACEHOLDER`` in the sheet ``part`` of
    ``package``: the fingerprint sheet, whose text is inline, so only that cell's bytes change."""
    from xml.sax.saxutils import escape

    data = package.parts[part]
    placeholder = f"<t>{PLACEHOLDER}</t>".encode()
    if data.count(placeholder) != 1:  # our own sheet, written just before: cannot be otherwise
        raise ValueError(f"{part}: the record's placeholder is not there once")
    package.parts[part] = data.replace(placeholder, f"<t>{escape(text)}</t>".encode())
