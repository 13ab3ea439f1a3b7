"""Reporting periods: a month ``YYYY-MM`` and the date window each period type covers.

Pure date arithmetic, shared by the indicators and scoring stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PERIOD_TYPES = ("month", "ytd", "rolling6", "rolling12", "rolling36", "snapshot")

PERIOD_LABELS = {
    "month": "Month",
    "ytd": "YTD",
    "rolling6": "6 months",
    "rolling12": "Rolling 12 months",
    "rolling36": "3 years",
    "snapshot": "Snapshot",
}


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, the unit every scorecard is reported in."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``; raise ``ValueError`` naming the expected form otherwise."""
        try:
            year, month = (int(part) for part in text.strip().split("-"))
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise ValueError(f"period {text!r} is not a month in the form YYYY-MM, e.g. 2026-10") from None
        return cls(year, month)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month containing ``day``."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, months: int) -> Month:
        """The month ``months`` later (negative for earlier)."""
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.shift(1).first_day - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """Display label, e.g. ``Oct 2026``."""
        return self.first_day.strftime("%b %Y")


@dataclass(frozen=True)
class Window:
    """Inclusive date window ``start``..``end`` that a period type covers for one month."""

    start: dt.date
    end: dt.date


def window_for(period: Month, period_type: str) -> Window:
    """Return the dates an indicator of ``period_type`` covers when reported for ``period``.

    ``ytd`` runs from 1 April (the English financial year); ``snapshot`` is the last day of the
    month (start == end); ``rolling6``/``rolling12``/``rolling36`` are the 6, 12 or 36 months
    ending with ``period`` (a 6-month or 3-year average is the ratio of the summed parts over
    that window, so small months do not weigh as much as large ones).
    """
    if period_type == "month":
        return Window(period.first_day, period.last_day)
    if period_type == "ytd":
        return Window(dt.date(financial_year(period), 4, 1), period.last_day)
    if period_type.startswith("rolling"):
        months = int(period_type.removeprefix("rolling"))
        return Window(period.shift(-(months - 1)).first_day, period.last_day)
    if period_type == "snapshot":
        return Window(period.last_day, period.last_day)
    raise ValueError(f"unknown period type {period_type!r}; expected one of {', '.join(PERIOD_TYPES)}")


def financial_year(period: Month) -> int:
    """The year the financial year containing ``period`` starts in (April to March)."""
    return period.year if period.month >= 4 else period.year - 1


def months_ending(period: Month, count: int) -> list[Month]:
    """The ``count`` months ending with ``period``, oldest first."""
    return [period.shift(-offset) for offset in range(count - 1, -1, -1)]
