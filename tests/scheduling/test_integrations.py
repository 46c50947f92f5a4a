"""After each completed medicine session an integration appointment is due within the programme's
window; overdue ones are listed for the member's clients at a bounded cost."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.scheduling.queries import integrations_due, overdue_integrations
from kapstone.scheduling.services import complete_appointment

from ..factories import make_client
from .conftest import book, make_room


@pytest.fixture
def session(world, scoped, ready, room, tomorrow_9):
    """A medicine session held two days ago (booked in the past, then completed), so that a later one
    the next day has also already happened, at whatever hour the test runs."""
    start = tomorrow_9 - timedelta(days=3)
    appointment = book(world.client, start, [world.members["therapist"]], kind="medicine", room=room)
    return complete_appointment(None, appointment)


def test_completing_a_medicine_session_makes_integration_due_within_72_hours(session):
    assert session.integration_due_at == session.ends_at + timedelta(hours=72)


def test_an_overdue_integration_is_listed_for_the_care_team_only(world, session):
    therapist = world.members["therapist"]
    assert list(overdue_integrations(therapist)) == []  # due, not overdue yet
    assert [a.pk for a in integrations_due(therapist)] == [session.pk]
    with time_machine.travel(session.integration_due_at + timedelta(minutes=1)):
        assert [a.client for a in overdue_integrations(therapist)] == [world.client]
        assert list(overdue_integrations(world.outsider)) == []  # not on the care team
        assert [a.pk for a in overdue_integrations(world.members["admin"])] == [session.pk]


def test_an_integration_booked_in_the_window_settles_it(world, session):
    book(
        world.client, session.ends_at + timedelta(hours=20), [world.members["therapist"]], kind="integration"
    )
    with time_machine.travel(session.integration_due_at + timedelta(days=1)):
        assert list(overdue_integrations(world.members["therapist"])) == []


def test_an_integration_booked_after_the_window_still_shows_as_late(world, session):
    late = book(
        world.client,
        session.integration_due_at + timedelta(days=2),
        [world.members["therapist"]],
        kind="integration",
    )
    with time_machine.travel(session.integration_due_at + timedelta(hours=1)):
        (due,) = overdue_integrations(world.members["therapist"])
    assert due.late_integration_at == late.starts_at


def test_a_later_medicine_session_or_a_closed_episode_ends_the_wait(world, session):
    later = book(
        world.client,
        session.starts_at + timedelta(days=1),
        [world.members["therapist"]],
        kind="medicine",
        room=session.room,
    )
    later = complete_appointment(None, later)
    with time_machine.travel(later.integration_due_at + timedelta(hours=1)):
        assert [a.pk for a in overdue_integrations(world.members["therapist"])] == [later.pk]
        session.episode.state = "closed"
        session.episode.save()
        assert list(overdue_integrations(world.members["therapist"])) == []


def test_the_integrations_page_lists_overdue_with_a_booking_link(client, world, session):
    with time_machine.travel(session.integration_due_at + timedelta(hours=1)):
        client.force_login(world.members["front_desk"].user)
        page = client.get(reverse("scheduling:integrations")).content.decode()
    assert world.client.display_name in page and "Overdue" in page
    assert reverse("scheduling:new", args=[world.client.pk]) + "?kind=integration&amp;date=" in page


def test_overdue_integrations_cost_one_query_whatever_the_caseload(world, scoped, ready, tomorrow_9):
    therapist = world.members["therapist"]
    for n in range(6):
        client = make_client(world.practice, care_team=[therapist])
        room = make_room(world.practice, f"Chair {n}")
        start = tomorrow_9 - timedelta(days=5, hours=3 * n)
        complete_appointment(
            None, book(client, start, [world.members["prescriber"]], kind="medicine", room=room)
        )
    with time_machine.travel(tomorrow_9 + timedelta(days=1)), CaptureQueriesContext(connection) as captured:
        overdue = [(a.client.display_name, a.integration_due_at) for a in overdue_integrations(therapist)]
    assert len(overdue) == 6 and len(captured) == 1


def test_the_home_page_partial_lists_the_overdue(rf, world, session):
    from django.template.loader import render_to_string

    with time_machine.travel(session.integration_due_at + timedelta(hours=1)):
        overdue = list(overdue_integrations(world.members["therapist"]))
    request = rf.get("/")
    html = render_to_string(
        "scheduling/overdue_integrations.html",
        {"overdue": overdue, "practice": world.practice, "can": {"edit_client": True}},
        request,
    )
    assert world.client.display_name in html and "Overdue" in html and "?kind=integration" in html
