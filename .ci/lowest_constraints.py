"""Print pip constraints pinning every dependency to the lowest version ``pyproject.toml`` allows.

    python .ci/lowest_constraints.py > lowest.txt
    pip install -c lowest.txt -e ".[test]"

CI runs the test suite once in such an environment (``make test-lowest``), so each lower bound
is a version the project has been seen to work with, not a guess. Only ``>=`` bounds of the
run-time dependencies and the ``excel``/``addin`` extras are pinned; the test tools float.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def lowest_pins(extras: tuple[str, ...] = ("addin",)) -> list[str]:
    """``name==version`` for each ``name>=version`` requirement of the package and ``extras``."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][^,;\s]*)\s*", requirement)
        if not match:
            raise SystemExit(f"lowest_constraints: {requirement!r} has no plain lower bound (name>=version)")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


if __name__ == "__main__":
    print("\n".join(lowest_pins()))
