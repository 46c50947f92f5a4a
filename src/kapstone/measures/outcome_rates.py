"""Outcomes: each client's trajectory per instrument, and the practice's totals computed in the database."""

import math
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from kapstone.clinical import get_instrument, reliable_change
from kapstone.clinical.outcomes import Z_95

from .forms import administrable_instruments
from .models import QuestionnaireResponse


@dataclass
class Trajectory:
    instrument: object
    responses: list  # submitted, oldest first
    change: object | None  # ReliableChange between the first and the latest, when both have totals

    @property
    def baseline(self):
        return self.responses[0]

    @property
    def latest(self):
        return self.responses[-1]


def client_trajectories(client) -> list[Trajectory]:
    """One trajectory per instrument the client has submitted, in one query."""
    by_instrument: dict[str, list] = {}
    submitted = QuestionnaireResponse.objects.submitted().filter(client=client).order_by("submitted_at")
    for response in submitted:
        by_instrument.setdefault(response.instrument_id, []).append(response)
    trajectories = []
    for instrument_id, responses in sorted(by_instrument.items()):
        instrument = get_instrument(instrument_id)
        change = None
        if instrument.total_range is not None and len(responses) >= 2:
            change = reliable_change(instrument, responses[0].total, responses[-1].total)
        trajectories.append(Trajectory(instrument, responses, change))
    return trajectories


def charted_trajectories(client, zone) -> list[Trajectory]:
    """The client's trajectories, each with its SVG chart drawn in the practice's time zone."""
    from kapstone.sessions.chart import session_markers

    from .charts import trajectory_svg

    trajectories = client_trajectories(client)
    markers = session_markers(client) if trajectories else []
    for trajectory in trajectories:
        points = [(r.submitted_at, r.total) for r in trajectory.responses if r.total is not None]
        trajectory.svg = trajectory_svg(trajectory.instrument, points, markers, zone=zone) if points else ""
    return trajectories


@dataclass
class PracticeOutcome:
    instrument: object
    clients: int  # with a baseline and at least one later score
    improved: int | None
    deteriorated: int | None
    recovered: int | None
    responded: int | None
    remitted: int | None


def _first_or_last(instrument_id, newest: bool):
    order = "-submitted_at" if newest else "submitted_at"
    return Subquery(
        QuestionnaireResponse.objects.submitted()
        .filter(client=OuterRef("client"), instrument_id=instrument_id, total__isnull=False)
        .order_by(order, "pk")
        .values("total")[:1],
        output_field=FloatField(),
    )


def practice_outcomes(practice) -> list[PracticeOutcome]:
    """Per instrument: how many clients improved reliably, recovered, responded, remitted, deteriorated.

    One aggregate query per instrument (a bounded number), no loop over clients: the reliable-change
    threshold (1.96 x SEdiff), cut-offs and remission limits come from the instrument's reference data
    and are compared in SQL with each client's first and latest total.
    """
    outcomes = []
    for instrument in administrable_instruments():
        if instrument.total_range is None:
            continue
        pairs = (
            QuestionnaireResponse.objects.submitted()
            .filter(practice=practice, instrument_id=instrument.id, total__isnull=False)
            .values("client")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .annotate(first=_first_or_last(instrument.id, False), last=_first_or_last(instrument.id, True))
            .annotate(change=Cast(F("last") - F("first"), FloatField()))
        )
        worse_up = instrument.direction == "higher_is_worse"
        counts = {"clients": Count("client")}
        if instrument.reliability is not None:
            r = instrument.reliability
            threshold = Z_95 * r.reference_sd * math.sqrt(2) * math.sqrt(1 - r.coefficient)
            better = Q(change__lt=-threshold) if worse_up else Q(change__gt=threshold)
            worse = Q(change__gt=threshold) if worse_up else Q(change__lt=-threshold)
            counts["improved"] = Count("client", filter=better)
            counts["deteriorated"] = Count("client", filter=worse)
            if instrument.clinical_range is not None:
                cutoff = instrument.clinical_range.min if worse_up else instrument.clinical_range.max
                left = (
                    Q(first__gte=cutoff, last__lt=cutoff)
                    if worse_up
                    else Q(first__lte=cutoff, last__gt=cutoff)
                )
                counts["recovered"] = Count("client", filter=better & left)
        if instrument.response is not None:
            counts["responded"] = Count(
                "client", filter=Q(first__gt=0, last__lte=F("first") * (1 - instrument.response.reduction))
            )
        if instrument.remission is not None:
            limit = (
                Q(last__lte=instrument.remission.max) if worse_up else Q(last__gte=instrument.remission.min)
            )
            counts["remitted"] = Count("client", filter=limit)
        totals = pairs.aggregate(**counts)
        if not totals["clients"]:
            continue
        outcomes.append(
            PracticeOutcome(
                instrument=instrument,
                clients=totals["clients"],
                improved=totals.get("improved"),
                deteriorated=totals.get("deteriorated"),
                recovered=totals.get("recovered"),
                responded=totals.get("responded"),
                remitted=totals.get("remitted"),
            )
        )
    return outcomes
