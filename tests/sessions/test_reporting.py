"""The esketamine REMS Patient Monitoring Form: every field, filled from the record where possible."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.sessions.discharge import discharge_session
from kapstone.sessions.models import ReportingForm

from .builders import dose, make_session, request_for, vitals


def test_the_form_is_prefilled_from_the_session_and_saved(world, scoped, login):
    monitor, prescriber = world.members["monitor"], world.members["prescriber"]
    session = make_session(world.client, protocol_id="esketamine_intranasal")
    start = timezone.now() - timedelta(minutes=130)
    vitals(session, monitor, at=start - timedelta(minutes=5), sbp=128, dbp=82)
    dose(session, prescriber, monitor, amount=84, at=start)
    vitals(session, monitor, at=start + timedelta(minutes=40), sbp=150, dbp=92)
    vitals(session, monitor, at=start + timedelta(minutes=125), sbp=126, dbp=80)
    discharge_session(
        request_for(monitor),
        session,
        discharged_at=start + timedelta(minutes=128),
        aldrete_answers=dict.fromkeys(range(1, 6), 2),
        criteria={c.id: True for c in session.protocol.discharge.criteria},
    )
    client = login(world.members["therapist"])
    url = reverse("sessions:reporting_form", args=[session.pk])
    page = client.get(url).content.decode()
    form = client.get(url).context["form"]
    assert form["patient.last_name"].value() == world.client.legal_last_name
    assert form["treatment.dose"].value() == "84 mg"
    assert form["duration.monitoring_minutes"].value() == "128"
    assert form["blood_pressure.before_administration"].value() == "128/82"
    assert form["blood_pressure.post_40_min"].value() == "150/92"
    assert form["blood_pressure.before_completion"].value() == "126/80"
    assert form["patient.first_treatment"].value() == "yes"
    assert "Benzodiazepines" in page and "Lot number" in page
    data = {
        name: (value if value is not None else "")
        for name, value in ((n, form[n].value()) for n in form.fields)
    }
    data |= {
        "treatment.lot_number": "LOT-77",
        "duration.ready_to_leave_minutes": "95",
        "concomitant_medication.maois": "no",
    }
    bad = client.post(url, data | {"duration.monitoring_minutes": "100"}).content.decode()
    assert "Ensure this value is greater than or equal to 120." in bad
    swapped = client.post(url, data | {"blood_pressure.post_40_min": "80/190"}).content.decode()
    assert "Diastolic BP (190) must be lower than systolic BP (80)." in swapped
    typo = client.post(url, data | {"blood_pressure.post_40_min": "450/92"}).content.decode()
    assert "Systolic blood pressure 450 mmHg is not plausible" in typo
    assert not ReportingForm.objects.exists()  # nothing saved from a bad form
    assert client.post(url, data).status_code == 302
    saved = ReportingForm.objects.get()  # the first version
    assert saved.version == 1
    assert (
        saved.answers["treatment.lot_number"] == "LOT-77"
        and saved.answers["concomitant_medication.maois"] == "no"
    )
    assert AuditEvent.objects.filter(action="sessions.reporting_form.saved").exists()
    summary = client.get(reverse("sessions:summary", args=[session.pk])).content.decode()
    assert "LOT-77" in summary


def test_protocols_without_a_form_have_no_form_page(world, scoped, login):
    session = make_session(world.client)
    assert (
        login(world.members["monitor"]).get(reverse("sessions:reporting_form", args=[session.pk])).status_code
        == 404
    )
