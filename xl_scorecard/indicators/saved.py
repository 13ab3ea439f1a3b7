"""Figures kept from the last refresh, so a refresh whose inputs did not change does not compute
them again (a second press of the ribbon button, a refresh after editing targets or commentary).

Each indicator's figures for the run's months are saved under a key of everything they are
computed from: the contents of the tables its computation looked at (hashed, so it does not
matter whether a table was read from a file or from a saved reading), the months, the
districts, the districts without data for the indicator, the parts of its definition the
computation reads (not its target, so a new target does not recompute), the computing code and
the versions of pandas and numpy. Anything different gives another key, and the figures are
computed. A damaged or foreign file is never trusted: it is ignored, said once, and replaced.

Which tables an indicator looks at is recorded as it is computed (``TableReads``), not taken
from its definition: a calculation that also reads the population, or the typed figures, has
them in its key without anyone declaring it. The computation is the same given the same
tables, so it looks at the same ones again; one district's changed contacts list then computes
the contacts figures only. A computation that goes through every table has all of them in its key.

The file (``figures.npz`` in the readings folder beside the master) is a numpy archive of plain
float and boolean arrays, loaded with pickles refused; it holds aggregate figures only, the
same the master shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xl_scorecard import __version__
from xl_scorecard.indicators.catalogue import Indicator
from xl_scorecard.periods import Month
from xl_scorecard.versions import library_versions

log = logging.getLogger(__name__)

FILE_NAME = "figures.npz"
FORMAT = "xl-scorecard figures 2"
FIELDS = ("numerator", "denominator", "value", "typed")


class Damaged(Exception):
    """A saved figures file that cannot be trusted."""


class TableReads(dict[str, pd.DataFrame]):
    """The tables, noting which of them a computation looks at (by name, whether there or not).

    Going through them all (iterating, copying, counting) notes every table: a computation that
    does so depends on all of them."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        super().__init__(tables)
        self.names: set[str] = set()
        self.everything = False

    def read(self) -> list[str] | None:
        """The names of the tables looked at, sorted; None when it went through them all."""
        return None if self.everything else sorted(self.names)

    def __getitem__(self, name: str) -> pd.DataFrame:
        self.names.add(name)
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        self.names.add(name)
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        self.names.add(str(name))
        return super().__contains__(name)

    def _all(self) -> None:
        self.everything = True

    def __iter__(self) -> Iterator[str]:
        self._all()
        return super().__iter__()

    def __len__(self) -> int:
        self._all()
        return super().__len__()

    def keys(self):  # dict's own view types
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def items(self):
        self._all()
        return super().items()

    def copy(self) -> dict[str, pd.DataFrame]:
        self._all()
        return dict(super().items())


@dataclass
class SavedFigures:
    """The figures one refresh may take from the last one, and those it computes to save.

    An indicator's figures are stored under a full key: its ``key`` (the run's context and its
    definition) with the digests of the tables it looked at. ``reads`` says, per full key, that
    key and those tables' names (None: all of them)."""

    path: Path
    context: str  # digest of the months, districts, code and library versions
    shape: tuple[int, int]  # (months, districts + the authority)
    tables: dict[str, str] = field(default_factory=dict)  # each table's digest, by name
    found: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    reads: dict[str, tuple[str, list[str] | None]] = field(default_factory=dict)
    kept: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # why a saved file was not used
    reused: int = 0

    @classmethod
    def open(cls, folder: Path, tables: Mapping[str, pd.DataFrame], periods: list[Month], districts: list[str]) -> SavedFigures | None:
        """The saved figures for these tables, months and districts (none when the file is
        missing; a note when it is there but cannot be trusted). None when the tables cannot be
        hashed (a value pandas cannot hash): then everything is computed, as without a folder."""
        try:
            digests = table_digests(tables)
        except (TypeError, ValueError) as exc:
            log.info("figures not saved: the tables cannot be hashed (%s)", type(exc).__name__)
            return None
        context = _digest(
            [
                FORMAT,
                __version__,
                code_digest(),
                library_versions("pandas", "numpy", "holidays"),  # holidays: the working days counted
                json.dumps([str(p) for p in periods]),
                json.dumps(districts),
            ]
        )
        saved = cls(folder / FILE_NAME, context, (len(periods), len(districts) + 1), digests)
        try:
            saved.found, saved.reads = _load(saved.path, saved.shape)
        except FileNotFoundError:
            pass
        except Damaged as exc:
            saved.notes.append(str(exc))
        return saved

    def key(self, indicator: Indicator, missing: Collection[str]) -> str:
        """The key of ``indicator``'s figures before the tables: the context and what of the
        indicator they depend on."""
        used = {"id": indicator.id, "unit": indicator.unit, "period": indicator.period, "calculation": indicator.calculation}
        return _digest([self.context, json.dumps(used, sort_keys=True, default=str), json.dumps(sorted(missing))])

    def _full(self, key: str, names: list[str] | None) -> str:
        # The tables looked at, each by its digest now ("absent": not there now).
        looked_at = sorted(self.tables) if names is None else names
        return _digest([key, json.dumps(names is None), json.dumps([[n, self.tables.get(n, "absent")] for n in looked_at])])

    def get(self, key: str) -> dict[str, np.ndarray] | None:
        """The saved arrays of an indicator whose ``key`` is this and whose tables are the same
        as when they were saved (kept for the next refresh too), or None."""
        for full, (saved_key, names) in self.reads.items():
            if saved_key == key and full in self.found and self._full(key, names) == full:
                self.kept[full] = self.found[full]
                self.reads[full] = (key, names)
                self.reused += 1
                return self.found[full]
        return None

    def put(self, key: str, names: list[str] | None, arrays: dict[str, np.ndarray]) -> None:
        """Keep ``arrays``, computed by an indicator whose key is ``key`` looking at the tables
        ``names`` (None: all of them; ``TableReads.read``)."""
        full = self._full(key, names)
        self.kept[full] = arrays
        self.reads[full] = (key, names)

    def save(self) -> None:
        """Write the figures this run used, atomically; never fails the run (not saved, they are
        computed again next time)."""
        # A file left by a refresh stopped while saving goes (refreshes of one master never run
        # at once: the master's lock).
        for stale in self.path.parent.glob(f"{self.path.name}.*.tmp"):
            try:
                stale.unlink()
            except OSError:
                log.warning("could not remove a half-saved figures file in %s", self.path.parent)
        if self.kept.keys() == self.found.keys() and not self.notes:
            return  # the same figures: nothing to write
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                arrays = {f"{name}_{key}": self.kept[key][name] for key in self.kept for name in FIELDS}
                for full in self.kept:
                    key, names = self.reads[full]
                    arrays[f"key_{full}"] = np.array(key, dtype="U64")
                    arrays[f"reads_{full}"] = np.array(json.dumps(names))
                arrays |= {"format": np.array(FORMAT), "keys": np.array(sorted(self.kept), dtype="U64")}
                np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy's stub types every keyword as allow_pickle
            os.replace(temporary, self.path)
        except OSError as exc:
            log.warning("figures not saved in %s: %s", self.path.parent, exc.strerror or exc)
            temporary.unlink(missing_ok=True)


def _load(path: Path, shape: tuple[int, int]) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, tuple[str, list[str] | None]]]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            if str(archive["format"]) != FORMAT:
                raise Damaged("it was made by another version of the tool")
            found: dict[str, dict[str, np.ndarray]] = {}
            reads: dict[str, tuple[str, list[str] | None]] = {}
            for full in archive["keys"].tolist():
                arrays = {name: archive[f"{name}_{full}"] for name in FIELDS}
                # Figures of another shape are another run's months or districts: not these.
                if any(a.shape != shape for a in arrays.values()) or arrays["typed"].dtype != bool:
                    continue
                if any(arrays[name].dtype != np.float64 for name in FIELDS[:3]):
                    continue
                names = json.loads(str(archive[f"reads_{full}"]))
                if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
                    raise Damaged("it is damaged or not a figures file (the tables read)")
                found[full] = arrays
                reads[full] = (str(archive[f"key_{full}"]), names)
            return found, reads
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise Damaged(f"it is damaged or not a figures file ({type(exc).__name__})") from None


def table_digests(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """A digest of each table's contents, by name: the name, columns, types and every value
    (pandas' row hashes; for a column of Python objects also the kinds of value in it, as 1 and
    "1" hash alike)."""
    found = {}
    for name in sorted(tables):
        table = tables[name]
        digest = hashlib.sha256()
        kinds = {
            column: sorted({kind.__name__ for kind in set(map(type, table[column].to_numpy()))})
            for column in table.columns
            if table[column].dtype == object
        }
        head = [name, len(table), [str(c) for c in table.columns], [str(t) for t in table.dtypes], kinds]
        digest.update(json.dumps(head).encode() + b"\0")
        if len(table):
            digest.update(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes())
        found[name] = digest.hexdigest()
    return found


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the tool's code: figures saved by other code (an upgrade, a local fix) are
    never taken for this code's. All of it, not only the indicators: the calculations use
    helpers of other stages (re-referrals from dates, months), and a few milliseconds of hashing
    cost less than working out which."""
    root = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def as_arrays(parts: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """One indicator's figures, month by month (``indicator_figures`` results), as the arrays saved."""
    return {name: np.stack([np.asarray(p[name], dtype=bool if name == "typed" else np.float64) for p in parts]) for name in FIELDS}
