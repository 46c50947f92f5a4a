"""Parse and validate one instrument file.

A file that is inconsistent is refused with an ``InstrumentDataError`` naming the file and the field:
a band gap, an unknown item in a rule, a number without a source, item wording in a file whose licence
does not allow reproducing it, a domain rule that skips or double-counts an item.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kapstone.clinical.instruments.model import (
    COMBINES,
    DASH,
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
)


def parse_file(path: Path) -> Instrument:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InstrumentDataError(path.name, "(file)", f"not valid TOML: {exc}") from exc
    return _Parser(path.name, raw).instrument()


_ITEM_KEYS = {"number", "label", "text", "options", "range", "anchors", "reverse_scored"}
_ITEM_KEYS |= {"show_if", "section", "recall_period"}
_TOP_KEYS = {"id", "name", "short_name", "version", "kind", "purpose", "direction", "recall_period"}
_TOP_KEYS |= {"instructions", "licence", "sources", "option_sets", "default_options", "items", "scoring"}
_TOP_KEYS |= {"subscales", "bands", "answer_groups", "critical_items", "positive_screen", "indicators"}
_TOP_KEYS |= {"reliability", "response", "remission", "clinical_range", "notes"}


class _Parser:
    def __init__(self, file: str, raw: dict[str, Any]) -> None:
        self.file = file
        self.raw = raw
        self.source_keys: set[str] = set()
        self.items: dict[int, Item] = {}
        self.declared_items = 0

    def fail(self, field: str, message: str) -> InstrumentDataError:
        return InstrumentDataError(self.file, field, message)

    # The value is whatever TOML holds there, checked against ``kind`` at run time: Any to the caller.
    def get(
        self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], field: str, **kw: Any
    ) -> Any:
        if key not in table:
            if "default" in kw:
                return kw["default"]
            raise self.fail(f"{field}{key}", "is required")
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; a stray `true` must not pass as a number.
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(f"{field}{key}", f"must be {_kind_name(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(f"{field}{key}", f"must be {_kind_name(kinds)}, got {value!r}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(f"{field}{key}", "must not be empty")
        return value

    def check_keys(self, table: Mapping[str, Any], allowed: set[str], field: str) -> None:
        extra = sorted(set(table) - allowed)
        if extra:
            raise self.fail(f"{field}{extra[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def sources_of(self, table: Mapping[str, Any], field: str, key: str = "source") -> tuple[str, ...]:
        value = self.get(table, key, (str, list), field)
        keys = (value,) if isinstance(value, str) else tuple(value)
        if not keys:
            raise self.fail(f"{field}{key}", "must name at least one source")
        for k in keys:
            if k not in self.source_keys:
                raise self.fail(f"{field}{key}", f"unknown source {k!r} (define it under [sources])")
        return keys

    def instrument(self) -> Instrument:
        raw = self.raw
        self.check_keys(raw, _TOP_KEYS, "")
        instrument_id = self.get(raw, "id", str, "")
        if self.file != f"{instrument_id}.toml":
            raise self.fail("id", f"{instrument_id!r} does not match the file name")
        sources = self.sources(raw)
        kind = self.choice(raw, "kind", KINDS, "")
        purpose = self.choice(raw, "purpose", PURPOSES, "") if "purpose" in raw else None
        direction = self.choice(raw, "direction", DIRECTIONS, "")
        licence = self.licence(raw)
        items = self.parse_items(raw)
        if not licence.wording_reproduced:
            worded = [i.number for i in items if i.text is not None]
            if worded:
                raise self.fail(f"items[{worded[0] - 1}].text", "licence does not allow reproducing wording")
            if "instructions" in raw:
                raise self.fail("instructions", "licence does not allow reproducing wording")
        subscales = self.parse_subscales(raw)
        scoring = self.parse_scoring(raw, subscales)
        total_range = self.total_range(scoring, subscales)
        score_names = {s.id for s in subscales} | ({"total"} if total_range else set())
        instrument = Instrument(
            id=instrument_id,
            name=self.get(raw, "name", str, ""),
            short_name=self.get(raw, "short_name", str, ""),
            version=self.get(raw, "version", str, ""),
            kind=kind,
            direction=direction,
            recall_period=self.get(raw, "recall_period", str, ""),
            instructions=self.get(raw, "instructions", str, "", default=None),
            licence=licence,
            sources=sources,
            items=items,
            scoring=scoring,
            subscales=subscales,
            bands=self.parse_bands(raw, total_range, score_names, scoring),
            answer_groups=self.parse_answer_groups(raw),
            critical_items=self.parse_critical(raw),
            positive_screen=self.parse_rule(raw, "positive_screen", score_names),
            indicators=tuple(
                self.rule(entry, f"indicators[{n}]", score_names, entry=True)
                for n, entry in enumerate(self.get(raw, "indicators", list, "", default=[]))
            ),
            reliability=self.parse_reliability(raw),
            response=self.parse_threshold(raw, "response", total_range, {"reduction"}),
            remission=self.parse_threshold(raw, "remission", total_range, {"min", "max"}),
            clinical_range=self.parse_threshold(raw, "clinical_range", total_range, {"min", "max"}),
            total_range=total_range,
            notes=tuple(self.get(raw, "notes", list, "", default=[])),
            file=self.file,
            purpose=purpose,
        )
        self.check_direction(instrument)
        self.check_purpose(instrument)
        return instrument

    def check_direction(self, instrument: Instrument) -> None:
        # Outcome rules only make sense with a known good direction, and must point the same way.
        outcome_keys = ("reliability", "response", "remission", "clinical_range")
        if instrument.direction == "neutral":
            present = [k for k in outcome_keys if getattr(instrument, k) is not None]
            if present:
                raise self.fail(present[0], "a neutral-direction instrument has no outcome thresholds")
            return
        worse_up = instrument.direction == "higher_is_worse"
        if instrument.response and not worse_up:
            raise self.fail("response", "a response is a reduction, so it needs direction = higher_is_worse")
        if instrument.remission and (instrument.remission.max is None) == worse_up:
            raise self.fail("remission", f"use {'max' if worse_up else 'min'} when {instrument.direction}")
        if instrument.clinical_range and (instrument.clinical_range.min is None) == worse_up:
            raise self.fail(
                "clinical_range", f"use {'min' if worse_up else 'max'} when {instrument.direction}"
            )

    def check_purpose(self, instrument: Instrument) -> None:
        # An outcome is charted as a trajectory and judged better or worse: it needs both a total and
        # a direction.
        if instrument.purpose != "outcome":
            return
        if instrument.total_range is None:
            raise self.fail("purpose", "an outcome measure needs a total (this instrument has none)")
        if instrument.direction == "neutral":
            raise self.fail("purpose", "an outcome measure needs a direction (not neutral)")

    def choice(self, table: Mapping[str, Any], key: str, allowed: tuple[str, ...], field: str) -> str:
        value: str = self.get(table, key, str, field)
        if value not in allowed:
            raise self.fail(f"{field}{key}", f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def sources(self, raw: Mapping[str, Any]) -> tuple[Source, ...]:
        table = self.get(raw, "sources", dict, "")
        found = []
        for key, entry in table.items():
            field = f"sources.{key}."
            if not isinstance(entry, dict):
                raise self.fail(f"sources.{key}", "must be a table with citation and url")
            self.check_keys(entry, {"citation", "url"}, field)
            found.append(
                Source(
                    key,
                    self.get(entry, "citation", str, field),
                    self.get(entry, "url", str, field, default=None),
                )
            )
        self.source_keys = {s.key for s in found}
        return tuple(found)

    def licence(self, raw: Mapping[str, Any]) -> Licence:
        table = self.get(raw, "licence", dict, "")
        self.check_keys(
            table, {"summary", "wording_reproduced", "wording", "source", "unconfirmed"}, "licence."
        )
        reproduced = self.get(table, "wording_reproduced", bool, "licence.")
        wording = self.get(table, "wording", str, "licence.")
        if not reproduced and not wording.startswith("not reproduced"):
            raise self.fail("licence.wording", "must start with 'not reproduced' and say why")
        return Licence(
            summary=self.get(table, "summary", str, "licence."),
            wording_reproduced=reproduced,
            wording=wording,
            source=self.sources_of(table, "licence."),
            unconfirmed=self.get(table, "unconfirmed", str, "licence.", default=None),
        )

    def option_list(self, value: Any, field: str) -> tuple[Option, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(field, "must be a non-empty list of {value, label}")
        options = []
        for n, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise self.fail(f"{field}[{n}]", "must be a table {value, label}")
            self.check_keys(entry, {"value", "label"}, f"{field}[{n}].")
            options.append(
                Option(
                    self.get(entry, "value", int, f"{field}[{n}]."),
                    self.get(entry, "label", str, f"{field}[{n}]."),
                )
            )
        if len({o.value for o in options}) != len(options):
            raise self.fail(field, "option values must be unique")
        return tuple(options)

    def parse_items(self, raw: Mapping[str, Any]) -> tuple[Item, ...]:
        sets = {
            name: self.option_list(value, f"option_sets.{name}")
            for name, value in self.get(raw, "option_sets", dict, "", default={}).items()
        }
        default = self.get(raw, "default_options", str, "", default=None)
        if default is not None and default not in sets:
            raise self.fail("default_options", f"unknown option set {default!r}")
        entries = self.get(raw, "items", list, "")
        if not entries:
            raise self.fail("items", "must list at least one item")
        self.declared_items = len(entries)
        for n, entry in enumerate(entries):
            field = f"items[{n}]."
            if not isinstance(entry, dict):
                raise self.fail(f"items[{n}]", "must be a table")
            self.check_keys(entry, _ITEM_KEYS, field)
            number = self.get(entry, "number", int, field)
            if number != n + 1:
                raise self.fail(
                    f"{field}number", f"items must be numbered 1, 2, 3… in order; expected {n + 1}"
                )
            options: tuple[Option, ...] = ()
            value_range = anchors = None
            if "range" in entry:
                if "options" in entry:
                    raise self.fail(f"{field}range", "an item has either options or a range, not both")
                rng = self.get(entry, "range", dict, field)
                self.check_keys(rng, {"min", "max"}, f"{field}range.")
                value_range = (
                    self.get(rng, "min", int, f"{field}range."),
                    self.get(rng, "max", int, f"{field}range."),
                )
                if value_range[0] >= value_range[1]:
                    raise self.fail(f"{field}range", "min must be below max")
                anchor_list = self.get(entry, "anchors", list, field)
                if len(anchor_list) != 2 or not all(isinstance(a, str) and a for a in anchor_list):
                    raise self.fail(f"{field}anchors", "must be two labels: [at min, at max]")
                anchors = (anchor_list[0], anchor_list[1])
            else:
                chosen = entry.get("options", default)
                if chosen is None:
                    raise self.fail(f"{field}options", "is required (or set default_options)")
                if isinstance(chosen, str):
                    if chosen not in sets:
                        raise self.fail(f"{field}options", f"unknown option set {chosen!r}")
                    options = sets[chosen]
                else:
                    options = self.option_list(chosen, f"{field}options")
            show_if = None
            if "show_if" in entry:
                show_if = self.condition(entry["show_if"], f"{field}show_if", scores=set())
                later = [i for i in show_if.referenced_items() if i >= number]
                if later:
                    raise self.fail(
                        f"{field}show_if", f"may only depend on earlier items, not item {later[0]}"
                    )
            self.items[number] = Item(
                number=number,
                label=self.get(entry, "label", str, field),
                text=self.get(entry, "text", str, field, default=None),
                options=options,
                value_range=value_range,
                anchors=anchors,
                reverse_scored=self.get(entry, "reverse_scored", bool, field, default=False),
                show_if=show_if,
                section=self.get(entry, "section", str, field, default=None),
                recall_period=self.get(entry, "recall_period", str, field, default=None),
            )
        return tuple(self.items.values())

    def item_numbers(self, value: Any, field: str) -> tuple[int, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(field, "must be a non-empty list of item numbers")
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int) or v not in self.items:
                raise self.fail(field, f"{v!r} is not an item of this instrument")
        if len(set(value)) != len(value):
            raise self.fail(field, "lists an item twice")
        return tuple(value)

    def condition(self, raw: Any, field: str, scores: set[str]) -> Condition:
        if not isinstance(raw, dict):
            raise self.fail(field, "must be a table")
        heads = [k for k in ("item", "score", "count_items", "all", "any") if k in raw]
        if len(heads) != 1:
            raise self.fail(field, "needs exactly one of item, score, count_items, all, any")
        head = heads[0]
        if head in ("all", "any"):
            self.check_keys(raw, {head}, f"{field}.")
            children = raw[head]
            if not isinstance(children, list) or not children:
                raise self.fail(f"{field}.{head}", "must be a non-empty list of conditions")
            parsed = tuple(self.condition(c, f"{field}.{head}[{n}]", scores) for n, c in enumerate(children))
            return Condition(kind=head, children=parsed)
        if head == "count_items":
            self.check_keys(raw, {"count_items", "value_min", "at_least"}, f"{field}.")
            items = self.item_numbers(raw["count_items"], f"{field}.count_items")
            at_least = self.get(raw, "at_least", int, f"{field}.")
            if not 1 <= at_least <= len(items):
                raise self.fail(f"{field}.at_least", f"must be between 1 and {len(items)}")
            return Condition(
                kind="count",
                items=items,
                value_min=self.get(raw, "value_min", int, f"{field}."),
                at_least=at_least,
            )
        self.check_keys(raw, {head, "min", "max", "in"}, f"{field}.")
        lo = self.get(raw, "min", (int, float), f"{field}.", default=None)
        hi = self.get(raw, "max", (int, float), f"{field}.", default=None)
        values = self.get(raw, "in", list, f"{field}.", default=None)
        if lo is None and hi is None and values is None:
            raise self.fail(field, "needs min, max or in")
        if head == "item":
            number = self.get(raw, "item", int, f"{field}.")
            if number not in self.items:
                if self.declared_items >= number > len(self.items):
                    raise self.fail(f"{field}.item", f"item {number} comes later; conditions look back only")
                raise self.fail(f"{field}.item", f"{number} is not an item of this instrument")
            for v in values or ():
                if not self.items[number].allows(v):
                    raise self.fail(f"{field}.in", f"{v!r} is not a valid answer to item {number}")
            return Condition(
                kind="item", item=number, min=lo, max=hi, values=tuple(values) if values else None
            )
        if values is not None:
            raise self.fail(f"{field}.in", "only item conditions take 'in'")
        name = self.get(raw, "score", str, f"{field}.")
        if name not in scores:
            raise self.fail(
                f"{field}.score",
                f"{name!r} is not a score here (known: {', '.join(sorted(scores)) or 'none'})",
            )
        return Condition(kind="score", score=name, min=lo, max=hi)

    def parse_subscales(self, raw: Mapping[str, Any]) -> tuple[Subscale, ...]:
        found: list[Subscale] = []
        for n, entry in enumerate(self.get(raw, "subscales", list, "", default=[])):
            field = f"subscales[{n}]."
            self.check_keys(entry, {"id", "label", "items", "combine", "value_min", "source"}, field)
            combine = self.choice(entry, "combine", COMBINES, field)
            value_min = self.get(entry, "value_min", int, field, default=None)
            if (combine == "count") != (value_min is not None):
                raise self.fail(f"{field}value_min", "is required for combine = 'count' and only there")
            subscale_id = self.get(entry, "id", str, field)
            if subscale_id == "total" or subscale_id in {s.id for s in found}:
                raise self.fail(f"{field}id", f"{subscale_id!r} is reserved or used twice")
            found.append(
                Subscale(
                    id=subscale_id,
                    label=self.get(entry, "label", str, field),
                    items=self.item_numbers(entry.get("items"), f"{field}items"),
                    combine=combine,
                    value_min=value_min,
                    source=self.sources_of(entry, field),
                )
            )
        return tuple(found)

    def parse_scoring(self, raw: Mapping[str, Any], subscales: tuple[Subscale, ...]) -> Scoring:
        table = self.get(raw, "scoring", dict, "")
        self.check_keys(table, {"method", "items", "domains", "source"}, "scoring.")
        method = self.choice(table, "method", SCORING_METHODS, "scoring.")
        items: tuple[int, ...] = ()
        domains: tuple[str, ...] = ()
        if method in ("sum", "mean"):
            items = self.item_numbers(table.get("items", list(self.items)), "scoring.items")
            gated = [n for n in items if self.items[n].show_if is not None]
            if method == "mean" and gated:
                raise self.fail("scoring.items", f"a mean cannot include the skippable item {gated[0]}")
        elif method == "domains":
            domains = tuple(self.get(table, "domains", list, "scoring."))
            known = {s.id: s for s in subscales}
            covered: list[int] = []
            for d in domains:
                if d not in known:
                    raise self.fail("scoring.domains", f"{d!r} is not a subscale")
                covered.extend(known[d].items)
            # A domain rule that skipped or double-counted an item would silently change the total.
            if sorted(covered) != sorted(self.items):
                raise self.fail("scoring.domains", "every item must belong to exactly one domain")
        elif "items" in table or "domains" in table:
            raise self.fail("scoring", "a triage instrument takes neither items nor domains")
        return Scoring(method, items, domains, self.sources_of(table, "scoring."))

    def item_range(self, numbers: tuple[int, ...], combine: str) -> tuple[Number, Number]:
        scored = [
            sorted(
                (self.items[n].score(self.items[n].min_value), self.items[n].score(self.items[n].max_value))
            )
            for n in numbers
        ]
        if combine == "sum":
            return sum(lo for lo, _ in scored), sum(hi for _, hi in scored)
        if combine == "max":
            return max(lo for lo, _ in scored), max(hi for _, hi in scored)
        if combine == "mean":
            return sum(lo for lo, _ in scored) / len(scored), sum(hi for _, hi in scored) / len(scored)
        return 0, len(numbers)

    def total_range(self, scoring: Scoring, subscales: tuple[Subscale, ...]) -> tuple[Number, Number] | None:
        if scoring.method == "triage":
            return None
        if scoring.method == "domains":
            known = {s.id: s for s in subscales}
            ranges = [self.item_range(known[d].items, known[d].combine) for d in scoring.domains]
            return sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)
        return self.item_range(scoring.items, scoring.method)

    def parse_bands(
        self,
        raw: Mapping[str, Any],
        total_range: tuple[Number, Number] | None,
        score_names: set[str],
        scoring: Scoring,
    ) -> tuple[Band, ...]:
        bands = []
        for n, entry in enumerate(self.get(raw, "bands", list, "", default=[])):
            field = f"bands[{n}]."
            self.check_keys(
                entry, {"label", "severity", "min", "max", "when", "source", "unconfirmed"}, field
            )
            when = None
            lo = hi = None
            if scoring.method == "triage":
                if "min" in entry or "max" in entry:
                    raise self.fail(f"{field}min", "a triage instrument has no total; use 'when'")
                if "when" in entry:
                    when = self.condition(entry["when"], f"{field}when", score_names)
            else:
                if "when" in entry:
                    raise self.fail(f"{field}when", "bands on a total use min and max")
                lo = self.get(entry, "min", int, field)
                hi = self.get(entry, "max", int, field)
                if lo > hi:
                    raise self.fail(f"{field}max", "must not be below min")
            bands.append(
                Band(
                    label=self.get(entry, "label", str, field),
                    severity=self.choice(entry, "severity", SEVERITIES, field),
                    min=lo,
                    max=hi,
                    when=when,
                    source=self.sources_of(entry, field),
                    unconfirmed=self.get(entry, "unconfirmed", str, field, default=None),
                )
            )
        if not bands:
            return ()
        if scoring.method == "triage":
            defaults = [n for n, b in enumerate(bands) if b.when is None]
            if defaults != [len(bands) - 1]:
                raise self.fail("bands", "triage bands are checked in order; only the last may lack 'when'")
            return tuple(bands)
        # Bands on a total must tile its whole range: a gap would leave a score without a band.
        assert total_range is not None  # only a triage instrument has no total
        if any(isinstance(v, float) and not v.is_integer() for v in total_range):
            raise self.fail("bands", "bands need a whole-number total range")
        expected = total_range[0]
        for n, band in enumerate(bands):
            if band.min != expected:
                raise self.fail(
                    f"bands[{n}].min", f"expected {expected} (bands must be contiguous, ascending)"
                )
            assert band.max is not None  # bands on a total always have min and max (read above)
            expected = band.max + 1
        if bands[-1].max != total_range[1]:
            raise self.fail(f"bands[{len(bands) - 1}].max", f"expected {total_range[1]}, the highest total")
        return tuple(bands)

    def parse_answer_groups(self, raw: Mapping[str, Any]) -> tuple[AnswerGroup, ...]:
        groups = []
        seen: set[int] = set()
        for n, entry in enumerate(self.get(raw, "answer_groups", list, "", default=[])):
            field = f"answer_groups[{n}]."
            self.check_keys(entry, {"items", "min_answered", "max_answered", "note"}, field)
            items = self.item_numbers(entry.get("items"), f"{field}items")
            if seen & set(items):
                raise self.fail(f"{field}items", "an item may belong to one answer group only")
            seen |= set(items)
            lo = self.get(entry, "min_answered", int, field)
            hi = self.get(entry, "max_answered", int, field)
            if not 0 <= lo <= hi <= len(items):
                raise self.fail(
                    f"{field}max_answered", "need 0 <= min_answered <= max_answered <= len(items)"
                )
            groups.append(AnswerGroup(items, lo, hi, self.get(entry, "note", str, field, default=None)))
        return tuple(groups)

    def parse_critical(self, raw: Mapping[str, Any]) -> tuple[CriticalItem, ...]:
        found = []
        for n, entry in enumerate(self.get(raw, "critical_items", list, "", default=[])):
            field = f"critical_items[{n}]."
            self.check_keys(entry, {"item", "min", "max", "in", "meaning", "source", "unconfirmed"}, field)
            condition = {k: entry[k] for k in ("item", "min", "max", "in") if k in entry}
            when = self.condition(condition, f"critical_items[{n}]", scores=set())
            assert when.item is not None  # without "item" the condition above is refused
            found.append(
                CriticalItem(
                    item=when.item,
                    when=when,
                    meaning=self.get(entry, "meaning", str, field),
                    source=self.sources_of(entry, field),
                    unconfirmed=self.get(entry, "unconfirmed", str, field, default=None),
                )
            )
        return tuple(found)

    def parse_rule(self, raw: Mapping[str, Any], key: str, score_names: set[str]) -> Rule | None:
        if key not in raw:
            return None
        return self.rule(self.get(raw, key, dict, ""), key, score_names)

    def rule(self, table: Any, key: str, score_names: set[str], *, entry: bool = False) -> Rule:
        """A rule from its table; an ``entry`` of a list (``indicators``) carries its own ``id``."""
        field = f"{key}."
        allowed = {"label", "when", "source", "unconfirmed"} | ({"id"} if entry else set())
        self.check_keys(table, allowed, field)
        return Rule(
            id=self.get(table, "id", str, field) if entry else key,
            label=self.get(table, "label", str, field),
            when=self.condition(self.get(table, "when", dict, field), f"{field}when", score_names),
            source=self.sources_of(table, field),
            unconfirmed=self.get(table, "unconfirmed", str, field, default=None),
        )

    def parse_reliability(self, raw: Mapping[str, Any]) -> Reliability | None:
        if "reliability" not in raw:
            return None
        table = self.get(raw, "reliability", dict, "")
        field = "reliability."
        self.check_keys(
            table, {"coefficient", "kind", "reference_sd", "source", "sd_source", "unconfirmed"}, field
        )
        r = self.get(table, "coefficient", float, field)
        sd = self.get(table, "reference_sd", (int, float), field)
        if not 0 < r < 1:
            raise self.fail(f"{field}coefficient", "must be strictly between 0 and 1")
        if not (sd > 0 and math.isfinite(sd)):
            raise self.fail(f"{field}reference_sd", "must be a positive number")
        return Reliability(
            coefficient=r,
            kind=self.choice(table, "kind", RELIABILITY_KINDS, field),
            reference_sd=float(sd),
            source=self.sources_of(table, field),
            sd_source=self.sources_of(table, field, "sd_source"),
            unconfirmed=self.get(table, "unconfirmed", str, field, default=None),
        )

    def parse_threshold(
        self,
        raw: Mapping[str, Any],
        key: str,
        total_range: tuple[Number, Number] | None,
        allowed: set[str],
    ) -> Threshold | None:
        if key not in raw:
            return None
        field = f"{key}."
        table = self.get(raw, key, dict, "")
        self.check_keys(table, allowed | {"label", "source", "unconfirmed"}, field)
        if total_range is None:
            raise self.fail(key, "needs an instrument with a total")
        values = {
            k: self.get(table, k, (int, float), field, default=None) for k in ("min", "max", "reduction")
        }
        given = [k for k in allowed if values[k] is not None]
        if len(given) != 1:
            raise self.fail(key, f"needs exactly one of {', '.join(sorted(allowed))}")
        for k in ("min", "max"):
            v = values[k]
            if v is not None and not total_range[0] <= v <= total_range[1]:
                raise self.fail(
                    f"{field}{k}", f"{v} is outside the total range {total_range[0]}{DASH}{total_range[1]}"
                )
        if values["reduction"] is not None and not 0 < values["reduction"] <= 1:
            raise self.fail(f"{field}reduction", "must be a fraction in (0, 1]")
        return Threshold(
            min=values["min"],
            max=values["max"],
            reduction=values["reduction"],
            label=self.get(table, "label", str, field, default=None),
            source=self.sources_of(table, field),
            unconfirmed=self.get(table, "unconfirmed", str, field, default=None),
        )


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {
        int: "a whole number",
        float: "a number",
        str: "text",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)
