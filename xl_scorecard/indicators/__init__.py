"""Indicators stage: a declarative catalogue and pure calculations over canonical tables."""

from __future__ import annotations

from xl_scorecard.indicators.catalogue import Indicator, load_catalogue
from xl_scorecard.indicators.compute import AUTHORITY, compute_all, compute_indicator

__all__ = ["AUTHORITY", "Indicator", "compute_all", "compute_indicator", "load_catalogue"]
