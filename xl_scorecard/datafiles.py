"""Loading the project's validated data files (TOML), with messages that name file and key.

Catalogue, dataset descriptions and authority configurations are all read through here, so a
misspelt key is reported the same way everywhere.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from xl_scorecard.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)


class Strict(BaseModel):
    """Base for data-file models: unknown keys are errors, values are not coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into a ``ConfigError`` naming the file."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def parse_model(model: type[Model], data: Any, source: str) -> Model:
    """Validate ``data`` into ``model``; on failure list every problem with its key path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source)) from None


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """One line per problem: ``source: key.path: message``."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            message = "unknown key (misspelt?)"
        else:
            message = error["msg"]
            given = error.get("input")
            if error["type"] in ("literal_error", "enum") and isinstance(given, (str, int, float)):
                message += f" (got {given!r})"
        lines.append(f"{source}: {where}: {message}")
    return "\n".join(lines)
