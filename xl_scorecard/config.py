"""The authority configuration (TOML): districts, where each district's files are, the master.

Example::

    [authority]
    name = "Northshire"
    period = "2026-10"            # optional: defaults to the last complete month
    master = "master.xlsx"        # relative to this file

    [[district]]
    code = "NG"
    name = "Northgate"

    [[source]]
    district = "NG"
    dataset = "assessments"
    file = "Northgate/Northgate Annex A.xlsx"
    sheet = "List 4"
    headers = { start_date = ["Date assessment began"] }   # a renamed column, mapped here
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Literal, TypeVar

from pydantic import Field, field_validator, model_validator

from xl_scorecard.datafiles import Strict, parse_model, read_toml
from xl_scorecard.errors import ConfigError
from xl_scorecard.periods import Month
from xl_scorecard.sources.schema import ANNEX_A, AUTHORITY_WIDE, DatasetSpec, load_dataset_specs


class AuthoritySection(Strict):
    name: str = Field(min_length=1)
    period: str | None = None
    master: str = "master.xlsx"
    backups: int = Field(default=10, ge=0)
    # Keep each input's validated reading beside the master's backups, so a refresh reads only the
    # files that changed. The readings hold child-level rows, so by default only when the master
    # itself does (drilldown = true): a master kept free of them gets no such folder beside it.
    # The figures computed from them are kept there too (indicators.saved), under the same switch.
    read_cache: bool | None = None
    catalogue: str | None = None
    datasets: str | None = None
    template: str | None = None  # the workbook a new master starts from (default: the shipped one)
    layout: str | None = None  # scorecard layout: a name in workbook_templates/layouts or a file
    region: str | None = None  # for the regional comparator (DfE region_name)
    neighbours: list[str] = []  # statistical neighbours (DfE la_name) averaged as a comparator
    # Where the England and neighbour figures come from, printed under the scorecard
    # ("DfE, Children in need 2025"); the demo says its figures are made up.
    comparators_note: str | None = None
    drilldown: bool = True  # write the Drill-down sheets (child-level rows) into the master
    due_within: int = Field(default=5, ge=0, le=60)  # early warning: working days ahead the due-soon list looks


class DistrictEntry(Strict):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)


class SourceEntry(Strict):
    """One file (or glob) of one district for one dataset. ``dataset = "annex_a"`` reads every
    "List N" sheet of an Annex A workbook into the matching dataset."""

    dataset: str
    file: str
    district: str | None = None
    sheet: str | list[str] | None = None
    headers: dict[str, list[str]] = {}
    max_rows: int = Field(default=1_000_000, gt=0)
    # A workbook inflating past this many megabytes is refused as a likely zip bomb.
    max_inflated_mb: int = Field(default=512, gt=0)
    indicator: str | None = None  # comparators only: the catalogue indicator the figures are for
    # No rows can be right for this source (a district with no adoptions this year): an empty
    # list is then a zero, not a failed export reported as "no data".
    allow_empty: bool = False


class EmailSection(Strict):
    """Who receives the scorecard and how it is sent. No password here, ever: the login comes
    from environment variables (or the OS keyring) named below."""

    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[str] = []  # recipients for the whole authority
    districts: dict[str, list[str]] = {}  # district code -> recipients of that district's summary
    # {authority}, {month}, and {area}: " - Northgate" in a district's email, empty in the authority's.
    subject: str = "{authority} children's services scorecard{area}, {month}"
    smtp_host: str = "localhost"
    smtp_port: int | None = Field(default=None, gt=0, lt=65536)  # default: 587 starttls, 465 ssl, 25 none
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: str = "XL_SCORECARD_SMTP_USER"
    password_env: str = "XL_SCORECARD_SMTP_PASSWORD"  # noqa: S105 (the name of a variable, not a password)
    keyring_service: str | None = None
    allow_child_level: bool = False  # attach the Drill-down sheets (personal data) too
    max_attachment_mb: float = Field(default=20, gt=0)
    # Withhold figures that rest on few people, as DfE statistics do: every figure resting on 1
    # to small_number_threshold - 1 children (counts, and the shares, rates and averages made
    # from them) shows as "c" in the attachment and the email's body. true: every email;
    # a list: the emails of those recipients ("authority" and/or district codes).
    suppress_small_numbers: bool | list[str] = False
    # Attach the committee pack as a PDF too (needs LibreOffice where the email is sent from).
    attach_pdf: bool = False
    small_number_threshold: int = Field(default=5, ge=2, le=11)

    def suppresses(self, label: str) -> bool:
        """Whether the email for ``label`` ("authority" or a district code) withholds small numbers."""
        wanted = self.suppress_small_numbers
        return wanted if isinstance(wanted, bool) else label in wanted

    @field_validator("subject")
    @classmethod
    def _known_placeholders(cls, subject: str) -> str:
        import string

        unknown = {name for _, name, _, _ in string.Formatter().parse(subject) if name and name not in ("authority", "month", "area")}
        if unknown:
            raise ValueError(f"subject: {{{sorted(unknown)[0]}}} is not known; use {{authority}}, {{month}} and {{area}}")
        return subject

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict) and {"password", "smtp_password", "pass"} & set(data):
            raise ValueError(
                "passwords are never kept in configuration files: remove it and set the "
                "XL_SCORECARD_SMTP_PASSWORD environment variable (or use keyring_service)"
            )
        return data


class ConfigFile(Strict):
    authority: AuthoritySection
    district: list[DistrictEntry] = Field(min_length=1)
    source: list[SourceEntry] = Field(min_length=1)
    email: EmailSection | None = None


@dataclass(frozen=True)
class AuthorityConfig:
    """A loaded, cross-checked authority configuration; paths resolved against its folder."""

    path: Path
    data: ConfigFile
    datasets: dict[str, DatasetSpec]

    @property
    def name(self) -> str:
        return self.data.authority.name

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def districts(self) -> list[DistrictEntry]:
        return self.data.district

    @property
    def master_path(self) -> Path:
        return self.resolve(self.data.authority.master)

    @property
    def period(self) -> Month | None:
        return Month.parse(self.data.authority.period) if self.data.authority.period else None

    @property
    def keeps_readings(self) -> bool:
        """Whether a refresh keeps its inputs' readings beside the master (``read_cache``; by
        default when the master holds child-level rows anyway)."""
        setting = self.data.authority.read_cache
        return self.data.authority.drilldown if setting is None else setting

    @property
    def template_path(self) -> Path | None:
        value = self.data.authority.template
        return self.resolve(value) if value else None

    @property
    def catalogue_path(self) -> Path | None:
        """The catalogue: a file beside the configuration, or a shipped preset by name
        (``catalogue = "kent_2012"``); None for the default catalogue."""
        value = self.data.authority.catalogue
        if not value:
            return None
        path = self.resolve(value)
        if not path.exists() and not Path(value).suffix:
            from xl_scorecard.indicators.catalogue import default_catalogue_path

            preset = default_catalogue_path().parent / "presets" / f"{value}.toml"
            if preset.exists():
                return preset
        return path

    @property
    def layout(self) -> str | Path | None:
        """The layout: a shipped one by name, or a file beside the configuration; when the
        configuration names none, the one its catalogue names (each preset names its seed's)."""
        value = self.data.authority.layout
        if not value and self.catalogue_path is not None and self.catalogue_path.is_file():
            from xl_scorecard.indicators.catalogue import catalogue_layout

            value = catalogue_layout(self.catalogue_path)
        if value and Path(value).suffix.lower() == ".toml":
            return self.resolve(value)
        return value

    def resolve(self, relative: str) -> Path:
        """A path from the configuration, relative to the configuration's folder."""
        return resolve_against(self.base_dir, relative)


AnyPath = TypeVar("AnyPath", bound=PurePath)


def resolve_against(base_dir: AnyPath, value: str) -> AnyPath:
    """``value`` as the configuration wrote it (absolute, drive or UNC, or relative to
    ``base_dir``), in ``base_dir``'s path flavour."""
    path = type(base_dir)(value)
    return path if path.is_absolute() else base_dir / path


def load_config(path: Path) -> AuthorityConfig:
    """Load and cross-check an authority configuration; ``ConfigError`` names file and key."""
    path = Path(path).resolve()
    data = parse_model(ConfigFile, read_toml(path), str(path))
    datasets_path = data.authority.datasets
    datasets = load_dataset_specs(path.parent / datasets_path if datasets_path else None)
    codes = [d.code for d in data.district]
    errors = []
    if len(set(codes)) != len(codes):
        errors.append("district codes must be unique")
    if data.authority.period:
        try:
            Month.parse(data.authority.period)
        except ValueError as exc:
            errors.append(f"authority.period: {exc}")
    for number, source in enumerate(data.source, start=1):
        where = f"source #{number} ({source.file})"
        if source.dataset == ANNEX_A:
            if source.district not in codes:
                errors.append(f"{where}: district {source.district!r} is not one of {', '.join(codes)}")
            if source.sheet or source.headers:
                errors.append(f"{where}: an annex_a source reads every list; name sheets and headers in per-list sources instead")
            continue
        if source.dataset not in datasets:
            errors.append(f"{where}: unknown dataset {source.dataset!r}; known: {', '.join(datasets)}")
            continue
        if source.dataset in AUTHORITY_WIDE:
            if source.district is not None:
                errors.append(f"{where}: {source.dataset} covers every district; remove `district`")
        elif source.district not in codes:
            errors.append(f"{where}: district {source.district!r} is not one of {', '.join(codes)}")
        if (source.dataset == "comparators") != (source.indicator is not None):
            errors.append(f"{where}: `indicator` is required for comparators and only for them")
        unknown = sorted(set(source.headers) - set(datasets[source.dataset].columns))
        if unknown:
            errors.append(
                f"{where}: headers for unknown columns {unknown}; {source.dataset} has {', '.join(datasets[source.dataset].columns)}"
            )
    if data.email:
        for code in sorted(set(data.email.districts) - set(codes)):
            errors.append(f"email.districts: {code!r} is not one of {', '.join(codes)}")
        if isinstance(data.email.suppress_small_numbers, list):
            for label in sorted(set(data.email.suppress_small_numbers) - {"authority", *codes}):
                errors.append(f'email.suppress_small_numbers: {label!r} is not "authority" or one of {", ".join(codes)}')
    if errors:
        raise ConfigError("\n".join(f"{path}: {line}" for line in errors))
    return AuthorityConfig(path, data, datasets)
