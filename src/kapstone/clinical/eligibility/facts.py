"""The fact catalogue: what an eligibility assessment may know about a client, and how to check it."""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from ._files import EligibilityDataError, check_keys, data_file, read_toml, table_list, text

FactValue = bool | int | float | str | tuple[str, ...]

FACT_TYPES = ("bool", "number", "choice", "list")
ANSWERED_BY = ("client", "clinician")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def _bmi(weight_kg: float, height_cm: float) -> float:
    # Rounded as BMI is reported, so the value a clinician sees is the value the rule compared.
    return round(weight_kg / (height_cm / 100) ** 2, 1)


# Derived facts are arithmetic on other facts, not clinical thresholds, so they live in code.
DERIVATIONS: Mapping[str, tuple[tuple[str, ...], Callable[..., float]]] = MappingProxyType(
    {"bmi": (("weight_kg", "height_cm"), _bmi)}
)


@dataclass(frozen=True)
class FactSpec:
    """One fact: its type, the plausible values, and the question that establishes it."""

    key: str
    type: str
    label: str
    question: str
    answered_by: str
    group: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, str] = field(default_factory=dict)
    derived: str | None = None
    instrument: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "choice_labels", MappingProxyType(dict(self.choice_labels)))

    @property
    def inputs(self) -> tuple[str, ...]:
        """The facts a derived fact is computed from (empty for a fact that is answered)."""
        return DERIVATIONS[self.derived][0] if self.derived else ()

    def choice_label(self, value: str) -> str:
        return self.choice_labels.get(value, value.replace("_", " "))

    def check(self, value: object) -> FactValue:
        """Return the value in canonical form, or raise ValueError naming this fact."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"fact {self.key!r} must be true or false, got {value!r}")
            return value
        if self.type == "number":
            return self._check_number(value)
        if self.type == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(f"fact {self.key!r} must be one of {', '.join(self.choices)}; got {value!r}")
            return value
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
            raise ValueError(f"fact {self.key!r} must be a list of values, got {value!r}")
        unknown = [item for item in value if not isinstance(item, str) or item not in self.choices]
        if unknown:
            raise ValueError(
                f"fact {self.key!r}: {', '.join(map(repr, unknown))} not among {', '.join(self.choices)}"
            )
        # Catalogue order, no duplicates: the same answer always has the same stored form.
        return tuple(choice for choice in self.choices if choice in value)

    def _check_number(self, value: object) -> int | float:
        if isinstance(value, Decimal):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"fact {self.key!r} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"fact {self.key!r} must be a finite number, got {value!r}")
        if self.integer:
            if value != int(value):
                raise ValueError(f"fact {self.key!r} must be a whole number, got {value!r}")
            value = int(value)
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        if not low <= value <= high:
            unit = f" {self.unit}" if self.unit else ""
            raise ValueError(
                f"fact {self.key!r} = {value!r} is outside the plausible range "
                f"{_fmt(self.minimum)}-{_fmt(self.maximum)}{unit}"
            )
        return value


def _fmt(number: float | None) -> str:
    if number is None:
        return "?"
    return str(int(number)) if float(number).is_integer() else str(number)


@dataclass(frozen=True)
class FactCatalogue:
    """Every fact an assessment may use, by key."""

    version: str
    facts: Mapping[str, FactSpec]

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))

    def __contains__(self, key: object) -> bool:
        return key in self.facts

    def __getitem__(self, key: str) -> FactSpec:
        return self.facts[key]

    def validate(self, facts: Mapping[str, object]) -> dict[str, FactValue]:
        """Check supplied facts; return them in canonical form, dropping None (= not known).

        Raises ValueError naming the fact for an unknown key, a derived fact, or a wrongly typed or
        implausible value.
        """
        if not isinstance(facts, Mapping):
            raise ValueError(f"facts must be a mapping of fact key to value, got {type(facts).__name__}")
        clean: dict[str, FactValue] = {}
        for key, value in facts.items():
            spec = self.facts.get(key) if isinstance(key, str) else None
            if spec is None:
                close = difflib.get_close_matches(str(key), list(self.facts), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"unknown fact {key!r}{hint}")
            if spec.derived:
                raise ValueError(
                    f"fact {key!r} is derived from {', '.join(spec.inputs)}; supply those instead"
                )
            if value is not None:
                clean[key] = spec.check(value)
        return {key: clean[key] for key in self.facts if key in clean}

    def with_derived(self, facts: Mapping[str, FactValue]) -> dict[str, FactValue]:
        """Validated facts plus every derived fact whose inputs are known."""
        full = dict(facts)
        for spec in self.facts.values():
            if not spec.derived:
                continue
            inputs, compute = DERIVATIONS[spec.derived]
            if all(name in full for name in inputs):
                full[spec.key] = compute(*(full[name] for name in inputs))
        return full


def _parse_fact(entry: object, where: str) -> FactSpec:
    table = check_keys(
        entry,
        where,
        required=("key", "type", "label", "question", "answered_by", "group"),
        optional=("unit", "min", "max", "integer", "choices", "choice_labels", "derived", "instrument"),
    )
    key = text(table, "key", where)
    if not _KEY.match(key):
        raise EligibilityDataError(f"{where}: key {key!r} must be lower_snake_case")
    where = f"{where} {key!r}"
    fact_type = text(table, "type", where)
    if fact_type not in FACT_TYPES:
        raise EligibilityDataError(f"{where}: type {fact_type!r} is not one of {', '.join(FACT_TYPES)}")
    answered_by = text(table, "answered_by", where)
    if answered_by not in ANSWERED_BY:
        raise EligibilityDataError(f"{where}: answered_by must be one of {', '.join(ANSWERED_BY)}")
    numeric = ("min", "max", "integer")
    if fact_type != "number" and any(k in table for k in numeric):
        raise EligibilityDataError(f"{where}: min/max/integer only apply to number facts")
    for bound in ("min", "max"):
        if bound in table and (isinstance(table[bound], bool) or not isinstance(table[bound], int | float)):
            raise EligibilityDataError(f"{where}: {bound} must be a number")
    if "min" in table and "max" in table and table["min"] > table["max"]:
        raise EligibilityDataError(f"{where}: min is greater than max")
    if not isinstance(table.get("integer", False), bool):
        raise EligibilityDataError(f"{where}: integer must be true or false")
    choices = table.get("choices", [])
    if fact_type in ("choice", "list"):
        if not choices or not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
            raise EligibilityDataError(f"{where}: {fact_type} facts need a non-empty list of choices")
        if len(set(choices)) != len(choices):
            raise EligibilityDataError(f"{where}: choices must be unique")
    elif "choices" in table or "choice_labels" in table:
        raise EligibilityDataError(f"{where}: choices only apply to choice and list facts")
    labels = table.get("choice_labels", {})
    if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
        raise EligibilityDataError(f"{where}: choice_labels must map choices to text")
    stray = sorted(set(labels) - set(choices))
    if stray:
        raise EligibilityDataError(f"{where}: choice_labels for unknown choices {', '.join(stray)}")
    derived = table.get("derived")
    if derived is not None:
        if derived not in DERIVATIONS:
            raise EligibilityDataError(f"{where}: unknown derivation {derived!r}")
        if derived != key or fact_type != "number":
            raise EligibilityDataError(f"{where}: derivation {derived!r} yields the number fact {derived!r}")
    return FactSpec(
        key=key,
        type=fact_type,
        label=text(table, "label", where),
        question=text(table, "question", where),
        answered_by=answered_by,
        group=text(table, "group", where),
        unit=text(table, "unit", where, default=""),
        minimum=table.get("min"),
        maximum=table.get("max"),
        integer=table.get("integer", False),
        choices=tuple(choices),
        choice_labels=dict(labels),
        derived=derived,
        instrument=text(table, "instrument", where) if "instrument" in table else None,
    )


def parse_fact_catalogue(data: Mapping[str, Any], where: str) -> FactCatalogue:
    check_keys(data, where, required=("catalogue",), optional=("fact",))
    header = check_keys(data["catalogue"], f"{where} [catalogue]", required=("version",))
    facts: dict[str, FactSpec] = {}
    for index, entry in enumerate(table_list(data, "fact", where), start=1):
        spec = _parse_fact(entry, f"{where}: fact #{index}")
        if spec.key in facts:
            raise EligibilityDataError(f"{where}: fact {spec.key!r} is defined twice")
        facts[spec.key] = spec
    for spec in facts.values():
        missing = [name for name in spec.inputs if name not in facts]
        if missing:
            raise EligibilityDataError(
                f"{where}: fact {spec.key!r} needs {', '.join(missing)} in the catalogue"
            )
    return FactCatalogue(version=text(header, "version", where), facts=facts)


def load_fact_catalogue(path: str | os.PathLike[str] | None = None) -> FactCatalogue:
    """Load the fact catalogue: kapstone's own (``data/eligibility/facts.toml``) unless a path is given."""
    if path is None:
        return _bundled_catalogue()
    data, where = read_toml(path)
    return parse_fact_catalogue(data, where)


@functools.cache
def _bundled_catalogue() -> FactCatalogue:
    data, where = read_toml(data_file("eligibility", "facts.toml"))
    return parse_fact_catalogue(data, where)
