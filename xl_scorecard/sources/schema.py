"""Dataset descriptions: the canonical columns of each dataset and the headers that mean them."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from xl_scorecard.datafiles import Strict, parse_model, read_toml
from xl_scorecard.errors import ConfigError

ANNEX_A = "annex_a"
# Datasets whose files cover the whole authority (rows name their own areas), not one district.
AUTHORITY_WIDE = {"population", "comparators", "figures"}
# Annex A list number -> canonical dataset.
ANNEX_A_LISTS = {
    1: "contacts",
    2: "early_help",
    3: "referrals",
    4: "assessments",
    5: "s47",
    6: "cin",
    7: "cp_plans",
    8: "cla",
    9: "care_leavers",
    10: "adoption",
    11: "adopters",
}


ColumnType = Literal["text", "date", "integer", "decimal", "code"]


class ColumnSpec(Strict):
    """One canonical column: header texts that match it, its type and whether it is required."""

    headers: list[str] = Field(min_length=1)
    type: ColumnType
    required: bool = False
    personal: bool = False
    codes: list[str] = []
    aliases: dict[str, str] = {}
    not_available: list[str] = []  # symbols meaning "no figure" (e.g. DfE's c, :, z), not errors
    # An integer typed with a fraction: "exact" reports it; "floor" takes the whole part, for
    # ages that extracts compute to the day (19.0855 years is 19; "<1" is 0).
    fractions: Literal["exact", "floor"] = "exact"

    @model_validator(mode="after")
    def _codes_only_for_code_type(self) -> ColumnSpec:
        if self.fractions == "floor" and self.type != "integer":
            raise ValueError("`fractions` only applies to type = 'integer'")
        if self.type == "code" and not self.codes:
            raise ValueError("a column of type 'code' needs a `codes` list")
        if self.type != "code" and (self.codes or self.aliases):
            raise ValueError("`codes` and `aliases` only apply to type = 'code'")
        unknown = sorted(set(self.aliases.values()) - set(self.codes))
        if unknown:
            raise ValueError(f"aliases point at values not in codes: {unknown}")
        return self


class RowCheck(Strict):
    """A check across columns of the same row: ``not_before`` (``column`` is not earlier than
    ``other``) or ``any_of`` (at least one of ``columns`` is filled in)."""

    kind: Literal["not_before", "any_of"]
    column: str = ""
    other: str = ""
    columns: list[str] = []

    @model_validator(mode="after")
    def _arguments_fit_kind(self) -> RowCheck:
        if (self.kind == "not_before" and not (self.column and self.other)) or (self.columns and self.kind != "any_of"):
            raise ValueError("not_before takes `column` and `other`")
        if self.kind == "any_of" and (len(self.columns) < 2 or self.column or self.other):
            raise ValueError("any_of takes `columns` (two or more)")
        return self

    @property
    def names(self) -> list[str]:
        return self.columns if self.kind == "any_of" else [self.column, self.other]


class DatasetSpec(Strict):
    """A canonical dataset: title and columns (in the order tables are built)."""

    title: str
    columns: dict[str, ColumnSpec]
    checks: list[RowCheck] = []

    @model_validator(mode="after")
    def _checks_name_columns(self) -> DatasetSpec:
        for check in self.checks:
            for name in check.names:
                if name not in self.columns:
                    raise ValueError(f"check {check.kind} names unknown column {name!r}")
        return self


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def normalise_header(text: object) -> str:
    """Fold a header as people type it: case, NBSP and repeated spaces, curly quotes, a trailing
    "?" or ":" all ignored. ``"Referral  NFA?\u00a0"`` and ``"referral nfa"`` compare equal."""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).casefold()
    folded = re.sub(r"\s+", " ", folded).strip()
    return folded.rstrip("?:").strip()


@cache
def _default_dataset_specs() -> dict[str, DatasetSpec]:
    path = resources.files("xl_scorecard.sources") / "datasets.toml"
    return _parse_specs(read_toml(Path(str(path))), "datasets.toml (shipped)")


def _parse_specs(raw: dict, source: str) -> dict[str, DatasetSpec]:
    return {name: parse_model(DatasetSpec, body, f"{source}: [{name}]") for name, body in raw.items()}


def load_dataset_specs(path: Path | None = None) -> dict[str, DatasetSpec]:
    """Load the dataset descriptions: the shipped ones, or ``path`` if given (validated)."""
    if path is None:
        return _default_dataset_specs()
    specs = _parse_specs(read_toml(path), str(path))
    if not specs:
        raise ConfigError(f"{path}: describes no datasets")
    return specs
