"""Files the package ships: the layouts and master template (``workbook_templates/``) and the
ribbon sources (``macros/``).

People edit them in the repository's top-level folders; the build maps those folders into the
package (``[tool.setuptools.package-dir]`` in ``pyproject.toml``), so an installed wheel carries
them as ``xl_scorecard/workbook_templates`` and ``xl_scorecard/macros``. They are found here with
``importlib.resources`` in an installed package and, in a source checkout (editable install,
tests), in the top-level folders themselves. Nothing else in the package knows where they live.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from xl_scorecard.errors import ConfigError

Shipped = Literal["workbook_templates", "macros"]


def shipped_folder(name: Shipped) -> Path:
    """The folder of shipped files called ``name``, inside the installed package or the checkout."""
    packaged = files("xl_scorecard").joinpath(name)
    # A regular (non-zipped) install gives real paths; readers of these files take a Path.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / name
    if checkout.is_dir():
        return checkout
    raise ConfigError(
        f"the package's {name} folder is missing (looked in {packaged} and {checkout}): reinstall xl-scorecard from its wheel"
    )
