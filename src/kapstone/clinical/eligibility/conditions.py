"""The condition language of eligibility rules: parsed from data, evaluated without ``eval``.

A condition is a table with exactly one of these shapes::

    { fact = "sbp", op = ">=", value = 140 }     a comparison on one fact
    { all = [ <condition>, ... ] }                every part holds
    { any = [ <condition>, ... ] }                at least one part holds
    { not = <condition> }                         the part does not hold

Evaluation uses three values (Kleene logic): True, False, or None when missing facts leave the answer
open. ``any`` is True as soon as one part is True, ``all`` is False as soon as one part is False; so a
rule is decided whenever the known facts decide it, and reported as not assessed otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._files import EligibilityDataError
from .facts import FactCatalogue, FactSpec, FactValue

OPERATORS: Mapping[str, tuple[str, ...]] = {
    "bool": ("==", "!="),
    "number": ("==", "!=", "<", "<=", ">", ">="),
    "choice": ("==", "!=", "in", "not_in"),
    "list": ("contains", "contains_any"),
}
_MULTI = ("in", "not_in", "contains_any")  # operators whose value is a list of choices
_MAX_DEPTH = 12  # deeper nesting is a mistake in a hand-written rule, not a real need
_SYMBOLS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True)
class Compare:
    fact: str
    op: str
    value: FactValue


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Compare | AllOf | AnyOf | Not


def parse_condition(raw: object, catalogue: FactCatalogue, where: str, _depth: int = 0) -> Condition:
    """Build a condition from its data form, checking facts, operators and values against the catalogue."""
    if _depth > _MAX_DEPTH:
        raise EligibilityDataError(f"{where}: condition nested more than {_MAX_DEPTH} levels deep")
    if not isinstance(raw, Mapping):
        raise EligibilityDataError(f"{where}: a condition must be a table, got {type(raw).__name__}")
    if "fact" in raw:
        return _parse_compare(raw, catalogue, where)
    shapes = [key for key in ("all", "any", "not") if key in raw]
    if len(shapes) != 1 or len(raw) != 1:
        raise EligibilityDataError(
            f"{where}: a condition needs exactly one of 'fact', 'all', 'any', 'not'; got keys {sorted(raw)}"
        )
    shape = shapes[0]
    if shape == "not":
        return Not(parse_condition(raw["not"], catalogue, f"{where} > not", _depth + 1))
    parts = raw[shape]
    if not isinstance(parts, list) or not parts:
        raise EligibilityDataError(f"{where}: {shape!r} needs a non-empty list of conditions")
    parsed = tuple(
        parse_condition(part, catalogue, f"{where} > {shape}[{index}]", _depth + 1)
        for index, part in enumerate(parts)
    )
    return AllOf(parsed) if shape == "all" else AnyOf(parsed)


def _parse_compare(raw: Mapping[str, Any], catalogue: FactCatalogue, where: str) -> Compare:
    if set(raw) != {"fact", "op", "value"}:
        raise EligibilityDataError(
            f"{where}: a comparison needs exactly 'fact', 'op' and 'value'; got {sorted(raw)}"
        )
    key, op, value = raw["fact"], raw["op"], raw["value"]
    if not isinstance(key, str) or key not in catalogue:
        raise EligibilityDataError(f"{where}: fact {key!r} is not in the fact catalogue")
    spec = catalogue[key]
    allowed = OPERATORS[spec.type]
    if op not in allowed:
        raise EligibilityDataError(
            f"{where}: operator {op!r} does not apply to {spec.type} fact {key!r} (use {', '.join(allowed)})"
        )
    return Compare(fact=key, op=op, value=_check_value(spec, op, value, where))


def _check_value(spec: FactSpec, op: str, value: object, where: str) -> FactValue:
    where = f"{where}: value for {spec.key!r}"
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise EligibilityDataError(f"{where} must be true or false")
        return value
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise EligibilityDataError(f"{where} must be a number")
        low = -math.inf if spec.minimum is None else spec.minimum
        high = math.inf if spec.maximum is None else spec.maximum
        if not low <= value <= high:
            # A threshold outside the plausible range can never be met or always is: a typo.
            raise EligibilityDataError(
                f"{where}: {value} is outside the fact's range {spec.minimum}-{spec.maximum}"
            )
        return value
    if op in _MULTI:
        if not isinstance(value, list) or not value:
            raise EligibilityDataError(f"{where} must be a non-empty list for {op!r}")
        items = value
    else:
        items = [value]
    bad = [item for item in items if not isinstance(item, str) or item not in spec.choices]
    if bad:
        raise EligibilityDataError(
            f"{where}: {', '.join(map(repr, bad))} not among {', '.join(spec.choices)}"
        )
    return tuple(items) if op in _MULTI else items[0]


def evaluate(condition: Condition, facts: Mapping[str, FactValue]) -> bool | None:
    """True, False, or None when the missing facts leave the outcome open."""
    if isinstance(condition, Compare):
        actual = facts.get(condition.fact)
        return None if actual is None else _compare(condition.op, actual, condition.value)
    if isinstance(condition, Not):
        inner = evaluate(condition.part, facts)
        return None if inner is None else not inner
    results = [evaluate(part, facts) for part in condition.parts]
    if isinstance(condition, AllOf):
        if False in results:
            return False
        return None if None in results else True
    if True in results:
        return True
    return None if None in results else False


def _compare(op: str, actual: FactValue, expected: FactValue) -> bool:
    # parse_condition admits each operator only for its fact type (OPERATORS) and checks the value
    # against it; the FactValue union cannot say which pairs go together, hence the ignores below.
    match op:
        case "==":
            return actual == expected
        case "!=":
            return actual != expected
        case "<":
            return actual < expected  # type: ignore[operator]
        case "<=":
            return actual <= expected  # type: ignore[operator]
        case ">":
            return actual > expected  # type: ignore[operator]
        case ">=":
            return actual >= expected  # type: ignore[operator]
        case "in":
            return actual in expected  # type: ignore[operator]
        case "not_in":
            return actual not in expected  # type: ignore[operator]
        case "contains":
            return expected in actual  # type: ignore[operator]
        case "contains_any":
            return any(item in actual for item in expected)  # type: ignore[operator,union-attr]
    raise AssertionError(f"unhandled operator {op!r}")  # parse_condition admits no other operator


def facts_read(condition: Condition) -> tuple[str, ...]:
    """The facts a condition looks at, in order of first mention."""
    if isinstance(condition, Compare):
        return (condition.fact,)
    parts = (condition.part,) if isinstance(condition, Not) else condition.parts
    return tuple(dict.fromkeys(key for part in parts for key in facts_read(part)))


def to_data(condition: Condition) -> dict[str, Any]:
    """The data form of a condition (what parse_condition reads)."""
    if isinstance(condition, Compare):
        value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
        return {"fact": condition.fact, "op": condition.op, "value": value}
    if isinstance(condition, Not):
        return {"not": to_data(condition.part)}
    return {"all" if isinstance(condition, AllOf) else "any": [to_data(part) for part in condition.parts]}


def describe(condition: Condition, catalogue: FactCatalogue) -> str:
    """The condition in words, for the people who read a finding."""
    if isinstance(condition, Compare):
        return _describe_compare(condition, catalogue[condition.fact])
    if isinstance(condition, Not):
        return f"not ({describe(condition.part, catalogue)})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    words = [
        f"({describe(part, catalogue)})" if isinstance(part, AllOf | AnyOf) else describe(part, catalogue)
        for part in condition.parts
    ]
    return joiner.join(words)


def _describe_compare(condition: Compare, spec: FactSpec) -> str:
    op, value = condition.op, condition.value
    if spec.type == "bool":
        answer = "yes" if (value is True) == (op == "==") else "no"
        return f"{spec.label}: {answer}"
    if spec.type == "number":
        unit = f" {spec.unit}" if spec.unit else ""
        return f"{spec.label} {_SYMBOLS[op]} {value}{unit}"
    if isinstance(value, tuple):
        listed = ", ".join(spec.choice_label(item) for item in value)
        phrase = {"in": "is one of", "not_in": "is none of", "contains_any": "include any of"}[op]
        return f"{spec.label} {phrase}: {listed}"
    phrase = {"==": "is", "!=": "is not", "contains": "include"}[op]
    return f"{spec.label} {phrase} {spec.choice_label(str(value))}"
