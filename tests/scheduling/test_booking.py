"""Booking rules: clinicians, rooms, lengths, double booking, rescheduling and cancelling with history."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import Assignment
from kapstone.scheduling import rules
from kapstone.scheduling.models import AppointmentChange, AppointmentStatus, SchedulingSettings
from kapstone.scheduling.services import (
    SchedulingError,
    cancel_appointment,
    complete_appointment,
    mark_no_show,
    reschedule_appointment,
)

from ..factories import make_client
from .conftest import book, make_room


@pytest.fixture
def therapist(world):
    return world.members["therapist"]


def test_a_booking_takes_the_usual_length_and_records_who_and_why(world, scoped, therapist, tomorrow_9):
    appointment = book(
        world.client, tomorrow_9, [therapist], kind="intake", actor=world.members["front_desk"].user
    )
    assert appointment.duration_minutes == 60
    assert appointment.episode == world.client.episodes.get()
    assert list(appointment.clinicians.all()) == [therapist]
    change = appointment.changes.get()
    assert change.kind == AppointmentChange.Kind.CREATED and change.actor == world.members["front_desk"].user
    assert AuditEvent.objects.filter(
        action="scheduling.appointment.created", object_id=str(appointment.pk)
    ).exists()


def test_a_medicine_session_defaults_to_check_in_plus_the_protocols_observation(
    world, scoped, ready, therapist, room, tomorrow_9
):
    appointment = book(world.client, tomorrow_9, [therapist], kind="medicine", room=room)
    assert appointment.duration_minutes == 30 + 120  # sublingual: observation 120 min from the dose


def test_the_programmes_protocol_and_window_are_used_when_the_episode_has_one():
    iv = SimpleNamespace(programme=SimpleNamespace(protocol_id="iv_infusion", integration_within_hours=24))
    settings = SchedulingSettings(medicine_check_in_minutes=20)
    assert rules.protocol_for(iv).id == "iv_infusion"
    assert rules.medicine_length(iv, settings).total == 20 + 40 + 60  # infusion, then 60 min observed
    assert rules.integration_window(iv) == timedelta(hours=24)
    bare = SimpleNamespace(programme=None)
    assert rules.protocol_for(bare).id == "sublingual"
    assert rules.integration_window(bare) == timedelta(hours=72)
    unknown = SimpleNamespace(programme=SimpleNamespace(protocol_id="nope"))
    assert rules.protocol_for(unknown).id == "sublingual"


def test_a_clinician_cannot_be_double_booked_and_the_message_names_the_clash(
    world, scoped, therapist, tomorrow_9
):
    book(world.client, tomorrow_9, [therapist], minutes=60)
    other = make_client(world.practice, care_team=[therapist])
    with pytest.raises(SchedulingError) as refused:
        book(other, tomorrow_9 + timedelta(minutes=30), [therapist, world.members["prescriber"]], minutes=60)
    assert [clash.field for clash in refused.value.clashes] == ["clinicians"]
    assert refused.value.message.startswith(f"{therapist.user.full_name} is already booked")
    assert "09:00\u201310:00" in refused.value.message and "preparation" in refused.value.message


def test_a_room_cannot_be_double_booked(world, scoped, room, tomorrow_9):
    book(world.client, tomorrow_9, [world.members["therapist"]], minutes=60, room=room)
    other = make_client(world.practice)
    with pytest.raises(SchedulingError) as refused:
        book(other, tomorrow_9 - timedelta(minutes=30), [world.members["prescriber"]], minutes=45, room=room)
    assert [clash.field for clash in refused.value.clashes] == ["room"]
    assert refused.value.message.startswith("Room 1 is already booked")


def test_appointments_that_touch_end_to_start_do_not_clash(world, scoped, room, therapist, tomorrow_9):
    book(world.client, tomorrow_9, [therapist], minutes=60, room=room)
    other = make_client(world.practice)
    after = book(other, tomorrow_9 + timedelta(minutes=60), [therapist], minutes=30, room=room)
    before = book(other, tomorrow_9 - timedelta(minutes=30), [therapist], minutes=30, room=room)
    assert after.pk and before.pk


def test_cancelled_and_missed_appointments_free_their_time(world, scoped, room, therapist, tomorrow_9):
    first = book(world.client, tomorrow_9, [therapist], minutes=60, room=room)
    cancel_appointment(None, first, "Client unwell")
    second = book(world.client, tomorrow_9, [therapist], minutes=60, room=room)
    with pytest.raises(SchedulingError, match="has not started yet"):
        mark_no_show(None, second)
    with time_machine.travel(tomorrow_9 + timedelta(minutes=20)):
        mark_no_show(None, second, "Did not come, no call")
    assert (
        book(world.client, tomorrow_9, [therapist], minutes=60, room=room).status
        == AppointmentStatus.SCHEDULED
    )


def test_the_same_appointment_never_clashes_with_itself_when_rescheduled(
    world, scoped, room, therapist, tomorrow_9
):
    appointment = book(world.client, tomorrow_9, [therapist], minutes=60, room=room)
    reschedule_appointment(
        None,
        appointment,
        starts_at=tomorrow_9 + timedelta(minutes=15),
        duration_minutes=60,
        clinicians=[therapist],
        room=room,
        reason="Client running late",
    )
    appointment.refresh_from_db()
    assert appointment.starts_at == tomorrow_9 + timedelta(minutes=15)
    assert appointment.sequence == 1


def test_rescheduling_keeps_the_history_and_refuses_a_clash(world, scoped, room, therapist, tomorrow_9):
    appointment = book(world.client, tomorrow_9, [therapist], minutes=60, room=room)
    other = book(
        make_client(world.practice),
        tomorrow_9 + timedelta(hours=3),
        [world.members["prescriber"]],
        minutes=60,
        room=room,
    )
    with pytest.raises(SchedulingError, match="Room 1 is already booked"):
        reschedule_appointment(
            None,
            appointment,
            starts_at=other.starts_at,
            duration_minutes=60,
            clinicians=[therapist],
            room=room,
            reason="Client asked for later",
        )
    with pytest.raises(SchedulingError, match="Give a reason"):
        reschedule_appointment(
            None,
            appointment,
            starts_at=tomorrow_9 + timedelta(days=1),
            duration_minutes=60,
            clinicians=[therapist],
            room=room,
            reason="",
        )
    reschedule_appointment(
        None,
        appointment,
        starts_at=tomorrow_9 + timedelta(days=1),
        duration_minutes=90,
        clinicians=[world.members["prescriber"]],
        room=None,
        reason="Client asked for the next day",
    )
    change = appointment.changes.get(kind=AppointmentChange.Kind.RESCHEDULED)
    assert change.reason == "Client asked for the next day"
    assert change.before_starts_at == tomorrow_9 and change.after_starts_at == tomorrow_9 + timedelta(days=1)
    assert change.before["clinicians"] == [str(therapist.pk)]
    assert list(appointment.clinicians.all()) == [world.members["prescriber"]]
    assert AuditEvent.objects.filter(action="scheduling.appointment.rescheduled").count() == 1


def test_cancelling_needs_a_reason_and_is_kept_in_the_history(world, scoped, therapist, tomorrow_9):
    appointment = book(world.client, tomorrow_9, [therapist])
    with pytest.raises(SchedulingError, match="Give a reason"):
        cancel_appointment(None, appointment, " ")
    cancel_appointment(None, appointment, "Client unwell, will call to rebook")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancel_reason == "Client unwell, will call to rebook"
    assert appointment.changes.filter(kind="cancelled", reason__startswith="Client unwell").exists()
    with pytest.raises(SchedulingError, match="already cancelled"):
        complete_appointment(None, appointment)
    assert AuditEvent.objects.filter(action="scheduling.appointment.cancelled").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"clinicians": "nobody"}, "at least one clinician"),
        ({"minutes": 2}, "from 5 to 720 minutes"),
        ({"clinicians": "front_desk"}, "cannot be booked as a clinician"),
        ({"clinicians": "other_practice"}, "cannot be booked as a clinician"),
        ({"room": "inactive"}, "not an active room"),
    ],
)
def test_bad_bookings_are_refused_with_a_clear_message(world, scoped, tomorrow_9, change, message):
    clinicians = {
        "nobody": [],
        "front_desk": [world.members["front_desk"]],
        "other_practice": [world.other_members["therapist"]],
    }.get(change.get("clinicians"), [world.members["therapist"]])
    room = make_room(world.practice, "Old room", is_active=False) if change.get("room") else None
    with pytest.raises(SchedulingError, match=message):
        book(world.client, tomorrow_9, clinicians, minutes=change.get("minutes", 50), room=room)


def test_a_medicine_session_needs_a_room_and_the_protocols_observation_time(
    world, scoped, ready, room, tomorrow_9
):
    therapist = world.members["therapist"]
    with pytest.raises(SchedulingError, match="Choose a room or chair"):
        book(world.client, tomorrow_9, [therapist], kind="medicine")
    with pytest.raises(SchedulingError, match="at least 120 minutes"):
        book(world.client, tomorrow_9, [therapist], kind="medicine", minutes=90, room=room)


def test_a_client_without_an_open_episode_cannot_be_booked(world, scoped, tomorrow_9):
    from kapstone.scheduling.services import book_appointment

    client = make_client(world.practice)
    with pytest.raises(SchedulingError, match="no open episode"):
        book_appointment(
            None, client, kind="intake", starts_at=tomorrow_9, clinicians=[world.members["therapist"]]
        )
    client.episodes.create(practice=world.practice, state="closed")
    with pytest.raises(SchedulingError, match="no open episode"):
        book_appointment(
            None, client, kind="intake", starts_at=tomorrow_9, clinicians=[world.members["therapist"]]
        )


def test_a_medicine_bookings_questionnaires_follow_the_appointment(
    world, scoped, ready, therapist, room, tomorrow_9
):
    desk = world.members["front_desk"].user
    appointment = book(world.client, tomorrow_9, [therapist], kind="medicine", room=room, actor=desk)
    assigned = Assignment.objects.filter(appointment=appointment)
    assert sorted(assigned.values_list("instrument_id", flat=True)) == [
        "cssrs_since_last_contact",
        "gad7",
        "phq9",
    ]
    assert {a.due_at for a in assigned} == {tomorrow_9}
    later = tomorrow_9 + timedelta(days=1)
    reschedule_appointment(
        None,
        appointment,
        starts_at=later,
        duration_minutes=150,
        clinicians=[therapist],
        room=room,
        reason="Asked",
    )
    assert {a.due_at for a in assigned.all()} == {later} and assigned.count() == 3
    cancel_appointment(None, appointment, "Client unwell", actor=desk)
    assert all(a.cancelled_at is not None for a in assigned.all())
    assert AuditEvent.objects.filter(action="measures.assignment.cancelled", actor=desk).count() == 3
