"""Screening lists cost a bounded number of queries, whatever the caseload."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.practice.tenancy import scopes_disabled
from kapstone.screening import services

from ..factories import make_client, make_member, make_practice


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_worklist_costs_the_same_queries_for_5_and_for_40_clients(client, db):
    counts = []
    for n in (5, 40):
        practice = make_practice()
        prescriber = make_member(practice, "prescriber")
        with scopes_disabled():
            for i in range(n):
                person = make_client(practice, care_team=[prescriber], episode_state="screening")
                if i % 2:
                    services.start_intake(None, person, services.current_episode(person))
        client.force_login(prescriber.user)
        counts.append(queries(client, reverse("screening:worklist")))
    assert counts[0] == counts[1]
