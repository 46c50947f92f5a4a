"""The readiness gate: no medicine session is booked while readiness items are missing, unless an admin
or prescriber overrides in writing (stored on the appointment and audited)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.scheduling.models import Appointment
from kapstone.scheduling.services import SchedulingError, reschedule_appointment

from .conftest import MISSING, book


def test_the_real_readiness_gates_refuse_a_medicine_session_and_say_what_is_missing(
    world, scoped, room, tomorrow_9
):
    with pytest.raises(SchedulingError) as refused:
        book(world.client, tomorrow_9, [world.members["therapist"]], kind="medicine", room=room)
    codes = [gap.code for gap in refused.value.gaps]
    assert "measures.baseline" in codes  # no baseline questionnaires in this episode
    assert all(gap.label and gap.who for gap in refused.value.gaps)
    assert not Appointment.objects.exists()


def test_other_kinds_are_not_gated(world, scoped, not_ready, tomorrow_9):
    for hours, kind in enumerate(["intake", "preparation", "integration", "follow_up"]):
        book(world.client, tomorrow_9 + timedelta(hours=hours), [world.members["therapist"]], kind=kind)
    assert Appointment.objects.count() == 4


def test_without_gaps_a_medicine_session_is_booked_with_no_override(world, scoped, ready, room, tomorrow_9):
    appointment = book(world.client, tomorrow_9, [world.members["therapist"]], kind="medicine", room=room)
    assert appointment.overridden_gates == [] and appointment.gate_override_reason == ""


@pytest.mark.parametrize("role", ["therapist", "front_desk", "monitor"])
def test_only_an_admin_or_prescriber_may_override(world, scoped, not_ready, room, tomorrow_9, role):
    with pytest.raises(SchedulingError, match="Only an admin or a prescriber") as refused:
        book(
            world.client,
            tomorrow_9,
            [world.members["therapist"]],
            kind="medicine",
            room=room,
            override_reason="Consent signed on paper today",
            role=role,
        )
    assert refused.value.gaps == MISSING


def test_an_override_needs_a_written_reason(world, scoped, not_ready, room, tomorrow_9):
    with pytest.raises(SchedulingError, match="at least 10 characters"):
        book(
            world.client,
            tomorrow_9,
            [world.members["therapist"]],
            kind="medicine",
            room=room,
            override_reason="ok",
            role="prescriber",
        )


@pytest.mark.parametrize("role", ["admin", "prescriber"])
def test_an_admin_or_prescriber_override_is_stored_and_audited(
    world, scoped, not_ready, room, tomorrow_9, role
):
    appointment = book(
        world.client,
        tomorrow_9,
        [world.members["therapist"]],
        kind="medicine",
        room=room,
        override_reason="Consent signed on paper; scanned copy to follow",
        role=role,
    )
    assert appointment.overridden_gates == ["pathway.consent", "pathway.escort"]
    assert appointment.gate_override_reason == "Consent signed on paper; scanned copy to follow"
    event = AuditEvent.objects.get(action="scheduling.appointment.gate_overridden")
    assert event.object_id == str(appointment.pk)
    assert event.data == {"gates": ["pathway.consent", "pathway.escort"]}


def test_rescheduling_an_overridden_session_needs_no_new_override_for_the_same_items(
    world, scoped, monkeypatch, room, tomorrow_9
):
    from kapstone.scheduling import services

    monkeypatch.setattr(services, "readiness_gaps", lambda episode: MISSING[:1])
    appointment = book(
        world.client,
        tomorrow_9,
        [world.members["therapist"]],
        kind="medicine",
        room=room,
        override_reason="Consent signed on paper; scanned copy to follow",
        role="admin",
    )
    move = {
        "starts_at": tomorrow_9 + timedelta(days=1),
        "duration_minutes": 150,
        "clinicians": [world.members["therapist"]],
        "room": room,
        "reason": "Room heating broken",
    }
    reschedule_appointment(None, appointment, **move)
    monkeypatch.setattr(services, "readiness_gaps", lambda episode: MISSING)  # a new gap appeared
    with pytest.raises(SchedulingError, match="readiness items are missing") as refused:
        reschedule_appointment(None, appointment, **move | {"starts_at": tomorrow_9 + timedelta(days=2)})
    assert [gap.code for gap in refused.value.gaps] == ["pathway.escort"]


def test_the_booking_page_lists_the_missing_items_and_who_can_complete_them(
    client, world, scoped, not_ready, room, tomorrow_9
):
    client.force_login(world.members["therapist"].user)
    url = reverse("scheduling:new", args=[world.client.pk])
    page = client.get(url).content.decode()
    assert (
        "Not ready" in page
        and "Signed consent for KAP treatment" in page
        and "the client can complete it" in page
    )
    response = client.post(
        url,
        {
            "kind": "medicine",
            "date": tomorrow_9.date().isoformat(),
            "start_time": "09:00",
            "clinicians": [world.members["therapist"].pk],
            "room": room.pk,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A medicine session cannot be scheduled yet" in body
    assert "Escort named with a phone number (a therapist or the front desk can complete it)" in body
    assert "Only an admin or a prescriber can book it" in body
    assert 'name="override_reason"' not in body  # a therapist gets no override field
    assert not Appointment.objects.exists()


def test_a_prescriber_overrides_on_the_booking_page(client, world, scoped, not_ready, room, tomorrow_9):
    client.force_login(world.members["prescriber"].user)
    url = reverse("scheduling:new", args=[world.client.pk])
    data = {
        "kind": "medicine",
        "date": tomorrow_9.date().isoformat(),
        "start_time": "09:00",
        "clinicians": [world.members["prescriber"].pk],
        "room": room.pk,
    }
    body = client.post(url, data).content.decode()
    assert "To book it anyway, write why" in body
    response = client.post(url, data | {"override_reason": "Escort confirmed by phone, form to follow"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.gate_override_reason == "Escort confirmed by phone, form to follow"
    detail = client.get(response["Location"]).content.decode()
    assert "Booked before readiness was complete" in detail
