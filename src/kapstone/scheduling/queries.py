"""Read-side helpers other apps use: upcoming appointments, due integrations, today's medicine sessions.

Each returns a queryset with its related rows joined or prefetched, so a page listing any number of
appointments costs the same few queries. They run inside the caller's practice scope.
"""

from datetime import UTC, datetime, time, timedelta

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from kapstone.clients.access import visible_clients

from .models import (
    BLOCKING_STATUSES,
    Appointment,
    AppointmentClinician,
    AppointmentKind,
    AppointmentStatus,
)
from .services import CLOSED_EPISODE_STATES


def with_people(appointments):
    """Join the client and room and prefetch the clinicians' names (two queries in all)."""
    return appointments.select_related("client", "room").prefetch_related(
        Prefetch(
            "clinician_links",
            queryset=AppointmentClinician.objects.select_related("membership__user"),
            to_attr="clinician_list",
        )
    )


def local_midnight(day, zone) -> datetime:
    """The first instant of ``day`` in ``zone`` (aware; DST-correct through a UTC round trip)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).astimezone(zone)


def day_range(practice, first_day, days: int = 1) -> tuple[datetime, datetime]:
    """[start, end) of ``days`` local days from ``first_day`` in the practice's zone.

    A week across a DST change is 167 or 169 hours long: both ends are local midnights.
    """
    zone = practice.zone
    return local_midnight(first_day, zone), local_midnight(first_day + timedelta(days=days), zone)


def upcoming_for_client(client, now=None):
    """The client's scheduled appointments that have not ended yet, soonest first (for the portal).

    Each has ``clinician_list`` (links with ``membership.user``) and ``room`` loaded.
    """
    now = now or timezone.now()
    return with_people(
        Appointment.objects.filter(client=client, status=AppointmentStatus.SCHEDULED, ends_at__gt=now)
    ).order_by("starts_at")


def past_for_client(client, now=None):
    now = now or timezone.now()
    return with_people(
        Appointment.objects.filter(client=client).exclude(status=AppointmentStatus.SCHEDULED, ends_at__gt=now)
    ).order_by("-starts_at")


def integrations_due(membership, now=None):
    """Completed medicine appointments of the member's visible clients still waiting for integration.

    Waiting means: no integration appointment (scheduled or completed) starts between the medicine
    session's start and its ``integration_due_at``; the episode is still open; and no later medicine
    session has been completed since (the newest session is the one whose integration matters).
    Annotated with ``overdue`` (due time passed) and ``late_integration_at`` (an integration booked
    after the window, if any). Soonest due first.
    """
    now = now or timezone.now()
    in_window = Appointment.objects.filter(
        client=OuterRef("client"),
        kind=AppointmentKind.INTEGRATION,
        status__in=BLOCKING_STATUSES,
        starts_at__gte=OuterRef("starts_at"),
        starts_at__lte=OuterRef("integration_due_at"),
    )
    later_session = Appointment.objects.filter(
        client=OuterRef("client"),
        kind=AppointmentKind.MEDICINE,
        status=AppointmentStatus.COMPLETED,
        starts_at__gt=OuterRef("starts_at"),
    )
    late = (
        Appointment.objects.filter(
            client=OuterRef("client"),
            kind=AppointmentKind.INTEGRATION,
            status=AppointmentStatus.SCHEDULED,
            starts_at__gt=OuterRef("integration_due_at"),
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return (
        Appointment.objects.filter(
            kind=AppointmentKind.MEDICINE,
            status=AppointmentStatus.COMPLETED,
            integration_due_at__isnull=False,
            client__in=visible_clients(membership),
        )
        .exclude(episode__state__in=CLOSED_EPISODE_STATES)
        .annotate(booked=Exists(in_window), superseded=Exists(later_session))
        .filter(booked=False, superseded=False)
        .annotate(
            late_integration_at=Subquery(late),
            overdue=ExpressionWrapper(Q(integration_due_at__lt=now), output_field=BooleanField()),
        )
        .select_related("client")
        .order_by("integration_due_at", "pk")
    )


def overdue_integrations(membership, now=None):
    """The member's clients whose integration is overdue: the medicine appointments of
    :func:`integrations_due` whose due time has passed (``appointment.client``,
    ``appointment.integration_due_at``). One query."""
    now = now or timezone.now()
    return integrations_due(membership, now).filter(integration_due_at__lt=now)


def medicine_appointments_on(practice, day):
    """The practice's medicine appointments (not cancelled) starting on a local ``day``, by start."""
    start, end = day_range(practice, day)
    return with_people(
        Appointment.objects.filter(
            practice=practice,
            kind=AppointmentKind.MEDICINE,
            starts_at__gte=start,
            starts_at__lt=end,
        ).exclude(status=AppointmentStatus.CANCELLED)
    ).order_by("starts_at")
