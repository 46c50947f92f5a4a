"""The end of a session: discharge (or cancelling a session never dosed), the printable summary and the
protocol's reporting form."""

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clients.access import visible_clients
from kapstone.pdf import pdf_response, render_pdf
from kapstone.practice.permissions import Capability, capability_required

from .. import cancellation, reporting, reporting_due, services
from .. import discharge as discharging
from ..forms import CancelForm, DischargeForm, SubmissionForm, local_input
from ..models import MedicineSession, Observation
from ..roles import PRESCRIBING_ROLES, RECORDING_ROLES, has_role, require_role
from .session import histories, log_viewed, service_args, session_for, vitals_chart

# The discharge criterion the latest dissociation rating informs (protocol data, every protocol).
DISSOCIATION_CRITERION = "dissociation_resolved"


def latest_rating(state, scale):
    """The newest current observation on ``scale``, or None."""
    rated = [o for o in state.observations if o.scale == scale]
    return rated[-1] if rated else None


def discharge(request, session_id):
    session = session_for(request, session_id, RECORDING_ROLES, "discharge a client")
    log_viewed(request, session, "discharge")
    now = timezone.now()
    state = services.load(session, now)
    if state.discharge is not None:
        messages.info(request, "This client has been discharged from the session.")
        return redirect("sessions:summary", session_id=session.pk)
    checklist_ = services.current_checklist(session)
    form = DischargeForm(
        request.POST or None,
        protocol=state.protocol,
        initial={
            "discharged_at": local_input(now, request.practice.zone),
            "escort_name": checklist_.escort_name if checklist_ else "",
        },
        **service_args(request, now),
    )
    result = discharging.evaluation(state, now)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = discharging.evaluation(
            state, data["discharged_at"], form.aldrete_answers(), form.criteria_answers()
        )
        try:
            discharging.discharge_session(
                request,
                session,
                discharged_at=data["discharged_at"],
                aldrete_answers=form.aldrete_answers(),
                criteria=form.criteria_answers(),
                escort_name=data["escort_name"],
                notes=data["notes"],
                override_reason=data["override_reason"],
                now=now,
            )
        except discharging.DischargeRefused as exc:
            form.add_error(None, exc.message)
            form.add_error("override_reason", exc.message)
        except services.SessionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Discharged. The session summary is ready to print.")
            return redirect("sessions:summary", session_id=session.pk)
    elif form.is_bound:
        result = discharging.evaluation(state, now, form.aldrete_answers(), form.criteria_answers())
    context = {
        "session": session,
        "client": session.client,
        "state": state,
        "form": form,
        "result": result,
        "aldrete_total": discharging.aldrete_total(form.aldrete_answers()) if form.is_bound else None,
        "can_override": has_role(request, PRESCRIBING_ROLES),
        "dissociation_criterion": f"criterion_{DISSOCIATION_CRITERION}",
        "latest_dissociation": latest_rating(state, Observation.Scale.DISSOCIATION),
    }
    return render(request, "sessions/discharge.html", context)


def cancel(request, session_id):
    """End a session that was never dosed: a reason is required; a dosed session must be discharged."""
    session = session_for(request, session_id)
    require_role(request, RECORDING_ROLES, "cancel a medicine session")
    if not cancellation.may_cancel(request, session):
        raise PermissionDenied("Only a prescriber or the person who opened the session can cancel it.")
    state = services.load(session)
    problem = cancellation.refusal(state)
    if problem:
        messages.error(request, problem)
        return redirect("sessions:detail", session_id=session.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancellation.cancel_session(request, session, reason=form.cleaned_data["reason"])
        except services.SessionError as exc:
            form.add_error("reason" if exc.message == cancellation.REASON_REQUIRED else None, exc.message)
        else:
            messages.success(
                request, "Session cancelled. It has left the live board; the reason is on the record."
            )
            return redirect("sessions:detail", session_id=session.pk)
    context = {"session": session, "client": session.client, "state": state, "form": form}
    return render(request, "sessions/cancel.html", context)


def _summary_context(request, session):
    """What the summary shows, on the page and in its PDF."""
    state = services.load(session)
    definition = reporting.reporting_form(state.protocol)
    context = {
        "session": state.session,
        "client": session.client,
        "state": state,
        "checklist": services.current_checklist(session),
        "age": session.client.age_on(request.practice.today()),
        **histories(session),
        "result": _discharge_result(state),
        "vitals_chart": vitals_chart(state, request.practice.zone),
        "latest_dissociation": latest_rating(state, Observation.Scale.DISSOCIATION),
    }
    if definition is not None:
        records = reporting.versions(session, definition.id)
        saved = dict(records[0].answers) if records else {}
        context["report"] = definition
        context["report_rows"] = list(reporting.filled(definition, saved, reporting.prefill(state)))
        context["report_version"] = records[0] if records else None
    return context


def summary(request, session_id):
    session = session_for(request, session_id)
    context = _summary_context(request, session)
    log_event(request, "sessions.summary.viewed", obj=session, client=session.client)
    return render(request, "sessions/summary.html", context)


def summary_pdf(request, session_id):
    """The summary as a PDF (docs/documents.md): printed on each download from the record as it is now."""
    session = session_for(request, session_id)
    context = _summary_context(request, session) | {"printed_at": timezone.now()}
    pdf = render_pdf("sessions/summary_pdf.html", context, request=request)
    log_event(
        request,
        "sessions.summary.downloaded",
        obj=session,
        client=session.client,
        data={"format": "pdf", "sha256": hashlib.sha256(pdf).hexdigest()},
    )
    return pdf_response(pdf, f"session-summary-{session.client.record_number}-{session.number}.pdf")


def _discharge_result(state):
    record = state.discharge
    if record is None:
        return None
    answers = {int(k): v for k, v in record.aldrete_answers.items()}
    return discharging.evaluation(state, record.discharged_at, answers, record.criteria)


def reporting_form(request, session_id, submission_form=None):
    session = session_for(request, session_id)
    state = services.load(session)
    definition = reporting.reporting_form(state.protocol)
    if definition is None:
        raise Http404("This protocol has no reporting form.")
    records = reporting.versions(session, definition.id)
    saved = dict(records[0].answers) if records else {}
    computed = reporting.prefill(state)
    form = reporting.ReportingFormForm(
        request.POST if submission_form is None and request.method == "POST" else None,
        definition=definition,
        initial=computed | saved,
    )
    if request.method == "POST" and submission_form is None:
        require_role(request, RECORDING_ROLES, "complete the reporting form")
        if form.is_valid():
            record = reporting.save_reporting_form(request, session, definition.id, form.answers())
            if record is None:
                messages.info(request, f"Nothing changed: {definition.title} stays as it was.")
            else:
                messages.success(request, f"{definition.title} saved (version {record.version}).")
            return redirect("sessions:summary", session_id=session.pk)
    elif request.method == "GET":
        log_event(request, "sessions.reporting_form.viewed", obj=session, client=session.client)
    submission = reporting_due.submission_of(session, definition.id)
    first = state.dose_time
    context = {
        "session": session,
        "client": session.client,
        "definition": definition,
        "form": form,
        "computed": computed,
        "saved": saved,
        "history": reporting.history(definition, records),
        "submission": submission,
        "submission_form": submission_form
        or SubmissionForm(initial={"submitted_on": request.practice.today()}),
        "due_on": reporting_due.due_date(
            session, definition, timezone.localdate(first, request.practice.zone)
        )
        if first
        else None,
    }
    return render(request, "sessions/reporting_form.html", context)


def reporting_submit(request, session_id):
    """Record that the session's reporting form was sent; errors show on the form's page, input kept."""
    session = session_for(request, session_id, RECORDING_ROLES, "record that a reporting form was submitted")
    definition = reporting.reporting_form(session.protocol)
    if definition is None:
        raise Http404("This protocol has no reporting form.")
    if request.method != "POST":
        return redirect("sessions:reporting_form", session_id=session.pk)
    form = SubmissionForm(request.POST)
    if form.is_valid():
        try:
            reporting_due.record_submission(
                request,
                session,
                definition,
                submitted_on=form.cleaned_data["submitted_on"],
                confirmation=form.cleaned_data["confirmation"],
            )
        except reporting_due.SubmissionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, f"{definition.title} recorded as submitted.")
            return redirect("sessions:reporting_form", session_id=session.pk)
    return reporting_form(request, session_id, submission_form=form)


def reporting_form_pdf(request, session_id):
    """The newest saved version of the reporting form as a PDF, with its submission if recorded."""
    session = session_for(request, session_id)
    state = services.load(session)
    definition = reporting.reporting_form(state.protocol)
    if definition is None:
        raise Http404("This protocol has no reporting form.")
    records = reporting.versions(session, definition.id)
    saved = dict(records[0].answers) if records else {}
    context = {
        "session": session,
        "client": session.client,
        "state": state,
        "definition": definition,
        "rows": list(reporting.filled(definition, saved, reporting.prefill(state))),
        "record": records[0] if records else None,
        "submission": reporting_due.submission_of(session, definition.id),
        "printed_at": timezone.now(),
    }
    pdf = render_pdf("sessions/reporting_form_pdf.html", context, request=request)
    log_event(
        request,
        "sessions.reporting_form.downloaded",
        obj=session,
        client=session.client,
        data={
            "format": "pdf",
            "version": records[0].version if records else None,
            "sha256": hashlib.sha256(pdf).hexdigest(),
        },
    )
    return pdf_response(pdf, f"{definition.id}-{session.client.record_number}-{session.number}.pdf")


@capability_required(Capability.VIEW_CLINICAL)
def reporting_due_list(request):
    """Every reporting form the caller's clients' sessions still owe, soonest deadline first."""
    sessions = MedicineSession.objects.filter(client__in=visible_clients(request.membership))
    today = request.practice.today()
    due = reporting_due.owing(sessions)
    rows = [(item, item.days_left(today), -item.days_left(today)) for item in due]
    log_event(request, "sessions.reporting_due.viewed", data={"forms": len(rows)})
    return render(request, "sessions/reporting_due.html", {"rows": rows, "today": today})
