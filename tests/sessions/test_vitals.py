"""Vitals and observations: plausibility, protocol thresholds, safety alerts, the board's JSON save."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import SafetyAlert
from kapstone.sessions.models import Observation, VitalsReading

from .builders import dose, make_session, vitals


def hhmm(moment, practice):
    return timezone.localtime(moment, practice.zone).strftime("%H:%M")


@pytest.fixture
def dosed(world, scoped):
    session = make_session(world.client, room="Room 2")
    dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        at=timezone.now() - timedelta(minutes=14),
    )
    return session


def test_an_implausible_sbp_is_refused_with_the_range_and_nothing_typed_is_lost(world, scoped, login):
    session = make_session(world.client)
    url = reverse("sessions:vitals", args=[session.pk])
    client = login(world.members["monitor"])
    page = client.get(url).content.decode()
    assert "40 to 300 mmHg" in page  # the range is in the hint before anything goes wrong
    now = timezone.localtime(timezone.now(), world.practice.zone).strftime("%Y-%m-%dT%H:%M")
    data = {"taken_at": now, "sbp": "400", "dbp": "90", "hr": "77", "spo2": "98", "rr": "14"}
    page = client.post(url, data).content.decode()
    assert "Systolic blood pressure 400 mmHg is not plausible: enter a value between 40 and 300 mmHg." in page
    assert 'value="400"' in page and 'value="77"' in page
    assert not VitalsReading.objects.exists()


def test_diastolic_must_be_below_systolic_and_bp_comes_in_pairs(world, scoped, login):
    session = make_session(world.client)
    client = login(world.members["monitor"])
    url = reverse("sessions:vitals", args=[session.pk])
    now = timezone.localtime(timezone.now(), world.practice.zone).strftime("%Y-%m-%dT%H:%M")
    assert (
        "Diastolic BP (130) must be lower than systolic BP (120)."
        in client.post(url, {"taken_at": now, "sbp": "120", "dbp": "130"}).content.decode()
    )
    assert (
        "Enter blood pressure as systolic and diastolic together."
        in client.post(url, {"taken_at": now, "sbp": "120"}).content.decode()
    )
    assert "Enter at least one value." in client.post(url, {"taken_at": now}).content.decode()


def test_a_high_bp_after_the_dose_raises_an_alert_for_the_care_team_at_once(
    world, dosed, login, django_capture_on_commit_callbacks
):
    client = login(world.members["monitor"])
    url = reverse("sessions:vitals", args=[dosed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "taken_at": hhmm(timezone.now(), world.practice),
                "sbp": "185",
                "dbp": "112",
                "hr": "96",
                "spo2": "97",
            },
            follow=True,
        )
    assert "Warning: out of range; a safety alert was raised for the care team." in response.content.decode()
    reading = VitalsReading.objects.get()
    assert [(f["parameter"], f["severity"], f["direction"]) for f in reading.flags] == [
        ("sbp", "warning", "high"),
        ("dbp", "warning", "high"),
    ]
    alert = SafetyAlert.objects.get()
    assert (alert.kind, alert.client, alert.response, reading.alert) == ("vitals", world.client, None, alert)
    assert alert.summary.startswith(
        "Room 2: Vitals out of range. Systolic blood pressure 185 mmHg is above 180 mmHg."
    )
    assert AuditEvent.objects.filter(action="measures.alert.created", object_id=str(alert.pk)).exists()
    # the care team hears of it at once (an email naming no client data)
    assert len(mail.outbox) == 1 and world.client.record_number in mail.outbox[0].subject
    banner = client.get(reverse("home:index")).content.decode()
    assert "1 open safety alert" in banner
    # the existing alert list and acknowledgement work for monitoring alerts
    listed = client.get(reverse("measures:alerts")).content.decode()
    assert "Room 2: Vitals out of range." in listed
    ack = reverse("measures:acknowledge", args=[world.client.pk, alert.pk])
    assert client.get(ack).status_code == 200
    client.post(ack, {"action_taken": "Repeated BP after 5 min: 164/98; prescriber informed."})
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.members["monitor"].user


def test_a_second_high_reading_5_minutes_later_is_critical(world, dosed, scoped):
    monitor = world.members["monitor"]
    first = vitals(dosed, monitor, at=timezone.now() - timedelta(minutes=6), sbp=186, dbp=100)
    second = vitals(dosed, monitor, at=timezone.now() - timedelta(seconds=30), sbp=188, dbp=100)
    assert first.flags[0]["severity"] == "warning"
    assert second.flags[0]["severity"] == "critical"
    assert "for at least 5 min" in second.flags[0]["message"]


def test_a_high_pre_dose_bp_is_for_the_prescriber_to_review_not_an_alert(world, scoped):
    session = make_session(world.client)
    reading = vitals(session, world.members["monitor"], sbp=150, dbp=95)
    assert [f["severity"] for f in reading.flags] == ["review", "review"]
    assert not SafetyAlert.objects.exists()


def test_normal_vitals_raise_nothing(world, dosed):
    reading = vitals(dosed, world.members["therapist"])
    assert reading.flags == [] and reading.alert is None and not SafetyAlert.objects.exists()


def test_moaas_at_the_sedation_level_raises_an_observation_alert_rass_never_does(world, dosed, login):
    client = login(world.members["monitor"])
    url = reverse("sessions:observation", args=[dosed.pk])
    page = client.get(url).content.decode()
    assert "3: responds only after name is called loudly or repeatedly" in page
    assert "The CADSS and CADSS-6 are not offered" in page
    now = timezone.localtime(timezone.now(), world.practice.zone).strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"scale": "rass", "rass-observed_at": now, "rass-value": "-2"})
    client.post(url, {"scale": "moaas", "moaas-observed_at": now, "moaas-value": "5"})
    assert not SafetyAlert.objects.exists()
    response = client.post(url, {"scale": "moaas", "moaas-observed_at": now, "moaas-value": "3"}, follow=True)
    assert "Warning: out of range; a safety alert was raised for the care team." in response.content.decode()
    alert = SafetyAlert.objects.get()
    assert (
        alert.kind == "observation"
        and "MOAA/S sedation score 3 score is at or below 3 score" in alert.summary
    )
    rows = list(Observation.objects.order_by("recorded_at").values_list("scale", "value", "band"))
    assert rows == [
        ("rass", -2, "Light sedation"),
        ("moaas", 5, "Responds readily"),
        ("moaas", 3, "Responds only to loud or repeated name"),
    ]


def test_an_out_of_range_observation_value_is_refused(world, dosed, login):
    client = login(world.members["monitor"])
    now = timezone.localtime(timezone.now(), world.practice.zone).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        reverse("sessions:observation", args=[dosed.pk]),
        {"scale": "moaas", "moaas-observed_at": now, "moaas-value": "7"},
    ).content.decode()
    assert "Select a valid choice. 7 is not one of the available choices." in page
    assert not Observation.objects.exists()


def test_the_board_dialog_saves_as_json_and_returns_the_new_card(world, dosed, login):
    client = login(world.members["monitor"])
    url = reverse("sessions:vitals", args=[dosed.pk])
    data = {
        "dialog-taken_at": hhmm(timezone.now(), world.practice),
        "dialog-sbp": "185",
        "dialog-dbp": "112",
        "next": "board",
    }
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["ok"] and body["alert"]
    assert body["session"] == str(dosed.pk)
    assert f'id="card-{dosed.pk}"' in body["card"] and "185/112" in body["card"] and "HIGH" in body["card"]
    assert "Systolic blood pressure 185 mmHg is above 180 mmHg." in body["flags"]

    bad = client.post(url, data | {"dialog-sbp": "400"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert json.loads(bad.content)["errors"] == {
        "sbp": ["Systolic blood pressure 400 mmHg is not plausible: enter a value between 40 and 300 mmHg."]
    }


def test_nothing_is_recorded_after_the_discharge(world, scoped):
    from kapstone.sessions.discharge import discharge_session
    from kapstone.sessions.services import SessionError

    from .builders import request_for

    session = make_session(world.client)
    dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        at=timezone.now() - timedelta(minutes=130),
    )
    discharge_session(
        request_for(world.members["monitor"]),
        session,
        discharged_at=timezone.now() - timedelta(minutes=2),
        aldrete_answers=dict.fromkeys(range(1, 6), 2),
        criteria={c.id: True for c in session.protocol.discharge.criteria},
    )
    with pytest.raises(SessionError, match="discharged before this time"):
        vitals(session, world.members["monitor"])
    late_entry = vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=5))
    assert late_entry.pk  # a reading taken before the discharge may still be entered


def test_a_time_in_the_future_is_refused(world, dosed, login):
    client = login(world.members["monitor"])
    later = timezone.localtime(timezone.now() + timedelta(minutes=30), world.practice.zone).strftime(
        "%Y-%m-%dT%H:%M"
    )
    page = client.post(
        reverse("sessions:vitals", args=[dosed.pk]), {"taken_at": later, "sbp": "120", "dbp": "80"}
    )
    assert "This time is in the future." in page.content.decode()


@pytest.mark.parametrize(("role", "status"), [("monitor", 302), ("therapist", 302), ("front_desk", 403)])
def test_who_records_vitals(world, dosed, login, role, status):
    now = timezone.localtime(timezone.now(), world.practice.zone).strftime("%Y-%m-%dT%H:%M")
    response = login(world.members[role]).post(
        reverse("sessions:vitals", args=[dosed.pk]), {"taken_at": now, "sbp": "120", "dbp": "80"}
    )
    assert response.status_code == status
    assert VitalsReading.objects.exists() == (status == 302)


def test_a_critical_reading_says_so_and_who_is_being_told(world, dosed, login):
    client = login(world.members["monitor"])
    url = reverse("sessions:vitals", args=[dosed.pk])
    response = client.post(
        url,
        {"taken_at": hhmm(timezone.now(), world.practice), "sbp": "118", "dbp": "76", "hr": "35"},
        follow=True,
    )
    page = response.content.decode()
    assert "Critical: a critical safety alert was raised; the care team and the practice admins" in page
    assert VitalsReading.objects.get().alert.severity == "critical"
