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

Every digest is a keyed BLAKE2b under the fingerprint's key, which is in the master: the record,
kept beside the readings (``backups/<master> readings``), gives nothing of the sheets away and
matches only the master written with that key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xl_scorecard.render.package import Package, counts_from_1904, resolve
from xl_scorecard.render.transplant import sheet_parts
from xl_scorecard.versions import library_versions

log = logging.getLogger(__name__)

FORMAT = "xl-scorecard sheets as written 1"
FILE_NAME = "sheets as written.json"
_STYLES_REL = "/styles"
_SHARED_TEXT = b't="s"'


def record_path(master: Path) -> Path:
    """Where the record of ``master`` is kept: with its readings, in the backups folder."""
    from xl_scorecard.sources.cache import cache_folder

    return cache_folder(master) / FILE_NAME


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

    def save(self, path: Path, key: bytes) -> None:
        """Kept only where the readings are (the folder exists); never fails the refresh."""
        if not path.parent.is_dir():
            return
        content = {
            "format": FORMAT,
            "code": _code(),
            "key": _digest(key, "record", b""),
            **{side: vars(getattr(self, side)) for side in ("master", "generated")},
        }
        for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a refresh that was stopped
            with contextlib.suppress(OSError):
                stale.unlink()
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            partial.write_text(json.dumps(content), encoding="utf-8")
            os.replace(partial, path)
        except OSError as exc:  # the next refresh compares by value: slower, never wrong
            log.info("the record of the sheets written was not saved (%s)", type(exc).__name__)
            partial.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, key: bytes | None) -> Record | None:
        """The record at ``path`` if it was made by this code with ``key`` (the key of the
        master's fingerprint), else None: a missing, damaged or foreign record is not used."""
        if type(key) is not bytes:  # an older master's HMAC or plain hashes: no record
            return None
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
            if content.get("format") != FORMAT or content.get("code") != _code() or content.get("key") != _digest(key, "record", b""):
                return None
            return cls(*(_written(content[side]) for side in ("master", "generated")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.info("the record of the sheets written is not used (%s)", type(exc).__name__)
            return None


def _written(found: Any) -> Written:
    sheets, styles, date_1904 = found["sheets"], found["styles"], found["date_1904"]
    if not (isinstance(sheets, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in sheets.items())):
        raise ValueError("sheets")
    if not isinstance(styles, str) or not isinstance(date_1904, bool):
        raise ValueError("styles")
    return Written(sheets, styles, date_1904)
