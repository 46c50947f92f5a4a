"""Medicine-session protocols: one versioned data file per route/product, loaded into frozen dataclasses.

A protocol holds the clinical rules for one route: dose rule, stock strengths, minimum observation time,
effect phases, vitals schedule, alert thresholds, discharge rule, adverse-event categories and (for
esketamine) the REMS reporting form. Its numbers live in ``data/protocols/<id>.toml`` as *settings*
(:class:`Param`): a value with unit, sources and the bounds a practice may move it within. The format
is described in ``docs/protocols.md``; TOML keys are exactly the dataclass field names below, and the
reader is driven by those dataclasses, so the two cannot drift apart.

Loading checks every field (type, unit, choice, unknown keys) and the relations between fields
(minimum <= default <= maximum, checks far enough apart for their grace windows, ...), and fails with
the file and the field named. Practice overrides go through :func:`apply_overrides`, which refuses
values outside a setting's bounds and returns a new protocol whose ``version_label`` records the change.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

SCHEMA = 1
DOSE_BASES = ("mg_per_kg", "fixed_mg")
STOCK_FORMS = {"solution": "mg/mL", "unit": "mg", "device": "mg"}
OBSERVATION_ANCHORS = ("dose", "infusion_end")
WHEN = ("pre_dose", "after_dose", "always")
COMPARISONS = (">", ">=", "<", "<=")
SEVERITIES = ("review", "warning", "critical")  # ascending urgency
FIELD_KINDS = ("text", "date", "integer", "yes_no", "choice", "blood_pressure")
# Units whose values must be whole numbers: a practice cannot set "12.5 min" or "1.5 boosters".
_WHOLE_UNITS = frozenset({"min", "count", "days", "score", "mmHg", "bpm", "%", "breaths/min"})


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


@dataclass(frozen=True)
class BoosterRule:
    max_count: Param = field(metadata={"unit": "count"})
    # All doses of one session together, boosters included, in the dose unit.
    session_maximum: Param = field(metadata={"unit": "dose"})
    max_each: Param | None = field(default=None, metadata={"unit": "dose"})
    earliest_minutes: Param | None = field(default=None, metadata={"unit": "min"})


@dataclass(frozen=True)
class DoseRule:
    basis: str = field(metadata={"choices": DOSE_BASES})
    # Which body weight mg/kg refers to (not standardised; the reference leaves it open).
    weight: str = field(metadata={"choices": ("actual", "ideal", "adjusted")})
    default: Param = field(metadata={"unit": "dose"})
    minimum: Param = field(metadata={"unit": "dose"})
    maximum: Param = field(metadata={"unit": "dose"})
    booster: BoosterRule
    step: Param | None = field(default=None, metadata={"unit": "dose"})
    note: str = ""

    @property
    def unit(self) -> str:
        return "mg/kg" if self.basis == "mg_per_kg" else "mg"


@dataclass(frozen=True)
class Stock:
    # "solution" (strengths in mg/mL), "unit" (mg per tablet/lozenge) or "device" (mg per device).
    form: str = field(metadata={"choices": tuple(STOCK_FORMS)})
    strengths: tuple[Decimal, ...]
    unit: str
    sources: tuple[str, ...]
    dilute_before_use: tuple[Decimal, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Infusion:
    duration_minutes: Param = field(metadata={"unit": "min"})
    bag_volume_ml: Param = field(metadata={"unit": "mL"})


@dataclass(frozen=True)
class Observation:
    minimum_minutes: Param = field(metadata={"unit": "min"})
    counted_from: str = field(metadata={"choices": OBSERVATION_ANCHORS})


@dataclass(frozen=True)
class Phases:
    peak_start_minutes: Param = field(metadata={"unit": "min"})
    peak_end_minutes: Param = field(metadata={"unit": "min"})


@dataclass(frozen=True)
class Segment:
    """Checks every ``every_minutes`` in (start, end], in minutes after the dose or symbolic points."""

    id: str
    every_minutes: Param = field(metadata={"unit": "min"})
    start: int | str = field(metadata={"symbols": ("infusion_end",)})
    end: int | str = field(metadata={"symbols": ("infusion_end", "discharge")})  # "discharge": open-ended
    sources: tuple[str, ...]


@dataclass(frozen=True)
class FixedCheck:
    id: str
    at_minutes: int
    label: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Monitoring:
    parameters: tuple[str, ...] = field(metadata={"choices": "vitals"})
    continuous_spo2: bool
    early_minutes: Param = field(metadata={"unit": "min"})  # a reading this early counts for a check
    grace_minutes: Param = field(metadata={"unit": "min"})  # a check this late is overdue
    segments: tuple[Segment, ...]
    sources: tuple[str, ...]
    checks: tuple[FixedCheck, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Threshold:
    id: str
    parameter: str = field(metadata={"choices": "vitals"})
    when: str = field(metadata={"choices": WHEN})
    comparison: str = field(metadata={"choices": COMPARISONS})
    limit: Param = field(metadata={"unit": "parameter"})
    severity: str = field(metadata={"choices": SEVERITIES})
    message: str
    sustained_minutes: Param | None = field(default=None, metadata={"unit": "min"})
    sustained_severity: str | None = field(default=None, metadata={"choices": SEVERITIES})


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    sources: tuple[str, ...]
    unconfirmed: bool = False


@dataclass(frozen=True)
class DischargeRule:
    aldrete_minimum: Param = field(metadata={"unit": "score"})
    aldrete_variant: str = field(metadata={"choices": ("mmHg", "percent")})
    criteria: tuple[Criterion, ...]
    note: str = ""


@dataclass(frozen=True)
class AdverseEventCategory:
    id: str
    label: str
    examples: tuple[str, ...]
    management: str
    serious: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    kind: str = field(metadata={"choices": FIELD_KINDS})
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    unconfirmed: bool = False
    note: str = ""


@dataclass(frozen=True)
class FormSection:
    id: str
    label: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class ReportingForm:
    id: str
    title: str
    due_within_days: Param = field(metadata={"unit": "days"})
    sections: tuple[FormSection, ...]
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, order=True)
class Override:
    path: str
    old: Decimal  # the protocol file's value, kept across repeated overrides
    new: Decimal


@dataclass(frozen=True)
class Protocol:
    id: str
    version: str
    title: str
    drug: str
    route: str
    summary: str
    dose: DoseRule
    stock: Stock
    observation: Observation
    phases: Phases
    monitoring: Monitoring
    thresholds: tuple[Threshold, ...]
    discharge: DischargeRule
    adverse_events: tuple[AdverseEventCategory, ...]
    infusion: Infusion | None = None
    reporting: tuple[ReportingForm, ...] = ()
    overrides: tuple[Override, ...] = field(default=(), metadata={"skip": True})
    override_label: str = field(default="", metadata={"skip": True})

    @property
    def version_label(self) -> str:
        """``<id>@<version>``, plus ``+<label>`` when a practice override applies (stored with results)."""
        base = f"{self.id}@{self.version}"
        return f"{base}+{self.override_label}" if self.overrides else base

    def params(self) -> dict[str, Param]:
        """Every adjustable setting by dotted path, e.g. ``dose.maximum``, ``thresholds.intra_sbp.limit``."""
        return dict(_walk_params(self, ""))

    def param(self, path: str) -> Param:
        params = self.params()
        if path not in params:
            raise KeyError(f"{self.id}: no setting {path!r}")
        return params[path]

    def with_overrides(self, overrides: Mapping[str, Any], *, label: str = "practice") -> Protocol:
        return apply_overrides(self, overrides, label=label)


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


# --- reading -----------------------------------------------------------------------------------------


_KIND_NAMES = {int: "a number", Decimal: "a number", str: "a string", bool: "true/false", list: "a list"}


class _Table:
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
        value = self.get(key, str)
        if value not in options:
            raise self.fail(key, f"{value!r} is not one of {', '.join(options)}")
        return value

    def sub(self, key: str) -> _Table:
        return _Table(self.get(key, dict), self.file, self.path(key))

    def subs(self, key: str) -> list[_Table]:
        items = self.get(key, list)
        if not all(isinstance(item, dict) for item in items):
            raise self.fail(key, "expected a list of tables")
        return [_Table(item, self.file, self.path(f"{key}[{i}]")) for i, item in enumerate(items)]

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

    def param(self, key: str, unit: str) -> Param:
        t = self.sub(key)
        _reject_unknown(t, ("value", "unit", "bounds", "sources", "unconfirmed", "note"))
        value = t.number("value", t.get("value", (int, Decimal)))
        if t.get("unit", str) != unit:
            raise t.fail("unit", f"expected {unit!r}, got {t.data['unit']!r}")
        bounds = t.numbers("bounds")
        if len(bounds) != 2 or bounds[0] > bounds[1]:
            raise t.fail("bounds", "expected [low, high] with low <= high")
        if not bounds[0] <= value <= bounds[1]:
            raise t.fail("value", f"{value} is outside its own bounds {bounds[0]}-{bounds[1]}")
        if unit in _WHOLE_UNITS and value != value.to_integral_value():
            raise t.fail("value", f"{value} {unit} must be a whole number")
        sources, unconfirmed = t.sources(), t.get("unconfirmed", bool, False)
        if sources == ("design",) and not unconfirmed:
            raise t.fail("unconfirmed", "a value sourced only to 'design' must be marked unconfirmed")
        return Param(value, unit, sources, (bounds[0], bounds[1]), unconfirmed, t.get("note", str, ""))


def _reject_unknown(t: _Table, known: Any) -> None:
    unknown = sorted(set(t.data) - set(known))
    if unknown:
        raise t.fail(unknown[0], f"unknown field; expected one of {', '.join(sorted(known))}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(cls: type, t: _Table, ctx: Mapping[str, Any], extra: tuple[str, ...] = ()) -> Any:
    """Read table ``t`` into dataclass ``cls``, field by field, guided by type hints and metadata."""
    wanted = [f for f in fields(cls) if not f.metadata.get("skip")]
    _reject_unknown(t, [f.name for f in wanted] + list(extra))
    values = {}
    for f in wanted:
        if f.name in t.data:
            values[f.name] = _read(_hints(cls)[f.name], t, f.name, f.metadata, ctx)
        elif f.default is MISSING:
            raise t.fail(f.name, "missing")
    return cls(**values)


def _read(hint: Any, t: _Table, key: str, meta: Mapping[str, Any], ctx: Mapping[str, Any]) -> Any:
    args = get_args(hint)
    if type(None) in args:  # "X | None": present, so read as X
        hint = next(a for a in args if a is not type(None))
        args = get_args(hint)
    choices = ctx["vitals"] if meta.get("choices") == "vitals" else meta.get("choices")
    if hint is Param:
        unit = meta["unit"]
        if unit == "dose":
            unit = ctx["dose_unit"]
        elif unit == "parameter":
            unit = ctx["vitals"][t.data["parameter"]].unit
        return t.param(key, unit)
    if is_dataclass(hint):
        return _build(hint, t.sub(key), ctx)
    if get_origin(hint) is tuple:
        if is_dataclass(args[0]):
            return tuple(_build(args[0], sub, ctx) for sub in t.subs(key))
        if args[0] is Decimal:
            return t.numbers(key)
        if key == "sources":
            return t.sources(key)
        items = t.strings(key)
        for item in items:
            if choices is not None and item not in choices:
                raise t.fail(key, f"{item!r} is not one of {', '.join(choices)}")
        return items
    if hint == int | str:
        value = t.get(key, (int, str))
        if isinstance(value, str) and value not in meta["symbols"]:
            raise t.fail(key, f"{value!r} is not minutes or one of {', '.join(meta['symbols'])}")
        if isinstance(value, int) and value < 0:
            raise t.fail(key, "must not be negative")
        return value
    if hint is str:
        return t.choice(key, choices) if choices is not None else t.get(key, str)
    if hint in (bool, int):
        return t.get(key, hint)
    raise TypeError(f"no reader for {hint!r}")  # a programming error in the dataclasses above


def _parse(raw: Mapping[str, Any], file: str) -> Protocol:
    top = _Table(raw, file)
    if top.get("schema", int) != SCHEMA:
        raise top.fail("schema", f"this kapstone reads schema {SCHEMA}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", top.get("id", str)):
        raise top.fail("id", "use lower-case letters, digits and underscores")
    basis = top.sub("dose").choice("basis", DOSE_BASES)
    ctx = {"vitals": vital_ranges(), "dose_unit": "mg/kg" if basis == "mg_per_kg" else "mg"}
    protocol = _build(Protocol, top, ctx, extra=("schema",))
    problems = _inconsistencies(protocol)
    if problems:
        raise ProtocolError(f"{file}: " + "; ".join(problems))
    return protocol


def _inconsistencies(p: Protocol) -> list[str]:
    """Relations between fields and settings; checked on load and again after every override."""
    from kapstone.clinical.monitoring import observation_end_minutes, schedule_offsets

    out = []
    for path, items in _id_lists(p):
        ids = [x.id for x in items]
        if len(ids) != len(set(ids)):
            out.append(f"{path}: duplicate ids in {ids}")
    if p.stock.unit != STOCK_FORMS[p.stock.form]:
        out.append(f"stock.unit: a {p.stock.form} stock is measured in {STOCK_FORMS[p.stock.form]}")
    if not p.stock.strengths or min(p.stock.strengths) <= 0:
        out.append("stock.strengths: expected at least one positive strength")
    if p.observation.counted_from == "infusion_end" and p.infusion is None:
        return [*out, "observation.counted_from: 'infusion_end' needs an [infusion] table"]
    if p.infusion is None and any("infusion_end" in (s.start, s.end) for s in p.monitoring.segments):
        return [*out, "monitoring.segments: 'infusion_end' needs an [infusion] table"]
    if not p.discharge.criteria:
        out.append("discharge.criteria: a discharge rule needs at least one criterion")
    for form in p.reporting:
        for section in form.sections:
            for ff in section.fields:
                if (ff.kind == "choice") != bool(ff.choices):
                    out.append(
                        f"reporting.{form.id}.{section.id}.{ff.id}: choices go with kind 'choice' only"
                    )
    for th in p.thresholds:
        if (th.sustained_minutes is None) != (th.sustained_severity is None):
            out.append(f"thresholds.{th.id}: sustained_minutes and sustained_severity go together")

    d, u = p.dose, p.dose.unit
    if not d.minimum.value <= d.default.value <= d.maximum.value:
        out.append(
            f"dose.default ({d.default.value} {u}) must lie within dose.minimum-dose.maximum "
            f"({d.minimum.value}-{d.maximum.value} {u})"
        )
    if d.booster.session_maximum.value < d.maximum.value:
        out.append(
            f"dose.booster.session_maximum ({d.booster.session_maximum.value} {u}) must be at least "
            f"dose.maximum ({d.maximum.value} {u})"
        )
    if d.booster.max_count.value > 0 and (d.booster.max_each is None or d.booster.earliest_minutes is None):
        out.append("dose.booster: allowing boosters needs max_each and earliest_minutes")
    if d.booster.max_each is not None and d.booster.max_each.value > d.maximum.value:
        out.append(f"dose.booster.max_each must not exceed dose.maximum ({d.maximum.value} {u})")
    if d.step is not None:
        for name in ("default", "minimum", "maximum"):
            value = getattr(d, name).value
            if value % d.step.value:
                out.append(f"dose.{name} ({value} {u}) must be a multiple of dose.step ({d.step.value} {u})")
    out.extend(_threshold_order(p))

    end = observation_end_minutes(p)
    if p.phases.peak_start_minutes.value >= p.phases.peak_end_minutes.value:
        out.append("phases.peak_start_minutes must be before phases.peak_end_minutes")
    if p.phases.peak_end_minutes.value > end:
        out.append(
            f"phases.peak_end_minutes ({p.phases.peak_end_minutes.value} min) must not be after the end of "
            f"the minimum observation ({end} min after the dose)"
        )
    if not any(seg.end == "discharge" for seg in p.monitoring.segments):
        return [*out, "monitoring.segments: one segment must run until 'discharge' so checks never stop"]
    offsets = schedule_offsets(p, until_minutes=end + 240)
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    window = p.monitoring.early_minutes.as_int + p.monitoring.grace_minutes.as_int
    if gaps and window >= min(gaps):
        out.append(
            f"monitoring: early_minutes + grace_minutes ({window} min) must be shorter than the closest "
            f"two checks ({min(gaps)} min apart), or a check could never be overdue"
        )
    if offsets and offsets[0] <= p.monitoring.early_minutes.value:
        out.append("monitoring: the first check must come later than early_minutes after the dose")
    return out


def _id_lists(p: Protocol) -> Iterator[tuple[str, tuple[Any, ...]]]:
    yield "monitoring.segments", p.monitoring.segments
    yield "monitoring.checks", p.monitoring.checks
    yield "thresholds", p.thresholds
    yield "discharge.criteria", p.discharge.criteria
    yield "adverse_events", p.adverse_events
    yield "reporting", p.reporting
    for form in p.reporting:
        yield f"reporting.{form.id}.sections", form.sections
        for section in form.sections:
            yield f"reporting.{form.id}.{section.id}.fields", section.fields


def _threshold_order(p: Protocol) -> Iterator[str]:
    """A more severe threshold must sit further out than a milder one on the same side of the range."""
    for a, b in itertools.combinations(p.thresholds, 2):
        same_side = a.comparison[0] == b.comparison[0]
        if a.parameter != b.parameter or a.when != b.when or not same_side or a.severity == b.severity:
            continue
        mild, severe = sorted((a, b), key=lambda t: SEVERITIES.index(t.severity))
        high_side = a.comparison[0] == ">"
        if (severe.limit.value < mild.limit.value) if high_side else (severe.limit.value > mild.limit.value):
            yield (
                f"thresholds.{severe.id}.limit ({severe.limit.value}) must be "
                f"{'at or above' if high_side else 'at or below'} thresholds.{mild.id}.limit "
                f"({mild.limit.value}), the milder alert"
            )


def _data_dir() -> Path:
    return Path(str(resources.files("kapstone.clinical"))) / "data"


@cache
def vital_ranges() -> dict[str, VitalRange]:
    """Plausibility ranges from ``data/vitals.toml``, by parameter id (sbp, dbp, hr, spo2, ...)."""
    path = _data_dir() / "vitals.toml"
    with path.open("rb") as fh:
        top = _Table(tomllib.load(fh, parse_float=Decimal), path.name)
    if top.get("schema", int) != SCHEMA:
        raise top.fail("schema", f"this kapstone reads schema {SCHEMA}")
    out = {}
    params = top.sub("parameters")
    for name in params.data:
        t = params.sub(name)
        _reject_unknown(t, ("label", "unit", "plausible", "integer", "sources", "unconfirmed", "note"))
        low, high = t.numbers("plausible")
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
        )
    return out


def load_protocol(path: str | Path) -> Protocol:
    """Load and validate one protocol file (e.g. a practice's own); raises :class:`ProtocolError`."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{path.name}: not valid TOML: {exc}") from exc
    protocol = _parse(raw, path.name)
    if path.stem != protocol.id:
        raise ProtocolError(f"{path.name}: id {protocol.id!r} must match the file name")
    return protocol


@cache
def _bundled() -> dict[str, Protocol]:
    return {p.id: p for p in map(load_protocol, sorted((_data_dir() / "protocols").glob("*.toml")))}


def all_protocols() -> tuple[Protocol, ...]:
    """The bundled protocols, ordered by id."""
    return tuple(_bundled().values())


def get_protocol(protocol_id: str) -> Protocol:
    try:
        return _bundled()[protocol_id]
    except KeyError:
        raise KeyError(f"unknown protocol {protocol_id!r}; known: {', '.join(_bundled())}") from None


# --- overrides ---------------------------------------------------------------------------------------


def _walk_params(obj: Any, prefix: str) -> Iterator[tuple[str, Param]]:
    for f in fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        if isinstance(value, Param):
            yield path, value
        elif is_dataclass(value):
            yield from _walk_params(value, path + ".")
        elif isinstance(value, tuple) and f.name != "overrides":
            for item in value:
                if is_dataclass(item) and hasattr(item, "id"):
                    yield from _walk_params(item, f"{path}.{item.id}.")


def _replace_path(obj: Any, parts: list[str], new: Param) -> Any:
    head, rest = parts[0], parts[1:]
    if not rest:
        return replace(obj, **{head: new})
    value = getattr(obj, head)
    if isinstance(value, tuple):
        item_id, rest = rest[0], rest[1:]
        return replace(
            obj, **{head: tuple(_replace_path(x, rest, new) if x.id == item_id else x for x in value)}
        )
    return replace(obj, **{head: _replace_path(value, rest, new)})


def _decimal(raw: Any, path: str) -> Decimal:
    if isinstance(raw, bool | float) or not isinstance(raw, int | str | Decimal):
        raise TypeError(f"{path}: give the value as int, str or Decimal, not {type(raw).__name__}")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{path}: {raw!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{path}: {raw!r} is not a finite number")
    return value


def apply_overrides(protocol: Protocol, overrides: Mapping[str, Any], *, label: str = "practice") -> Protocol:
    """Return a copy of ``protocol`` with settings changed by a practice.

    ``overrides`` maps a setting path (see :meth:`Protocol.params`) to its new value (int, str or
    Decimal). A value outside the setting's bounds, a fraction where the unit is whole, or a result
    that breaks a relation between settings raises ``ValueError`` saying which bound. Overrides stack:
    applying more to an overridden protocol keeps the file's values in ``Protocol.overrides``, and
    setting a value back to the file's value removes that override. ``version_label`` becomes
    ``<id>@<version>+<label>.<8 hex digits of the override set>``, so equal override sets share a label
    and any change gives a new one. The overridden setting's sources become ``("practice",)``.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", label):
        raise ValueError(f"override label {label!r}: use lower-case letters, digits and hyphens")
    params = protocol.params()
    records = {o.path: o for o in protocol.overrides}
    changed = protocol
    for path, raw in overrides.items():
        if path not in params:
            raise ValueError(f"{protocol.id}: {path!r} is not an adjustable setting")
        current = params[path]
        value = _decimal(raw, path)
        low, high = current.bounds
        if not low <= value <= high:
            raise ValueError(
                f"{protocol.id}: {path} = {value} {current.unit} is outside the protocol's bounds "
                f"{low}-{high} {current.unit}"
            )
        if current.unit in _WHOLE_UNITS and value != value.to_integral_value():
            raise ValueError(f"{protocol.id}: {path} = {value} {current.unit} must be a whole number")
        original = records[path].old if path in records else current.value
        if value == original:
            records.pop(path, None)
            new = _file_param(protocol, path) or replace(current, value=value)
        else:
            records[path] = Override(path, original, value)
            note = f"Practice override; protocol default {original} {current.unit}"
            new = replace(current, value=value, sources=("practice",), unconfirmed=False, note=note)
        changed = _replace_path(changed, path.split("."), new)
    problems = _inconsistencies(changed)
    if problems:
        raise ValueError(
            f"{protocol.id}: these overrides make the protocol inconsistent: " + "; ".join(problems)
        )
    ordered = tuple(sorted(records.values()))
    digest = hashlib.sha256(
        ";".join(f"{o.path}={o.new.normalize():f}" for o in ordered).encode()
    ).hexdigest()[:8]
    return replace(changed, overrides=ordered, override_label=f"{label}.{digest}" if ordered else "")


def _file_param(protocol: Protocol, path: str) -> Param | None:
    base = _bundled().get(protocol.id)
    return base.params().get(path) if base is not None and base.version == protocol.version else None
