"""Booking, rescheduling, cancelling and admin pages: clear messages next to the field, input kept."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.scheduling.chart import chart_context
from kapstone.scheduling.models import Appointment, Room, SchedulingSettings
from kapstone.scheduling.queries import upcoming_for_client

from ..factories import make_client
from .conftest import book, local, make_room


def form_data(world, when, **changes):
    data = {
        "kind": "preparation",
        "date": when.date().isoformat(),
        "start_time": f"{when:%H:%M}",
        "duration_minutes": "50",
        "clinicians": [world.members["therapist"].pk],
        "room": "",
    }
    return data | changes


def test_the_front_desk_books_an_appointment(client, world, scoped, room, tomorrow_9):
    client.force_login(world.members["front_desk"].user)
    url = reverse("scheduling:new", args=[world.client.pk])
    response = client.post(url, form_data(world, tomorrow_9, room=room.pk))
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("scheduling:detail", args=[world.client.pk, appointment.pk])
    assert appointment.starts_at == tomorrow_9 and appointment.room == room
    assert appointment.created_by == world.members["front_desk"].user
    page = client.get(response["Location"]).content.decode()
    assert "Booked: preparation for" in page and "Room 1" in page


def test_a_clash_is_shown_next_to_the_field_and_the_input_is_kept(client, world, scoped, room, tomorrow_9):
    other = make_client(world.practice)
    book(other, tomorrow_9, [world.members["prescriber"]], minutes=60, room=room)
    client.force_login(world.members["front_desk"].user)
    response = client.post(
        reverse("scheduling:new", args=[world.client.pk]),
        form_data(world, tomorrow_9 + timedelta(minutes=30), room=room.pk),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Room 1 is already booked" in body and "09:00\u201310:00" in body
    assert 'class="field has-error"' in body
    assert 'value="09:30"' in body and 'value="50"' in body  # what was typed is kept
    assert other.display_name not in body  # the clash never names the other client
    assert Appointment.objects.count() == 1


def test_a_time_that_does_not_exist_when_the_clocks_go_forward_is_refused(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    data = form_data(world, local(world.practice, 2027, 3, 14, 2, 30))  # America/Chicago springs forward
    body = client.post(reverse("scheduling:new", args=[world.client.pk]), data).content.decode()
    assert "02:30 does not exist on 2027-03-14 in America/Chicago" in body


def test_an_empty_form_says_what_is_missing(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    body = client.post(reverse("scheduling:new", args=[world.client.pk]), {}).content.decode()
    assert "Please correct" in body and "Choose at least one clinician." in body


def test_the_usual_lengths_are_explained_on_the_form(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    body = client.get(reverse("scheduling:new", args=[world.client.pk])).content.decode()
    assert "medicine session 150 min: 30 min check-in before the dose + 120 min" in body


def test_reschedule_cancel_and_close_from_the_pages(client, world, scoped, room, tomorrow_9):
    appointment = book(world.client, tomorrow_9, [world.members["therapist"]], minutes=50, room=room)
    client.force_login(world.members["therapist"].user)
    url = reverse("scheduling:reschedule", args=[world.client.pk, appointment.pk])
    page = client.get(url).content.decode()
    assert 'value="09:00"' in page and 'value="50"' in page
    later = tomorrow_9 + timedelta(hours=2)
    data = form_data(world, later, room=room.pk)
    del data["kind"]
    body = client.post(url, data).content.decode()
    assert "Reason for the change: This field is required." in body
    response = client.post(url, data | {"reason": "Client's bus is late"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == later
    detail = client.get(response["Location"]).content.decode()
    assert "Client&#x27;s bus is late" in detail and "Rescheduled" in detail
    cancel = reverse("scheduling:cancel", args=[world.client.pk, appointment.pk])
    assert "Reason for cancelling" in client.post(cancel, {"reason": ""}).content.decode()
    client.post(cancel, {"reason": "Client unwell"})
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    status = reverse("scheduling:status", args=[world.client.pk, appointment.pk])
    client.post(status, {"status": "completed"})
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"  # closed appointments stay closed


def test_the_client_page_and_chart_section_list_upcoming_and_past(client, world, scoped, tomorrow_9):
    therapist = world.members["therapist"]
    past = book(world.client, tomorrow_9 - timedelta(days=7), [therapist], kind="intake")
    soon = book(world.client, tomorrow_9, [therapist])
    assert list(upcoming_for_client(world.client)) == [soon]
    request = RequestFactory().get("/")
    request.membership, request.practice = world.members["front_desk"], world.practice
    context = chart_context(request, world.client)
    assert context["scheduling_upcoming"] == [soon] and context["scheduling_past"] == [past]
    assert context["scheduling_can_schedule"] is True
    html = render_to_string(
        "scheduling/chart_section.html",
        context | {"client": world.client, "practice": world.practice},
        request,
    )
    assert "Schedule" in html and "Intake" in html and "Preparation" in html
    client.force_login(world.members["monitor"].user)
    page = client.get(reverse("scheduling:client", args=[world.client.pk])).content.decode()
    assert "Intake" in page and "Schedule an appointment" not in page  # a monitor cannot book
    assert AuditEvent.objects.filter(action="scheduling.appointments.viewed").exists()


def test_choosing_a_client_to_book_finds_only_visible_clients(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    url = reverse("scheduling:choose_client")
    page = client.get(url, {"q": "Testperson", "date": "2026-12-01"}).content.decode()
    assert world.client.display_name in page and world.unassigned_client.display_name not in page
    assert reverse("scheduling:new", args=[world.client.pk]) + "?date=2026-12-01" in page


def test_the_admin_manages_rooms_and_settings(client, world, scoped):
    client.force_login(world.members["admin"].user)
    client.post(reverse("scheduling:rooms"), {"name": "Chair A", "kind": "chair", "is_active": "on"})
    body = client.post(reverse("scheduling:rooms"), {"name": "chair a", "kind": "room"}).content.decode()
    assert "There is already a room called chair a." in body
    room = Room.objects.get()
    client.post(reverse("scheduling:room_edit", args=[room.pk]), {"name": "Chair A", "kind": "chair"})
    room.refresh_from_db()
    assert room.is_active is False
    url = reverse("scheduling:settings")
    data = {
        "feed_client_label": "initials",
        "reminders_enabled": "on",
        "reminder_lead_hours": "48",
        "medicine_check_in_minutes": "15",
        "intake_minutes": "60",
        "preparation_minutes": "50",
        "integration_minutes": "90",
        "follow_up_minutes": "50",
        "day_starts_at": "09:00",
        "day_ends_at": "08:00",
    }
    assert "The calendar day must end after it starts." in client.post(url, data).content.decode()
    assert client.post(url, data | {"day_ends_at": "19:00"}).status_code == 302
    settings = SchedulingSettings.objects.get()
    assert settings.reminder_lead_hours == 48 and settings.feed_client_label == "initials"
    actions = set(
        AuditEvent.objects.filter(action__startswith="scheduling.").values_list("action", flat=True)
    )
    assert actions == {"scheduling.room.created", "scheduling.room.updated", "scheduling.settings.updated"}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["client", "integrations"])
def test_lists_cost_the_same_queries_for_2_or_20_appointments(client, world, scoped, ready, tomorrow_9, page):
    from kapstone.scheduling.services import complete_appointment

    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    url = (
        reverse("scheduling:client", args=[world.client.pk])
        if page == "client"
        else reverse("scheduling:integrations")
    )
    counts, done = [], 0
    for total in (2, 20):
        for n in range(done, total):
            start = tomorrow_9 + timedelta(hours=3 * n) - timedelta(days=30 if n % 2 else 0)
            if page == "client":
                book(world.client, start, [therapist, world.members["monitor"]])
            else:
                someone = make_client(world.practice, care_team=[therapist])
                room = make_room(world.practice, f"Chair {n}")
                complete_appointment(
                    None, book(someone, start - timedelta(days=60), [therapist], kind="medicine", room=room)
                )
        done = total
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1]


def test_an_appointment_is_marked_completed_or_missed_from_its_start(client, world, scoped, tomorrow_9):
    held = book(world.client, tomorrow_9 - timedelta(days=2), [world.members["therapist"]])
    future = book(world.client, tomorrow_9, [world.members["therapist"]])
    client.force_login(world.members["front_desk"].user)
    response = client.post(
        reverse("scheduling:status", args=[world.client.pk, held.pk]), {"status": "completed"}
    )
    assert "Marked as completed." in client.get(response["Location"]).content.decode()
    response = client.post(
        reverse("scheduling:status", args=[world.client.pk, future.pk]), {"status": "no_show", "reason": "x"}
    )
    assert "has not started yet" in client.get(response["Location"]).content.decode()
    held.refresh_from_db(), future.refresh_from_db()
    assert (held.status, future.status) == ("completed", "scheduled")
