"""The session summary and the esketamine REMS Patient Monitoring Form download as PDFs (docs/documents.md):
the client, the dose, the vitals; the form's newest saved version, its answers and its submission."""

from datetime import timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kapstone.audit.models import AuditEvent
from kapstone.sessions import reporting, reporting_due

from .builders import dose, make_session, request_for, vitals


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    reader = PdfReader(BytesIO(response.content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_summary_pdf_names_the_client_the_dose_and_the_vitals(world, scoped, login):
    at = timezone.now() - timedelta(hours=1)
    session = make_session(world.client, opened_at=at - timedelta(minutes=10))
    dose(session, world.members["prescriber"], world.members["monitor"], amount=120, at=at)
    vitals(session, world.members["monitor"], at=at + timedelta(minutes=15), sbp=143, dbp=91, hr=87)
    monitor = login(world.members["monitor"])
    page = monitor.get(reverse("sessions:summary", args=[session.pk])).content.decode()
    assert reverse("sessions:summary_pdf", args=[session.pk]) in page
    text = pdf_text(monitor.get(reverse("sessions:summary_pdf", args=[session.pk])))
    assert world.client.legal_name in text
    assert "120 mg" in text
    assert "143/91" in text and "87" in text
    event = AuditEvent.objects.get(action="sessions.summary.downloaded")
    assert event.client_id == world.client.pk and event.data["format"] == "pdf"


def test_the_rems_form_pdf_prints_the_newest_version_and_its_submission(world, scoped, login):
    at = timezone.now() - timedelta(days=2)
    session = make_session(
        world.client, protocol_id="esketamine_intranasal", opened_at=at - timedelta(minutes=20)
    )
    dose(session, world.members["prescriber"], world.members["monitor"], amount=56, strength=28, at=at)
    definition = reporting.reporting_form(session.protocol)
    monitor = world.members["monitor"]
    reporting.save_reporting_form(
        request_for(monitor), session, definition.id, {"treatment.lot_number": "LOT-OLD-4411"}
    )
    reporting.save_reporting_form(
        request_for(monitor), session, definition.id, {"treatment.lot_number": "LOT-NEW-5522"}
    )
    browser = login(monitor)
    url = reverse("sessions:reporting_form_pdf", args=[session.pk])
    assert url in browser.get(reverse("sessions:reporting_form", args=[session.pk])).content.decode()

    text = pdf_text(browser.get(url))
    assert world.client.legal_name in text
    assert "LOT-NEW-5522" in text and "LOT-OLD-4411" not in text
    assert "Version 2" in text and "Not recorded as submitted" in text

    submitted_on = world.practice.today()
    reporting_due.record_submission(
        request_for(monitor), session, definition, submitted_on=submitted_on, confirmation="RMS-90817"
    )
    text = pdf_text(browser.get(url))
    assert f"Submitted on {submitted_on.isoformat()}" in text and "RMS-90817" in text
    events = AuditEvent.objects.filter(action="sessions.reporting_form.downloaded")
    assert [e.data["version"] for e in events] == [2, 2]
    assert "LOT" not in str(events[0].data)
