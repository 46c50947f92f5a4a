"""Discharge: Aldrete and the protocol's criteria, the minimum observation time, the prescriber's override."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import SafetyAlert
from kapstone.measures.services import acknowledge_alert
from kapstone.sessions.models import Discharge

from .builders import dose, make_session, request_for, vitals

SL_CRITERIA = (
    "oriented",
    "dissociation_resolved",
    "walks_steadily",
    "no_active_suicidal_ideation",
    "escort_present",
    "aftercare_given",
)


def form(practice, *, aldrete=(2, 2, 2, 2, 2), criteria=SL_CRITERIA, **extra):
    data = {f"aldrete_{n}": v for n, v in enumerate(aldrete, start=1)}
    data |= {f"criterion_{c}": "on" for c in criteria}
    data["discharged_at"] = timezone.localtime(timezone.now(), practice.zone).strftime("%Y-%m-%dT%H:%M")
    data["escort_name"] = "Robin Escort"
    return data | extra


def dosed_minutes_ago(world, minutes):
    session = make_session(world.client)
    dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        at=timezone.now() - timedelta(minutes=minutes),
    )
    return session


def test_the_page_shows_each_criterion_and_the_earliest_time(world, scoped, login):
    session = dosed_minutes_ago(world, 30)
    page = (
        login(world.members["monitor"]).get(reverse("sessions:discharge", args=[session.pk])).content.decode()
    )
    assert "Modified Aldrete score: Not assessed." in page
    assert "Escort present to take the client home: Not assessed." in page
    assert "Minimum observation of 2 h 00 min: 30 min observed" in page
    assert "Minimum observation of 120 min after the dose not reached: 90 min to go." in page


def test_discharge_before_the_minimum_time_needs_a_prescriber_override(world, scoped, login):
    session = dosed_minutes_ago(world, 60)
    url = reverse("sessions:discharge", args=[session.pk])
    page = login(world.members["monitor"]).post(url, form(world.practice)).content.decode()
    assert "Discharge is not allowed yet: a prescriber&#x27;s override is needed." in page
    assert "Modified Aldrete total: <strong>10 of 10</strong>" in page
    page = (
        login(world.members["monitor"])
        .post(url, form(world.practice, override_reason="Client is fine"))
        .content.decode()
    )
    assert "Only a prescriber can override the discharge rules." in page
    assert not Discharge.objects.exists()

    prescriber = login(world.members["prescriber"])
    assert (
        "a prescriber&#x27;s override is needed"
        in prescriber.post(url, form(world.practice)).content.decode()
    )
    response = prescriber.post(
        url, form(world.practice, override_reason="Escort must leave; reviewed, stable")
    )
    assert response.status_code == 302
    record = Discharge.objects.get()
    assert record.override_reason == "Escort must leave; reviewed, stable" and record.aldrete_total == 10
    # the discharge time is typed to the minute, so 60 or 61 minutes remain
    assert len(record.blocking) == 1
    assert record.blocking[0].startswith("Minimum observation of 120 min after the dose not reached: 6")
    assert AuditEvent.objects.filter(action="sessions.discharge.overridden", actor_role="prescriber").exists()


def test_a_failing_criterion_is_refused_without_an_override_even_after_the_minimum_time(world, scoped, login):
    session = dosed_minutes_ago(world, 125)
    url = reverse("sessions:discharge", args=[session.pk])
    no_escort = [c for c in SL_CRITERIA if c != "escort_present"]
    page = (
        login(world.members["monitor"]).post(url, form(world.practice, criteria=no_escort)).content.decode()
    )
    assert "Escort present to take the client home: Not met." in page
    assert not Discharge.objects.exists()
    low = (
        login(world.members["monitor"])
        .post(url, form(world.practice, aldrete=(2, 2, 1, 1, 2)))
        .content.decode()
    )
    assert "Modified Aldrete score: Total 8 is below the discharge minimum of 9." in low
    assert not Discharge.objects.exists()


def test_a_discharge_meeting_everything_needs_no_prescriber(world, scoped, login):
    session = dosed_minutes_ago(world, 125)
    client = login(world.members["monitor"])
    response = client.post(
        reverse("sessions:discharge", args=[session.pk]), form(world.practice), follow=True
    )
    assert "Discharged. The session summary is ready to print." in response.content.decode()
    record = Discharge.objects.get()
    assert (record.override_reason, record.blocking, record.discharged_by) == (
        "",
        [],
        world.members["monitor"].user,
    )
    assert record.criteria == dict.fromkeys(SL_CRITERIA, True)
    again = client.get(reverse("sessions:discharge", args=[session.pk]))
    assert again.status_code == 302  # already discharged: on to the summary


def test_no_discharge_without_a_dose(world, scoped, login):
    session = make_session(world.client)
    page = (
        login(world.members["monitor"]).get(reverse("sessions:discharge", args=[session.pk])).content.decode()
    )
    assert "nothing to discharge from" in page


@pytest.mark.parametrize("protocol_id", ["sublingual", "esketamine_intranasal"])
def test_the_summary_prints_and_for_esketamine_carries_every_rems_field(world, scoped, login, protocol_id):
    from kapstone.clinical.protocols import get_protocol

    session = make_session(world.client, protocol_id=protocol_id)
    dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        at=timezone.now() - timedelta(minutes=130),
    )
    page = (
        login(world.members["therapist"]).get(reverse("sessions:summary", args=[session.pk])).content.decode()
    )
    assert 'media="print"' in page and "sessions-print.css" in page
    assert "Medicine session summary" in page and world.client.record_number in page
    protocol = get_protocol(protocol_id)
    if protocol.reporting:
        form_ = protocol.reporting[0]
        assert form_.title in page
        for section in form_.sections:
            for field in section.fields:
                assert field.label.replace(">=", "&gt;=") in page, field.label
        assert '56 mg <span class="from-record">(from the record)</span>' in page
    else:
        assert "REMS" not in page


def test_an_open_critical_alert_from_the_session_needs_a_prescriber_to_discharge(world, scoped, login):
    session = dosed_minutes_ago(world, 125)
    vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=60), hr=35)
    url = reverse("sessions:discharge", args=[session.pk])
    monitor = login(world.members["monitor"])
    page = monitor.post(url, form(world.practice)).content.decode()
    assert "An open critical safety alert from this session" in page
    assert not Discharge.objects.exists()
    alert = SafetyAlert.objects.get(severity="critical")
    acknowledge_alert(request_for(world.members["prescriber"]), alert, "Rechecked: HR 64, probe had slipped.")
    assert monitor.post(url, form(world.practice)).status_code == 302
    assert Discharge.objects.get().blocking == []
