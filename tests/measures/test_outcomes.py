from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapstone.clinical import reliable_change
from kapstone.measures.models import QuestionnaireResponse
from kapstone.measures.outcomes import practice_outcomes

from ..factories import make_client, make_member, make_practice


def record(client, instrument, total, days_ago):
    return QuestionnaireResponse.objects.create(
        practice=client.practice,
        client=client,
        instrument_id=instrument,
        instrument_version="1.0",
        source="staff",
        status="submitted",
        total=total,
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_measures_page_explains_the_change_from_baseline(client, world, scoped):
    for total, days in ((18, 60), (14, 30), (9, 1)):
        record(world.client, "phq9", total, days)
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("measures:client", args=[world.client.pk])).content.decode()
    assert "Recovered" in page
    assert reliable_change("phq9", 18, 9).explanation in page.replace("&gt;", ">").replace("&#x27;", "'")
    assert page.count("<circle") >= 3


def python_counts(series):
    """The outcome counts computed one client at a time with the pure core."""
    counts = {"clients": 0, "improved": 0, "deteriorated": 0, "recovered": 0, "responded": 0, "remitted": 0}
    for totals in series:
        if len(totals) < 2:
            continue
        change = reliable_change("phq9", totals[0], totals[-1])
        counts["clients"] += 1
        counts["improved"] += change.category in ("improved", "recovered")
        counts["recovered"] += change.category == "recovered"
        counts["deteriorated"] += change.category == "deteriorated"
        counts["responded"] += bool(change.response)
        counts["remitted"] += bool(change.remission)
    return counts


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(series=st.lists(st.lists(st.integers(0, 27), min_size=1, max_size=4), min_size=1, max_size=6))
def test_the_database_counts_agree_with_the_clinical_core(series, scoped):
    with transaction.atomic():
        practice = make_practice()
        for totals in series:
            person = make_client(practice)
            for index, total in enumerate(totals):
                record(person, "phq9", total, days_ago=100 - index)
        outcome = next((o for o in practice_outcomes(practice) if o.instrument.id == "phq9"), None)
        expected = python_counts(series)
        if expected["clients"] == 0:
            assert outcome is None
        else:
            got = {k: getattr(outcome, k) for k in expected}
            assert got == expected
        transaction.set_rollback(True)


def test_the_outcomes_page_costs_the_same_queries_for_3_and_30_clients(client, db, scoped):
    counts = []
    for n in (3, 30):
        practice = make_practice()
        admin = make_member(practice, "admin")
        for i in range(n):
            person = make_client(practice)
            record(person, "phq9", 20, 50)
            record(person, "phq9", 5 + i % 10, 1)
            record(person, "gad7", 15, 50)
            record(person, "gad7", 4, 1)
        client.force_login(admin.user)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("measures:outcomes"))
        assert page.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
