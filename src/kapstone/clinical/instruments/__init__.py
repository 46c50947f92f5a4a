"""Instrument definitions, loaded from the versioned reference data files.

Every questionnaire and observation scale is a TOML file in ``data/instruments/<id>.toml``; this module
turns it into frozen dataclasses and refuses a file that is inconsistent (a band gap, an unknown item in
a rule, a number without a source, item wording in a file whose licence does not allow reproducing it).
Errors name the file and the field. The file format is documented in ``docs/clinical.md``.

Skip logic lives here too (:func:`visible_items`, :func:`required_items`) because the UI needs it
without scoring anything.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from kapstone.clinical.instruments.display import format_score, score_decimals
from kapstone.clinical.instruments.model import (
    COMBINES,
    DIRECTIONS,
    KINDS,
    PURPOSES,
    RELIABILITY_KINDS,
    SCORING_METHODS,
    SEVERITIES,
    AnswerGroup,
    Band,
    Condition,
    CriticalItem,
    Instrument,
    InstrumentDataError,
    Item,
    Licence,
    Number,
    Option,
    Reliability,
    Rule,
    Scoring,
    Source,
    Subscale,
    Threshold,
    format_items,
)
from kapstone.clinical.instruments.parse import parse_file

__all__ = [
    "COMBINES",
    "DIRECTIONS",
    "KINDS",
    "PURPOSES",
    "RELIABILITY_KINDS",
    "SCORING_METHODS",
    "SEVERITIES",
    "AnswerGroup",
    "Band",
    "Condition",
    "CriticalItem",
    "Instrument",
    "InstrumentDataError",
    "Item",
    "Licence",
    "Number",
    "Option",
    "Reliability",
    "Rule",
    "Scoring",
    "Source",
    "Subscale",
    "Threshold",
    "all_instruments",
    "format_items",
    "format_score",
    "get_instrument",
    "load_instrument",
    "required_items",
    "score_decimals",
    "visible_items",
]


def visible_items(instrument: Instrument, answers: Mapping[int, object]) -> tuple[Item, ...]:
    """The items shown given the answers so far (skip logic), in order.

    An item whose ``show_if`` refers to an unanswered or hidden item is hidden, so a chain of
    conditions collapses as soon as an earlier gate is closed.
    """
    shown: list[Item] = []
    seen: dict[int, Any] = {}
    for item in instrument.items:
        if item.show_if is None or item.show_if.evaluate(seen):
            shown.append(item)
            if item.number in answers and item.allows(answers[item.number]):
                seen[item.number] = answers[item.number]
    return tuple(shown)


def required_items(instrument: Instrument, answers: Mapping[int, object]) -> tuple[int, ...]:
    """Item numbers that must be answered, given the answers so far.

    Items in an answer group (e.g. QIDS-SR16 "item 6 or 7") are required only while the group has
    fewer answers than its minimum; then every shown member of the group is listed.
    """
    shown = {i.number for i in visible_items(instrument, answers)}
    grouped = {n for g in instrument.answer_groups for n in g.items}
    required = {n for n in shown if n not in grouped}
    for group in instrument.answer_groups:
        members = [n for n in group.items if n in shown]
        if members and sum(1 for n in members if n in answers) < group.min_answered:
            required.update(members)
    return tuple(sorted(required))


def get_instrument(instrument_id: str) -> Instrument:
    """The shipped instrument with this id (cached). Raises ``ValueError`` for an unknown id."""
    loaded = _load_shipped()
    if instrument_id not in loaded:
        raise ValueError(f"unknown instrument {instrument_id!r}; known: {', '.join(sorted(loaded))}")
    return loaded[instrument_id]


def all_instruments() -> tuple[Instrument, ...]:
    """Every shipped instrument, ordered by id (cached)."""
    return tuple(v for _, v in sorted(_load_shipped().items()))


def load_instrument(path: str | Path) -> Instrument:
    """Parse and validate one instrument file (for practice overrides and tests; not cached)."""
    return parse_file(Path(path))


@functools.cache
def _load_shipped() -> dict[str, Instrument]:
    folder = resources.files("kapstone.clinical") / "data" / "instruments"
    loaded: dict[str, Instrument] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            instrument = load_instrument(Path(str(entry)))
            loaded[instrument.id] = instrument
    return loaded
