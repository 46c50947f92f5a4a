"""Relations between a protocol's fields and settings, checked on load and again after every override.

Each problem is one sentence naming the dotted field, so a file author or a practice admin sees what to
change: ``thresholds.rr_critical.limit (11) must be at or below thresholds.rr_low.limit (10), ...``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from kapstone.clinical.protocols.model import (
    ABSOLUTE_COMPARISONS,
    RELATIVE_COMPARISONS,
    SEVERITIES,
    STOCK_FORMS,
    Protocol,
    Threshold,
)
from kapstone.clinical.protocols.schedule import observation_end_minutes, schedule_offsets


def inconsistencies(p: Protocol) -> list[str]:
    """Relations between fields and settings; checked on load and again after every override."""
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
        out.extend(f"thresholds.{th.id}: {problem}" for problem in _threshold_problems(th))

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
        same_kind = a.relative_to == b.relative_to and a.direction == b.direction
        if a.parameter != b.parameter or a.when != b.when or not same_kind or a.severity == b.severity:
            continue
        mild, severe = sorted((a, b), key=lambda t: SEVERITIES.index(t.severity))
        # "further out": a higher limit for a high-side or a relative (change) threshold, lower for low.
        further_up = a.direction == "high" or a.relative_to is not None
        if (severe.limit.value < mild.limit.value) if further_up else (severe.limit.value > mild.limit.value):
            yield (
                f"thresholds.{severe.id}.limit ({severe.limit.value}) must be "
                f"{'at or above' if further_up else 'at or below'} thresholds.{mild.id}.limit "
                f"({mild.limit.value}), the milder alert"
            )


def _threshold_problems(th: Threshold) -> Iterator[str]:
    if (th.sustained_minutes is None) != (th.sustained_severity is None):
        yield "sustained_minutes and sustained_severity go together"
    if th.relative_to is None and th.comparison not in ABSOLUTE_COMPARISONS:
        absolute = ", ".join(ABSOLUTE_COMPARISONS)
        yield f"comparison {th.comparison!r} needs relative_to (or use one of {absolute})"
    if th.relative_to is not None:
        if th.comparison not in RELATIVE_COMPARISONS:
            relative = ", ".join(RELATIVE_COMPARISONS)
            yield f"a threshold relative_to {th.relative_to!r} compares with one of {relative}"
        if th.sustained_minutes is not None:
            yield "a relative threshold cannot be sustained"
        if th.limit.value <= 0:
            yield "limit: a change must be greater than 0"
        if th.relative_to == "baseline" and th.when != "after_dose":
            yield "a change from the pre-dose baseline applies after the dose: use when = 'after_dose'"
    if th.holds_dose and (th.severity != "critical" or th.when == "after_dose"):
        yield "holds_dose needs severity 'critical' and when 'pre_dose' or 'always'"
