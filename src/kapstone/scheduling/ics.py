"""A clinician's appointments as an iCalendar feed, built with the ``icalendar`` library.

The feed leaves kapstone and lives in calendar apps and their cloud sync, so it carries as little as
the practice allows: the client appears as "Client appointment" unless the practice's scheduling
settings allow initials or names (:class:`~kapstone.scheduling.models.FeedClientLabel`), and events
carry no clinical content: the kind of appointment, the time, the room and the other clinicians.
"""

from datetime import UTC, timedelta

import icalendar
from django.utils import timezone

from .models import Appointment, AppointmentStatus, FeedClientLabel, SchedulingSettings
from .queries import with_people

PRODID = "-//kapstone//Scheduling//EN"
PAST = timedelta(days=60)
FUTURE = timedelta(days=400)
MAX_EVENTS = 2000
REFRESH = timedelta(minutes=15)


def client_label(client, setting: str) -> str:
    if setting == FeedClientLabel.NAME:
        return client.display_name
    if setting == FeedClientLabel.INITIALS:
        return ".".join(client.initials) + "."
    return "Client appointment"


def feed_appointments(membership, now=None):
    """The member's appointments from 60 days back to 400 days ahead, not cancelled (bounded)."""
    now = now or timezone.now()
    return with_people(
        Appointment.objects.filter(
            clinician_links__membership=membership,
            starts_at__gte=now - PAST,
            starts_at__lt=now + FUTURE,
        ).exclude(status=AppointmentStatus.CANCELLED)
    ).order_by("starts_at")[:MAX_EVENTS]


def build_feed(membership, appointments, *, link=None, now=None) -> bytes:
    """The iCalendar text of ``appointments`` for ``membership``. ``link(appointment)`` gives an
    absolute URL to the appointment's page in kapstone (only an id, no PHI)."""
    now = now or timezone.now()
    practice = membership.practice
    setting = SchedulingSettings.for_practice(practice).feed_client_label
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{practice.name}: {membership.user.full_name}")
    calendar.add("x-wr-timezone", practice.time_zone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", f"{appointment.pk}@kapstone")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", appointment.starts_at.astimezone(UTC))
        event.add("dtend", appointment.ends_at.astimezone(UTC))
        event.add("sequence", appointment.sequence)
        event.add("summary", f"{appointment.get_kind_display()}: {client_label(appointment.client, setting)}")
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        if appointment.room is not None:
            event.add("location", appointment.room.name)
        others = [
            link_.membership.user.full_name
            for link_ in getattr(appointment, "clinician_list", [])
            if link_.membership_id != membership.pk
        ]
        lines = [f"Status: {appointment.get_status_display()}"]
        if others:
            lines.append("With: " + ", ".join(others))
        if link is not None:
            url = link(appointment)
            lines.append(f"Open in kapstone: {url}")
            event.add("url", url)
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return calendar.to_ical()
