"""The demo's medicine sessions: past courses, and a live floor that is alive at every start."""

import random
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from kapstone.demo.sessions import FLOOR, add_sessions, refresh_live_floor
from kapstone.measures.models import SafetyAlert
from kapstone.practice.models import Role
from kapstone.register.verify import check_register
from kapstone.sessions.board import board_cards
from kapstone.sessions.models import Discharge, DoseAdministration, MedicineSession

from ..factories import make_client, make_member, make_practice


def demo_practice():
    practice = make_practice(name="Demo-like")
    prescriber, monitor = make_member(practice, Role.PRESCRIBER), make_member(practice, Role.MONITOR)
    admin = make_member(practice, Role.ADMIN)
    for state in ["treatment"] * 6 + ["follow_up"] * 2 + ["closed"] + ["screening"]:
        make_client(practice, care_team=[prescriber, monitor], episode_state=state)
    return practice, prescriber, monitor, admin


def floor_by_room(admin, now):
    return {card.session.room: card for card in board_cards(admin, now)}


def test_the_demo_has_past_sessions_and_a_live_floor_in_every_phase(db, scoped):
    practice, prescriber, monitor, admin = demo_practice()
    now = timezone.now()
    created = add_sessions(
        practice, admin=admin, prescriber=prescriber, monitor=monitor, now=now, rng=random.Random(7)
    )
    assert created == MedicineSession.objects.count() > 20
    assert Discharge.objects.count() == created - 5  # every past session was discharged
    floor = floor_by_room(admin, now + timedelta(seconds=5))
    assert {room: card.state.phase.value for room, card in floor.items()} == {
        "Room 1": "pre_dose",
        "Room 2": "dosed",
        "Room 3": "peak",
        "Room 4": "recovery",
        "Room 5": "discharge_ready",
    }
    assert floor["Room 4"].overdue and floor["Room 4"].overdue_labels == ["Vitals 90 min after the dose"]
    assert floor["Room 3"].alerts and floor["Room 3"].vitals[0].word == "HIGH"
    assert SafetyAlert.objects.filter(kind="vitals").count() == 1
    assert not floor["Room 2"].overdue and not floor["Room 5"].overdue
    # the screening client has none; every other client has a dose plan
    assert MedicineSession.objects.filter(episode__state="screening").count() == 0
    # every dose was drawn from the register, and the register adds up
    assert not DoseAdministration.objects.filter(draw__isnull=True).exists()
    assert check_register(practice) == []

    later = now + timedelta(hours=20)
    assert refresh_live_floor(practice, now=later) == 5
    again = floor_by_room(admin, later + timedelta(seconds=5))
    assert {room: card.state.phase.value for room, card in again.items()} == {
        room: card.state.phase.value for room, card in floor.items()
    }
    assert again["Room 4"].overdue
    assert refresh_live_floor(practice, now=later) == 0  # already "now"


@pytest.mark.parametrize("clock", ["00:30", "11:59", "23:30"])
def test_the_floor_is_alive_and_every_dose_was_ordered_first_whatever_the_hour(db, scoped, clock):
    practice = make_practice(name="Floor")
    prescriber, monitor = make_member(practice, Role.PRESCRIBER), make_member(practice, Role.MONITOR)
    admin = make_member(practice, Role.ADMIN)
    for _ in FLOOR:
        make_client(practice, care_team=[prescriber, monitor], episode_state="treatment")
    day = timezone.localdate(timezone=practice.zone)
    moment = datetime.combine(day, time.fromisoformat(clock), practice.zone)
    with time_machine.travel(moment, tick=False):
        now = timezone.now()
        add_sessions(
            practice, admin=admin, prescriber=prescriber, monitor=monitor, now=now, rng=random.Random(3)
        )
        floor = floor_by_room(admin, now + timedelta(seconds=5))
    assert [floor[room.room].state.phase.value for room in FLOOR] == [
        "pre_dose",
        "dosed",
        "peak",
        "recovery",
        "discharge_ready",
    ]
    for given in DoseAdministration.objects.filter(session__practice=practice).select_related("order"):
        assert given.order.ordered_at < given.given_at
        assert given.order.ordered_by == prescriber.user
