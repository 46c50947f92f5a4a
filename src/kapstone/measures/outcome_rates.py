"""Outcomes: each client's trajectory per instrument, and the practice's outcome rates in SQL.

Both read an outcome the same way, defined once in :mod:`kapstone.clinical.outcomes` (``docs/clinical.md``,
"Outcomes"): an outcome belongs to one episode; its baseline is the episode's last score before the
episode's first dose (else the episode's first score); its latest is the episode's newest score. The
trajectories call the pure rule directly; :func:`practice_rates` is its SQL twin (correlated subqueries,
grouped by instrument), tested to give the same numbers as :func:`kapstone.clinical.outcomes.outcome_rates`.

First doses and routes are medicine-session facts, and sessions sit above measures: this module never
imports them. The app that records doses answers :data:`dosing_facts_requested` with a
:class:`DosingFacts` (SQL expressions), and page callers pass a client's :class:`ClientDosing` in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    Expression,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.dispatch import Signal

from kapstone.clinical import get_instrument
from kapstone.clinical.instruments import Instrument
from kapstone.clinical.outcomes import (
    VERDICTS,
    OutcomeRates,
    Score,
    TwelveMonthRemission,
    baseline_and_latest,
    min_reliable_change,
    outcome_config,
    outcome_instruments,
    reliable_change,
)
from kapstone.practice.models import Practice

from .graphs import period_label, trajectory_svg
from .models import QuestionnaireResponse

# Sent with no arguments; the app that records doses answers with a DosingFacts (kapstone.sessions).
dosing_facts_requested = Signal()


@dataclass(frozen=True)
class ClientDosing:
    """One client's doses, for trajectories: chart markers and each episode's first dose."""

    markers: list[tuple[datetime, str]] = field(default_factory=list)
    first_doses: dict[uuid.UUID, datetime] = field(default_factory=dict)


NO_DOSING = ClientDosing()


@dataclass(frozen=True)
class DosingFacts:
    """How to ask, in SQL, about an episode's medicine sessions."""

    # An expression for the first dose given in the episode ``episode`` (an OuterRef to its id).
    first_dose_at: Callable[[OuterRef], Expression]
    # The ids of the episodes with a medicine session of ``route`` (a QuerySet of values).
    episodes_with_route: Callable[[str], QuerySet]
    # (route, label) choices for the filter.
    routes: Callable[[], list[tuple[str, str]]]
    # One client's dose markers and first doses, for the trajectories on the measures page.
    client_dosing: Callable[[object], ClientDosing]


def dosing_facts() -> DosingFacts | None:
    """The registered answer, or ``None`` when no app records doses (then no episode has a dose)."""
    for _receiver, facts in dosing_facts_requested.send(sender=DosingFacts):
        if facts is not None:
            return facts
    return None


# --- one client's trajectories -----------------------------------------------------------------------


@dataclass
class Trajectory:
    instrument: Instrument
    responses: list  # submitted, oldest first
    baseline: QuestionnaireResponse | None = None  # the outcome's baseline (the episode rule)
    latest_scored: QuestionnaireResponse | None = None  # the outcome's latest score
    change: object | None = None  # ReliableChange between baseline and latest_scored
    svg: str = ""

    @property
    def latest(self) -> QuestionnaireResponse:
        return self.responses[-1]


def score_of(response: QuestionnaireResponse) -> Score:
    return Score(response.submitted_at, response.pk.hex, response.total)


def client_trajectories(client: Any, dosing: ClientDosing) -> list[Trajectory]:
    """One trajectory per instrument the client has submitted, in one query. The change is the
    outcome of the episode of the newest score (baseline by the episode rule), as on the practice page.
    """
    by_instrument: dict[str, list] = {}
    submitted = QuestionnaireResponse.objects.submitted().filter(client=client).order_by("submitted_at", "pk")
    for response in submitted:
        by_instrument.setdefault(response.instrument_id, []).append(response)
    trajectories = []
    for instrument_id, responses in sorted(by_instrument.items()):
        instrument = get_instrument(instrument_id)
        trajectory = Trajectory(instrument, responses)
        scored = [r for r in responses if r.total is not None and r.episode_id is not None]
        if instrument.total_range is not None and scored:
            newest = max(scored, key=score_of)
            episode = [r for r in scored if r.episode_id == newest.episode_id]
            by_key = {r.pk.hex: r for r in episode}
            pair = baseline_and_latest(map(score_of, episode), dosing.first_doses.get(newest.episode_id))
            if pair is not None:
                trajectory.baseline, trajectory.latest_scored = by_key[pair[0].key], by_key[pair[1].key]
                trajectory.change = reliable_change(instrument, pair[0].total, pair[1].total)
        trajectories.append(trajectory)
    return trajectories


def charted_trajectories(client: Any, zone: ZoneInfo, *, dosing: ClientDosing) -> list[Trajectory]:
    """The client's trajectories, each with its SVG chart drawn in the practice's time zone; the caller
    passes the client's doses (markers and first doses) from the medicine-sessions app."""
    trajectories = client_trajectories(client, dosing)
    for trajectory in trajectories:
        points = [(r.submitted_at, r.total) for r in trajectory.responses if r.total is not None]
        if points:
            trajectory.svg = trajectory_svg(trajectory.instrument, points, dosing.markers, zone=zone)
    return trajectories


# --- the practice's rates, in SQL ---------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeFilters:
    """Which outcomes count: the newest score in [start, end); episodes of a programme or a route;
    clients on a member's care team. ``None`` means no restriction."""

    start: datetime | None = None
    end: datetime | None = None
    programme_id: uuid.UUID | None = None
    route: str | None = None
    clinician_id: uuid.UUID | None = None


NO_FILTERS = OutcomeFilters()


def _scores(
    practice: Practice, instruments: list[Instrument], filters: OutcomeFilters, facts: DosingFacts | None
) -> QuerySet:
    """The submitted totals that can make an outcome: in an episode, before ``end``, filtered."""
    scores = QuestionnaireResponse.objects.submitted().filter(
        practice=practice,
        instrument_id__in=[i.id for i in instruments],
        total__isnull=False,
        episode__isnull=False,
    )
    if filters.end is not None:
        scores = scores.filter(submitted_at__lt=filters.end)
    if filters.programme_id is not None:
        scores = scores.filter(episode__programme_id=filters.programme_id)
    if filters.clinician_id is not None:
        # care_team is unique per (client, membership), so the join adds no duplicate rows.
        scores = scores.filter(client__care_team__membership_id=filters.clinician_id)
    if filters.route is not None:
        routed = facts.episodes_with_route(filters.route) if facts else QuestionnaireResponse.objects.none()
        scores = scores.filter(episode_id__in=routed)
    return scores


def _with_baseline(rows: QuerySet, scores: QuerySet, facts: DosingFacts | None) -> QuerySet:
    """Annotate each row with its episode's baseline (id, total, time): the SQL of episode_baseline."""
    episode = scores.filter(episode_id=OuterRef("episode_id"), instrument_id=OuterRef("instrument_id"))
    intake = episode.order_by("submitted_at", "id")
    if facts is None:
        pick = {name: Subquery(intake.values(name)[:1]) for name in ("id", "total", "submitted_at")}
    else:
        rows = rows.annotate(first_dose=facts.first_dose_at(OuterRef("episode_id")))
        before = episode.filter(submitted_at__lt=OuterRef("first_dose")).order_by("-submitted_at", "-id")
        pick = {
            name: Coalesce(Subquery(before.values(name)[:1]), Subquery(intake.values(name)[:1]))
            for name in ("id", "total", "submitted_at")
        }
    return rows.annotate(
        baseline_id=Coalesce(pick["id"], Value(None), output_field=UUIDField()),
        baseline_total=Coalesce(pick["total"], Value(None), output_field=FloatField()),
        baseline_at=Coalesce(pick["submitted_at"], Value(None), output_field=DateTimeField()),
    )


def outcome_rows(
    practice: Practice, instruments: list[Instrument], filters: OutcomeFilters, facts: DosingFacts | None
) -> QuerySet:
    """One row per client and instrument: the client's newest score (``total``) with its episode's
    baseline, when that is an earlier score. A queryset, not yet run."""
    scores = _scores(practice, instruments, filters, facts)
    later = scores.filter(client_id=OuterRef("client_id"), instrument_id=OuterRef("instrument_id")).filter(
        Q(submitted_at__gt=OuterRef("submitted_at"))
        | Q(submitted_at=OuterRef("submitted_at"), id__gt=OuterRef("id"))
    )
    newest = scores.filter(~Exists(later))
    rows = _with_baseline(newest, scores, facts).exclude(id=F("baseline_id"))
    if filters.start is not None:
        rows = rows.filter(submitted_at__gte=filters.start)
    return rows.annotate(change=F("total") - F("baseline_total"))


def verdict_conditions(instrument: Instrument) -> dict[str, Q | None]:
    """Each verdict as a condition on an outcome row; ``None`` without the instrument's constant.
    The same comparisons as ``reliable_change`` (|change| > 1.96 x SEdiff, a 50 % drop, remission)."""
    worse_up = instrument.direction == "higher_is_worse"
    threshold = min_reliable_change(instrument)
    conditions: dict[str, Q | None] = dict.fromkeys(VERDICTS)
    if threshold is not None:
        better = Q(change__lt=-threshold) if worse_up else Q(change__gt=threshold)
        worse = Q(change__gt=threshold) if worse_up else Q(change__lt=-threshold)
        conditions["improved"], conditions["deteriorated"] = better, worse
    if instrument.response is not None:
        kept = 1 - instrument.response.reduction
        # As reliable_change: (baseline - latest) / baseline >= reduction, for a non-zero baseline.
        conditions["responded"] = Q(baseline_total__gt=0, total__lte=F("baseline_total") * kept)
    if instrument.remission is not None:
        rem = instrument.remission
        conditions["remitted"] = Q(total__lte=rem.max) if worse_up else Q(total__gte=rem.min)
    return conditions


def _counts(instruments: list[Instrument]) -> dict:
    """Count aggregates over outcome rows of several instruments: each verdict's condition per
    instrument, OR-ed, so one grouped query answers for all of them."""
    counts = {"n": Count("id")}
    for verdict in VERDICTS:
        condition = None
        for instrument in instruments:
            own = verdict_conditions(instrument)[verdict]
            if own is not None:
                own = Q(instrument_id=instrument.id) & own
                condition = own if condition is None else condition | own
        if condition is not None:  # no instrument has the constant: every count is None (_rates)
            counts[verdict] = Count("id", filter=condition)
    return counts


def _rates(instrument: Instrument, row: dict | None) -> OutcomeRates:
    conditions = verdict_conditions(instrument)
    n = row["n"] if row else 0
    counts = {v: None if conditions[v] is None else (row[v] if row else 0) for v in VERDICTS}
    return OutcomeRates(instrument, n, counts)


def practice_rates(practice: Practice, filters: OutcomeFilters = NO_FILTERS) -> list[OutcomeRates]:
    """Per outcome instrument: n and each verdict's count, in one grouped query."""
    instruments = outcome_instruments()
    facts = dosing_facts()
    grouped = (
        outcome_rows(practice, instruments, filters, facts)
        .values("instrument_id")
        .annotate(**_counts(instruments))
        .order_by("instrument_id")
    )
    by_id = {row["instrument_id"]: row for row in grouped}
    return [_rates(instrument, by_id.get(instrument.id)) for instrument in instruments]


@dataclass(frozen=True)
class PeriodRates:
    period: datetime  # the first day of the month or quarter, in the practice's zone
    rates: OutcomeRates
    by: str = "quarter"

    @property
    def label(self) -> str:
        return period_label(self.period, self.by)


def rates_over_time(
    practice: Practice, zone: ZoneInfo, filters: OutcomeFilters = NO_FILTERS, *, by: str = "quarter"
) -> dict[str, list[PeriodRates]]:
    """``{instrument_id: [PeriodRates, ...]}`` by the month or quarter of the newest score, one query."""
    trunc = {"quarter": TruncQuarter, "month": TruncMonth}[by]
    instruments = outcome_instruments()
    grouped = (
        outcome_rows(practice, instruments, filters, dosing_facts())
        .annotate(period=trunc("submitted_at", tzinfo=zone))
        .values("instrument_id", "period")
        .annotate(**_counts(instruments))
        .order_by("instrument_id", "period")
    )
    series: dict[str, list[PeriodRates]] = {i.id: [] for i in instruments}
    for row in grouped:
        instrument = get_instrument(row["instrument_id"])
        series[instrument.id].append(PeriodRates(row["period"], _rates(instrument, row), by))
    return series


def twelve_month_remission(
    practice: Practice, filters: OutcomeFilters, *, as_of: datetime
) -> TwelveMonthRemission:
    """MIPS #370 in SQL (one query), the twin of ``clinical.outcomes.remission_at_12_months``: episodes
    whose baseline PHQ-9 is above 9 and whose window (index + 365 days +/- 60) closed before ``as_of``
    (and on or after ``start``); remitted when a PHQ-9 below 5 falls in that window."""
    config = outcome_config()
    instrument = get_instrument(config.remission_instrument)
    lo, hi = config.window
    end = min(filters.end, as_of) if filters.end else as_of
    bounded = replace(filters, start=None, end=end)
    facts = dosing_facts()
    scores = _scores(practice, [instrument], bounded, facts)
    indexes = _with_baseline(scores, scores, facts).filter(
        id=F("baseline_id"), total__gte=config.index_min, submitted_at__lt=end - hi
    )
    if filters.start is not None:
        indexes = indexes.filter(submitted_at__gte=filters.start - hi)
    in_window = scores.filter(
        episode_id=OuterRef("episode_id"),
        total__lte=config.remission_max,
        submitted_at__gte=OuterRef("submitted_at") + lo,
        submitted_at__lte=OuterRef("submitted_at") + hi,
    )
    # The annotation's name must differ from the aggregate's, or the aggregate shadows it.
    totals = indexes.annotate(in_window=Exists(in_window)).aggregate(
        n=Count("id"), remitted=Count("id", filter=Q(in_window=True))
    )
    return TwelveMonthRemission(totals["remitted"], totals["n"])


# --- the table for scripts and reports -------------------------------------------------------------------

EXPORT_COLUMNS = (
    "measure",
    "instrument",
    "n",
    *(f"{v}{suffix}" for v in VERDICTS for suffix in ("", "_percent")),
)


def _percent(rate) -> float | None:
    return None if rate.percent is None else round(rate.percent, 1)


def export_rows(rates: list[OutcomeRates], twelve: TwelveMonthRemission) -> list[dict]:
    """The outcomes table as flat rows (``EXPORT_COLUMNS``): one per instrument, then the 12-month
    remission row. A count is ``None`` where the instrument has no constant for the verdict."""
    rows = []
    for outcome in rates:
        row = {"measure": "outcome", "instrument": outcome.instrument.id, "n": outcome.n}
        for verdict in VERDICTS:
            rate = outcome.rate(verdict)
            row[verdict], row[f"{verdict}_percent"] = rate.count, _percent(rate)
        rows.append(row)
    row = dict.fromkeys(EXPORT_COLUMNS)
    row |= {"measure": "remission_at_12_months", "instrument": outcome_config().remission_instrument}
    row |= {"n": twelve.n, "remitted": twelve.remitted, "remitted_percent": _percent(twelve.rate)}
    rows.append(row)
    return rows
