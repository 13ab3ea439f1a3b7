"""xl_scorecard: children's services performance scorecards from district spreadsheets.

Flow, one direction: ``sources`` (read + validate) -> ``indicators`` (compute) -> ``scoring``
(RAG, trend, summary) -> ``history`` -> ``render`` (write the master) -> front-ends (``cli``).
"""

from __future__ import annotations

__version__ = "0.2.0"

__all__ = ["__version__"]
