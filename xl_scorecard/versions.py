"""The installed versions of the libraries a saved result depends on (the readings of files,
the figures computed from them): an upgrade of one must not leave results made by the old one
in use."""

from __future__ import annotations

from functools import cache


@cache
def library_versions(*names: str) -> str:
    """``"name version; ..."`` for each distribution in ``names`` (``?`` for one not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} ?")
    return "; ".join(found)
