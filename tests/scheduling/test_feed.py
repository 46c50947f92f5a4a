"""The private ICS feed: parses with icalendar, carries the member's appointments and no client names
unless the practice allows; only a hash of the token is stored; revocable and regenerable."""

import re
from datetime import UTC, timedelta

import icalendar
import pytest
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.practice.links import token_digest
from kapstone.scheduling.models import CalendarFeed, FeedClientLabel, SchedulingSettings
from kapstone.scheduling.services import cancel_appointment, issue_feed, revoke_feed

from ..factories import make_client
from .conftest import book


def events(client, token):
    response = client.get(reverse("scheduling:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.fixture
def booked(world, scoped, room, tomorrow_9):
    therapist = world.members["therapist"]
    mine = book(world.client, tomorrow_9, [therapist, world.members["monitor"]], minutes=60, room=room)
    cancelled = book(world.client, tomorrow_9 + timedelta(hours=2), [therapist], minutes=60)
    cancel_appointment(None, cancelled, "Client unwell")
    not_mine = book(make_client(world.practice), tomorrow_9, [world.members["prescriber"]], minutes=60)
    return mine, cancelled, not_mine


def test_the_feed_parses_and_holds_only_the_members_live_appointments(client, world, booked):
    mine, _, _ = booked
    token = issue_feed(None, world.members["therapist"])
    found = events(client, token)
    assert len(found) == 1
    event = found[0]
    assert str(event["uid"]) == f"{mine.pk}@kapstone"
    assert event.decoded("dtstart") == mine.starts_at.astimezone(UTC)
    assert event.decoded("dtend") == mine.ends_at.astimezone(UTC)
    assert str(event["summary"]) == "Preparation: Client appointment"
    assert str(event["location"]) == "Room 1"
    assert "With: A monitor" in str(event["description"])
    assert str(event["url"]).endswith(reverse("scheduling:detail", args=[world.client.pk, mine.pk]))


def test_no_client_name_or_record_number_is_in_the_feed_by_default(client, world, booked):
    body = client.get(
        reverse("scheduling:feed", args=[issue_feed(None, world.members["therapist"])])
    ).content.decode()
    for identifier in (
        world.client.legal_first_name,
        world.client.legal_last_name,
        world.client.record_number,
    ):
        assert identifier not in body


@pytest.mark.parametrize(
    ("label", "expected"), [(FeedClientLabel.INITIALS, "{i}"), (FeedClientLabel.NAME, "{name}")]
)
def test_a_practice_may_allow_initials_or_names(client, world, booked, label, expected):
    SchedulingSettings.objects.create(practice=world.practice, feed_client_label=label)
    (event,) = events(client, issue_feed(None, world.members["therapist"]))
    initials = ".".join(world.client.initials) + "."
    assert str(event["summary"]) == "Preparation: " + expected.format(
        i=initials, name=world.client.display_name
    )


def test_only_a_hash_is_stored_and_a_revoked_or_replaced_address_stops_working(client, world, booked):
    member = world.members["therapist"]
    first = issue_feed(None, member)
    assert CalendarFeed.objects.get().token_hash == token_digest(first) != first
    second = issue_feed(None, member)
    assert client.get(reverse("scheduling:feed", args=[first])).status_code == 404
    assert client.get(reverse("scheduling:feed", args=[second])).status_code == 200
    assert revoke_feed(None, member)
    assert client.get(reverse("scheduling:feed", args=[second])).status_code == 404
    actions = set(
        AuditEvent.objects.filter(action__startswith="scheduling.feed").values_list("action", flat=True)
    )
    assert actions == {
        "scheduling.feed.created",
        "scheduling.feed.regenerated",
        "scheduling.feed.revoked",
        "scheduling.feed.fetched",
    }


def test_a_deactivated_member_loses_the_feed(client, world, booked):
    member = world.members["therapist"]
    token = issue_feed(None, member)
    member.is_active = False
    member.save()
    assert client.get(reverse("scheduling:feed", args=[token])).status_code == 404


def test_the_member_manages_the_feed_from_their_own_page(client, world, booked):
    member = world.members["therapist"]
    client.force_login(member.user)
    url = reverse("scheduling:my_feed")
    assert "You have no calendar feed" in client.get(url).content.decode()
    page = client.post(url, {"action": "create"}).content.decode()
    address = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', page).group(1)
    assert address.startswith("http://testserver/calendar/feed/") and address.endswith(".ics")
    client.logout()
    assert client.get(address).status_code == 200  # no sign-in needed: the address is the key
    client.force_login(member.user)
    assert address not in client.get(url).content.decode()  # shown once only
    response = client.post(url, {"action": "revoke"})
    assert response.status_code == 302
    assert client.get(address).status_code == 404


def test_a_feed_costs_the_same_queries_for_few_or_many_appointments(client, world, scoped, tomorrow_9):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    therapist = world.members["therapist"]
    token = issue_feed(None, therapist)
    counts = []
    for start, total in ((0, 2), (2, 25)):
        for n in range(start, total):
            book(make_client(world.practice), tomorrow_9 + timedelta(hours=n), [therapist], minutes=30)
        with CaptureQueriesContext(connection) as captured:
            assert len(events(client, token)) == total
        counts.append(len(captured))
    assert counts[0] == counts[1]
