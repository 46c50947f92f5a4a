"""Scheduling follows the medicine session record: discharging a client marks that day's medicine
appointment as held, which makes the integration appointment due (see services.complete_appointment)."""

from datetime import timedelta

from django.dispatch import receiver

from kapstone.sessions.events import session_discharged

from .models import Appointment, AppointmentKind, AppointmentStatus
from .services import complete_appointment

# A session is matched to the client's scheduled medicine appointment starting within this window.
MATCH_WINDOW = timedelta(hours=12)


@receiver(session_discharged)
def complete_medicine_appointment(sender, request, session, discharge, **kwargs):
    opened = session.opened_at
    appointment = (
        Appointment.objects.filter(
            client=session.client,
            kind=AppointmentKind.MEDICINE,
            status=AppointmentStatus.SCHEDULED,
            starts_at__gte=opened - MATCH_WINDOW,
            starts_at__lte=opened + MATCH_WINDOW,
        )
        .order_by("starts_at")
        .first()
    )
    if appointment is not None and appointment.starts_at <= discharge.discharged_at:
        complete_appointment(request, appointment)
