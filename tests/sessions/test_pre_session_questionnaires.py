"""The pre-dose checklist and the plan's pre-session questionnaires: which are done, due or missing, and
which C-SSRS counts (the intake screener before the first session; a "since last contact" one submitted
after the previous session ended before every later one)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from kapstone.measures import services as measures
from kapstone.measures.models import Assignment
from kapstone.sessions import services
from kapstone.sessions.discharge import discharge_session

from .builders import dose, make_session, request_for

NO_RISK = {1: 0, 2: 0, 6: 0}
HIGH = {1: 1, 2: 1, 3: 1, 4: 1, 5: 0, 6: 0}
NOW = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # Tuesday 8 December 2026, 09:00 in Chicago


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def answer(client, instrument_id, answers, at):
    with time_machine.travel(at, tick=False):
        response = measures.draft_for(client, instrument_id, source="staff")
        return measures.save_answers(None, response, answers, submit=True).response


def problems_of(session):
    return services.review_checklist(services.load(session), {}).problems


def cssrs_problems(session):
    return [p for p in problems_of(session) if "C-SSRS" in p]


def previous_session(world, *, opened, discharged=None):
    """A dosed earlier session, discharged at ``discharged`` (or left without a discharge)."""
    prescriber = world.members["prescriber"]
    session = make_session(world.client, opened_at=opened)
    dose(session, prescriber, world.members["monitor"], at=opened + timedelta(minutes=10))
    if discharged is not None:
        discharge_session(
            request_for(prescriber),
            session,
            discharged_at=discharged,
            aldrete_answers=dict.fromkeys(range(1, 6), 2),
            criteria={},
            override_reason="test",
            now=discharged,
        )
    return session


def test_before_the_first_session_the_intake_screener_of_this_episode_counts(world, scoped):
    answer(world.client, "cssrs_screener", NO_RISK, NOW - timedelta(days=20))
    session = make_session(world.client)
    assert cssrs_problems(session) == []
    review = services.review_checklist(services.load(session), {})
    assert review.cssrs.instrument_id == "cssrs_screener"
    assert review.cssrs_summary.startswith("C-SSRS screener 2026-11-18")


def test_before_a_later_session_only_a_since_last_contact_screener_since_it_ended_counts(world, scoped):
    opened = NOW - timedelta(days=7)
    previous_session(world, opened=opened, discharged=opened + timedelta(hours=3))
    answer(world.client, "cssrs_screener", NO_RISK, NOW - timedelta(days=1))  # the intake version
    # Answered on arrival at the previous session, before its discharge: that session's, not this one's.
    answer(world.client, "cssrs_since_last_contact", NO_RISK, opened + timedelta(minutes=5))
    session = make_session(world.client)
    assert cssrs_problems(session) == ["No C-SSRS since last contact since the last medicine session."]
    answer(world.client, "cssrs_since_last_contact", NO_RISK, NOW - timedelta(hours=2))
    assert cssrs_problems(session) == []
    assert services.review_checklist(services.load(session), {}).cssrs.instrument_id == (
        "cssrs_since_last_contact"
    )


def test_a_previous_session_without_a_discharge_counts_from_its_opening(world, scoped):
    opened = NOW - timedelta(days=3)
    previous_session(world, opened=opened)
    answer(world.client, "cssrs_since_last_contact", NO_RISK, opened + timedelta(hours=1))
    assert cssrs_problems(make_session(world.client)) == []


@pytest.mark.parametrize("instrument_id", ["cssrs_screener", "cssrs_since_last_contact"])
def test_a_high_answer_since_the_last_session_stops_the_checklist_even_if_a_later_one_is_lower(
    world, scoped, instrument_id
):
    opened = NOW - timedelta(days=7)
    previous_session(world, opened=opened, discharged=opened + timedelta(hours=3))
    answer(world.client, instrument_id, HIGH, NOW - timedelta(days=2))
    answer(world.client, "cssrs_since_last_contact", NO_RISK, NOW - timedelta(hours=1))
    assert cssrs_problems(make_session(world.client)) == [
        "C-SSRS since the last contact is high: High risk (2026-12-06)."
    ]


def test_the_checklist_shows_which_pre_session_questionnaires_are_done_due_or_missing(world, scoped, login):
    answer(world.client, "phq9", dict.fromkeys(range(1, 10), 1), NOW - timedelta(days=1))
    measures.assign(None, world.client, "gad7", point="pre_session", due_at=NOW + timedelta(hours=1))
    session = make_session(world.client)
    lines = services.review_checklist(services.load(session), {}).questionnaires
    assert lines == [
        "PHQ-9: done Mon 7 Dec 09:00: Mild",
        "GAD-7: not done yet, due by Tue 8 Dec 10:00",
        "C-SSRS since last contact: missing (not assigned, not answered)",
    ]
    page = (
        login(world.members["monitor"]).get(reverse("sessions:checklist", args=[session.pk])).content.decode()
    )
    assert (
        "Questionnaires before this session" in page and "GAD-7: not done yet, due by Tue 8 Dec 10:00" in page
    )


def test_an_overdue_one_says_so_and_the_earliest_appointment_counts(world, scoped):
    measures.assign(None, world.client, "gad7", point="pre_session", due_at=NOW - timedelta(minutes=30))
    measures.assign(None, world.client, "gad7", point="pre_session", due_at=NOW + timedelta(days=14))
    lines = services.review_checklist(services.load(make_session(world.client)), {}).questionnaires
    assert "GAD-7: not done yet, overdue since Tue 8 Dec 08:30" in lines
    assert Assignment.objects.open().filter(instrument_id="gad7").count() == 2
