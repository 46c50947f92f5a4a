"""REMS monitoring-form answers are versioned: a change keeps the earlier answer, who gave it and when."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.sessions import reporting
from kapstone.sessions.models import ReportingForm

from .builders import make_session, request_for

T0 = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)


def test_saving_a_change_adds_a_version_and_the_history_shows_it(world, scoped, login):
    session = make_session(
        world.client, protocol_id="esketamine_intranasal", opened_at=T0 - timedelta(hours=3)
    )
    definition = reporting.reporting_form(session.protocol)
    monitor, prescriber = world.members["monitor"], world.members["prescriber"]
    with time_machine.travel(T0, tick=False):
        first = reporting.save_reporting_form(
            request_for(monitor), session, definition.id, {"treatment.lot_number": "LOT-1"}
        )
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        same = reporting.save_reporting_form(
            request_for(prescriber), session, definition.id, {"treatment.lot_number": "LOT-1"}
        )
        second = reporting.save_reporting_form(
            request_for(prescriber),
            session,
            definition.id,
            {"treatment.lot_number": "LOT-2", "concomitant_medication.maois": "no"},
        )
    assert same is None  # nothing changed: no version, no event
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.answers == {"treatment.lot_number": "LOT-1"} and first.updated_by == monitor.user
    assert reporting.saved_answers(session, definition.id)["treatment.lot_number"] == "LOT-2"
    events = AuditEvent.objects.filter(action="sessions.reporting_form.saved").order_by("pk")
    assert [e.data["version"] for e in events] == [1, 2]
    assert events[1].data["changed"] == ["concomitant_medication.maois", "treatment.lot_number"]
    assert "LOT" not in str(events[1].data)  # field names only, never the answers

    history = reporting.history(definition, reporting.versions(session, definition.id))
    assert [h.record.version for h in history] == [2, 1]
    lot = next(c for c in history[0].changes if c.old == "LOT-1")
    assert lot.new == "LOT-2" and "Lot number" in lot.label

    web = login(world.members["therapist"])
    page = web.get(reverse("sessions:reporting_form", args=[session.pk])).content.decode()
    assert "History of this form" in page and "Version 2" in page and "<del>LOT-1</del>" in page
    assert prescriber.user.full_name in page and monitor.user.full_name in page
    summary = web.get(reverse("sessions:summary", args=[session.pk])).content.decode()
    assert "LOT-2" in summary and "LOT-1" not in summary  # the printable form is the newest version
    assert "Version 2" in summary


def test_posting_the_form_twice_unchanged_keeps_one_version(world, scoped, login):
    session = make_session(world.client, protocol_id="esketamine_intranasal")
    web = login(world.members["monitor"])
    url = reverse("sessions:reporting_form", args=[session.pk])
    form = web.get(url).context["form"]
    data = {n: (v if v is not None else "") for n, v in ((n, form[n].value()) for n in form.fields)}
    data["treatment.lot_number"] = "LOT-9"
    assert web.post(url, data).status_code == 302
    response = web.post(url, data, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert ReportingForm.objects.filter(session=session).count() == 1
