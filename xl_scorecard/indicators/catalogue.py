"""The indicator catalogue: declarative data, validated on load (names file and id)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from xl_scorecard.datafiles import Strict, parse_model, read_toml
from xl_scorecard.errors import ConfigError
from xl_scorecard.indicators.calculations import CALCULATIONS, COUNTING, OPS, parameters

SECTIONS = (
    "How much are we dealing with?",
    "How long is it taking us?",
    "How well are we doing it?",
    "Are we achieving good outcomes?",
    "Are we supporting our staff?",
)
UNITS = ("%", "per 10,000", "count", "days", "FTE", "ratio")
# How a value reads in text (the command line, the email): as the Scorecard's number formats show it.
TEXT_FORMATS = {"%": "{:.1%}", "per 10,000": "{:.1f}", "count": "{:,.0f}", "days": "{:.0f}", "FTE": "{:.1f}", "ratio": "{:.1f}"}


def format_value(value: float | None, unit: str, missing: str = "no data") -> str:
    """``value`` as text in its unit's form; ``missing`` when there is none."""
    if value is None or value != value:  # NaN
        return missing
    return TEXT_FORMATS[unit].format(value)


UNIT_SCALE = {"%": 1.0, "per 10,000": 10_000.0, "count": 1.0, "days": 1.0, "FTE": 1.0, "ratio": 1.0}


class Indicator(Strict):
    """One indicator as declared in the catalogue."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    section: Literal[SECTIONS]  # type: ignore[valid-type]
    title: str
    definition: str
    impact: str = ""
    unit: Literal[UNITS]  # type: ignore[valid-type]
    polarity: Literal["H", "L", "T"]
    period: Literal["month", "ytd", "rolling6", "rolling12", "rolling36", "snapshot"]
    calculation: dict[str, Any]
    target: float | None = None
    floor: float | None = None
    tolerance: float | None = None
    floor_tolerance: float | None = None
    relative: bool = False

    @property
    def scale(self) -> float:
        return UNIT_SCALE[self.unit]

    @property
    def data_only(self) -> bool:
        return self.target is None

    @property
    def datasets(self) -> set[str]:
        """The canonical datasets this indicator reads (for saying which figures are incomplete)."""
        return datasets_used(self.calculation)

    @model_validator(mode="after")
    def _bands_make_sense(self) -> Indicator:
        name = self.calculation.get("name")
        if name not in CALCULATIONS:
            raise ValueError(f"unknown calculation {name!r}; known: {', '.join(sorted(CALCULATIONS))}")
        allowed, required = parameters(name)
        given = set(self.calculation) - {"name"}
        if given - allowed:
            raise ValueError(f"calculation {name} has no parameter(s) {sorted(given - allowed)}; it takes {sorted(allowed)}")
        if required - given:
            raise ValueError(f"calculation {name} needs parameter(s) {sorted(required - given)}")
        op = self.calculation.get("op")
        if op is not None and op not in OPS:
            raise ValueError(f"unknown op {op!r}; known: {', '.join(OPS)}")
        if op is not None and op not in ("filled", "blank") and "value" not in self.calculation:
            raise ValueError(f"op {op!r} needs a value")
        if self.calculation.get("counting", COUNTING[0]) not in COUNTING:
            raise ValueError(f"counting must be one of {', '.join(COUNTING)}")
        if self.target is None:
            if any(v is not None for v in (self.floor, self.tolerance, self.floor_tolerance)):
                raise ValueError("a data-only indicator (no target) cannot have floor or tolerances")
            return self
        if self.polarity == "T":
            if self.floor is not None:
                raise ValueError("polarity T uses tolerance/floor_tolerance, not floor")
            if self.tolerance is None:
                raise ValueError("polarity T needs a tolerance")
            if self.floor_tolerance is not None and self.floor_tolerance < self.tolerance:
                raise ValueError("bands out of order: floor_tolerance must be >= tolerance")
        else:
            if self.tolerance is not None or self.floor_tolerance is not None:
                raise ValueError(f"polarity {self.polarity} uses floor, not tolerances")
            if self.floor is not None:
                if self.polarity == "H" and self.floor > self.target:
                    raise ValueError("bands out of order: for H the floor must be <= target")
                if self.polarity == "L" and self.floor < self.target:
                    raise ValueError("bands out of order: for L the floor must be >= target")
        return self


def datasets_used(calculation: dict[str, Any]) -> set[str]:
    """Datasets a calculation reads: its dataset-valued parameters (given or defaulted), plus
    the population for rates per population."""
    used = set()
    for name, default in _dataset_parameters(calculation["name"]):
        value = calculation.get(name, default)
        if value:
            used.add(value)
    if calculation["name"].endswith("_per_population"):
        used.add("population")
    if calculation["name"] == "typed_figure":
        used.add("figures")
    return used


@functools.cache
def _dataset_parameters(name: str) -> tuple[tuple[str, Any], ...]:
    # The calculation's dataset-valued parameters and their defaults (None when it has none).
    # Asked once per calculation: ``inspect.signature`` costs ~40 us, and a run with hundreds of
    # restatements asked it tens of thousands of times (0.7 s).
    import inspect

    parameters = inspect.signature(CALCULATIONS[name]).parameters
    return tuple(
        (key, None if parameters[key].default is inspect.Parameter.empty else parameters[key].default)
        for key in ("dataset", "staff", "supervision", "events", "other")
        if key in parameters
    )


class CatalogueFile(Strict):
    # ``extends`` names a shipped catalogue ("default" or a preset) this file builds on;
    # ``[[change]]`` entries replace fields of its indicators (a local target, a 10-day
    # variant), ``drop`` removes some, and ``[[indicator]]`` entries add new ones.
    extends: str | None = None
    # The scorecard layout the catalogue is made for (a preset names its seed's layout); an
    # authority's own `layout` setting wins.
    layout: str | None = None
    drop: list[str] = []
    change: list[dict[str, Any]] = []
    indicator: list[dict[str, Any]] = []
    clock: list[dict[str, Any]] = []  # early-warning clocks (indicators.clocks), checked there


def default_catalogue_path() -> Path:
    """The catalogue shipped with the package."""
    return Path(str(resources.files("xl_scorecard.indicators") / "catalogue.toml"))


def shipped_catalogue(name: str) -> Path:
    """A shipped catalogue by name: ``default`` or a preset such as ``kent_2012``."""
    if name == "default":
        return default_catalogue_path()
    path = default_catalogue_path().parent / "presets" / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(["default", *sorted(p.stem for p in path.parent.glob("*.toml"))])
        raise ConfigError(f"no shipped catalogue {name!r}; shipped: {known}")
    return path


def catalogue_layout(path: Path) -> str | None:
    """The layout a catalogue names (``layout = "kent_table"``), or the one of the shipped
    catalogue it extends; None when neither names one."""
    data = parse_model(CatalogueFile, read_toml(path), str(path))
    if data.layout:
        return data.layout
    return catalogue_layout(shipped_catalogue(data.extends)) if data.extends else None


def _parse(entry: Any, where: str, errors: list[str]) -> Indicator | None:
    try:
        return parse_model(Indicator, entry, where)
    except ConfigError as exc:
        errors.append(str(exc))
        return None


def load_catalogue(path: Path | None = None) -> list[Indicator]:
    """Load and validate a catalogue (the shipped one by default).

    A catalogue may extend a shipped one (``extends = "kent_2012"``) and change, drop or add
    indicators, so an authority keeps only its differences. Raises ``ConfigError`` naming the
    file and the indicator for unknown keys, unknown calculations or parameters, unordered
    bands, duplicate ids and changes to indicators that do not exist.
    """
    path = path or default_catalogue_path()
    raw = read_toml(path)
    data = parse_model(CatalogueFile, raw, str(path))
    errors: list[str] = []
    base: list[Indicator] = []
    if data.extends:
        base = load_catalogue(shipped_catalogue(data.extends))
    elif data.change or data.drop:
        errors.append(f"{path}: `change` and `drop` need `extends` (the catalogue they change)")
    by_id = {ind.id: ind for ind in base}
    for ident in data.drop:
        if by_id.pop(ident, None) is None:
            errors.append(f"{path}: drop {ident}: no such indicator in {data.extends}")
    for entry in data.change:
        changed_id = str(entry.get("id"))
        if changed_id not in by_id:
            errors.append(f"{path}: change {changed_id}: no such indicator in {data.extends}")
            continue
        merged = {**by_id[changed_id].model_dump(), **entry}
        if "target" in entry and entry["target"] is None:  # TOML has no null; kept for clarity
            merged.pop("target")
        changed = _parse(merged, f"{path}: change {changed_id}", errors)
        if changed is not None:
            by_id[changed_id] = changed
    # Validate entry by entry so a message names the indicator id, not a list index.
    added: list[Indicator] = []
    for number, entry in enumerate(data.indicator, start=1):
        label = entry.get("id", f"#{number}")
        indicator = _parse(entry, f"{path}: indicator {label}", errors)
        if indicator is not None:
            if indicator.id in by_id or indicator.id in {a.id for a in added}:
                errors.append(f"{path}: indicator {indicator.id}: duplicate id")
            added.append(indicator)
    if errors:
        raise ConfigError("\n".join(errors))
    catalogue = [by_id[ind.id] for ind in base if ind.id in by_id] + added
    if not catalogue:
        raise ConfigError(f"{path}: no indicators")
    return catalogue
