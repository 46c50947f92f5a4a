"""Browser tests: the front desk books and meets a clash; a medicine session waits for readiness."""

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.pathway.models import Episode
from kapstone.practice.tenancy import scopes_disabled
from kapstone.scheduling import services
from kapstone.scheduling.models import Appointment, Room

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tomorrow(world):
    return world.practice.today() + timedelta(days=1)


def test_the_front_desk_books_an_appointment_and_a_room_clash_is_refused(
    page, live_server, live_world, sign_in
):
    world = live_world
    day = tomorrow(world)
    with scopes_disabled():
        room = Room.objects.create(practice=world.practice, name="Room 1")
        Episode.objects.create(practice=world.practice, client=world.unassigned_client, state="preparation")
        services.book_appointment(
            None,
            world.unassigned_client,
            kind="preparation",
            starts_at=datetime(day.year, day.month, day.day, 10, tzinfo=world.practice.zone),
            clinicians=[world.outsider],
            room=room,
            duration_minutes=60,
        )
    sign_in(world.members["front_desk"].user)
    page.goto(live_server.url + reverse("scheduling:client", args=[world.client.pk]))
    page.get_by_role("link", name="Schedule an appointment").first.click()
    page.get_by_label("Preparation").check()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("10:30")
    page.get_by_label("A therapist (Therapist)").check()
    page.get_by_label("Room or chair").select_option(label="Room 1 (room)")
    page.get_by_role("button", name="Book appointment").click()

    summary = page.get_by_role("alert").filter(has_text="Please correct")
    expect(summary).to_contain_text(re.compile(r"Room 1 is already booked \w+ \d+ \w+ 10:00\u201311:00"))
    expect(page.get_by_label("Start time")).to_have_value("10:30")  # nothing typed is lost
    expect(page.get_by_text(world.unassigned_client.display_name)).to_have_count(0)

    page.get_by_label("Start time").fill("11:00")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_text(f"Booked: preparation for {world.client.display_name}.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Preparation: {world.client.display_name}")

    page.goto(live_server.url + reverse("scheduling:day") + f"?date={day.isoformat()}&by=room")
    cell = page.locator("td.busy").filter(has_text="11:00\u201311:50")
    expect(cell.get_by_role("link", name=world.client.display_name)).to_be_visible()
    expect(page.locator("td.busy").filter(has_text="10:00\u201311:00")).to_contain_text("Client appointment")
    with scopes_disabled():
        assert Appointment.objects.count() == 2


def test_a_medicine_session_is_refused_with_the_missing_readiness_items_listed(
    page, live_server, live_world, sign_in
):
    world = live_world
    with scopes_disabled():
        Room.objects.create(practice=world.practice, name="Chair A", kind="chair")
        missing = services.readiness_gaps(services.open_episode_of(world.client))
    assert missing, "the world's client is in screening: readiness cannot be complete"
    sign_in(world.members["therapist"].user)
    page.goto(live_server.url + reverse("scheduling:new", args=[world.client.pk]))
    panel = page.get_by_role("region", name="Readiness for a medicine session")
    expect(panel).to_contain_text("Not ready")

    page.get_by_role("radio", name="Medicine session").check()
    page.get_by_label("Date").fill(tomorrow(world).isoformat())
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("Room or chair").select_option(label="Chair A (chair)")
    page.get_by_role("button", name="Book appointment").click()

    expect(page.get_by_role("alert").filter(has_text="Please correct")).to_contain_text(
        "A medicine session cannot be scheduled yet"
    )
    refused = page.get_by_role("alert").filter(has_text="Readiness for a medicine session")
    items = refused.get_by_role("listitem")
    expect(items).to_have_count(len(missing))
    for gap in missing:
        expect(refused).to_contain_text(f"{gap.label} \u2014 {gap.who} can complete it")
    expect(refused).to_contain_text("Only an admin or a prescriber can book it before then")
    expect(page.get_by_role("radio", name="Medicine session")).to_be_checked()
    with scopes_disabled():
        assert not Appointment.objects.exists()
