"""Reading and checking the reference data files behind the eligibility engine.

Every error names the file (and, where there is one, the entry) so that a practice editing its own rule
set can find the mistake without reading a traceback.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any


class EligibilityDataError(ValueError):
    """A rule set, fact catalogue or evidence library is malformed or inconsistent."""


def data_file(*parts: str) -> Traversable:
    """A file shipped under ``kapstone/clinical/data/``."""
    return resources.files("kapstone.clinical").joinpath("data", *parts)


def read_toml(source: Traversable | str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; return its contents and the name to use in error messages."""
    if isinstance(source, str | os.PathLike):
        path: Traversable | Path = Path(source)
        where = str(source)
    else:
        path = source
        where = source.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EligibilityDataError(f"{where}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        return tomllib.loads(text), where
    except tomllib.TOMLDecodeError as exc:
        raise EligibilityDataError(f"{where}: not valid TOML: {exc}") from exc


def check_keys(
    table: object, where: str, *, required: Iterable[str], optional: Iterable[str] = ()
) -> Mapping[str, Any]:
    """Refuse a table with missing or unexpected keys; a misspelt key must not be ignored silently."""
    if not isinstance(table, Mapping):
        raise EligibilityDataError(f"{where}: expected a table, got {type(table).__name__}")
    required = tuple(required)
    allowed = set(required) | set(optional)
    missing = [key for key in required if key not in table]
    if missing:
        raise EligibilityDataError(f"{where}: missing {', '.join(repr(k) for k in missing)}")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise EligibilityDataError(
            f"{where}: unknown key {', '.join(repr(k) for k in unknown)} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )
    return table


def text(table: Mapping[str, Any], key: str, where: str, *, default: str | None = None) -> str:
    """A non-empty string value (or the default when the key is optional and absent)."""
    if key not in table and default is not None:
        return default
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EligibilityDataError(f"{where}: {key!r} must be a non-empty string")
    return value.strip()


def table_list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    """An array of tables (``[[key]]``), empty when absent."""
    value = data.get(key, [])
    if not isinstance(value, list):
        raise EligibilityDataError(f"{where}: {key!r} must be an array of tables ([[{key}]])")
    return value
