"""The protocol model: frozen dataclasses whose field names are the TOML keys of a protocol file.

Field metadata drives the reader (``parse.py``): ``choices`` lists the allowed words ("vitals": the
parameter ids of ``data/vitals.toml``), ``unit`` says which unit a setting must carry ("dose": the dose
rule's unit, "parameter": the threshold parameter's unit), ``symbols`` names the words a time point may
use, and ``skip`` marks fields that no file sets. The format is documented in ``docs/protocols.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from typing import Any

from kapstone.clinical.tables import Param

DOSE_BASES = ("mg_per_kg", "fixed_mg")
STOCK_FORMS = {"solution": "mg/mL", "unit": "mg", "device": "mg"}
OBSERVATION_ANCHORS = ("dose", "infusion_end")
WHEN = ("pre_dose", "after_dose", "always")
# An absolute threshold compares the value with its limit; a relative one compares the change from a
# reference reading ("relative_to") with its limit, in the parameter's unit.
ABSOLUTE_COMPARISONS = (">", ">=", "<", "<=")
RELATIVE_COMPARISONS = ("fall_greater_than", "rise_greater_than")
COMPARISONS = ABSOLUTE_COMPARISONS + RELATIVE_COMPARISONS
# "baseline": the client's last reading of that parameter at or before the dose, in this session; the
# dose fixes it, so a threshold relative to it applies after the dose.
RELATIVE_TO = ("baseline",)
SEVERITIES = ("review", "warning", "critical")  # ascending urgency; meanings in docs/severity.md
FIELD_KINDS = ("text", "date", "integer", "yes_no", "choice", "blood_pressure")


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
    # Set for a change from a reference reading; then ``comparison`` is a RELATIVE_COMPARISONS word.
    relative_to: str | None = field(default=None, metadata={"choices": RELATIVE_TO})
    # True: while the newest pre-dose reading breaches it, no dose may be recorded (no override).
    holds_dose: bool = False

    @property
    def direction(self) -> str:
        """Which side of normal a breach lies on: "high" or "low"."""
        return "high" if self.comparison in (">", ">=", "rise_greater_than") else "low"


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
        return dict(walk_params(self, ""))

    def param(self, path: str) -> Param:
        params = self.params()
        if path not in params:
            raise KeyError(f"{self.id}: no setting {path!r}")
        return params[path]


def walk_params(obj: Any, prefix: str) -> Iterator[tuple[str, Param]]:
    """Every ``Param`` under ``obj`` by dotted path; list items are addressed by their ``id``."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        if isinstance(value, Param):
            yield path, value
        elif is_dataclass(value):
            yield from walk_params(value, path + ".")
        elif isinstance(value, tuple) and f.name != "overrides":
            for item in value:
                if is_dataclass(item) and hasattr(item, "id"):
                    yield from walk_params(item, f"{path}.{item.id}.")
