"""Monitoring during a medicine session: vitals schedule, due and overdue checks, phases, vitals flags,
plausibility and discharge evaluation.

Everything is a pure function of the protocol and *event times* (dose, readings, discharge, "now"),
never of a running timer, so a page reload or a server restart loses nothing. Times must be
timezone-aware, in any zone; they are converted to UTC on the way in and every datetime returned is
UTC. This is what makes the arithmetic DST-safe: Python adds, subtracts and compares two datetimes
that share a zoneinfo zone by wall clock, so "60 min after 01:30" on a spring-forward night would be
an hour off. Convert to the practice's zone only for display.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from kapstone.clinical.protocols import SEVERITIES, Protocol, Threshold
from kapstone.clinical.protocols.schedule import check_points, observation_end_minutes, schedule_offsets
from kapstone.clinical.vitals import check_plausible_value, derived_values, vital_ranges

__all__ = [
    "CheckState",
    "CriterionResult",
    "DischargeEvaluation",
    "Flag",
    "MonitoringStatus",
    "Phase",
    "Reading",
    "ReadingContext",
    "ScheduledCheck",
    "check_plausible",
    "check_plausible_value",
    "check_vitals",
    "derived_values",
    "evaluate_discharge",
    "monitoring_status",
    "observation_end_minutes",
    "schedule_offsets",
    "scheduled_checks",
    "session_phase",
]


def _utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (store UTC, show in the practice's zone)")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class ScheduledCheck:
    id: str  # "baseline" or "t+<minutes>"
    offset_minutes: int | None  # None for the baseline, which is due before the dose
    due_at: datetime | None  # the baseline is due by the dose time (None before dosing)
    label: str
    source: str  # the segment or fixed check that schedules it


def _labelled(protocol: Protocol, offset: int, source: str, dose_time: datetime) -> ScheduledCheck:
    named = {c.id: c.label for c in protocol.monitoring.checks}
    label = named.get(source, f"Vitals {offset} min after the dose")
    return ScheduledCheck(f"t+{offset}", offset, dose_time + timedelta(minutes=offset), label, source)


def _baseline(dose_time: datetime | None) -> ScheduledCheck:
    return ScheduledCheck("baseline", None, dose_time, "Baseline vitals before the dose", "baseline")


def scheduled_checks(
    protocol: Protocol,
    dose_time: datetime,
    *,
    until: datetime | None = None,
    infusion_minutes: int | None = None,
) -> tuple[ScheduledCheck, ...]:
    """The baseline and every check due up to ``until`` (default: end of the minimum observation).

    Open-ended segments ("until discharge") go on past the minimum observation for as long as the
    session lasts; pass a later ``until`` to see them.
    """
    dose_time = _utc(dose_time, "dose_time")
    if until is None:
        limit = observation_end_minutes(protocol, infusion_minutes=infusion_minutes)
    else:
        limit = math.floor((_utc(until, "until") - dose_time).total_seconds() / 60)
    points = check_points(protocol, max(limit, 0), infusion_minutes)
    return (_baseline(dose_time), *(_labelled(protocol, t, s, dose_time) for t, s in points.items()))


def _due(check: ScheduledCheck) -> datetime:
    """The due time of a check after the dose (only the pre-dose baseline can lack one)."""
    if check.due_at is None:
        raise ValueError(f"{check.id} has no due time before the dose")
    return check.due_at


@dataclass(frozen=True)
class CheckState:
    check: ScheduledCheck
    status: str  # "done", "upcoming", "due", "overdue" or "missed"
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class MonitoringStatus:
    checks: tuple[CheckState, ...]  # every check whose window has opened, then the next one
    next: ScheduledCheck | None
    next_due_at: datetime | None
    seconds_until_next: int | None  # negative when the next check is overdue
    overdue: tuple[ScheduledCheck, ...]  # past due + grace, still recordable in its window
    missed: tuple[ScheduledCheck, ...]  # window closed (or session ended) without a reading
    since_dose: timedelta | None


def monitoring_status(
    protocol: Protocol,
    dose_time: datetime | None,
    recorded: Iterable[datetime],
    now: datetime,
    *,
    discharged_at: datetime | None = None,
    infusion_minutes: int | None = None,
) -> MonitoringStatus:
    """Which checks are done, which is next and when, which are overdue or missed, as of ``now``.

    A reading counts for the check whose window holds it: from ``early_minutes`` before its due time
    up to the opening of the next check's window. The baseline is any reading at or before the dose.
    A check is *overdue* once ``grace_minutes`` past due while its window is open, and *missed* once
    the window closes. Readings and discharge later than ``now`` are ignored, so the status at any
    moment depends only on what had happened by then.
    """
    now = _utc(now, "now")
    readings = sorted(r for r in (_utc(t, "recorded time") for t in recorded) if r <= now)
    if discharged_at is not None:
        discharged_at = _utc(discharged_at, "discharged_at")
        if discharged_at > now:
            discharged_at = None
    if dose_time is not None:
        dose_time = _utc(dose_time, "dose_time")

    if dose_time is None or dose_time > now:
        base = _baseline(None)
        if readings:
            return MonitoringStatus((CheckState(base, "done", readings[0]),), None, None, None, (), (), None)
        return MonitoringStatus((CheckState(base, "due"),), base, None, None, (), (), None)

    early = timedelta(minutes=protocol.monitoring.early_minutes.as_int)
    grace = timedelta(minutes=protocol.monitoring.grace_minutes.as_int)
    base_hits = [r for r in readings if r <= dose_time]
    states = [
        CheckState(
            _baseline(dose_time), "done" if base_hits else "missed", base_hits[0] if base_hits else None
        )
    ]

    elapsed = math.ceil((now - dose_time).total_seconds() / 60)
    longest = max(s.every_minutes.as_int for s in protocol.monitoring.segments)
    horizon = max(elapsed, observation_end_minutes(protocol, infusion_minutes=infusion_minutes)) + 2 * longest
    points = check_points(protocol, horizon, infusion_minutes)
    post = [_labelled(protocol, t, s, dose_time) for t, s in points.items()]
    if discharged_at is not None:
        post = [c for c in post if _due(c) <= discharged_at]

    for i, check in enumerate(post):
        opens = _due(check) - early
        closes = _due(post[i + 1]) - early if i + 1 < len(post) else None
        hit = next(
            (r for r in readings if r > dose_time and opens <= r and (closes is None or r < closes)), None
        )
        if hit is not None:
            status = "done"
        elif discharged_at is not None or (closes is not None and now >= closes):
            status = "missed"
        elif now < opens:
            status = "upcoming"
        elif now <= _due(check) + grace:
            status = "due"
        else:
            status = "overdue"
        states.append(CheckState(check, status, hit))
        if now < opens:
            break  # the first check still in the future is the last one worth listing

    pending = [s.check for s in states if s.status in ("upcoming", "due", "overdue")]
    nxt = pending[0] if pending else None
    return MonitoringStatus(
        checks=tuple(states),
        next=nxt,
        next_due_at=nxt.due_at if nxt else None,
        seconds_until_next=int((_due(nxt) - now).total_seconds()) if nxt else None,
        overdue=tuple(s.check for s in states if s.status == "overdue"),
        missed=tuple(s.check for s in states if s.status == "missed"),
        since_dose=now - dose_time,
    )


# --- phases ------------------------------------------------------------------------------------------


class Phase(StrEnum):
    PRE_DOSE = "pre_dose"
    DOSED = "dosed"
    PEAK = "peak"
    RECOVERY = "recovery"
    DISCHARGE_READY = "discharge_ready"
    DISCHARGED = "discharged"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-")

    @property
    def rank(self) -> int:
        return list(Phase).index(self)


def session_phase(
    protocol: Protocol,
    now: datetime,
    *,
    dose_time: datetime | None = None,
    discharged_at: datetime | None = None,
    infusion_minutes: int | None = None,
) -> Phase:
    """The session's phase at ``now`` from its event times.

    dosed -> peak -> recovery follow the protocol's effect window; *discharge-ready* means the minimum
    observation time has passed (the discharge criteria are checked by :func:`evaluate_discharge`).
    """
    now = _utc(now, "now")
    if discharged_at is not None and _utc(discharged_at, "discharged_at") <= now:
        return Phase.DISCHARGED
    if dose_time is None or (dose_time := _utc(dose_time, "dose_time")) > now:
        return Phase.PRE_DOSE
    minutes = (now - dose_time).total_seconds() / 60
    # Each boundary is at least the previous one, so the phase can only move forward with time.
    peak_start = protocol.phases.peak_start_minutes.as_int
    peak_end = max(peak_start, protocol.phases.peak_end_minutes.as_int)
    ready = max(peak_end, observation_end_minutes(protocol, infusion_minutes=infusion_minutes))
    if minutes < peak_start:
        return Phase.DOSED
    if minutes < peak_end:
        return Phase.PEAK
    if minutes < ready:
        return Phase.RECOVERY
    return Phase.DISCHARGE_READY


# --- readings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    taken_at: datetime
    sbp: int | None = None
    dbp: int | None = None
    hr: int | None = None
    spo2: int | None = None
    rr: int | None = None
    temperature: Decimal | None = None
    moaas: int | None = None

    def values(self) -> dict[str, int | Decimal]:
        return {
            f.name: v
            for f in fields(self)
            if f.name != "taken_at" and (v := getattr(self, f.name)) is not None
        }


@dataclass(frozen=True)
class ReadingContext:
    dose_time: datetime | None  # None before dosing: pre-dose thresholds apply
    # This session's previous readings: for sustained thresholds and the pre-dose baseline.
    earlier: tuple[Reading, ...] = ()

    def baseline(self, parameter: str, before: datetime) -> int | Decimal | None:
        """The client's pre-dose baseline of ``parameter``: its last value taken at or before the dose
        (and before ``before``). None before the dose: the baseline is only fixed by dosing.

        Derived parameters (MAP) are computed from the same reading's inputs.
        """
        if self.dose_time is None:
            return None
        before, dosed = _utc(before, "taken_at"), _utc(self.dose_time, "dose_time")
        best: tuple[datetime, int | Decimal] | None = None
        for r in self.earlier:
            at = _utc(r.taken_at, "taken_at")
            if at >= before or at > dosed:
                continue
            value = _all_values(r).get(parameter)
            if value is not None and (best is None or at > best[0]):
                best = (at, value)
        return best[1] if best else None


@dataclass(frozen=True)
class Flag:
    parameter: str
    value: int | Decimal
    threshold_id: str
    comparison: str
    limit: Decimal
    unit: str
    severity: str  # "review", "warning" or "critical"
    sustained: bool
    message: str  # what is out of range, in words
    advice: str  # what the protocol says to do
    sources: tuple[str, ...]
    direction: str = "high"  # "high" or "low": which side of normal
    baseline: int | Decimal | None = None  # the pre-dose value a relative threshold compared with
    holds_dose: bool = False  # no dose may be recorded while the newest pre-dose reading has this


def check_plausible(reading: Reading) -> None:
    """Raise ``ValueError`` listing every implausible value of ``reading`` with its allowed range."""
    _utc(reading.taken_at, "taken_at")
    problems = []
    for name, value in reading.values().items():
        try:
            check_plausible_value(name, value)
        except ValueError as exc:
            problems.append(str(exc))
    if reading.sbp is not None and reading.dbp is not None and reading.dbp >= reading.sbp:
        problems.append(f"Diastolic BP ({reading.dbp}) must be lower than systolic BP ({reading.sbp}).")
    if problems:
        raise ValueError(" ".join(problems))


def _all_values(reading: Reading) -> dict[str, int | Decimal]:
    """The measured values of a reading plus the derived ones (MAP from SBP and DBP)."""
    values = reading.values()
    return {**values, **derived_values(values)}


_WORDS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}


def _breaches(th: Threshold, value: int | Decimal) -> bool:
    limit = th.limit.value
    return {">": value > limit, ">=": value >= limit, "<": value < limit, "<=": value <= limit}[th.comparison]


def _change_breaches(th: Threshold, value: int | Decimal, baseline: int | Decimal) -> bool:
    change = baseline - value if th.comparison == "fall_greater_than" else value - baseline
    return change > th.limit.value


def _sustained(th: Threshold, reading: Reading, context: ReadingContext) -> bool:
    """True when earlier readings breached too, without a normal one between, for sustained_minutes."""
    assert th.sustained_minutes is not None and context.dose_time is not None
    span = timedelta(minutes=th.sustained_minutes.as_int)
    taken, dose_time = _utc(reading.taken_at, "taken_at"), _utc(context.dose_time, "dose_time")
    earlier = sorted(
        ((_utc(r.taken_at, "taken_at"), _all_values(r).get(th.parameter)) for r in context.earlier),
        key=lambda pair: pair[0],
        reverse=True,
    )
    for at, value in earlier:
        if at >= taken or at < dose_time or value is None:
            continue  # later, pre-dose or not measured: neither proves nor breaks a run
        if not _breaches(th, value):
            return False
        if taken - at >= span:
            return True
    return False


def _fmt(value: int | Decimal) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def check_vitals(protocol: Protocol, reading: Reading, context: ReadingContext) -> tuple[Flag, ...]:
    """Flags for every out-of-threshold value of ``reading``: the most severe one per parameter.

    A reading at or after ``context.dose_time`` is checked against "after_dose" thresholds, an earlier
    one against "pre_dose" thresholds, both against "always". Mean arterial pressure is derived from
    SBP and DBP (``kapstone.clinical.vitals.mean_arterial_pressure``) and checked like a measured value.
    A threshold with ``sustained_minutes`` escalates to its ``sustained_severity`` when this session's
    readings have breached it for at least that long with no normal reading between. A threshold
    ``relative_to = "baseline"`` compares the change from the client's last pre-dose value of the
    parameter (see :meth:`ReadingContext.baseline`); without a baseline it cannot fire. Implausible
    values raise ``ValueError`` first.
    """
    check_plausible(reading)
    taken = _utc(reading.taken_at, "taken_at")
    dosed = context.dose_time is not None and taken >= _utc(context.dose_time, "dose_time")
    stage = "after_dose" if dosed else "pre_dose"
    ranges = vital_ranges()
    values = _all_values(reading)
    best: dict[str, Flag] = {}
    for th in protocol.thresholds:
        value = values.get(th.parameter)
        if th.when not in (stage, "always") or value is None:
            continue
        r = ranges[th.parameter]
        baseline = None
        if th.relative_to == "baseline":
            baseline = context.baseline(th.parameter, reading.taken_at)
            if baseline is None or not _change_breaches(th, value, baseline):
                continue
            change = abs(Decimal(value) - Decimal(baseline))
            word = "fall" if th.comparison == "fall_greater_than" else "rise"
            message = (
                f"{r.label} {_fmt(value)} {r.unit} is a {word} of {_fmt(change)} {r.unit} from the pre-dose "
                f"baseline of {_fmt(baseline)} {r.unit} (more than {_fmt(th.limit.value)} {r.unit})"
            )
            sustained = False
        else:
            if not _breaches(th, value):
                continue
            sustained = th.sustained_minutes is not None and dosed and _sustained(th, reading, context)
            limit = f"{_fmt(th.limit.value)} {r.unit}"
            message = f"{r.label} {_fmt(value)} {r.unit} is {_WORDS[th.comparison]} {limit}"
            if sustained and th.sustained_minutes is not None:
                message += f" for at least {th.sustained_minutes.as_int} min"
        severity = th.sustained_severity if sustained and th.sustained_severity else th.severity
        flag = Flag(
            parameter=th.parameter,
            value=value,
            threshold_id=th.id,
            comparison=th.comparison,
            limit=th.limit.value,
            unit=r.unit,
            severity=severity,
            sustained=sustained,
            message=message + ".",
            advice=th.message,
            sources=th.limit.sources,
            direction=th.direction,
            baseline=baseline,
            holds_dose=th.holds_dose,
        )
        held = best.get(th.parameter)
        if held is None or SEVERITIES.index(severity) > SEVERITIES.index(held.severity):
            best[th.parameter] = flag
    return tuple(sorted(best.values(), key=lambda f: -SEVERITIES.index(f.severity)))


# --- discharge ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    id: str
    label: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class DischargeEvaluation:
    criteria: tuple[CriterionResult, ...]  # "aldrete" first, then the protocol's criteria in order
    observed: timedelta
    minimum_observation: timedelta  # from the dose (includes the infusion when counted from its end)
    observation_met: bool
    earliest_discharge_at: datetime
    allowed: bool  # True: discharge needs no prescriber override
    blocking: tuple[str, ...]  # why an override is needed, in words (empty when allowed)


def evaluate_discharge(
    protocol: Protocol,
    dose_time: datetime,
    now: datetime,
    aldrete_total: int | None,
    criteria: Mapping[str, bool | None],
    *,
    infusion_minutes: int | None = None,
) -> DischargeEvaluation:
    """Check every discharge criterion and the minimum observation time.

    ``criteria`` maps the protocol's criterion ids to True (met), False (not met) or None (not
    assessed); a missing or unassessed criterion fails. An unknown id raises ``ValueError`` so a typo
    cannot pass silently. Discharge is allowed without a prescriber override only when the Aldrete
    total reaches the protocol minimum, every criterion is met and the minimum time has passed.
    """
    dose_time, now = _utc(dose_time, "dose_time"), _utc(now, "now")
    if now < dose_time:
        raise ValueError("now is before the dose time: nothing to discharge from yet")
    known = {c.id: c for c in protocol.discharge.criteria}
    unknown = sorted(set(criteria) - set(known))
    if unknown:
        raise ValueError(f"unknown discharge criteria {unknown}; {protocol.id} has: {', '.join(known)}")

    minimum = int(protocol.discharge.aldrete_minimum.value)
    results = []
    if aldrete_total is None:
        results.append(CriterionResult("aldrete", "Modified Aldrete score", False, "Not assessed."))
    else:
        if isinstance(aldrete_total, bool) or not isinstance(aldrete_total, int):
            raise TypeError(f"aldrete_total must be an int, not {type(aldrete_total).__name__}")
        if not 0 <= aldrete_total <= 10:
            raise ValueError(f"aldrete_total {aldrete_total} is outside the scale's 0-10")
        passed = aldrete_total >= minimum
        verdict = "reaches" if passed else "is below"
        reason = f"Total {aldrete_total} {verdict} the discharge minimum of {minimum}."
        results.append(CriterionResult("aldrete", "Modified Aldrete score", passed, reason))
    for cid, criterion in known.items():
        answer = criteria.get(cid)
        if answer is not None and not isinstance(answer, bool):
            raise TypeError(f"criterion {cid!r}: give True, False or None, not {answer!r}")
        reason = {True: "Met.", False: "Not met.", None: "Not assessed."}[answer]
        results.append(CriterionResult(cid, criterion.label, answer is True, reason))

    end = observation_end_minutes(protocol, infusion_minutes=infusion_minutes)
    earliest = dose_time + timedelta(minutes=end)
    observed = now - dose_time
    met = now >= earliest
    blocking = [f"{r.label}: {r.reason}" for r in results if not r.passed]
    if not met:
        remaining = math.ceil((earliest - now).total_seconds() / 60)
        blocking.insert(
            0, f"Minimum observation of {end} min after the dose not reached: {remaining} min to go."
        )
    return DischargeEvaluation(
        criteria=tuple(results),
        observed=observed,
        minimum_observation=timedelta(minutes=end),
        observation_met=met,
        earliest_discharge_at=earliest,
        allowed=not blocking,
        blocking=tuple(blocking),
    )
