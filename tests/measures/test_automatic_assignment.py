"""The measurement plan runs by itself: pre-session questionnaires on booking (moved on rescheduling,
cancelled with the appointment), the EBI on discharge, intake on opening an episode; never twice, always
audited (docs/measurement-plan.md)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.measures import services
from kapstone.measures.models import Assignment, MeasurementPlanItem, SafetyAlert
from kapstone.measures.plan import plan_for
from kapstone.pathway.services import start_episode, transition
from kapstone.practice.models import Role
from kapstone.scheduling import services as scheduling
from kapstone.scheduling.models import Room
from kapstone.sessions.discharge import discharge_session

from ..factories import make_client
from ..sessions.builders import dose, make_session, request_for

PRE_SESSION = {"phq9", "gad7", "cssrs_since_last_contact"}
# Thursday 3 December 2026, 09:00 in Chicago; the session is booked for Tuesday 8 December 09:00.
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
OVERRIDE = "Readiness reviewed with the client in person"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booker(world):
    """The prescriber books, writing why the session may go ahead before readiness is complete."""
    return world.members["prescriber"].user


@pytest.fixture
def tuesday_9(world):
    return datetime(2026, 12, 8, 9, 0, tzinfo=world.practice.zone)


def book_medicine(world, starts_at, *, actor, client=None, room_name="Room 1"):
    room, _ = Room.objects.get_or_create(practice=world.practice, name=room_name)
    return scheduling.book_appointment(
        None,
        client or world.client,
        kind="medicine",
        starts_at=starts_at,
        clinicians=[world.members["therapist"]],
        room=room,
        override_reason=OVERRIDE,
        actor=actor,
        role=Role.PRESCRIBER,
    )


def submit(assignment, answers):
    response = services.draft_for(
        assignment.client, assignment.instrument_id, source="portal", assignment=assignment
    )
    return services.save_answers(None, response, answers, submit=True)


def pre_session(appointment):
    return {a.instrument_id: a for a in Assignment.objects.filter(appointment=appointment)}


def test_booking_a_medicine_session_assigns_the_pre_session_questionnaires_due_at_its_start(
    world, scoped, booker, tuesday_9
):
    appointment = book_medicine(world, tuesday_9, actor=booker)
    assigned = pre_session(appointment)
    assert set(assigned) == PRE_SESSION
    for assignment in assigned.values():
        assert assignment.point == "pre_session" and assignment.due_at == tuesday_9
        assert assignment.episode == appointment.episode and assignment.created_by == booker
        assert assignment.since_last_contact
    events = AuditEvent.objects.filter(action="measures.assignment.created", client_id=world.client.pk)
    assert events.count() == 3
    assert {e.actor for e in events} == {booker}
    assert {e.data["appointment"] for e in events} == {str(appointment.pk)}


def test_other_appointments_assign_nothing(world, scoped, booker, tuesday_9):
    scheduling.book_appointment(
        None,
        world.client,
        kind="preparation",
        starts_at=tuesday_9,
        clinicians=[world.members["therapist"]],
        actor=booker,
    )
    assert not Assignment.objects.filter(client=world.client).exists()


def test_the_plan_can_make_a_pre_session_questionnaire_due_hours_before(world, scoped, booker, tuesday_9):
    plan_for(world.practice)
    MeasurementPlanItem.objects.filter(point="pre_session", instrument_id="phq9").update(due_before_hours=24)
    assigned = pre_session(book_medicine(world, tuesday_9, actor=booker))
    assert assigned["phq9"].due_at == tuesday_9 - timedelta(hours=24)
    assert assigned["gad7"].due_at == tuesday_9


def test_rescheduling_moves_the_open_ones_and_leaves_what_is_done(world, scoped, booker, tuesday_9):
    appointment = book_medicine(world, tuesday_9, actor=booker)
    submit(pre_session(appointment)["gad7"], dict.fromkeys(range(1, 8), 0))
    later = tuesday_9 + timedelta(days=2, hours=1)
    scheduling.reschedule_appointment(
        None,
        appointment,
        starts_at=later,
        duration_minutes=appointment.duration_minutes,
        clinicians=[world.members["therapist"]],
        room=appointment.room,
        reason="Client asked",
        actor=booker,
    )
    assigned = pre_session(appointment)
    assert len(assigned) == 3  # moved, not assigned again
    assert assigned["phq9"].due_at == later and assigned["cssrs_since_last_contact"].due_at == later
    assert assigned["gad7"].due_at == tuesday_9 and assigned["gad7"].completed_at is not None
    moved = AuditEvent.objects.filter(action="measures.assignment.rescheduled")
    assert moved.count() == 2 and {e.actor for e in moved} == {booker}


def test_running_it_again_never_duplicates_and_the_database_refuses_a_duplicate(
    world, scoped, booker, tuesday_9
):
    appointment = book_medicine(world, tuesday_9, actor=booker)
    assert services.assign_for_medicine_appointment(None, appointment) == []
    assert Assignment.objects.filter(appointment=appointment).count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        services.assign(None, world.client, "phq9", point="pre_session", appointment=appointment)


def test_a_plan_item_added_after_booking_is_assigned_on_rescheduling(world, scoped, booker, tuesday_9):
    appointment = book_medicine(world, tuesday_9, actor=booker)
    MeasurementPlanItem.objects.create(practice=world.practice, point="pre_session", instrument_id="pcl5")
    scheduling.reschedule_appointment(
        None,
        appointment,
        starts_at=tuesday_9 + timedelta(hours=2),
        duration_minutes=appointment.duration_minutes,
        clinicians=[world.members["therapist"]],
        room=appointment.room,
        reason="Room change",
    )
    assert set(pre_session(appointment)) == PRE_SESSION | {"pcl5"}


def test_cancelling_the_appointment_cancels_the_open_ones_audited(world, scoped, booker, tuesday_9):
    appointment = book_medicine(world, tuesday_9, actor=booker)
    submit(pre_session(appointment)["phq9"], dict.fromkeys(range(1, 10), 1))
    therapist = world.members["therapist"]
    scheduling.cancel_appointment(request_for(therapist), appointment, "Client unwell")
    assigned = pre_session(appointment)
    assert assigned["phq9"].cancelled_at is None and assigned["phq9"].completed_at is not None
    for instrument in ("gad7", "cssrs_since_last_contact"):
        assert assigned[instrument].cancelled_at is not None
    assert not Assignment.objects.open().filter(client=world.client).exists()
    cancelled = AuditEvent.objects.filter(action="measures.assignment.cancelled")
    assert cancelled.count() == 2 and {e.actor for e in cancelled} == {therapist.user}
    assert {e.data["why"] for e in cancelled} == {"appointment cancelled"}
    # Booking again makes a fresh set for the new appointment.
    again = book_medicine(world, tuesday_9 + timedelta(days=7), actor=booker)
    assert set(pre_session(again)) == PRE_SESSION


def test_a_no_show_cancels_the_open_ones(world, scoped, booker, tuesday_9):
    appointment = book_medicine(world, tuesday_9, actor=booker)
    with time_machine.travel(tuesday_9 + timedelta(hours=1), tick=False):
        scheduling.mark_no_show(None, appointment, "Did not come", actor=booker)
    assert not Assignment.objects.open().filter(appointment=appointment).exists()


def discharge(session, prescriber, at):
    return discharge_session(
        request_for(prescriber),
        session,
        discharged_at=at,
        aldrete_answers=dict.fromkeys(range(1, 6), 2),
        criteria={},
        override_reason="test",
        now=at,
    )


def test_discharge_from_a_dosed_session_assigns_the_ebi_due_a_day_later(world, scoped):
    prescriber = world.members["prescriber"]
    session = make_session(world.client, opened_at=NOW - timedelta(hours=4))
    dose(session, prescriber, world.members["monitor"], at=NOW - timedelta(hours=3, minutes=50))
    discharge(session, prescriber, NOW - timedelta(minutes=30))
    ebi = Assignment.objects.get(session=session)
    assert (ebi.instrument_id, ebi.point) == ("ebi", "post_session")
    assert ebi.due_at == NOW - timedelta(minutes=30) + timedelta(days=1)
    assert ebi.episode == session.episode and ebi.created_by == prescriber.user
    event = AuditEvent.objects.get(action="measures.assignment.created", object_id=str(ebi.pk))
    assert event.data["session"] == str(session.pk) and event.actor == prescriber.user
    assert services.assign_after_session(None, session, ended_at=NOW) == []
    assert Assignment.objects.filter(session=session).count() == 1


def test_a_new_client_gets_the_intake_plan_once_through_the_episode_opening(client, world, scoped):
    client.force_login(world.members["front_desk"].user)
    client.post(
        reverse("clients:create"),
        {"legal_first_name": "Ines", "legal_last_name": "Moreau", "date_of_birth": "1990-01-01"},
    )
    created = Assignment.objects.filter(client__legal_last_name="Moreau")
    assert sorted(created.values_list("instrument_id", flat=True)) == ["cssrs_screener", "gad7", "phq9"]
    episode = created.first().client.episodes.get()
    assert {a.episode for a in created} == {episode} and {a.point for a in created} == {"intake"}
    assert {a.created_by for a in created} == {world.members["front_desk"].user}


def test_a_returning_clients_new_episode_gets_the_intake_plan_its_baseline_needs(world, scoped):
    returning = make_client(world.practice, care_team=[world.members["therapist"]], episode_state="closed")
    episode = start_episode(request_for(world.members["therapist"]), returning)
    assert set(Assignment.objects.filter(episode=episode).values_list("instrument_id", flat=True)) == {
        "phq9",
        "gad7",
        "cssrs_screener",
    }


def test_follow_up_still_runs_on_entering_follow_up(world, scoped):
    episode = world.client.episodes.get()
    prescriber = request_for(world.members["prescriber"])
    for state in ("eligible", "preparation", "treatment", "follow_up"):
        transition(prescriber, episode, state, override_reason="Reviewed by the prescriber")
    points = set(Assignment.objects.filter(episode=episode).values_list("point", flat=True))
    assert points == {"end_of_course", "follow_up_1m", "follow_up_3m", "follow_up_6m"}


@pytest.mark.parametrize(
    ("answers", "kinds"),
    [
        ({1: 1, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0}, {("risk_level", None)}),
        ({1: 0, 2: 0, 6: 1}, {("risk_level", None), ("critical_item", 6)}),
        ({1: 1, 2: 0, 6: 0}, set()),
    ],
)
def test_a_since_last_contact_screener_raises_alerts_like_the_intake_screener(world, scoped, answers, kinds):
    response = services.draft_for(world.client, "cssrs_since_last_contact", source="staff")
    outcome = services.save_answers(None, response, answers, submit=True)
    assert {(a.kind, a.item) for a in SafetyAlert.objects.filter(response=outcome.response)} == kinds
