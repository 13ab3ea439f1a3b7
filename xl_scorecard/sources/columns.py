"""A validated sheet's table kept as the columns validation made, and a dataset's sheets put
together column by column.

At 100 districts a refresh validates ~1,600 sheets of a few hundred rows each. Made into a data
frame each (0.2 ms), pickled from the reading processes (0.3 ms a frame, against 0.13 ms for its
columns) and concatenated per dataset by pandas, they cost ~0.8 s of CPU that grows with the
district count, not the rows. So a sheet's table stays the columns until someone asks for the
frame, and a dataset whose sheets all are still columns is joined by ``concat_columns``: the
same frame ``pd.concat(..., ignore_index=True)`` of the sheets' frames gives (a test compares
them), made once.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from xl_scorecard.sources.problems import Problem

# Marks the rows whose value in a column is bad or missing: "_bad_cases" for the caseload column.
BAD_PREFIX = "_bad_"


def frame_of(columns: dict[str, Any], length: int) -> pd.DataFrame:
    """One table from its columns as arrays (a scalar fills its column), in their order. Text
    columns stay Python objects, as they always were here: pandas 3 would otherwise infer its
    string type from an object array. A Series is made only for those (and the scalars), on one
    shared index, so nothing is aligned or copied twice."""
    index = pd.RangeIndex(length)
    wrapped = {
        name: column_series(values, index) if isinstance(values, str) or _is_text(values) else values for name, values in columns.items()
    }
    return pd.DataFrame(wrapped, index=index, copy=False)


def column_series(values: Any, index: pd.RangeIndex) -> pd.Series:
    """One column of ``frame_of``'s table as the Series the frame gives for it."""
    if isinstance(values, str):  # the district's code, in every row
        return pd.Series(values, index=index)
    if _is_text(values):
        return pd.Series(values, index=index, dtype=object, copy=False)
    return pd.Series(values, index=index, copy=False)


def _is_text(values: Any) -> bool:
    return isinstance(values, np.ndarray) and values.dtype == object


class SheetResult:
    """A validated sheet: the canonical table, its problems and the row accounting.

    Made from a frame (``SheetResult(table, ...)``) or from the columns validation made
    (``columns=``, ``length=``): then ``table`` makes the frame the first time it is asked for,
    and from then on the frame is the table (a caller may add a column to it) and the columns
    are dropped. Pickled, a result still in columns travels as its columns."""

    def __init__(
        self,
        table: pd.DataFrame | None = None,
        problems: list[Problem] | None = None,
        rows_read: int = 0,
        rows_excluded: int = 0,
        mapped: dict[str, str] | None = None,
        *,
        columns: dict[str, Any] | None = None,
        length: int = 0,
    ) -> None:
        if (table is None) == (columns is None):
            raise ValueError("a sheet's result is a table or its columns, one of them")
        self._table = table
        self.columns = columns
        self.length = len(table) if table is not None else length
        self.problems: list[Problem] = problems if problems is not None else []
        self.rows_read = rows_read
        self.rows_excluded = rows_excluded
        self.mapped: dict[str, str] = mapped if mapped is not None else {}  # canonical column -> header as typed

    @property
    def table(self) -> pd.DataFrame:
        if self._table is None:
            self._table = frame_of(cast(dict[str, Any], self.columns), self.length)
            self.columns = None
        return self._table

    @property
    def rows_loaded(self) -> int:
        return len(self._table) if self._table is not None else self.length

    def __repr__(self) -> str:
        return f"SheetResult({self.rows_loaded} rows, {len(self.problems)} problems)"


def concat_columns(parts: list[tuple[dict[str, Any], int]]) -> pd.DataFrame | None:
    """``pd.concat`` of the frames of ``parts`` (each a sheet's columns and length, every one
    with rows), ``ignore_index=True``, with a ``_bad_`` column a sheet lacks as False in its
    rows (as the caller makes it after pandas' concat): None when the sheets' columns are not
    alike enough to be sure of giving pandas' own answer (a column one sheet lacks that is not a
    ``_bad_`` mark, or of another kind or type in another sheet); the caller then concatenates
    the frames."""
    if not parts:
        return None
    names: dict[str, None] = {}
    for columns, _ in parts:  # in the order pandas' union puts them: as they first appear
        names.update(dict.fromkeys(columns))
    total = sum(length for _, length in parts)
    joined: dict[str, Any] = {}
    for name in names:
        values = [columns.get(name) for columns, _ in parts]
        if name.startswith(BAD_PREFIX):
            if not all(v is None or (isinstance(v, np.ndarray) and v.dtype == bool) for v in values):
                return None
            joined[name] = np.concatenate([np.zeros(n, dtype=bool) if v is None else v for v, (_, n) in zip(values, parts, strict=True)])
            continue
        if any(v is None for v in values):
            return None
        first = values[0]
        if isinstance(first, str):  # the district: its code in every row, as text of pandas' type for it
            if not all(isinstance(v, str) for v in values):
                return None
            codes = np.repeat(np.array(values, dtype=object), [n for _, n in parts])
            joined[name] = pd.array(codes, dtype=_TEXT_OF_A_CODE)
        elif isinstance(first, np.ndarray):
            arrays = [v for v in values if isinstance(v, np.ndarray) and v.dtype == first.dtype and v.ndim == 1]
            if len(arrays) != len(values):
                return None
            joined[name] = np.concatenate(arrays)
        elif isinstance(first, pd.api.extensions.ExtensionArray):  # whole numbers: pandas' Int64
            if not all(isinstance(v, pd.api.extensions.ExtensionArray) and v.dtype == first.dtype for v in values):
                return None
            joined[name] = pd.concat([pd.Series(v, copy=False) for v in values], ignore_index=True).array
        else:
            return None
    return frame_of(joined, total)


# The type pandas gives a column made from one code repeated (text in pandas 3, objects before).
_TEXT_OF_A_CODE = pd.Series("code", index=pd.RangeIndex(1)).dtype
