"""Discharging a client from a medicine session marks the day's medicine appointment as held, so the
integration appointment becomes due."""

from datetime import timedelta

from django.utils import timezone

from kapstone.scheduling.models import Appointment, AppointmentStatus
from kapstone.sessions.events import session_discharged


def test_a_discharge_completes_the_days_medicine_appointment(world, scoped):
    from kapstone.pathway.services import open_episode

    episode = open_episode(None, world.client)
    start = timezone.now() - timedelta(hours=3)
    appointment = Appointment.objects.create(
        practice=world.practice,
        client=world.client,
        episode=episode,
        kind="medicine",
        starts_at=start,
        ends_at=start + timedelta(hours=2, minutes=30),
    )

    class Session:
        client = world.client
        opened_at = start + timedelta(minutes=5)

    class Discharge:
        discharged_at = timezone.now()

    session_discharged.send(sender=None, request=None, session=Session, discharge=Discharge)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert appointment.integration_due_at == appointment.ends_at + timedelta(hours=72)
