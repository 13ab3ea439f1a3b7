"""Fictional example authority ("Northshire") with four districts and 24 months of data.

See ``xl_scorecard.demo.generate`` (runnable as ``python -m xl_scorecard.demo.generate DIR``).
"""
