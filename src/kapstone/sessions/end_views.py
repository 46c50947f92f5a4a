"""The end of a session: discharge, the printable summary and the protocol's reporting form."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from kapstone.audit.services import log_event

from . import discharge as discharging
from . import reporting, services
from .forms import DischargeForm, local_input
from .roles import PRESCRIBING_ROLES, RECORDING_ROLES, has_role, require_role
from .views import _histories, _kw, _session, _viewed


def discharge(request, session_id):
    session = _session(request, session_id, RECORDING_ROLES, "discharge a client")
    _viewed(request, session, "discharge")
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
        **_kw(request, now),
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
    }
    return render(request, "sessions/discharge.html", context)


def summary(request, session_id):
    session = _session(request, session_id)
    state = services.load(session)
    definition = reporting.reporting_form(state.protocol)
    context = {
        "session": state.session,
        "client": session.client,
        "state": state,
        "checklist": services.current_checklist(session),
        "age": session.client.age_on(request.practice.today()),
        **_histories(session),
        "result": _discharge_result(state),
    }
    if definition is not None:
        saved = reporting.saved_answers(session, definition.id)
        context["report"] = definition
        context["report_rows"] = list(reporting.filled(definition, saved, reporting.prefill(state)))
    log_event(request, "sessions.summary.viewed", obj=session, client=session.client)
    return render(request, "sessions/summary.html", context)


def _discharge_result(state):
    record = state.discharge
    if record is None:
        return None
    answers = {int(k): v for k, v in record.aldrete_answers.items()}
    return discharging.evaluation(state, record.discharged_at, answers, record.criteria)


def reporting_form(request, session_id):
    session = _session(request, session_id)
    state = services.load(session)
    definition = reporting.reporting_form(state.protocol)
    if definition is None:
        raise Http404("This protocol has no reporting form.")
    saved = reporting.saved_answers(session, definition.id)
    computed = reporting.prefill(state)
    form = reporting.ReportingFormForm(request.POST or None, definition=definition, initial=computed | saved)
    if request.method == "POST":
        require_role(request, RECORDING_ROLES, "complete the reporting form")
        if form.is_valid():
            reporting.save_reporting_form(request, session, definition.id, form.answers())
            messages.success(request, f"{definition.title} saved.")
            return redirect("sessions:summary", session_id=session.pk)
    else:
        log_event(request, "sessions.reporting_form.viewed", obj=session, client=session.client)
    context = {
        "session": session,
        "client": session.client,
        "definition": definition,
        "form": form,
        "computed": computed,
        "saved": saved,
    }
    return render(request, "sessions/reporting_form.html", context)
