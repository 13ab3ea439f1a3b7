"""Readings of unchanged input files, kept beside the master so a refresh reads only what changed.

A district's lists rarely all change between two refreshes; reading and validating them is most
of a refresh's time. After a file (or the group of sources naming the same file) is read, what
the run needs from it (the validated tables, the problems found, the row accounting) is saved
under a key made of:

- the SHA-256 of each file's bytes (the content, not its date: OneDrive and copies change dates),
- the source entries that read it and every dataset description (columns, headings, codes),
- the tool's version, a digest of the reading code itself (``xl_scorecard/sources``) and the
  versions of the libraries that read the files (python-calamine, pandas, numpy),
- the configuration's folder (file names in problems are relative to it).

A later refresh whose key is the same takes the saved reading instead of reading the file; any
change to any part of the key reads the file again. A reading is named by its group (the same
sources and file names, whatever the files hold) and then its key, so when an .xlsx/.xlsm
workbook has changed, its last reading is found, and each sheet of it whose own part and every
part the sheets share are still the bytes they were is taken from that reading: one list
corrected, that list alone is read again (``SheetReuse``, ``sheet_parts``).

The readings hold child-level rows, so they are kept only where the master's backups already
are (``backups/<master name> readings/``), go if that folder is deleted, and never travel in
any copy; a refresh removes the readings it did not use, so a file's old readings do not pile
up. The format is plain: a JSON description and raw numeric arrays, with a SHA-256 of the whole
file at its end; nothing in it is executed (no pickle), and a file that is damaged, or was
made for another key, is ignored with a message and the input read again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import is_object_dtype as is_object

from xl_scorecard import __version__
from xl_scorecard.sources.columns import SheetResult, column_series
from xl_scorecard.sources.problems import Problem
from xl_scorecard.sources.sheet_parts import SheetDigests, sheet_digests
from xl_scorecard.versions import library_versions

if TYPE_CHECKING:
    from xl_scorecard.config import AuthorityConfig
    from xl_scorecard.sources import FileReport

    # One source entry's outcome: (dataset, result) pairs, a report per sheet, the problems.
    Outcome = tuple[list[tuple[str, SheetResult]], list[FileReport], list[Problem]]

log = logging.getLogger(__name__)

MAGIC = b"xl-scorecard reading 1\n"
SUFFIX = ".reading"
GROUP_PREFIX = 16  # hex digits of the group key starting a reading's name (the whole key is inside)
DIGEST = 32  # bytes of SHA-256 at the end of each file
ALIGN = 8
# Masked (nullable) pandas types a table may hold, rebuilt from values and a mask.
MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean"}


def cache_folder(master: Path) -> Path:
    """Where the readings for ``master`` live: in the backups folder beside it, with its backups."""
    return master.parent / "backups" / f"{master.stem} readings"


class Uncacheable(Exception):
    """A reading that cannot be saved exactly (a value of a type the format does not keep)."""


class Damaged(Exception):
    """A saved reading that cannot be trusted: damaged, cut short, or made for another key."""


@dataclass(frozen=True)
class Target:
    """Where one group's reading is saved, its key, and the files' size and date when hashed
    (a file changed while it was being read is not saved under the old content's key);
    ``group``, the key of the same sources and file names whatever the files hold, and
    ``previous``, a reading saved for that group when the files held something else (whose
    unchanged sheets are kept: ``SheetReuse``)."""

    path: Path
    key: str
    stamps: tuple[tuple[str, int, int], ...]
    group: str = ""
    previous: Path | None = None


@dataclass
class ReadingCache:
    """The readings of one master's inputs for one run: looked up, saved, and pruned."""

    folder: Path
    context: str  # digest of everything but the files and entries: tool, code, descriptions, folder
    used: set[str] = field(default_factory=set)  # the names (stems) of the readings this run looked for
    notes: list[Problem] = field(default_factory=list)
    _listing: dict[str, list[Path]] | None = None  # the readings in the folder, by group

    @classmethod
    def for_config(cls, folder: Path, config: AuthorityConfig) -> ReadingCache:
        descriptions = json.dumps({name: spec.model_dump(mode="json") for name, spec in sorted(config.datasets.items())}, sort_keys=True)
        context = _digest([MAGIC.decode(), __version__, code_digest(), _readers(), descriptions, str(config.base_dir)])
        return cls(folder, context)

    def target(self, config: AuthorityConfig, numbers: list[int], paths: tuple[Path, ...]) -> Target | None:
        """The key for the sources ``numbers`` reading ``paths``; None when a file cannot be
        hashed (missing, locked): such a group is read every time, and says why itself."""
        stamps, hashes = [], []
        for path in paths:
            try:
                info = path.stat()
                hashes.append([path.name, _file_digest(path)])
            except OSError:
                return None
            stamps.append((str(path), info.st_size, info.st_mtime_ns))
        entries = json.dumps([config.data.source[n].model_dump(mode="json") for n in numbers], sort_keys=True)
        key = _digest([self.context, entries, json.dumps(hashes)])
        group = _digest([self.context, entries, json.dumps([str(path) for path in paths])])
        # Named by the group, then the content: a changed file's last reading is found by name.
        stem = f"{group[:GROUP_PREFIX]}-{key}"
        self.used.add(stem)
        return Target(self.folder / f"{stem}{SUFFIX}", key, tuple(stamps), group, self._previous(group, stem))

    def _previous(self, group: str, stem: str) -> Path | None:
        # The newest other reading of the group, from one listing of the folder per run.
        if self._listing is None:
            self._listing = {}
            try:
                for path in self.folder.glob(f"*-*{SUFFIX}"):
                    self._listing.setdefault(path.stem.split("-", 1)[0], []).append(path)
            except OSError:
                pass
        found = [path for path in self._listing.get(group[:GROUP_PREFIX], []) if path.stem != stem]
        return max(found, key=_modified, default=None)

    def load(self, target: Target, numbers: list[int], about: Problem) -> list[tuple[int, Outcome]] | None:
        """The saved reading for ``target``, numbered as ``numbers``; None when there is none or
        it cannot be trusted (then a note like ``about`` says so and the files are read again)."""
        try:
            data = target.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._note(about, f"it could not be opened ({exc.strerror or exc})")
            return None
        try:
            outcomes = decode(data, target.key)
            if len(outcomes) != len(numbers):
                raise Damaged("it holds a different number of sources")
        except Damaged as exc:
            self._note(about, str(exc))
            return None
        return list(zip(numbers, outcomes, strict=True))

    def _note(self, about: Problem, reason: str) -> None:
        note = Problem("reading-not-used", "warning", about.district, about.dataset, about.file, value=reason, other=str(self.folder))
        self.notes.append(note)

    def prune(self) -> None:
        """Remove the readings this run did not use (old versions of changed files, files no
        longer configured) and any left half-written by a refresh that was stopped."""
        try:
            names = list(self.folder.iterdir())
        except OSError:
            return
        for path in names:
            stale = path.suffix == SUFFIX and path.stem not in self.used
            if stale or path.name.endswith(f"{SUFFIX}.tmp"):
                try:
                    path.unlink()
                except OSError:  # in use or read-only: tried again next time
                    log.warning("could not remove an old saved reading in %s", self.folder)


class SheetReuse:
    """The sheets of a changed workbook that did not change, kept from its last reading.

    Each sheet read from an .xlsx/.xlsm workbook gets a key: the group's key (tool, code,
    descriptions, source entries, file names), the source's number, the file's label, the sheet,
    the dataset it is read as, and the digests of its worksheet part and of the parts every sheet
    shares (``sheet_parts``). The keys are saved with the reading. When the workbook changes (one
    list corrected), the last reading of the same group is opened and each sheet whose key is
    the same is taken from it instead of being read and validated again: the key holds all its
    reading depends on, so it is what reading it again would give. One group at a time, by the
    process that reads it; the file-level problems (which sheet holds which list) are worked out
    afresh each time."""

    def __init__(self, group: str, saved: dict[str, tuple[str, SheetResult, FileReport]]) -> None:
        self.group = group
        self.saved = saved  # sheet key -> (dataset, result, report) of the last reading
        self._digests: dict[Path, SheetDigests | None] = {}
        self._parts: dict[int, list[tuple[str | None, int]]] = {}  # source number -> per result: (key, its report)

    @classmethod
    def open(cls, target: Target) -> SheetReuse:
        """The keeper for ``target``'s group, with the sheets of its last reading when there is
        one that can be trusted (a damaged one is left unused, as a damaged reading always is)."""
        saved: dict[str, tuple[str, SheetResult, FileReport]] = {}
        if target.previous is not None:
            try:
                key = target.previous.stem.split("-", 1)[1]
                decode(target.previous.read_bytes(), key, saved)
            except (OSError, IndexError, Damaged) as exc:
                saved.clear()
                log.warning("the last reading of a changed file was not used: %s", exc)
        return cls(target.group, saved)

    def digests(self, path: Path) -> SheetDigests | None:
        """The digests of ``path`` (worked out once); None for a file that is not an .xlsx/.xlsm
        workbook, or not one laid out as expected."""
        if path not in self._digests:
            self._digests[path] = sheet_digests(path)
        return self._digests[path]

    def key(self, number: int, path: Path, label: str, sheet: str, dataset: str) -> str | None:
        """The key of ``sheet`` of ``path`` read by source ``number`` as ``dataset``; None when
        ``digests`` has none for the file or it has no such sheet."""
        digests = self.digests(path)
        if digests is None or sheet not in digests.sheets:
            return None
        return _digest([self.group, str(number), label, sheet, dataset, digests.shared, digests.sheets[sheet]])

    def take(self, key: str, dataset: str) -> tuple[SheetResult, FileReport] | None:
        """The result and report saved under ``key``, once; None when there is none."""
        found = self.saved.pop(key, None)
        if found is None or found[0] != dataset:
            return None
        return found[1], found[2]

    def record(self, number: int, key: str | None, report: int) -> None:
        """The key of source ``number``'s next result (None: not kept), and its report's place."""
        self._parts.setdefault(number, []).append((key, report))

    def parts(self, numbers: list[int]) -> list[list[tuple[str | None, int]]]:
        """The keys recorded for each source of ``numbers``, as ``encode`` saves them."""
        return [self._parts.get(number, []) for number in numbers]


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def store(target: Target, outcomes: list[Outcome], parts: list[list[tuple[str | None, int]]] | None = None) -> None:
    """Save ``outcomes`` for ``target``, atomically; nothing when a file changed while it was
    read, when a file could not be used (it may be locked now and fine later), or when a value
    cannot be kept exactly. Never fails the run: a reading not saved is read again next time.
    ``parts``, per outcome and result, the sheet's key and its report (``SheetReuse``)."""
    if any(not report.readable for _, reports, _ in outcomes for report in reports):
        return
    for name, size, mtime in target.stamps:
        try:
            info = os.stat(name)
        except OSError:
            return
        if (info.st_size, info.st_mtime_ns) != (size, mtime):
            return
    try:
        chunks = encode(outcomes, target.key, parts)
    except Exception as exc:  # any value the format cannot keep: read again next time, never a failed run
        log.info("reading not saved: %s", type(exc).__name__ if not isinstance(exc, Uncacheable) else exc)
        return
    temporary = target.path.with_name(f"{target.path.name}.tmp")
    try:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(temporary, target.path)
    except OSError as exc:
        log.warning("reading not saved in %s: %s", target.path.parent, exc.strerror or exc)
        temporary.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the reading code and its shipped descriptions: a reading saved by other code
    (an upgrade, a local fix) is never taken for this code's."""
    folder = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")) + sorted(folder.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _readers() -> str:
    """The versions of the libraries that turn a file into values: an upgrade of one (a date
    read differently, a fixed bug) must not leave readings made by the old one in use."""
    return library_versions("python-calamine", "pandas", "numpy")


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- the format ------------------------------------------------------------------------------
# MAGIC, the description's length (8 bytes, little-endian), the description (JSON), the arrays
# (each at a multiple of 8 bytes from the start of the arrays), SHA-256 of all that.


def encode(outcomes: list[Outcome], key: str, parts: list[list[tuple[str | None, int]]] | None = None) -> list[bytes | memoryview]:
    """The bytes of a saved reading of ``outcomes`` under ``key`` (with ``parts``: each result's
    sheet key and the place of its report, so a later reading can keep the sheet)."""
    buffers: list[bytes | memoryview] = []
    sources = []
    for number, (results, reports, problems) in enumerate(outcomes):
        keys = parts[number] if parts is not None and len(parts[number]) == len(results) else [(None, -1)] * len(results)
        sources.append(
            {
                "results": [
                    {
                        "dataset": dataset,
                        "table": _encode_table(result, buffers),
                        "problems": [p.fields() for p in result.problems],
                        "rows_read": result.rows_read,
                        "rows_excluded": result.rows_excluded,
                        "mapped": result.mapped,
                        "part": part,
                        "report": report,
                    }
                    for (dataset, result), (part, report) in zip(results, keys, strict=True)
                ],
                "reports": [asdict(r) for r in reports],
                "problems": [p.fields() for p in problems],
            }
        )
    offsets, at = [], 0
    for buffer in buffers:
        offsets.append(at)
        at += _padded(len(buffer))
    try:
        meta = json.dumps({"key": key, "version": __version__, "sources": sources, "offsets": offsets}).encode()
    except (TypeError, ValueError) as exc:
        raise Uncacheable(str(exc)) from None
    chunks: list[bytes | memoryview] = [MAGIC, len(meta).to_bytes(8, "little"), meta]
    for buffer in buffers:
        chunks.append(buffer)
        chunks.append(b"\0" * (_padded(len(buffer)) - len(buffer)))
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    chunks.append(digest.digest())
    return chunks


def decode(data: bytes, key: str, parts: dict[str, tuple[str, SheetResult, FileReport]] | None = None) -> list[Outcome]:
    """The outcomes saved in ``data``; ``Damaged`` when it is not exactly a reading for ``key``.
    With ``parts``, each result saved with a sheet key is also put there under it, with its
    dataset and its report."""
    from xl_scorecard.sources import FileReport

    view = memoryview(data)
    if len(data) < len(MAGIC) + 8 + DIGEST or not data.startswith(MAGIC):
        raise Damaged("it is not a saved reading")
    if hashlib.sha256(view[:-DIGEST]).digest() != data[-DIGEST:]:
        raise Damaged("it is damaged (its checksum does not match)")
    length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
    start = len(MAGIC) + 8
    try:
        meta = json.loads(bytes(view[start : start + length]))
        if meta.get("key") != key or meta.get("version") != __version__:
            raise Damaged("it was saved for another file or another version of the tool")
        body = bytearray(view[start + length : len(data) - DIGEST])  # writable: pandas may change the tables in place
        arrays = _Arrays(body, meta["offsets"])
        outcomes: list[Outcome] = []
        for source in meta["sources"]:
            results = [
                (
                    item["dataset"],
                    SheetResult(
                        _decode_frame(item["table"], arrays),
                        [Problem(**p) for p in item["problems"]],
                        item["rows_read"],
                        item["rows_excluded"],
                        item["mapped"],
                    ),
                )
                for item in source["results"]
            ]
            reports = [FileReport(**{**r, "columns": tuple(r["columns"])}) for r in source["reports"]]
            outcomes.append((results, reports, [Problem(**p) for p in source["problems"]]))
            if parts is not None:
                for item, (dataset, result) in zip(source["results"], results, strict=True):
                    if item.get("part"):
                        if not 0 <= item["report"] < len(reports):
                            raise Damaged("a sheet's report is not in it")
                        parts[item["part"]] = (dataset, result, reports[item["report"]])
    except Damaged:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise Damaged(f"it is not in the expected form ({type(exc).__name__})") from None
    return outcomes


def _padded(length: int) -> int:
    return -(-length // ALIGN) * ALIGN


class _Arrays:
    """The raw arrays of a reading, handed out by number."""

    def __init__(self, body: bytearray, offsets: list[int]) -> None:
        self.body, self.offsets = body, offsets

    def get(self, spec: dict[str, Any]) -> np.ndarray:
        dtype = np.dtype(spec["dtype"])
        if dtype.hasobject:  # only plain numbers and dates are ever saved as arrays
            raise Damaged("it holds an array of objects")
        count = int(spec["count"])
        offset = self.offsets[spec["buffer"]]
        if offset < 0 or offset + count * dtype.itemsize > len(self.body):
            raise Damaged("an array runs past the end of the file")
        return np.frombuffer(self.body, dtype=dtype, count=count, offset=offset)


def _array(values: np.ndarray, buffers: list[bytes | memoryview]) -> dict[str, Any]:
    values = np.ascontiguousarray(values)
    if values.dtype.hasobject or values.ndim != 1:
        raise Uncacheable(f"an array of {values.dtype}")
    buffers.append(values.view(np.uint8).data)  # dates too: a buffer of bytes, not of datetime64
    return {"dtype": values.dtype.str, "count": len(values), "buffer": len(buffers) - 1}


def _encode_table(result: SheetResult, buffers: list[bytes | memoryview]) -> dict[str, Any]:
    # A sheet still in its columns is saved from them (no frame made for it): what
    # ``_encode_frame`` saves of the frame they make, column by column.
    if result.columns is None:
        return _encode_frame(result.table, buffers)
    columns = [{"name": name, **_encode_values(values, result.length, buffers)} for name, values in result.columns.items()]
    return {"rows": result.length, "index": None, "columns": columns}


# Arrays a Series holds as they are: their encoding is taken from them without making one (a
# Series per column, ten thousand at 100 districts, was half the time of saving the readings).
_PLAIN = {np.dtype("float64"), np.dtype("int64"), np.dtype("bool"), np.dtype("datetime64[ns]")}


def _encode_values(values: Any, length: int, buffers: list[bytes | memoryview]) -> dict[str, Any]:
    # ``_encode_column`` of ``column_series(values)``, the same dict, for the columns validation
    # makes; anything else goes through the Series.
    if isinstance(values, str):  # the district's code in every row: no Series of it made
        return _encode_repeated(values, length, buffers)
    if isinstance(values, np.ndarray) and values.ndim == 1 and len(values) == length:
        if values.dtype == object:
            words = _encode_words(values, buffers)
            if words is not None:
                return words
        elif values.dtype in _PLAIN:
            return {"kind": "array", "values": _array(values, buffers)}
    elif isinstance(values, pd.arrays.IntegerArray) and str(values.dtype) in MASKED and len(values) == length:
        numbers = values.to_numpy(dtype=values.dtype.numpy_dtype, na_value=0)
        return {"kind": "masked", "dtype": str(values.dtype), "values": _array(numbers, buffers), "mask": _array(values.isna(), buffers)}
    return _encode_column(column_series(values, pd.RangeIndex(length)), buffers)


@lru_cache(maxsize=1)
def _repeated_text_type() -> Any:
    # The type of the column a text repeated in every row makes (``columns.column_series``):
    # object under pandas 2, its string type under pandas 3.
    return column_series("x", pd.RangeIndex(1)).dtype


def _encode_repeated(value: str, length: int, buffers: list[bytes | memoryview]) -> dict[str, Any]:
    # ``_encode_column(column_series(value, ...))``, the same dict, without the Series: a text
    # in every row of a sheet, one column a sheet (1,600 sheets at 100 districts).
    dtype = _repeated_text_type()
    if is_object(dtype):
        return {"kind": "words", "words": [value] if length else [], "codes": _array(np.zeros(length, dtype=np.int32), buffers)}
    if isinstance(dtype, pd.StringDtype):
        text = json.dumps([value] * length).encode()
        return {"kind": "text", "dtype": str(dtype), "values": _array(np.frombuffer(text, dtype=np.uint8), buffers)}
    return _encode_column(column_series(value, pd.RangeIndex(length)), buffers)


def _encode_frame(frame: pd.DataFrame, buffers: list[bytes | memoryview]) -> dict[str, Any]:
    if frame.attrs or not all(isinstance(name, str) for name in frame.columns) or frame.columns.has_duplicates:
        raise Uncacheable("a table with unusual column names or attributes")
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        saved_index = None
    elif index.dtype.kind == "i" and index.name is None:
        saved_index = _array(index.to_numpy(), buffers)
    else:
        raise Uncacheable(f"a table indexed by {index.dtype}")
    columns = [{"name": name, **_encode_column(frame[name], buffers)} for name in frame.columns]
    return {"rows": len(frame), "index": saved_index, "columns": columns}


def _encode_column(series: pd.Series, buffers: list[bytes | memoryview]) -> dict[str, Any]:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = _encode_column(pd.Series(dtype.categories), buffers)
        codes = _array(series.cat.codes.to_numpy(), buffers)
        return {"kind": "category", "ordered": bool(dtype.ordered), "codes": codes, "categories": categories}
    if str(dtype) in MASKED:
        values = series.to_numpy(dtype=dtype.numpy_dtype, na_value=0)
        return {"kind": "masked", "dtype": str(dtype), "values": _array(values, buffers), "mask": _array(series.isna().to_numpy(), buffers)}
    if is_object(dtype):
        words = _encode_words(series.to_numpy(dtype=object), buffers)
        if words is not None:
            return words
    if is_object(dtype) or isinstance(dtype, pd.StringDtype):
        values = [None if isinstance(dtype, pd.StringDtype) and v is pd.NA else v for v in series.tolist()]
        if any(type(v) not in (str, int, float, bool, type(None)) for v in values):
            raise Uncacheable(f"a column of mixed values ({series.name})")
        text = json.dumps(values).encode()
        return {"kind": "text", "dtype": str(dtype), "values": _array(np.frombuffer(text, dtype=np.uint8), buffers)}
    if isinstance(dtype, np.dtype) and dtype.kind in "biufmM":
        return {"kind": "array", "values": _array(series.to_numpy(), buffers)}
    raise Uncacheable(f"a column of type {dtype} ({series.name})")


def _encode_words(values: np.ndarray, buffers: list[bytes | memoryview]) -> dict[str, Any] | None:
    # A column of text (and blanks) as its distinct words and a number per row: codes repeat
    # ("Yes", "N1", a team), so this is smaller and quicker to read back than the words one by
    # one. None when a value is not text: such a column is kept value by value.
    # One plain pass: a district's lists are a few hundred rows a column, and thousands of
    # columns at 100 districts, where pandas' cost per call was most of the work; a longer
    # column is numbered by pandas' hash table (twice as quick from ~500 rows).
    if len(values) >= _FACTORIZE_FROM and set(map(type, values.tolist())) <= _WORD_TYPES:
        return _encode_words_factorized(values, buffers)
    number: dict[str, int] = {}  # each word's number, in the order first met
    codes = []
    for value in values.tolist():
        if type(value) is str:
            code = number.get(value)
            if code is None:
                code = number[value] = len(number)
            codes.append(code)
        elif value is None:
            codes.append(-1)  # -1 None, -2 NaN: both blanks, kept apart
        elif isinstance(value, float) and value != value:
            codes.append(-2)
        else:
            return None
    return {"kind": "words", "words": list(number), "codes": _array(np.array(codes, dtype=np.int32), buffers)}


_FACTORIZE_FROM = 500
# The only kinds of value factorize is given: text, blanks and NaN (factorize takes an equal
# str subclass, or pandas' NA or NaT, for a word or a blank: those go through the plain pass).
_WORD_TYPES = {str, type(None), float}


def _encode_words_factorized(values: np.ndarray, buffers: list[bytes | memoryview]) -> dict[str, Any] | None:
    # ``_encode_words`` of a long column of text, None and floats only, the same dict:
    # ``pandas.factorize`` numbers the distinct values in the order first met, as the plain pass
    # does, and takes None and NaN for missing (-1), told apart here (None -1, NaN -2); a float
    # that is not NaN is a word that is not text: not a column of words.
    codes, uniques = pd.factorize(values)
    words = uniques.tolist()
    if any(type(word) is not str for word in words):
        return None
    numbers = codes.astype(np.int32)
    for position in np.flatnonzero(codes < 0).tolist():
        if values[position] is not None:
            numbers[position] = -2
    return {"kind": "words", "words": words, "codes": _array(numbers, buffers)}


def _decode_frame(spec: dict[str, Any], arrays: _Arrays) -> pd.DataFrame:
    rows = int(spec["rows"])
    index = pd.RangeIndex(rows) if spec["index"] is None else pd.Index(arrays.get(spec["index"]))
    if len(index) != rows:
        raise Damaged("the table's index has the wrong number of rows")
    columns = {}
    for column in spec["columns"]:
        values = _decode_column(column, arrays)
        if len(values) != rows:
            raise Damaged("a column has the wrong number of rows")
        # Each column on the frame's own index, so the frame is not aligned column by column;
        # text as object, as it was read (pandas would otherwise make it its string type).
        dtype = object if isinstance(values, np.ndarray) and values.dtype == object else None
        columns[column["name"]] = pd.Series(values, index=index, dtype=dtype, copy=False)
    return pd.DataFrame(columns, index=index, copy=False) if columns else pd.DataFrame(index=index)


def _decode_column(spec: dict[str, Any], arrays: _Arrays) -> Any:
    """A column's values as an array (numpy, or pandas' own for its types)."""
    kind = spec["kind"]
    if kind == "array":
        return arrays.get(spec["values"])
    if kind == "masked":
        if spec["dtype"] not in MASKED:
            raise Damaged("a column of an unknown type")
        values = pd.array(arrays.get(spec["values"]), dtype=spec["dtype"])
        values[arrays.get(spec["mask"]).astype(bool)] = pd.NA
        return values
    if kind == "text":
        values = json.loads(arrays.get(spec["values"]).tobytes())
        if spec["dtype"] == "object":
            column = np.empty(len(values), dtype=object)
            column[:] = values
            return column
        return pd.array(values, dtype=spec["dtype"])
    if kind == "words":
        codes = arrays.get(spec["codes"])
        lookup = np.empty(len(spec["words"]) + 2, dtype=object)
        lookup[: len(spec["words"])] = spec["words"]
        lookup[-2], lookup[-1] = float("nan"), None
        if len(codes) and (codes.min() < -2 or codes.max() >= len(spec["words"])):
            raise Damaged("a column refers to words it does not hold")
        return lookup[codes]
    if kind == "category":
        categories = _decode_column(spec["categories"], arrays)
        dtype = pd.CategoricalDtype(categories, ordered=spec["ordered"])
        return pd.Categorical.from_codes(arrays.get(spec["codes"]), dtype=dtype)
    raise Damaged(f"a column of an unknown kind ({kind})")
