"""The chart section and the dose markers for the trajectory charts."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from kapstone.sessions.chart import chart_context, session_markers

from .builders import dose, make_session, vitals


def test_markers_label_each_dosed_session_oldest_first(world, scoped):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    first = make_session(world.client, opened_at=timezone.now() - timedelta(days=14))
    dose(first, prescriber, monitor, amount=100, at=first.opened_at + timedelta(minutes=10))
    make_session(world.client, opened_at=timezone.now() - timedelta(days=7))  # never dosed
    third = make_session(world.client, protocol_id="intramuscular")
    dose(third, prescriber, monitor, amount="0.5", weight="70", at=timezone.now() - timedelta(minutes=5))
    markers = session_markers(world.client)
    assert [label for _, label in markers] == ["Dose 1: 100 mg SL", "Dose 3: 35 mg IM"]
    assert all(moment.tzinfo is not None for moment, _ in markers)
    assert markers[0][0] == first.administrations.get().given_at


def test_markers_cost_one_query_however_long_the_history(world, scoped, django_assert_num_queries):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    for weeks in range(6, 0, -1):
        session = make_session(world.client, opened_at=timezone.now() - timedelta(weeks=weeks))
        at = session.opened_at + timedelta(minutes=10)
        dose(session, prescriber, monitor, amount=100, at=at)
        vitals(session, monitor, at=at + timedelta(minutes=15))
    with django_assert_num_queries(1):
        markers = session_markers(world.client)
    assert [label for _, label in markers] == [f"Dose {n}: 100 mg SL" for n in range(1, 7)]


def test_the_chart_section_lists_sessions_with_dose_route_and_key_vitals(world, scoped):
    session = make_session(world.client)
    vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=20), sbp=132, dbp=84)
    dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        amount=150,
        at=timezone.now() - timedelta(minutes=15),
    )
    vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=1), sbp=185, dbp=100)
    request = RequestFactory().get("/")
    request.user, request.membership, request.practice = (
        world.members["therapist"].user,
        world.members["therapist"],
        world.practice,
    )
    context = chart_context(request, world.client)
    html = render_to_string(
        "sessions/chart_section.html",
        {**context, "client": world.client, "practice": world.practice},
        request=request,
    )
    assert "150 mg sublingual" in html and "Before 132/84" in html and "last BP 185/100" in html
    assert "Out of range" in html and "Check overdue" not in html

    request.membership = world.members["front_desk"]
    assert chart_context(request, world.client)["medicine_sessions"] == []


def test_an_empty_chart_section_offers_the_next_step(world, scoped):
    request = RequestFactory().get("/")
    request.user, request.membership, request.practice = (
        world.members["prescriber"].user,
        world.members["prescriber"],
        world.practice,
    )
    html = render_to_string(
        "sessions/chart_section.html",
        {**chart_context(request, world.client), "client": world.client},
        request=request,
    )
    assert "No medicine sessions yet." in html and "Write the dose plan" in html
