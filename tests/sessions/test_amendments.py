"""Corrections are amendments: the original is kept and shown beside the correction."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.sessions.models import DoseAdministration, SessionNote, VitalsReading

from .builders import dose, make_session, vitals


def local(moment, practice):
    return timezone.localtime(moment, practice.zone).strftime("%Y-%m-%dT%H:%M")


def test_correcting_vitals_keeps_the_original_and_shows_both(world, scoped, login):
    session = make_session(world.client)
    original = vitals(
        session, world.members["monitor"], at=timezone.now() - timedelta(minutes=5), sbp=210, dbp=80
    )
    client = login(world.members["therapist"])
    url = reverse("sessions:amend", args=[session.pk, "vitals", original.pk])
    page = client.get(url).content.decode()
    assert 'value="210"' in page  # the form starts from the original values
    data = {
        "amend-reason": "Typed 210 for 120",
        "taken_at": local(original.taken_at, world.practice),
        "sbp": "120",
        "dbp": "80",
        "hr": "72",
    }
    assert client.post(url, data).status_code == 302
    original.refresh_from_db()
    assert original.sbp == 210  # never overwritten
    correction = VitalsReading.objects.get(amends=original)
    assert (correction.sbp, correction.amendment_reason, correction.recorded_by) == (
        120,
        "Typed 210 for 120",
        world.members["therapist"].user,
    )
    assert list(VitalsReading.objects.current()) == [correction]
    assert AuditEvent.objects.filter(action="sessions.record.amended", object_id=str(correction.pk)).exists()
    detail = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert "120/80" in detail and "210/80" in detail and "Original, corrected" in detail
    assert "Correction: Typed 210 for 120" in detail


def test_a_reason_is_required_and_a_corrected_record_cannot_be_corrected_again(world, scoped, login):
    session = make_session(world.client)
    original = vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=5))
    client = login(world.members["monitor"])
    url = reverse("sessions:amend", args=[session.pk, "vitals", original.pk])
    page = client.post(url, {"taken_at": local(original.taken_at, world.practice), "sbp": "125", "dbp": "80"})
    assert "This field is required." in page.content.decode() and not VitalsReading.objects.filter(
        amends=original
    )
    client.post(
        url,
        {
            "amend-reason": "Wrong cuff",
            "taken_at": local(original.taken_at, world.practice),
            "sbp": "125",
            "dbp": "80",
        },
    )
    again = client.get(url, follow=True).content.decode()
    assert "This record has already been corrected; correct the newest version." in again


def test_entered_in_error_withdraws_the_record(world, scoped, login):
    session = make_session(world.client)
    original = vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=5))
    client = login(world.members["monitor"])
    url = reverse("sessions:amend", args=[session.pk, "vitals", original.pk])
    client.post(url, {"amend-reason": "Wrong client's chair", "amend-entered_in_error": "on"})
    assert not VitalsReading.objects.current().exists()
    withdrawn = VitalsReading.objects.get(amends=original)
    assert withdrawn.entered_in_error and withdrawn.sbp == original.sbp
    detail = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert "Withdrawn: entered in error" in detail and "Wrong client&#x27;s chair" in detail


def test_a_note_correction_keeps_the_original_text(world, scoped, login):
    session = make_session(world.client)
    client = login(world.members["therapist"])
    now = local(timezone.now(), world.practice)
    client.post(
        reverse("sessions:note", args=[session.pk]), {"written_at": now, "text": "Client calm, music on."}
    )
    note = SessionNote.objects.get()
    client.post(
        reverse("sessions:amend", args=[session.pk, "note", note.pk]),
        {
            "amend-reason": "Added the eye shades",
            "written_at": now,
            "text": "Client calm, music on, eye shades.",
        },
    )
    detail = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert "<del>Client calm, music on.</del>" in detail and "Client calm, music on, eye shades." in detail


def test_a_dose_given_is_corrected_only_by_those_who_give_doses(world, scoped, login):
    session = make_session(world.client)
    given = dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        amount=100,
        at=timezone.now() - timedelta(minutes=10),
    )
    url = reverse("sessions:amend", args=[session.pk, "administration", given.pk])
    assert login(world.members["therapist"]).get(url).status_code == 403
    client = login(world.members["monitor"])
    response = client.post(
        url,
        {
            "amend-reason": "Only half the tablet dissolved",
            "order": str(given.order_id),
            "given_at": local(given.given_at, world.practice),
            "amount_mg": "50",
        },
    )
    assert response.status_code == 302
    assert [a.amount_mg for a in DoseAdministration.objects.current()] == [Decimal("50.0")]
    assert DoseAdministration.objects.count() == 2


@pytest.mark.parametrize("record_type", ["nonsense"])
def test_an_unknown_record_type_is_404(world, scoped, login, record_type):
    session = make_session(world.client)
    reading = vitals(session, world.members["monitor"])
    assert (
        login(world.members["monitor"])
        .get(reverse("sessions:amend", args=[session.pk, record_type, reading.pk]))
        .status_code
        == 404
    )


def test_an_adverse_event_is_recorded_with_the_protocol_categories(world, scoped, login):
    session = make_session(world.client)
    client = login(world.members["therapist"])
    url = reverse("sessions:adverse_event", args=[session.pk])
    page = client.get(url).content.decode()
    assert "Respiratory / consciousness (serious)" in page
    client.post(
        url,
        {
            "category": "respiratory",
            "description": "SpO2 dipped to 89 % for a minute",
            "onset_at": local(timezone.now(), world.practice),
            "severity": "moderate",
            "relatedness": "possibly",
            "action_taken": "Chin lift, oxygen 2 L",
            "outcome": "resolved",
        },
    )
    from kapstone.sessions.models import AdverseEvent

    event = AdverseEvent.objects.get()
    assert event.serious  # the protocol calls respiratory events serious
    assert (event.category_label, event.get_outcome_display()) == ("Respiratory / consciousness", "Resolved")
