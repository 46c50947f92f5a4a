"""/measures/due/ says what each questionnaire is for and whether it is due or overdue, in words, at a
fixed number of queries; the plan page says when each point runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.measures import services
from kapstone.measures.models import MeasurementPlanItem
from kapstone.practice.models import Role
from kapstone.scheduling import services as scheduling
from kapstone.scheduling.models import Room

from ..factories import make_client
from ..sessions.builders import make_session

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # Thursday 3 December 2026, 09:00 in Chicago
DUE = reverse("measures:due")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def book_medicine(world, client, starts_at, room_name="Room 1"):
    room, _ = Room.objects.get_or_create(practice=world.practice, name=room_name)
    return scheduling.book_appointment(
        None,
        client,
        kind="medicine",
        starts_at=starts_at,
        clinicians=[world.members["therapist"]],
        room=room,
        override_reason="Readiness reviewed with the client in person",
        actor=world.members["prescriber"].user,
        role=Role.PRESCRIBER,
    )


def rows_of(page):
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [row.split("</tr>")[0] for row in body.split("<tr>")[1:]]


def test_each_row_says_what_it_is_for_and_due_or_overdue_in_words(client, world, scoped):
    tuesday = datetime(2026, 12, 8, 9, 0, tzinfo=world.practice.zone)
    book_medicine(world, world.client, tuesday)
    session = make_session(world.client, opened_at=NOW - timedelta(days=2))
    services.assign_after_session(None, session, ended_at=NOW - timedelta(days=2) + timedelta(hours=3))
    services.assign(None, world.client, "pcl5", due_at=NOW + timedelta(days=1))
    client.force_login(world.members["therapist"].user)
    page = client.get(DUE).content.decode()
    rows = rows_of(page)
    ebi = next(r for r in rows if "EBI" in r)
    assert "After medicine session Tue 1 Dec 09:00" in ebi
    assert "Overdue</span> since Wed 2 Dec 12:00" in ebi
    phq9 = next(r for r in rows if "PHQ-9" in r)
    assert "Before medicine session Tue 8 Dec 09:00" in phq9 and "Due</span> by Tue 8 Dec 09:00" in phq9
    assert any("C-SSRS since last contact" in r for r in rows)
    pcl5 = next(r for r in rows if "PCL-5" in r)
    assert "Added by staff" in pcl5 and "Due</span> by Fri 4 Dec 09:00" in pcl5
    assert rows.index(ebi) == 0  # overdue first


def test_the_due_list_costs_the_same_queries_for_3_and_for_30_assignments(client, world, scoped):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DUE).status_code == 200
        return len(captured)

    team = [world.members["therapist"]]
    client.force_login(world.members["therapist"].user)
    start = datetime(2026, 12, 8, 9, 0, tzinfo=world.practice.zone)
    book_medicine(world, make_client(world.practice, care_team=team, episode_state="preparation"), start)
    few = count()
    for n in range(1, 10):
        other = make_client(world.practice, care_team=team, episode_state="preparation")
        appointment = book_medicine(world, other, start + timedelta(hours=3 * n), room_name=f"Room {n + 1}")
        session = make_session(other, opened_at=NOW - timedelta(days=1))
        services.assign_after_session(None, session, ended_at=NOW - timedelta(hours=20))
        assert appointment.pk
    assert count() == few


def test_the_plan_page_says_when_each_point_runs_and_takes_a_lead_time(client, world, scoped):
    client.force_login(world.members["admin"].user)
    page = client.get(reverse("measures:plan")).content.decode()
    assert "When a medicine session is booked" in page
    assert "When the client is discharged from a dosed medicine session" in page
    assert "When the client&#x27;s episode of care is opened" in page
    assert "By the session's start" in page and "C-SSRS since last contact" in page
    refused = client.post(
        reverse("measures:plan"),
        {"point": "pre_session", "instrument_id": "pcl5", "due_after_days": "2", "due_before_hours": "0"},
    ).content.decode()
    assert "set hours before instead" in refused
    assert not MeasurementPlanItem.objects.filter(instrument_id="pcl5").exists()
    client.post(
        reverse("measures:plan"),
        {"point": "pre_session", "instrument_id": "pcl5", "due_after_days": "0", "due_before_hours": "12"},
    )
    assert MeasurementPlanItem.objects.get(instrument_id="pcl5").due_before_hours == 12
    assert "12 hours before the session starts" in client.get(reverse("measures:plan")).content.decode()
