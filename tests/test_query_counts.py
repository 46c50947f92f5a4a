"""Pages cost a bounded number of queries, whatever the caseload."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import make_client, make_member, make_practice


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def caseload(n):
    practice = make_practice()
    therapist = make_member(practice, "therapist")
    admin = make_member(practice, "admin")
    for _ in range(n):
        make_client(practice, care_team=[therapist], episode_state="preparation")
    return therapist, admin


@pytest.mark.parametrize("role", ["therapist", "admin"])
@pytest.mark.parametrize("url_name", ["clients:list", "home:index"])
def test_the_same_queries_for_5_and_for_200_clients(client, db, url_name, role):
    counts = []
    for n in (5, 200):
        therapist, admin = caseload(n)
        client.force_login(therapist.user if role == "therapist" else admin.user)
        counts.append(queries_for(client, reverse(url_name)))
    assert counts[0] == counts[1]
