"""Medicine-session protocols: one versioned data file per route/product, loaded into frozen dataclasses.

A protocol holds the clinical rules for one route: dose rule, stock strengths, minimum observation time,
effect phases, vitals schedule, alert thresholds, discharge rule, adverse-event categories and (for
esketamine) the REMS reporting form. Its numbers live in ``data/protocols/<id>.toml`` as *settings*
(:class:`Param`): a value with unit, sources and the bounds a practice may move it within. The format
is described in ``docs/protocols.md``.

By concern: ``model`` (the dataclasses, whose field names are the TOML keys), ``parse`` (reading and
validating a file), ``checks`` (relations between fields, on load and after every override),
``schedule`` (check times in minutes after the dose) and ``overrides`` (a practice's changed settings,
refused outside their bounds). Callers import from this package.
"""

from kapstone.clinical.protocols.model import (
    ABSOLUTE_COMPARISONS,
    COMPARISONS,
    DOSE_BASES,
    FIELD_KINDS,
    OBSERVATION_ANCHORS,
    RELATIVE_COMPARISONS,
    RELATIVE_TO,
    SEVERITIES,
    STOCK_FORMS,
    WHEN,
    AdverseEventCategory,
    BoosterRule,
    Criterion,
    DischargeRule,
    DoseRule,
    FixedCheck,
    FormField,
    FormSection,
    Infusion,
    Monitoring,
    Observation,
    Override,
    Phases,
    Protocol,
    ReportingForm,
    Segment,
    Stock,
    Threshold,
)
from kapstone.clinical.protocols.overrides import apply_overrides
from kapstone.clinical.protocols.parse import all_protocols, get_protocol, load_protocol
from kapstone.clinical.tables import SCHEMA, Param, ProtocolError
from kapstone.clinical.vitals import VitalRange, vital_ranges

__all__ = [
    "ABSOLUTE_COMPARISONS",
    "COMPARISONS",
    "DOSE_BASES",
    "FIELD_KINDS",
    "OBSERVATION_ANCHORS",
    "RELATIVE_COMPARISONS",
    "RELATIVE_TO",
    "SCHEMA",
    "SEVERITIES",
    "STOCK_FORMS",
    "WHEN",
    "AdverseEventCategory",
    "BoosterRule",
    "Criterion",
    "DischargeRule",
    "DoseRule",
    "FixedCheck",
    "FormField",
    "FormSection",
    "Infusion",
    "Monitoring",
    "Observation",
    "Override",
    "Param",
    "Phases",
    "Protocol",
    "ProtocolError",
    "ReportingForm",
    "Segment",
    "Stock",
    "Threshold",
    "VitalRange",
    "all_protocols",
    "apply_overrides",
    "get_protocol",
    "load_protocol",
    "vital_ranges",
]
