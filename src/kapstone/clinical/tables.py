"""Reading the clinical TOML data files (protocols, vitals ranges): typed access that names the field.

Every error is a :class:`ProtocolError` whose message names the file and the dotted field, e.g.
``sublingual.toml: dose.default.value: 500 is outside its own bounds 50-400``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass
from decimal import Decimal
from typing import Any

SCHEMA = 1
# Units whose values must be whole numbers: a practice cannot set "12.5 min" or "1.5 boosters".
WHOLE_UNITS = frozenset({"min", "count", "days", "score", "mmHg", "bpm", "%", "breaths/min"})

_KIND_NAMES = {int: "a number", Decimal: "a number", str: "a string", bool: "true/false", list: "a list"}


class ProtocolError(ValueError):
    """A protocol or vitals data file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Param:
    """One sourced setting. ``bounds`` is the closed range a practice override may use."""

    value: Decimal
    unit: str
    sources: tuple[str, ...]
    bounds: tuple[Decimal, Decimal]
    unconfirmed: bool = False
    note: str = ""

    @property
    def as_int(self) -> int:
        return int(self.value)


class Table:
    """A TOML table plus where it came from, so every error names the file and the dotted field."""

    def __init__(self, data: Mapping[str, Any], file: str, where: str = "") -> None:
        self.data, self.file, self.where = data, file, where

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> ProtocolError:
        return ProtocolError(f"{self.file}: {self.path(key)}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = MISSING) -> Any:
        if key not in self.data:
            if default is MISSING:
                raise self.fail(key, "missing")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(dict.fromkeys(_KIND_NAMES.get(k, "a table") for k in kinds))
            raise self.fail(key, f"expected {expected}, got {value!r}")
        return value

    def choice(self, key: str, options: Any) -> str:
        value: str = self.get(key, str)
        if value not in options:
            raise self.fail(key, f"{value!r} is not one of {', '.join(options)}")
        return value

    def sub(self, key: str) -> Table:
        return Table(self.get(key, dict), self.file, self.path(key))

    def subs(self, key: str) -> list[Table]:
        items = self.get(key, list)
        if not all(isinstance(item, dict) for item in items):
            raise self.fail(key, "expected a list of tables")
        return [Table(item, self.file, self.path(f"{key}[{i}]")) for i, item in enumerate(items)]

    def strings(self, key: str) -> tuple[str, ...]:
        items = self.get(key, list)
        if not all(isinstance(s, str) and s for s in items):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(items)

    def number(self, key: str, raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise self.fail(key, f"expected a number, got {raw!r}")
        return Decimal(raw)

    def numbers(self, key: str) -> tuple[Decimal, ...]:
        return tuple(self.number(f"{key}[{i}]", v) for i, v in enumerate(self.get(key, list)))

    def sources(self, key: str = "sources") -> tuple[str, ...]:
        found = self.strings(key)
        if not found:
            raise self.fail(key, "at least one source is required (use 'design' for a kapstone default)")
        return found

    def schema(self) -> None:
        if self.get("schema", int) != SCHEMA:
            raise self.fail("schema", f"this kapstone reads schema {SCHEMA}")

    def param(self, key: str, unit: str) -> Param:
        t = self.sub(key)
        reject_unknown(t, ("value", "unit", "bounds", "sources", "unconfirmed", "note"))
        value = t.number("value", t.get("value", (int, Decimal)))
        if t.get("unit", str) != unit:
            raise t.fail("unit", f"expected {unit!r}, got {t.data['unit']!r}")
        bounds = t.numbers("bounds")
        if len(bounds) != 2 or bounds[0] > bounds[1]:
            raise t.fail("bounds", "expected [low, high] with low <= high")
        if not bounds[0] <= value <= bounds[1]:
            raise t.fail("value", f"{value} is outside its own bounds {bounds[0]}-{bounds[1]}")
        if unit in WHOLE_UNITS and value != value.to_integral_value():
            raise t.fail("value", f"{value} {unit} must be a whole number")
        sources, unconfirmed = t.sources(), t.get("unconfirmed", bool, False)
        if sources == ("design",) and not unconfirmed:
            raise t.fail("unconfirmed", "a value sourced only to 'design' must be marked unconfirmed")
        return Param(value, unit, sources, (bounds[0], bounds[1]), unconfirmed, t.get("note", str, ""))


def reject_unknown(t: Table, known: Any) -> None:
    unknown = sorted(set(t.data) - set(known))
    if unknown:
        raise t.fail(unknown[0], f"unknown field; expected one of {', '.join(sorted(known))}")
