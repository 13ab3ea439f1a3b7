"""Dataset descriptions: the canonical columns of each dataset and the headers that mean them."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
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
YEARS = re.compile(r"^(\d{4})-(\d{4})?$")


class CodePattern(Strict):
    """A regular expression (on the lower-cased value) that reads as ``code``."""

    match: str
    code: str

    @model_validator(mode="after")
    def _compiles(self) -> CodePattern:
        try:
            re.compile(self.match)
        except re.error as exc:
            raise ValueError(f"pattern {self.match!r} is not a regular expression: {exc}") from None
        return self


class Vocabulary(Strict):
    """A code list and the ways real returns spell its codes (vocabularies.toml)."""

    title: str
    codes: list[str] = Field(min_length=1)
    aliases: dict[str, str] = {}
    patterns: list[CodePattern] = []
    prefixes: list[str] = []  # letters some systems put before a code ("SE11"): ignored there
    in_use: dict[str, str] = {}  # code -> "YYYY-YYYY" or "YYYY-": the return years it was collected in

    @model_validator(mode="after")
    def _point_at_codes(self) -> Vocabulary:
        targets = [*self.aliases.values(), *(p.code for p in self.patterns), *self.in_use]
        unknown = sorted(set(targets) - set(self.codes))
        if unknown:
            raise ValueError(f"aliases, patterns or in_use name values not in codes: {unknown}")
        bad = [years for years in self.in_use.values() if not YEARS.match(years)]
        if bad:
            raise ValueError(f"in_use takes 'YYYY-YYYY' or 'YYYY-', not {bad}")
        return self


class ColumnSpec(Strict):
    """One canonical column: header texts that match it, its type and whether it is required."""

    headers: list[str] = Field(min_length=1)
    # Regular expressions on the folded heading (lower case, single spaces), tried after every
    # header text: for headings people vary more than a list can hold ("Child's unique
    # identifier", "ID of child").
    header_patterns: list[str] = []
    type: ColumnType
    required: bool = False
    personal: bool = False
    codes: list[str] = []
    aliases: dict[str, str] = {}
    # A code vocabulary of vocabularies.toml: its codes, spellings, patterns and years join the
    # column's own `codes` and `aliases`.
    vocabulary: str = ""
    patterns: list[CodePattern] = []
    prefixes: list[str] = []
    in_use: dict[str, str] = {}
    not_available: list[str] = []  # symbols meaning "no figure" (e.g. DfE's c, :, z), not errors
    # An integer typed with a fraction: "exact" reports it; "floor" takes the whole part, for
    # ages that extracts compute to the day (19.0855 years is 19; "<1" is 0).
    fractions: Literal["exact", "floor"] = "exact"

    @model_validator(mode="after")
    def _codes_only_for_code_type(self) -> ColumnSpec:
        for pattern in self.header_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"header pattern {pattern!r} is not a regular expression: {exc}") from None
        if self.fractions == "floor" and self.type != "integer":
            raise ValueError("`fractions` only applies to type = 'integer'")
        if self.type == "code" and not (self.codes or self.vocabulary):
            raise ValueError("a column of type 'code' needs a `codes` list or a `vocabulary`")
        if self.type != "code" and (self.codes or self.aliases or self.vocabulary):
            raise ValueError("`codes`, `aliases` and `vocabulary` only apply to type = 'code'")
        unknown = sorted(set(self.aliases.values()) - set(self.codes))
        if unknown and not self.vocabulary:  # checked again once the vocabulary has joined
            raise ValueError(f"aliases point at values not in codes: {unknown}")
        return self

    def with_vocabulary(self, vocabulary: Vocabulary) -> ColumnSpec:
        """This column with ``vocabulary``'s codes, spellings, patterns and years joined in
        (the column's own aliases win)."""
        codes = list(dict.fromkeys([*vocabulary.codes, *self.codes]))
        aliases = {**vocabulary.aliases, **self.aliases}
        unknown = sorted(set(aliases.values()) - set(codes))
        if unknown:
            raise ValueError(f"aliases point at values not in codes: {unknown}")
        return self.model_copy(
            update={
                "codes": codes,
                "aliases": aliases,
                "patterns": [*self.patterns, *vocabulary.patterns],
                "prefixes": [*self.prefixes, *vocabulary.prefixes],
                "in_use": {**vocabulary.in_use, **self.in_use},
            }
        )


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
    # Headings of the official return that no figure reads: known, so not reported as unknown.
    # A dataset that lists them is a fixed return, where any other heading is worth a word.
    other_headings: list[str] = []
    # [start, end]: each row is a period of one child's case (a plan, a period of care): two
    # of a child's rows open at once are reported, and figures count the child once.
    periods: list[str] = []

    @model_validator(mode="after")
    def _checks_name_columns(self) -> DatasetSpec:
        if self.periods and (
            len(self.periods) != 2 or any(self.columns.get(c) is None or self.columns[c].type != "date" for c in self.periods)
        ):
            raise ValueError("`periods` takes [start, end]: two date columns of this dataset")
        for check in self.checks:
            for name in check.names:
                if name not in self.columns:
                    raise ValueError(f"check {check.kind} names unknown column {name!r}")
                if check.kind == "not_before" and self.columns[name].type != "date":
                    raise ValueError(f"check not_before compares dates: {name!r} is a {self.columns[name].type} column")
        return self


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


# A format note after a heading: "(DD/MM/YYYY)", "(Y/N)" (with the official template's typo
# "(Y/N))"), "(date)".
_FORMAT_SUFFIX = re.compile(r"\s*\((dd[/.-]mm[/.-]yy(yy)?|yyyy-mm-dd|date|y/n|yes/no)\)+\s*$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z0-9])|(?<=[0-9])(?=[A-Za-z])|(?<=[A-Z])(?=[A-Z][a-z])")


def normalise_header(text: object) -> str:
    """Fold a header as people type it (see ``_normalise_header``); texts repeat across sheets
    and rows, so each is folded once."""
    return _normalise_header(text) if isinstance(text, str) else _normalise_header(str(text))


@lru_cache(maxsize=65536)
def _normalise_header(text: str) -> str:
    """Fold a header as people type it: case, NBSP and repeated spaces, curly quotes, a trailing
    "?" or ":", a format note ("(DD/MM/YYYY)", "(Y/N)") all ignored; a one-word heading in
    camelCase or snake_case (as database extracts name columns) is split into words.
    ``"Referral  NFA?\u00a0"``, ``"ReferralNFA"`` and ``"referral_nfa"`` all fold to ``"referral nfa"``."""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).strip()
    if folded and not any(c.isspace() for c in folded):
        folded = _CAMEL.sub(" ", folded.replace("_", " ").replace("-", " "))
    folded = re.sub(r"\s+", " ", folded.casefold()).strip().rstrip("?:").strip()
    return _FORMAT_SUFFIX.sub("", folded).rstrip("?:").strip()


@cache
def _default_dataset_specs() -> dict[str, DatasetSpec]:
    path = resources.files("xl_scorecard.sources") / "datasets.toml"
    return _parse_specs(read_toml(Path(str(path))), "datasets.toml (shipped)")


@cache
def load_vocabularies() -> dict[str, Vocabulary]:
    """The shipped code vocabularies (vocabularies.toml), validated."""
    path = Path(str(resources.files("xl_scorecard.sources") / "vocabularies.toml"))
    return {name: parse_model(Vocabulary, body, f"vocabularies.toml (shipped): [{name}]") for name, body in read_toml(path).items()}


def _parse_specs(raw: dict, source: str) -> dict[str, DatasetSpec]:
    specs = {name: parse_model(DatasetSpec, body, f"{source}: [{name}]") for name, body in raw.items()}
    vocabularies = load_vocabularies()
    for name, spec in specs.items():
        for column, col in spec.columns.items():
            if not col.vocabulary:
                continue
            where = f"{source}: [{name}] column {column}"
            if col.vocabulary not in vocabularies:
                raise ConfigError(f"{where}: unknown vocabulary {col.vocabulary!r} (known: {', '.join(vocabularies)})")
            try:
                spec.columns[column] = col.with_vocabulary(vocabularies[col.vocabulary])
            except ValueError as exc:
                raise ConfigError(f"{where}: {exc}") from None
    return specs


def load_dataset_specs(path: Path | None = None) -> dict[str, DatasetSpec]:
    """Load the dataset descriptions: the shipped ones, or ``path`` if given (validated)."""
    if path is None:
        return _default_dataset_specs()
    specs = _parse_specs(read_toml(path), str(path))
    if not specs:
        raise ConfigError(f"{path}: describes no datasets")
    return specs
