"""Pathway pages cost the same number of queries however long the history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.pathway import consent, preparation
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.pathway.programmes import programmes_for
from kapstone.pathway.services import transition

from .helpers import client_request, publish, staff_request

S = EpisodeState


def grow(world, episode, rounds):
    therapist, admin = world.members["therapist"], world.members["admin"]
    request = staff_request(therapist)
    for n in range(rounds):
        transition(request, episode, S.PAUSED, reason=f"Pause {n}")
        transition(request, episode, S.SCREENING)
        preparation.record_preparation_session(
            request,
            episode,
            held_on=world.practice.today(),
            therapist=therapist,
            goals=f"Goal {n}",
            intentions=f"Intention {n}",
        )
        signature, _ = consent.request_signature(staff_request(admin), episode, "treatment")
        consent.sign(
            client_request(world.practice),
            signature,
            typed_name="A B",
            shown_sha256=signature.document.sha256,
        )
        publish(admin, text=f"Version {n + 2}")
    Episode.objects.create(practice=world.practice, client=world.client, state=S.CLOSED)


def count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name",
    ["pathway:episode", "pathway:preparation", "pathway:consent", "pathway:readiness", "pathway:episodes"],
)
def test_the_same_queries_for_a_short_and_a_long_history(client, world, scoped, name):
    episode = world.client.episodes.first()
    publish(world.members["admin"])
    programmes_for(world.practice)
    client.force_login(world.members["therapist"].user)
    args = [world.client.pk] if name == "pathway:episodes" else [world.client.pk, episode.pk]
    url = reverse(name, args=args)
    grow(world, episode, 1)
    short = count(client, url)
    grow(world, episode, 6)
    assert count(client, url) == short


def test_the_chart_section_costs_the_same_for_a_short_and_a_long_history(rf, world, scoped):
    from kapstone.pathway.chart import chart_context

    episode = world.client.episodes.first()
    publish(world.members["admin"])
    request = rf.get("/")
    request.user, request.membership = world.members["therapist"].user, world.members["therapist"]
    counts = []
    for rounds in (1, 6):
        grow(world, episode, rounds)
        with CaptureQueriesContext(connection) as captured:
            chart_context(request, world.client)
        counts.append(len(captured))
    assert counts[0] == counts[1]
