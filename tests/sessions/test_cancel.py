"""Ending a session that was opened but never dosed: cancelled with a reason, never after a dose."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.scheduling.models import Appointment, AppointmentStatus
from kapstone.sessions.board import board_cards
from kapstone.sessions.cancellation import cancel_session
from kapstone.sessions.services import SessionError, start_session

from ..factories import make_client
from .builders import dose, make_session, request_for, vitals

# Mid-afternoon in America/Chicago: the session, its day and the board all fall on one local day.
NOON = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def team_client(world):
    return make_client(world.practice, care_team=[m for r, m in world.members.items() if r != "admin"])


def test_the_monitor_who_opened_a_session_cancels_it_with_a_reason(world, scoped, login, frozen):
    monitor = world.members["monitor"]
    target = team_client(world)
    session = make_session(target, by=monitor)
    vitals(session, monitor, at=NOON - timedelta(minutes=5), sbp=186, dbp=104)
    web = login(monitor)
    url = reverse("sessions:cancel", args=[session.pk])
    detail = web.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert url in detail  # offered on the session page

    empty = web.post(url, {"reason": "   "})
    assert empty.status_code == 200
    assert "Give the reason the session is cancelled" in empty.content.decode()
    session.refresh_from_db()
    assert session.cancelled_at is None

    reason = "BP 186/104 before dosing; prescriber postponed to next week"
    assert web.post(url, {"reason": reason}).status_code == 302
    session.refresh_from_db()
    assert session.cancelled_at == NOON and session.cancelled_by == monitor.user
    event = AuditEvent.objects.get(action="sessions.session.cancelled")
    assert event.client_id == target.pk

    page = web.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert f"Cancelled — {reason}" in page
    assert reverse("sessions:vitals", args=[session.pk]) not in page  # nothing more to record
    listing = web.get(reverse("sessions:client", args=[target.pk])).content.decode()
    assert f"Cancelled — {reason}" in listing
    assert board_cards(monitor, NOON) == []
    assert str(session.pk) not in web.get(reverse("sessions:board_cards")).content.decode()
    # Recording in a cancelled session is refused.
    assert web.get(reverse("sessions:vitals", args=[session.pk])).status_code == 403


def test_a_prescriber_may_cancel_any_session_others_only_their_own(world, scoped, frozen):
    target = team_client(world)
    session = make_session(target, by=world.members["monitor"])
    with pytest.raises(SessionError, match="prescriber or the person who opened"):
        cancel_session(request_for(world.members["therapist"]), session, reason="Client unwell")
    cancel_session(request_for(world.members["prescriber"]), session, reason="Client unwell")
    session.refresh_from_db()
    assert session.cancellation_reason == "Client unwell"
    with pytest.raises(SessionError, match="already been cancelled"):
        cancel_session(request_for(world.members["prescriber"]), session, reason="Again")


def test_a_dosed_session_cannot_be_cancelled(world, scoped, login, frozen):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    session = make_session(team_client(world), by=monitor)
    dose(session, prescriber, monitor, at=NOON - timedelta(minutes=10))
    with pytest.raises(SessionError, match="cannot be cancelled: discharge the client instead"):
        cancel_session(request_for(prescriber), session, reason="Changed my mind")
    web = login(prescriber)
    response = web.post(
        reverse("sessions:cancel", args=[session.pk]), {"reason": "Changed my mind"}, follow=True
    )
    assert "discharge the client instead" in response.content.decode()
    session.refresh_from_db()
    assert session.cancelled_at is None
    assert not AuditEvent.objects.filter(action="sessions.session.cancelled").exists()


def test_cancelling_does_not_mark_the_days_medicine_appointment_held(world, scoped, frozen):
    target = team_client(world)
    session = make_session(target, by=world.members["monitor"], opened_at=NOON - timedelta(minutes=20))
    appointment = Appointment.objects.create(
        practice=world.practice,
        client=target,
        episode=session.episode,
        kind="medicine",
        starts_at=NOON - timedelta(minutes=30),
        ends_at=NOON + timedelta(hours=2),
    )
    cancel_session(request_for(world.members["monitor"]), session, reason="No escort today")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_after_a_cancellation_the_client_can_start_again_the_same_day(world, scoped, frozen, no_gaps):
    target = team_client(world)
    first = make_session(target, by=world.members["monitor"], opened_at=NOON - timedelta(hours=1))
    request = request_for(world.members["monitor"])
    with pytest.raises(SessionError, match="already has a medicine session open today"):
        start_session(request, first.episode, protocol_id="sublingual", room="Room 2")
    cancel_session(request, first, reason="Wrong room booked")
    second = start_session(request, first.episode, protocol_id="sublingual", room="Room 2")
    assert second.number == first.number  # a cancelled session does not count as a medicine session
