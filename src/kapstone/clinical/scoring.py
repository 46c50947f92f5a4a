"""Score a completed questionnaire or observation exactly as its reference data file says.

``score(instrument_id, answers)`` validates every answer first (a missing, unknown or out-of-range
answer, or an answer to a skipped item, is a ``ValueError`` naming the item) and only then computes:

* item scores: the chosen option's value, mirrored within the item's range when reverse-scored;
* subscales: ``sum``, ``max``, ``mean`` or ``count`` (items answered at or above ``value_min``) of the
  item scores; skipped items take no part;
* the total: ``sum`` or ``mean`` of the scored items, ``domains`` (the sum of named subscales, as
  QIDS-SR16 sums nine domain scores, three of them the highest of several items), or none for
  ``triage`` instruments (C-SSRS screener);
* the band (the total's range, or the first triage band whose condition holds), the positive screen,
  named indicators (e.g. the PCL-5 DSM-5 rule) and critical items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kapstone.clinical.instruments import (
    Band,
    Instrument,
    Number,
    format_items,
    get_instrument,
    required_items,
    visible_items,
)


@dataclass(frozen=True)
class CriticalFinding:
    item: int
    value: int
    meaning: str


@dataclass(frozen=True)
class ScoreResult:
    instrument_id: str
    instrument_version: str
    total: Number | None
    band: str | None
    severity: str | None
    subscales: dict[str, Number] = field(default_factory=dict)
    indicators: dict[str, bool] = field(default_factory=dict)
    positive_screen: bool | None = None
    critical_items: tuple[CriticalFinding, ...] = ()
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (plain dicts, lists, numbers and strings)."""
        return {
            "instrument_id": self.instrument_id,
            "instrument_version": self.instrument_version,
            "total": self.total,
            "band": self.band,
            "severity": self.severity,
            "subscales": dict(self.subscales),
            "indicators": dict(self.indicators),
            "positive_screen": self.positive_screen,
            "critical_items": [
                {"item": c.item, "value": c.value, "meaning": c.meaning} for c in self.critical_items
            ],
            "explanation": self.explanation,
        }


def score(instrument_id: str | Instrument, answers: Mapping[int, int]) -> ScoreResult:
    """Score ``answers`` (item number -> chosen option value) for an instrument id or ``Instrument``.

    Passing an ``Instrument`` (e.g. from ``load_instrument`` on a practice's override file) scores with
    that definition; the result records its version.
    """
    instrument = _resolve(instrument_id)
    values = _validated(instrument, answers, complete=True)
    scores = {n: instrument.item(n).score(v) for n, v in values.items()}

    subscales = {
        s.id: _combine(s.combine, [scores[n] for n in s.items if n in scores], s.value_min)
        for s in instrument.subscales
    }
    method = instrument.scoring.method
    if method == "domains":
        total: Number | None = sum(subscales[d] for d in instrument.scoring.domains)
    elif method in ("sum", "mean"):
        total = _combine(method, [scores[n] for n in instrument.scoring.items if n in scores], None)
    else:
        total = None

    named = dict(subscales)
    if total is not None:
        named["total"] = total
    band = _band(instrument, total, values, named)
    positive = None
    if instrument.positive_screen is not None:
        positive = instrument.positive_screen.when.evaluate(values, named)
    indicators = {r.id: r.when.evaluate(values, named) for r in instrument.indicators}
    critical = tuple(
        CriticalFinding(c.item, values[c.item], c.meaning)
        for c in instrument.critical_items
        if c.when.evaluate(values)
    )
    return ScoreResult(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        total=total,
        band=band.label if band else None,
        severity=band.severity if band else None,
        subscales=subscales,
        indicators=indicators,
        positive_screen=positive,
        critical_items=critical,
        explanation=_explain(
            instrument, values, scores, total, subscales, band, positive, indicators, critical
        ),
    )


def missing_items(instrument_id: str | Instrument, answers: Mapping[int, int]) -> tuple[int, ...]:
    """Item numbers still to be answered in a draft, given its answers so far (skip logic applied).

    Answers that are present are validated (unknown item or invalid value: ``ValueError``); answers to
    items that the current answers hide are ignored, since a draft in progress may still hold them. For
    an answer group such as QIDS-SR16 "item 6 or 7", all its shown members are listed until one is
    answered.
    """
    instrument = _resolve(instrument_id)
    _validated(instrument, answers, complete=False)
    return _missing(instrument, answers)


def _resolve(instrument_id: str | Instrument) -> Instrument:
    if isinstance(instrument_id, Instrument):
        return instrument_id
    if not isinstance(instrument_id, str):
        raise ValueError(f"instrument must be an id or an Instrument, got {instrument_id!r}")
    return get_instrument(instrument_id)


def _validated(instrument: Instrument, answers: Mapping[int, int], *, complete: bool) -> dict[int, int]:
    name = instrument.short_name
    if not isinstance(answers, Mapping):
        raise ValueError(
            f"{name}: answers must be a mapping of item number to value, got {type(answers).__name__}"
        )
    numbers = instrument.item_numbers
    for key, value in answers.items():
        if isinstance(key, bool) or not isinstance(key, int):
            hint = " (convert JSON keys with int())" if isinstance(key, str) and key.strip().isdigit() else ""
            raise ValueError(f"{name}: item {key!r}: item numbers must be int{hint}")
        if key not in numbers:
            raise ValueError(f"{name}: item {key}: unknown item; {name} has items {format_items(numbers)}")
        item = instrument.item(key)
        if not item.allows(value):
            raise ValueError(
                f"{name}: item {key}: {value!r} is not a valid answer; allowed: {item.allowed_description()}"
            )
    shown = {i.number for i in visible_items(instrument, answers)}
    if complete:
        for key in sorted(answers):
            if key not in shown:
                gate = instrument.item(key).show_if
                assert gate is not None  # only a gated item is ever hidden
                why = f"shown only when {instrument.describe(gate)}"
                raise ValueError(f"{name}: item {key}: was skipped ({why}) but has an answer")
        missing = _missing(instrument, answers)
        if missing:
            raise ValueError(f"{name}: missing answers: {_describe_missing(instrument, missing)}")
        for group in instrument.answer_groups:
            given = [n for n in group.items if n in answers]
            if len(given) > group.max_answered:
                raise ValueError(
                    f"{name}: items {format_items(given)}: answer at most {group.max_answered} of items "
                    f"{format_items(group.items)}"
                )
    return {n: v for n, v in answers.items() if n in shown}


def _missing(instrument: Instrument, answers: Mapping[int, Any]) -> tuple[int, ...]:
    return tuple(n for n in required_items(instrument, answers) if n not in answers)


def _describe_missing(instrument: Instrument, missing: tuple[int, ...]) -> str:
    parts = []
    rest = set(missing)
    for group in instrument.answer_groups:
        members = [n for n in group.items if n in rest]
        if members:
            parts.append(f"one of items {' or '.join(str(n) for n in members)}")
            rest -= set(members)
    parts[:0] = [f"item {n}" for n in sorted(rest)]
    return ", ".join(parts)


def _combine(combine: str, scores: list[int], value_min: int | None) -> Number:
    if combine == "sum":
        return sum(scores)
    if combine == "max":
        return max(scores, default=0)
    if combine == "mean":
        return sum(scores) / len(scores) if scores else 0.0
    assert value_min is not None  # parse.py requires it for combine = "count"
    return sum(1 for s in scores if s >= value_min)


def _band(
    instrument: Instrument, total: Number | None, values: Mapping[int, int], named: Mapping[str, Number]
) -> Band | None:
    for band in instrument.bands:
        if band.when is not None:
            if band.when.evaluate(values, named):
                return band
        elif band.min is None or (
            total is not None and band.max is not None and band.min <= total <= band.max
        ):
            return band
    return None


def _num(value: Number) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _explain(
    instrument: Instrument,
    values: Mapping[int, int],
    scores: Mapping[int, int],
    total: Number | None,
    subscales: Mapping[str, Number],
    band: Band | None,
    positive: bool | None,
    indicators: Mapping[str, bool],
    critical: tuple[CriticalFinding, ...],
) -> str:
    scoring = instrument.scoring
    shown_total = "" if total is None else _num(total)  # only triage has no total, and says none
    reversed_items = [n for n in scoring.items if instrument.item(n).reverse_scored]
    rev = f" (item {format_items(reversed_items)} reverse-scored)" if reversed_items else ""
    if scoring.method == "sum" and len(scoring.items) == 1:
        text = f"{instrument.item(scoring.items[0]).label}: {shown_total}"
    elif scoring.method == "sum":
        text = f"Total = sum of items {format_items(scoring.items)}{rev} = {shown_total}"
    elif scoring.method == "mean":
        n = len(scoring.items)
        summed = sum(scores[i] for i in scoring.items)
        text = f"Total = mean of items {format_items(scoring.items)} = {summed} ÷ {n} = {shown_total}"
    elif scoring.method == "domains":
        highest = [
            f"{instrument.subscale(d).id} = highest of items {format_items(instrument.subscale(d).items)}"
            for d in scoring.domains
            if len(instrument.subscale(d).items) > 1
        ]
        sums = " + ".join(_num(subscales[d]) for d in scoring.domains)
        text = f"Total = sum of {len(scoring.domains)} domain scores, not of items ({'; '.join(highest)}): "
        text += f"{sums} = {shown_total}"
    else:
        text = "Not summed; triage by the first band whose rule holds"
        if band is not None and band.when is not None:
            held = band.when.children if band.when.kind == "any" else (band.when,)
            text += ": " + " and ".join(instrument.describe(c) for c in held if c.evaluate(values))
    text += f" (v{instrument.version})."
    if band is not None:
        text += f" Band: {band.label}."
    if positive is not None and instrument.positive_screen is not None:
        screen = instrument.describe(instrument.positive_screen.when)
        text += f" Positive screen ({screen}): {'yes' if positive else 'no'}."
    for rule in instrument.indicators:
        text += f" {rule.label}: {'yes' if indicators[rule.id] else 'no'}."
    if critical:
        text += f" Critical: item {', '.join(str(c.item) for c in critical)}."
    return text
