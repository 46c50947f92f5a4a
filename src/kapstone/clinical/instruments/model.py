"""The shape of an instrument: frozen dataclasses filled from a reference data file.

Numbers are never defaulted here: every cut-off, band and constant comes from the data file, with its
source (see ``parse.py`` for the checks and ``docs/clinical.md`` for the format).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Ordered from least to most severe; the UI maps these to colours.
SEVERITIES = ("none", "mild", "moderate", "moderately_severe", "severe", "very_severe")
DIRECTIONS = ("higher_is_worse", "higher_is_better", "neutral")
KINDS = ("self_report", "observation")
SCORING_METHODS = ("sum", "mean", "domains", "triage")
COMBINES = ("sum", "max", "mean", "count")
RELIABILITY_KINDS = ("internal_consistency", "test_retest")
# What an instrument is for: ``outcome`` measures track symptoms over a course (trajectories, reliable
# change, the client's progress page); ``screening`` instruments inform eligibility and risk; ``session``
# instruments describe one medicine session (observation scales, the EBI). A file without ``purpose``
# counts as none of these, so a new instrument never shows up as a client's progress by accident.
PURPOSES = ("outcome", "screening", "session")

Number = int | float
DASH = "\u2013"  # en dash for ranges in text shown to clinicians


class InstrumentDataError(ValueError):
    """A reference data file is malformed; the message names the file and the field."""

    def __init__(self, file: str, field: str, message: str) -> None:
        super().__init__(f"{file}: {field}: {message}")
        self.file = file
        self.field = field


def format_items(numbers: tuple[int, ...] | list[int]) -> str:
    """``(1, 2, 3, 4, 6)`` -> ``"1\u20134, 6"`` (en dash): item lists in explanations stay short."""
    ordered = sorted(set(numbers))
    runs: list[str] = []
    start: int | None = None
    prev: int | None = None
    for n in [*ordered, None]:
        if start is not None and (n is None or prev is None or n != prev + 1):
            runs.append(str(start) if start == prev else f"{start}{DASH}{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(runs)


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    url: str | None = None


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Condition:
    """A predicate over the answers (raw option values) and the computed scores.

    ``kind`` is one of ``item`` (one answer within ``min``/``max``/``values``), ``score`` (``total`` or a
    subscale within ``min``/``max``), ``count`` (at least ``at_least`` of ``items`` answered ``>=
    value_min``), ``all`` or ``any`` (of ``children``). An unanswered or skipped item never matches.
    """

    kind: str
    item: int | None = None
    score: str | None = None
    min: Number | None = None
    max: Number | None = None
    values: tuple[int, ...] | None = None
    items: tuple[int, ...] = ()
    value_min: int | None = None
    at_least: int | None = None
    children: tuple[Condition, ...] = ()

    def evaluate(self, values: Mapping[int, int], scores: Mapping[str, Number] | None = None) -> bool:
        if self.kind == "all":
            return all(c.evaluate(values, scores) for c in self.children)
        if self.kind == "any":
            return any(c.evaluate(values, scores) for c in self.children)
        if self.kind == "count":
            # parse.py reads both for every count condition.
            assert self.value_min is not None and self.at_least is not None
            value_min = self.value_min
            hits = sum(1 for i in self.items if values.get(i) is not None and values[i] >= value_min)
            return hits >= self.at_least
        found: Number | None = None
        if self.kind == "item" and self.item is not None:
            found = values.get(self.item)
        elif self.kind != "item" and self.score is not None:
            found = (scores or {}).get(self.score)
        if found is None:
            return False
        if self.values is not None and found not in self.values:
            return False
        if self.min is not None and found < self.min:
            return False
        return not (self.max is not None and found > self.max)

    def describe(self, label: Callable[[int, int], str | None] | None = None, *, outer: bool = True) -> str:
        """Readable form, e.g. ``item 14 = Yes and part1 ≥ 7``; ``label`` maps (item, value) to a label."""
        if self.kind in ("all", "any"):
            joiner = " and " if self.kind == "all" else " or "
            text = joiner.join(c.describe(label, outer=False) for c in self.children)
            return text if outer else f"({text})"
        if self.kind == "count":
            return f"at least {self.at_least} of items {format_items(self.items)} rated ≥ {self.value_min}"
        name = f"item {self.item}" if self.kind == "item" else self.score
        parts = []
        if self.values is not None:
            item = self.item
            shown = ", ".join(
                ((label and item is not None and label(item, v)) or str(v)) for v in self.values
            )
            parts.append(f"{name} = {shown}" if len(self.values) == 1 else f"{name} in {{{shown}}}")
        if self.min is not None and self.max is not None:
            parts.append(f"{self.min} ≤ {name} ≤ {self.max}")
        elif self.min is not None:
            parts.append(f"{name} ≥ {self.min}")
        elif self.max is not None:
            parts.append(f"{name} ≤ {self.max}")
        return " and ".join(parts)

    def referenced_items(self) -> set[int]:
        found = {self.item} if self.item is not None else set()
        found.update(self.items)
        for child in self.children:
            found |= child.referenced_items()
        return found

    def referenced_scores(self) -> set[str]:
        found = {self.score} if self.score is not None else set()
        for child in self.children:
            found |= child.referenced_scores()
        return found


@dataclass(frozen=True)
class Item:
    number: int
    label: str
    text: str | None
    options: tuple[Option, ...]
    value_range: tuple[int, int] | None
    anchors: tuple[str, str] | None
    reverse_scored: bool
    show_if: Condition | None
    section: str | None
    recall_period: str | None

    @property
    def min_value(self) -> int:
        return self.value_range[0] if self.value_range else min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        return self.value_range[1] if self.value_range else max(o.value for o in self.options)

    def allows(self, value: object) -> bool:
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        if self.value_range:
            return self.value_range[0] <= value <= self.value_range[1]
        return any(o.value == value for o in self.options)

    def allowed_description(self) -> str:
        if self.value_range:
            return f"a whole number from {self.value_range[0]} to {self.value_range[1]}"
        return ", ".join(f"{o.value} ({o.label})" for o in self.options)

    def score(self, value: int) -> int:
        # Reversal mirrors the value within the item's own range, so "no" on DAST-10 item 3 scores 1.
        return self.min_value + self.max_value - value if self.reverse_scored else value

    def option_label(self, value: int) -> str | None:
        return next((o.label for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Subscale:
    id: str
    label: str
    items: tuple[int, ...]
    combine: str
    value_min: int | None
    source: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    method: str
    items: tuple[int, ...]
    domains: tuple[str, ...]
    source: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    label: str
    severity: str
    min: Number | None
    max: Number | None
    when: Condition | None
    source: tuple[str, ...]
    unconfirmed: str | None


@dataclass(frozen=True)
class AnswerGroup:
    items: tuple[int, ...]
    min_answered: int
    max_answered: int
    note: str | None


@dataclass(frozen=True)
class CriticalItem:
    item: int
    when: Condition
    meaning: str
    source: tuple[str, ...]
    unconfirmed: str | None


@dataclass(frozen=True)
class Rule:
    """A named yes/no rule: the positive screen, or an indicator such as a provisional diagnosis."""

    id: str
    label: str
    when: Condition
    source: tuple[str, ...]
    unconfirmed: str | None


@dataclass(frozen=True)
class Reliability:
    coefficient: float
    kind: str
    reference_sd: float
    source: tuple[str, ...]
    sd_source: tuple[str, ...]
    unconfirmed: str | None


@dataclass(frozen=True)
class Threshold:
    """A cut-off on the total: remission (``max``/``min``), response (``reduction``) or the clinical range.

    For the clinical range, ``min`` means "scores at or above min are in the clinical range" (for
    instruments where higher is worse) and ``max`` the reverse.
    """

    min: Number | None
    max: Number | None
    reduction: float | None
    label: str | None
    source: tuple[str, ...]
    unconfirmed: str | None


@dataclass(frozen=True)
class Licence:
    summary: str
    wording_reproduced: bool
    wording: str
    source: tuple[str, ...]
    unconfirmed: str | None


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    short_name: str
    version: str
    kind: str
    direction: str
    recall_period: str
    instructions: str | None
    licence: Licence
    sources: tuple[Source, ...]
    items: tuple[Item, ...]
    scoring: Scoring
    subscales: tuple[Subscale, ...]
    bands: tuple[Band, ...]
    answer_groups: tuple[AnswerGroup, ...]
    critical_items: tuple[CriticalItem, ...]
    positive_screen: Rule | None
    indicators: tuple[Rule, ...]
    reliability: Reliability | None
    response: Threshold | None
    remission: Threshold | None
    clinical_range: Threshold | None
    total_range: tuple[Number, Number] | None
    notes: tuple[str, ...]
    file: str
    purpose: str | None = None

    @property
    def is_outcome(self) -> bool:
        """An outcome measure: charted over a course and shown to the client as progress."""
        return self.purpose == "outcome"

    def item(self, number: int) -> Item:
        for candidate in self.items:
            if candidate.number == number:
                return candidate
        raise KeyError(number)

    def subscale(self, subscale_id: str) -> Subscale:
        for candidate in self.subscales:
            if candidate.id == subscale_id:
                return candidate
        raise KeyError(subscale_id)

    def source(self, key: str) -> Source:
        for candidate in self.sources:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    @property
    def item_numbers(self) -> tuple[int, ...]:
        return tuple(i.number for i in self.items)

    def describe(self, condition: Condition) -> str:
        """The condition in words, with option labels instead of raw values."""
        return condition.describe(lambda number, value: self.item(number).option_label(value))
