"""Vital signs as kapstone knows them: plausibility ranges (``data/vitals.toml``) and derived values.

A plausibility range refuses a typing or device error (SBP 400, SpO2 120 %) before it can raise or hide
an alert; it is not a clinical threshold (those live in each protocol). A *derived* parameter (mean
arterial pressure) is computed from measured ones, never entered, so only its inputs are range-checked.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from kapstone.clinical.tables import ProtocolError, Table, reject_unknown

__all__ = [
    "DERIVED",
    "VitalRange",
    "check_plausible_value",
    "derived_values",
    "mean_arterial_pressure",
    "vital_ranges",
]


@dataclass(frozen=True)
class VitalRange:
    id: str
    label: str
    unit: str
    low: Decimal
    high: Decimal
    integer: bool
    sources: tuple[str, ...]
    unconfirmed: bool = False
    note: str = ""
    derived: bool = False  # computed from other parameters (see DERIVED), never entered


def mean_arterial_pressure(sbp: int | Decimal, dbp: int | Decimal) -> Decimal:
    """MAP = DBP + (SBP - DBP) / 3, the usual bedside estimate (docs/protocols.md), to 0.1 mmHg.

    With whole-mmHg inputs the exact value is n, n + 1/3 or n + 2/3, so rounding to 0.1 never moves
    it across a whole-mmHg threshold.
    """
    exact = Decimal(dbp) + (Decimal(sbp) - Decimal(dbp)) / 3
    return exact.quantize(Decimal("0.1"))


# Derived parameter id -> (the parameters it needs, how it is computed).
DERIVED: dict[str, tuple[tuple[str, ...], Callable[..., Decimal]]] = {
    "map": (("sbp", "dbp"), mean_arterial_pressure),
}


def derived_values(values: Mapping[str, int | Decimal | None]) -> dict[str, Decimal]:
    """Every derived parameter whose inputs are all present in ``values``."""
    out = {}
    for name, (inputs, compute) in DERIVED.items():
        args = [values.get(i) for i in inputs]
        if all(a is not None for a in args):
            out[name] = compute(*args)
    return out


def _data_dir() -> Path:
    return Path(str(resources.files("kapstone.clinical"))) / "data"


@cache
def vital_ranges() -> dict[str, VitalRange]:
    """Plausibility ranges from ``data/vitals.toml``, by parameter id (sbp, dbp, map, hr, spo2, ...)."""
    path = _data_dir() / "vitals.toml"
    with path.open("rb") as fh:
        top = Table(tomllib.load(fh, parse_float=Decimal), path.name)
    top.schema()
    out = {}
    params = top.sub("parameters")
    for name in params.data:
        t = params.sub(name)
        reject_unknown(
            t, ("label", "unit", "plausible", "integer", "sources", "unconfirmed", "note", "derived")
        )
        low, high = t.numbers("plausible")
        derived = t.get("derived", bool, False)
        if derived != (name in DERIVED):
            problem = "has no formula in kapstone" if derived else "is computed: mark it derived = true"
            raise t.fail("derived", f"{name!r} {problem}")
        out[name] = VitalRange(
            name,
            t.get("label", str),
            t.get("unit", str),
            low,
            high,
            t.get("integer", bool),
            t.sources(),
            t.get("unconfirmed", bool, False),
            t.get("note", str, ""),
            derived,
        )
    for name, (inputs, _) in DERIVED.items():
        missing = [i for i in inputs if i not in out or out[i].derived]
        if name in out and missing:
            raise ProtocolError(f"{path.name}: parameters.{name}: needs measured {', '.join(missing)}")
    return out


def check_plausible_value(parameter: str, value: int | Decimal) -> Decimal:
    """Return ``value`` as Decimal, or raise ``ValueError`` naming the plausible range."""
    ranges = vital_ranges()
    if parameter not in ranges:
        raise KeyError(f"unknown parameter {parameter!r}; known: {', '.join(ranges)}")
    r = ranges[parameter]
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{r.label}: give an int or Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite() or not r.low <= number <= r.high:
        raise ValueError(
            f"{r.label} {value} {r.unit} is not plausible: "
            f"enter a value between {r.low} and {r.high} {r.unit}."
        )
    if r.integer and number != number.to_integral_value():
        raise ValueError(f"{r.label} must be a whole number of {r.unit}, got {value}.")
    return number
