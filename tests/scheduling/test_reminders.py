"""Email reminders: sent once, the practice's lead time before the start, saying when and where only."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from kapstone.audit.models import AuditEvent
from kapstone.scheduling.models import SchedulingSettings
from kapstone.scheduling.services import cancel_appointment, complete_appointment, reschedule_appointment
from kapstone.scheduling.tasks import send_due_reminders, send_reminder

from .conftest import book


@pytest.fixture
def appointment(world, scoped, room, tomorrow_9, ready):
    world.client.email = "client@example.test"
    world.client.save()
    return book(world.client, tomorrow_9, [world.members["therapist"]], kind="medicine", room=room)


def at(appointment, hours_before):
    return time_machine.travel(appointment.starts_at - timedelta(hours=hours_before), tick=False)


def test_the_reminder_goes_the_day_before_once_and_says_only_when_and_where(world, appointment):
    with at(appointment, 25):
        assert send_reminder.call(str(appointment.pk)) is False  # too early
    with at(appointment, 24):
        assert send_reminder.call(str(appointment.pk)) is True
        assert send_reminder.call(str(appointment.pk)) is False  # only once
    (message,) = mail.outbox
    assert message.to == ["client@example.test"]
    assert message.subject == "Appointment reminder from Riverbend KAP"
    local = appointment.starts_at.astimezone(world.practice.zone)
    assert f"{local:%A} {local.day} {local:%B %Y} at 09:00 (America/Chicago)" in message.body
    assert f"Hello {world.client.legal_first_name}" in message.body
    for clinical in (
        "medicine",
        "Medicine",
        "ketamine",
        "session",
        "Room 1",
        world.members["therapist"].user.full_name,
    ):
        assert clinical not in message.body and clinical not in message.subject
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None
    assert (
        AuditEvent.objects.filter(action="scheduling.reminder.sent", object_id=str(appointment.pk)).count()
        == 1
    )


def test_the_lead_time_is_the_practices(world, appointment):
    SchedulingSettings.objects.create(practice=world.practice, reminder_lead_hours=48)
    with at(appointment, 47):
        assert send_due_reminders.call() == 1


@pytest.mark.parametrize("case", ["cancelled", "completed", "no_email", "disabled", "started"])
def test_no_reminder_is_sent_when_it_should_not_be(world, appointment, case):
    if case == "cancelled":
        cancel_appointment(None, appointment, "Client unwell")
    elif case == "completed":
        with time_machine.travel(appointment.starts_at):
            complete_appointment(None, appointment)
    elif case == "no_email":
        world.client.email = ""
        world.client.save()
    elif case == "disabled":
        SchedulingSettings.objects.create(practice=world.practice, reminders_enabled=False)
    with at(appointment, 0 if case == "started" else 12):
        assert send_reminder.call(str(appointment.pk)) is False
        assert send_due_reminders.call() == 0
    assert mail.outbox == []


def test_a_rescheduled_appointment_is_reminded_again_for_its_new_time(world, appointment, room):
    with at(appointment, 20):
        assert send_due_reminders.call() == 1
        reschedule_appointment(
            None,
            appointment,
            starts_at=appointment.starts_at + timedelta(days=3),
            duration_minutes=150,
            clinicians=[world.members["therapist"]],
            room=room,
            reason="Client asked to move it",
        )
        assert send_due_reminders.call() == 0  # the new time is days away
    appointment.refresh_from_db()
    with at(appointment, 23):
        assert send_due_reminders.call() == 1
    assert len(mail.outbox) == 2


def test_the_cron_command_sends_due_reminders(world, appointment, capsys):
    with at(appointment, 2):
        call_command("send_reminders")
    assert "Sent 1 reminder(s)." in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a batch
def test_the_worker_sends_the_reminder_at_its_time(world, scoped, room, tomorrow_9, ready, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world.client.email = "client@example.test"
    world.client.save()
    appointment = book(world.client, tomorrow_9 + timedelta(days=2), [world.members["therapist"]], minutes=60)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert mail.outbox == []  # deferred to the day before
    with at(appointment, 24):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["client@example.test"]
