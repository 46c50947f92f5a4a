"""Every dangerous vital, wherever it is entered, raises a critical safety alert that reaches the team.

For every protocol and every vital parameter with a critical threshold, a plausible value beyond that
threshold, typed in the board dialog (its JSON POST), the session page's vitals form or a correction of
an earlier reading, is stored with a critical flag, raises a critical ``SafetyAlert`` and emails the
client's care team and the practice admins at once (tasks run immediately in tests). Then the
hand-computed examples: HR 35, BP 70/40 (MAP 50), RR 6, a fall from the pre-dose baseline.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapstone.clinical.protocols import all_protocols
from kapstone.clinical.vitals import vital_ranges
from kapstone.measures.models import SafetyAlert
from kapstone.practice.models import Role
from kapstone.sessions.models import VitalsReading
from kapstone.sessions.recording import VITAL_FIELDS

from .builders import dose, make_session, vitals

NOON = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 12:00 in the practice's zone (America/Chicago)
ENTRY_POINTS = ("dialog", "page", "amend")
PROTOCOLS = {p.id: p for p in all_protocols()}


def critical_thresholds(protocol, parameter):
    return [
        t
        for t in protocol.thresholds
        if t.parameter == parameter and t.severity == "critical" and t.relative_to is None
    ]


CASES = [
    pytest.param(pid, parameter, id=f"{pid}-{parameter}")
    for pid, protocol in PROTOCOLS.items()
    for parameter in VITAL_FIELDS
    if critical_thresholds(protocol, parameter)
]


def local(moment, practice, *, date=True):
    return timezone.localtime(moment, practice.zone).strftime("%Y-%m-%dT%H:%M" if date else "%H:%M")


def reading_values(parameter, value):
    """A complete, plausible reading with ``value`` for ``parameter`` (a BP always comes in pairs)."""
    values = {"hr": 80, "spo2": 98, "rr": 14, "sbp": 125, "dbp": 80}
    values[parameter] = value
    if parameter == "sbp":
        values["dbp"] = 20 if value < 100 else 80
    elif parameter == "dbp":
        values["sbp"] = min(value + 30, 300)
    return values


def beyond(threshold, draw):
    """A plausible whole value on the far side of ``threshold``'s limit."""
    r = vital_ranges()[threshold.parameter]
    limit, low, high = int(threshold.limit.value), int(r.low), int(r.high)
    if threshold.parameter == "dbp":
        high = min(high, 270)
    if threshold.comparison in (">", ">="):
        return draw(st.integers(limit + (threshold.comparison == ">"), high))
    return draw(st.integers(low, limit - (threshold.comparison == "<")))


def enter(client, world, session, entry, values, at):
    """Type ``values`` taken ``at`` through one of the three ways a reading gets in."""
    if entry == "dialog":
        data = {f"dialog-{k}": str(v) for k, v in values.items()}
        data |= {"dialog-taken_at": local(at, world.practice, date=False), "next": "board"}
        response = client.post(
            reverse("sessions:vitals", args=[session.pk]), data, HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 200 and json.loads(response.content)["alert"]
    elif entry == "page":
        data = {k: str(v) for k, v in values.items()} | {"taken_at": local(at, world.practice)}
        response = client.post(reverse("sessions:vitals", args=[session.pk]), data)
        assert response.status_code == 302
    else:
        original = vitals(session, world.members["monitor"], at=at)  # normal: no alert
        assert original.alert is None
        data = {k: str(v) for k, v in values.items()}
        data |= {"taken_at": local(at, world.practice), "amend-reason": "Read the monitor again"}
        response = client.post(reverse("sessions:amend", args=[session.pk, "vitals", original.pk]), data)
        assert response.status_code == 302
    return VitalsReading.objects.current().filter(session=session).get(taken_at=at)


def everyone_told_at_once(world):
    team = {world.members[r].user.email for r in (Role.PRESCRIBER, Role.MONITOR, Role.THERAPIST)}
    return team | {world.members[Role.ADMIN].user.email}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(("pid", "parameter"), CASES)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_value_beyond_a_critical_threshold_raises_a_critical_alert_that_reaches_the_team(
    world, scoped, login, django_capture_on_commit_callbacks, pid, parameter, entry, data
):
    """Every protocol x every vital with a critical threshold x every way a reading gets in."""
    protocol = PROTOCOLS[pid]
    threshold = data.draw(st.sampled_from(critical_thresholds(protocol, parameter)), label="threshold")
    value = beyond(threshold, data.draw)
    dosed = {"pre_dose": False, "after_dose": True, "always": data.draw(st.booleans(), label="dosed")}[
        threshold.when
    ]
    with time_machine.travel(NOON, tick=False):
        session = make_session(world.client, protocol_id=pid, room=f"Room {entry}")
        if dosed:
            dose(
                session,
                world.members["prescriber"],
                world.members["monitor"],
                at=NOON - timedelta(minutes=14),
            )
        mail.outbox = []
        client = login(world.members["monitor"])
        with django_capture_on_commit_callbacks(execute=True):
            reading = enter(client, world, session, entry, reading_values(parameter, value), NOON)

    flag = next(f for f in reading.flags if f["parameter"] == parameter)
    assert flag["severity"] == "critical", (threshold.id, value, flag)
    assert reading.alert is not None and reading.alert.severity == SafetyAlert.Severity.CRITICAL
    assert reading.alert.client == world.client and reading.alert.acknowledged_at is None
    told = {address for message in mail.outbox for address in message.to}
    assert everyone_told_at_once(world) <= told
    assert any("CRITICAL" in message.subject for message in mail.outbox)


# --- hand-computed examples -------------------------------------------------------------------------


@pytest.fixture
def dosed_session(world, scoped):
    with time_machine.travel(NOON, tick=False):
        session = make_session(world.client, room="Room 3")
        vitals(session, world.members["monitor"], at=NOON - timedelta(minutes=20), sbp=150, dbp=90)
        dose(session, world.members["prescriber"], world.members["monitor"], at=NOON - timedelta(minutes=14))
    return session


def record(world, session, **values):
    with time_machine.travel(NOON, tick=False):
        return vitals(session, world.members["monitor"], at=NOON - timedelta(minutes=1), **values)


def flags_of(reading):
    return {f["parameter"]: (f["threshold"], f["severity"], f["value"]) for f in reading.flags}


def test_hr_35_is_critical_bradycardia(world, dosed_session):
    reading = record(world, dosed_session, hr=35)
    assert flags_of(reading)["hr"] == ("bradycardia_critical", "critical", "35")
    assert reading.alert.severity == "critical"
    assert "Heart rate 35 bpm is below 40 bpm." in reading.alert.summary


def test_70_over_40_is_critical_hypotension_with_map_50(world, dosed_session):
    reading = record(world, dosed_session, sbp=70, dbp=40)
    found = flags_of(reading)
    assert found["sbp"][1] == "critical"  # SBP < 80 and an 80 mmHg fall from 150: both critical
    assert found["map"] == ("hypotension_map", "warning", "50.0")
    assert reading.alert.severity == "critical"
    assert "Mean arterial pressure 50 mmHg is below 65 mmHg." in reading.alert.summary


def test_rr_6_is_accepted_and_critical(world, dosed_session):
    reading = record(world, dosed_session, rr=6)
    assert flags_of(reading)["rr"] == ("rr_critical", "critical", "6")
    assert reading.alert.severity == "critical"


def test_a_fall_of_more_than_40_from_the_pre_dose_baseline_is_critical(world, dosed_session):
    reading = record(world, dosed_session, sbp=105, dbp=70)  # baseline 150: a 45 mmHg fall, SBP >= 90
    assert flags_of(reading) == {"sbp": ("sbp_fall_from_baseline", "critical", "105")}
    assert "a fall of 45 mmHg from the pre-dose baseline of 150 mmHg" in reading.alert.summary


def test_hr_45_is_a_warning_that_reaches_the_care_team_only(
    world, dosed_session, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        reading = record(world, dosed_session, hr=45)
    assert reading.alert.severity == "warning"
    (message,) = mail.outbox
    assert world.members[Role.ADMIN].user.email not in message.to
    assert world.members[Role.MONITOR].user.email in message.to
