"""The live board: urgency order, overdue checks, flags, bounded queries, the polling endpoint."""

import re
import time
from datetime import datetime, timedelta
from datetime import time as clock_time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.practice.middleware import SESSION_LAST_SEEN
from kapstone.sessions.board import board_cards
from kapstone.sessions.discharge import discharge_session

from ..factories import make_client, make_member, make_practice
from .builders import dose, make_session, request_for, vitals

BOARD = reverse("sessions:board")
CARDS = reverse("sessions:board_cards")


def rooms_in_order(html):
    return re.findall(r'<h2 id="room-[^"]+">([^<]+)</h2>', html)


def card_of(html, session):
    start = html.rindex("<article", 0, html.index(f'id="card-{session.pk}"'))
    return html[start : html.index("</article>", start)]


def client_for(world, n=0):
    team = [m for role, m in world.members.items() if role != "admin"]
    return make_client(world.practice, care_team=team)


@pytest.fixture
def floor(world, scoped):
    """Five sessions in different states, opened in an order unrelated to urgency."""
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    now = timezone.now()
    done = make_session(client_for(world), room="Room A (discharged)")
    dose(done, prescriber, monitor, at=now - timedelta(minutes=150))
    discharge_session(
        request_for(prescriber),
        done,
        discharged_at=now - timedelta(minutes=5),
        aldrete_answers=dict.fromkeys(range(1, 6), 2),
        criteria={},
        override_reason="test",
    )
    waiting = make_session(client_for(world), room="Room B (pre-dose)")
    steady = make_session(client_for(world), room="Room C (in session)")
    dose(steady, prescriber, monitor, at=now - timedelta(minutes=8))
    late = make_session(client_for(world), room="Room D (overdue)")
    dose(late, prescriber, monitor, at=now - timedelta(minutes=22))  # t+15 due, overdue after 20 min
    high = make_session(client_for(world), room="Room E (high BP)")
    dose(high, prescriber, monitor, at=now - timedelta(minutes=10))
    vitals(high, monitor, at=now - timedelta(minutes=1), sbp=185, dbp=112)
    return {"done": done, "waiting": waiting, "steady": steady, "late": late, "high": high}


def test_cards_sort_by_urgency_overdue_and_alerting_first(world, floor, login):
    html = login(world.members["monitor"]).get(BOARD).content.decode()
    assert rooms_in_order(html) == [
        "Room D (overdue)",  # rank 0, most late first
        "Room E (high BP)",  # rank 0, open alert
        "Room C (in session)",
        "Room B (pre-dose)",
        "Room A (discharged)",
    ]


def test_an_overdue_check_is_red_with_a_word(world, floor, login):
    html = login(world.members["monitor"]).get(BOARD).content.decode()
    card = card_of(html, floor["late"])
    assert "is-overdue" in card and "is-urgent" in card
    assert "<strong>OVERDUE</strong>: Vitals 15 min after the dose" in card
    assert "data-overdue-word>" in card  # shown, not hidden
    steady = card_of(html, floor["steady"])
    assert "is-overdue" not in steady and "data-overdue-word hidden" in steady


def test_out_of_range_vitals_are_flagged_with_a_word_and_the_alert_shows(world, floor, login):
    html = login(world.members["monitor"]).get(BOARD).content.decode()
    card = card_of(html, floor["high"])
    assert "185/112" in card and '<strong class="flag-word">HIGH</strong>' in card
    assert "Open alert" in card and "Systolic blood pressure 185 mmHg is above 180 mmHg." in card
    assert "10 min" in card  # time since the dose
    assert "Sublingual · 100 mg given" in card


def test_the_card_carries_event_times_for_the_timers(world, floor, login):
    from kapstone.sessions.services import load

    html = login(world.members["monitor"]).get(BOARD).content.decode()
    state = load(floor["steady"])
    assert f'data-dose-at="{state.dose_time.isoformat()}"' in html
    assert f'data-next-due="{state.status.next_due_at.isoformat()}"' in html
    assert re.search(r'data-server-now="[^"]+"', html)


def test_only_todays_sessions_of_visible_clients(world, scoped, login):
    yesterday = make_session(
        world.client, room="Yesterday", opened_at=timezone.now() - timedelta(days=1, hours=1)
    )
    hidden = make_session(world.unassigned_client, room="Not my client")
    mine = make_session(world.client, room="Mine")
    html = login(world.members["monitor"]).get(BOARD).content.decode()
    assert rooms_in_order(html) == ["Mine"]
    admin = login(world.members["admin"]).get(BOARD).content.decode()
    assert set(rooms_in_order(admin)) == {"Mine", "Not my client"}
    assert yesterday and hidden and mine
    assert login(world.members["front_desk"]).get(BOARD).status_code == 403


def test_polling_does_not_count_as_activity_and_is_not_audited(world, floor, login):
    client = login(world.members["monitor"])
    client.get(BOARD)
    session = client.session
    a_minute_ago = time.time() - 60
    session[SESSION_LAST_SEEN] = a_minute_ago
    session.save()
    response = client.get(CARDS, HTTP_X_KAPSTONE_BACKGROUND="1")
    assert response.status_code == 200 and "Room D (overdue)" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.session[SESSION_LAST_SEEN] == a_minute_ago
    client.get(BOARD)  # a page load does count
    assert client.session[SESSION_LAST_SEEN] > a_minute_ago
    assert AuditEvent.objects.filter(action="sessions.board.viewed").count() == 2  # the page loads only


def board_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_a_board_refresh_costs_the_same_queries_for_3_and_for_30_sessions(client, db, scoped):
    counts = []
    for n in (3, 30):
        practice = make_practice()
        prescriber, monitor = make_member(practice, "prescriber"), make_member(practice, "monitor")
        for i in range(n):
            session = make_session(make_client(practice, care_team=[monitor, prescriber]), room=f"Room {i}")
            if i % 2:
                dose(session, prescriber, monitor, at=timezone.now() - timedelta(minutes=i + 1))
                vitals(session, monitor)
        client.force_login(monitor.user)
        counts.append((board_queries(client, CARDS), board_queries(client, BOARD)))
    assert counts[0] == counts[1], counts


def test_a_clients_sessions_page_costs_the_same_queries_for_2_and_for_12_sessions(client, world, scoped):
    counts = []
    for n in (2, 12):
        target = client_for(world)
        for i in range(n):
            session = make_session(target, room=f"Room {i}", opened_at=timezone.now() - timedelta(days=n - i))
            dose(
                session,
                world.members["prescriber"],
                world.members["monitor"],
                at=session.opened_at + timedelta(minutes=5),
            )
            vitals(session, world.members["monitor"], at=session.opened_at + timedelta(minutes=25))
        client.force_login(world.members["therapist"].user)
        counts.append(board_queries(client, reverse("sessions:client", args=[target.pk])))
    assert counts[0] == counts[1], counts


def test_a_session_in_progress_at_midnight_stays_on_the_board(world, scoped):
    """A client dosed late in the evening is still being monitored after the date changes."""
    prescriber, monitor, admin = world.members["prescriber"], world.members["monitor"], world.members["admin"]
    zone = world.practice.zone
    midnight = datetime.combine(timezone.now().astimezone(zone).date(), clock_time(0), zone)
    with time_machine.travel(midnight - timedelta(minutes=50), tick=False):
        late = make_session(client_for(world), room="Room N (late)")
        dose(late, prescriber, monitor, at=midnight - timedelta(minutes=40))
        ended = make_session(client_for(world), room="Room Y (ended)")
        dose(ended, prescriber, monitor, at=midnight - timedelta(hours=3))
    with time_machine.travel(midnight - timedelta(minutes=10), tick=False):
        discharge_session(
            request_for(prescriber),
            ended,
            discharged_at=midnight - timedelta(minutes=15),
            aldrete_answers=dict.fromkeys(range(1, 6), 2),
            criteria={},
            override_reason="test",
        )
    rooms = {card.session.room for card in board_cards(admin, midnight + timedelta(minutes=20))}
    assert rooms == {"Room N (late)"}  # yesterday's discharged session has left the floor
    with time_machine.travel(midnight + timedelta(minutes=90), tick=False):
        discharge_session(
            request_for(prescriber),
            late,
            discharged_at=midnight + timedelta(minutes=85),
            aldrete_answers=dict.fromkeys(range(1, 6), 2),
            criteria={},
            override_reason="test",
        )
    floor = board_cards(admin, midnight + timedelta(minutes=95))
    assert [(c.session.room, c.state.phase.value) for c in floor] == [("Room N (late)", "discharged")]
