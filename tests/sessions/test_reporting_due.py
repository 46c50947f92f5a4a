"""The esketamine REMS Patient Monitoring Form is tracked against its deadline after every session:
due within 7 days of the first dose (source spravato-rems), submitted on a date, by someone, with the
confirmation the REMS gave; the forms-due list shows what is still owed, overdue first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.sessions import reporting_due
from kapstone.sessions.models import MedicineSession, ReportingSubmission
from kapstone.sessions.reporting import reporting_form

from .builders import dose, make_session, request_for


def esketamine_dosed(world, days_ago):
    at = timezone.now() - timedelta(days=days_ago)
    session = make_session(
        world.client, protocol_id="esketamine_intranasal", opened_at=at - timedelta(minutes=20)
    )
    dose(session, world.members["prescriber"], world.members["monitor"], amount=56, strength=28, at=at)
    return session


def test_a_dosed_esketamine_session_owes_its_form_within_7_days_of_the_dose(world, scoped):
    session = esketamine_dosed(world, days_ago=2)
    make_session(world.client, room="Room 2")  # ketamine: no reporting form
    [due] = reporting_due.owing(MedicineSession.objects.all())
    dosed_on = timezone.localdate(session.administrations.first().given_at, world.practice.zone)
    assert (due.session, due.dosed_on, due.due_on, due.saved) == (
        session,
        dosed_on,
        dosed_on + timedelta(days=7),
        False,
    )
    assert due.days_left(dosed_on + timedelta(days=7)) == 0 and not due.overdue(dosed_on + timedelta(days=7))
    assert due.overdue(dosed_on + timedelta(days=8))


def test_a_form_is_submitted_once_as_its_saved_version_with_its_confirmation(world, scoped, login):
    session = esketamine_dosed(world, days_ago=9)
    definition = reporting_form(session.protocol)
    monitor = login(world.members["monitor"])
    page = monitor.get(reverse("sessions:reporting_due")).content.decode()
    assert "Overdue by 2 days" in page and "Complete the form" in page
    url = reverse("sessions:reporting_submit", args=[session.pk])
    today = world.practice.today()
    page = monitor.post(
        url, {"submitted_on": today.isoformat(), "confirmation": "RMS-77120"}
    ).content.decode()
    assert "Complete and save the form before recording that it was submitted." in page
    assert 'value="RMS-77120"' in page  # nothing typed is lost
    monitor.post(reverse("sessions:reporting_form", args=[session.pk]), {})  # save what the record fills in
    page = monitor.post(url, {"submitted_on": (today + timedelta(days=1)).isoformat(), "confirmation": "x"})
    assert "The date submitted cannot be in the future." in page.content.decode()
    response = monitor.post(
        url, {"submitted_on": today.isoformat(), "confirmation": " RMS-77120 "}, follow=True
    )
    assert "Submitted on" in response.content.decode() and "RMS-77120" in response.content.decode()
    submission = ReportingSubmission.objects.get()
    assert (
        submission.form_id,
        submission.confirmation,
        submission.submitted_by,
        submission.version.version,
    ) == (
        definition.id,
        "RMS-77120",
        world.members["monitor"].user,
        1,
    )
    assert AuditEvent.objects.filter(
        action="sessions.reporting_form.submitted", client_id=world.client.pk
    ).exists()
    assert reporting_due.owing(MedicineSession.objects.all()) == []
    assert "No reporting form is due." in monitor.get(reverse("sessions:reporting_due")).content.decode()
    with pytest.raises(reporting_due.SubmissionError, match="already recorded as submitted"):
        reporting_due.record_submission(
            request_for(world.members["monitor"]),
            session,
            definition,
            submitted_on=today,
            confirmation="again",
        )


def test_the_list_shows_only_the_callers_clients(world, scoped, login):
    esketamine_dosed(world, days_ago=1)
    assert (
        "Session 1" in login(world.members["monitor"]).get(reverse("sessions:reporting_due")).content.decode()
    )
    page = login(world.outsider).get(reverse("sessions:reporting_due")).content.decode()
    assert "Session 1" not in page and "No reporting form is due." in page
