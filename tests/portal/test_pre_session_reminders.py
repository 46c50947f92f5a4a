"""Questionnaires the plan assigns reach the client like staff-assigned ones: through the client's own
reminder choices. Pre-session ones are reminded from two days before they are due."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from kapstone.measures.models import Assignment
from kapstone.portal.tasks import remind_due_questionnaires
from kapstone.practice.models import Role
from kapstone.scheduling import services as scheduling
from kapstone.scheduling.models import Room

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # Thursday 3 December 2026, 09:00 in Chicago


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def book_medicine(world, client, starts_at, room_name, clinician="therapist"):
    room, _ = Room.objects.get_or_create(practice=world.practice, name=room_name)
    return scheduling.book_appointment(
        None,
        client,
        kind="medicine",
        starts_at=starts_at,
        clinicians=[world.members[clinician]],
        room=room,
        override_reason="Readiness reviewed with the client in person",
        actor=world.members["prescriber"].user,
        role=Role.PRESCRIBER,
    )


def only_phq9(appointment):
    """Keep the PHQ-9 of the appointment's pre-session questionnaires, so one reminder is one PHQ-9."""
    Assignment.objects.filter(appointment=appointment).exclude(instrument_id="phq9").delete()


def test_a_client_who_chose_questionnaire_reminders_gets_one_for_a_pre_session_phq9(world, scoped):
    world.client_account.user.email = "chose.reminders@example.test"
    world.client_account.user.save()
    world.unassigned_client.episodes.create(practice=world.practice, state="preparation")
    world.other_client_account.remind_questionnaires = False
    world.other_client_account.save()
    tomorrow = NOW + timedelta(days=1)
    only_phq9(book_medicine(world, world.client, tomorrow, "Room 1"))
    only_phq9(book_medicine(world, world.unassigned_client, tomorrow, "Room 2", clinician="prescriber"))
    assert remind_due_questionnaires.call() == 1  # not due until tomorrow, but the session is near
    assert mail.outbox[-1].to == ["chose.reminders@example.test"]
    assert "PHQ" not in mail.outbox[-1].body  # never names the questionnaire
    assert remind_due_questionnaires.call() == 0  # at most once a day


def test_a_session_weeks_away_is_not_reminded_yet(world, scoped):
    appointment = book_medicine(world, world.client, NOW + timedelta(days=10), "Room 1")
    only_phq9(appointment)
    assert remind_due_questionnaires.call() == 0
    with time_machine.travel(NOW + timedelta(days=8, hours=1), tick=False):
        assert remind_due_questionnaires.call() == 1


def test_a_cancelled_session_is_not_reminded(world, scoped):
    appointment = book_medicine(world, world.client, NOW + timedelta(days=1), "Room 1")
    scheduling.cancel_appointment(None, appointment, "Client unwell", actor=world.members["front_desk"].user)
    assert remind_due_questionnaires.call() == 0
