"""Staff pages for measures: a client's questionnaires and outcomes, alerts, due lists, the plan."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client, visible_clients
from kapstone.clinical import get_instrument
from kapstone.practice.permissions import Capability, capability_required

from . import services
from .forms import (
    AcknowledgeForm,
    AdministerForm,
    AssignForm,
    AssignPlanForm,
    PlanItemForm,
    QuestionnaireForm,
)
from .graphs import rates_chart_svg
from .models import Assignment, MeasurementPlanItem, PathwayPoint, QuestionnaireResponse, SafetyAlert
from .outcome_forms import OutcomeFilterForm
from .outcome_rates import (
    NO_DOSING,
    OutcomeFilters,
    charted_trajectories,
    dosing_facts,
    practice_rates,
    rates_over_time,
    twelve_month_remission,
)
from .plan import WHEN, plan_for
from .tasks import send_questionnaire_link

CLINICAL = Capability.VIEW_CLINICAL


def _instrument_or_404(instrument_id):
    try:
        return get_instrument(instrument_id)
    except ValueError:
        raise Http404("No such questionnaire.") from None


def client_measures(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    facts = dosing_facts()
    dosing = facts.client_dosing(client) if facts else NO_DOSING
    trajectories = charted_trajectories(client, request.practice.zone, dosing=dosing)
    context = {
        "client": client,
        "trajectories": trajectories,
        "drafts": QuestionnaireResponse.objects.filter(client=client, status="draft").select_related(
            "entered_by"
        ),
        "assignments": Assignment.objects.open().filter(client=client),
        "alerts": SafetyAlert.objects.filter(client=client).select_related("acknowledged_by"),
        "administer_form": AdministerForm(prefix="administer"),
        "assign_form": AssignForm(prefix="assign", initial={"due_on": request.practice.today()}),
        "plan_form": AssignPlanForm(prefix="plan"),
        "age": client.age_on(request.practice.today()),
    }
    log_event(request, "measures.viewed", obj=client)
    return render(request, "measures/client_measures.html", context)


def administer(request, client_id, instrument_id=None):
    client = get_client(request, client_id, CLINICAL)
    if instrument_id is None:  # the chooser on the measures page submits by GET
        form = AdministerForm(request.GET, prefix="administer")
        if not form.is_valid():
            return redirect("measures:client", client_id=client.pk)
        return redirect(
            "measures:administer", client_id=client.pk, instrument_id=form.cleaned_data["instrument"]
        )
    instrument = _instrument_or_404(instrument_id)
    response = services.draft_for(client, instrument.id, source="staff", entered_by=request.user)
    initial = {f"item_{item}": value for item, value in response.answers_by_item().items()}
    form = QuestionnaireForm(request.POST or None, instrument=instrument, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = services.save_answers(request, response, form.answers(), submit="submit" in request.POST)
        if outcome.submitted:
            messages.success(
                request, f"{instrument.short_name} saved: {outcome.response.result['explanation']}"
            )
            if outcome.alerts:
                messages.error(request, f"{len(outcome.alerts)} safety alert(s) raised: review them below.")
            return redirect("measures:client", client_id=client.pk)
        if outcome.missing:
            form.mark_missing(outcome.missing)
        else:
            messages.success(request, "Draft saved. You can finish it later from the client's measures page.")
            return redirect("measures:client", client_id=client.pk)
    if request.method == "GET":
        # The form shows the draft's answers so far.
        log_event(request, "measures.draft.viewed", obj=response)
    return render(
        request, "measures/administer.html", {"client": client, "instrument": instrument, "form": form}
    )


def response_detail(request, client_id, response_id):
    client = get_client(request, client_id, CLINICAL)
    response = get_object_or_404(
        QuestionnaireResponse.objects.select_related("entered_by"),
        client=client,
        pk=response_id,
        status="submitted",
    )
    instrument = get_instrument(response.instrument_id)
    answers = response.answers_by_item()
    rows = []
    for item in instrument.items:
        value = answers.get(item.number)
        label = next((o.label for o in item.options if o.value == value), "" if value is None else str(value))
        rows.append((item, value, label))
    log_event(request, "measures.response.viewed", obj=response)
    context = {"client": client, "response": response, "instrument": instrument, "rows": rows}
    return render(request, "measures/response_detail.html", context)


@require_POST
def assign(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    form = AssignForm(request.POST, prefix="assign")
    if not form.is_valid():
        messages.error(request, "Choose a questionnaire and a due date to assign it.")
        return redirect("measures:client", client_id=client.pk)
    due = datetime.combine(form.cleaned_data["due_on"], time(9), request.practice.zone)
    assignment = services.assign(request, client, form.cleaned_data["instrument"], due_at=due)
    return _show_link(request, client, assignment, email=form.cleaned_data["send_email"])


@require_POST
def new_link(request, client_id, assignment_id):
    client = get_client(request, client_id, CLINICAL)
    assignment = get_object_or_404(Assignment.objects.open(), client=client, pk=assignment_id)
    return _show_link(request, client, assignment, email=False)


def _show_link(request, client, assignment, *, email):
    token = services.issue_link(request, assignment)
    url = request.build_absolute_uri(reverse("measures:link", args=[token]))
    emailed = bool(email and client.email)
    if emailed:
        send_questionnaire_link.enqueue(str(assignment.pk), url)
    context = {
        "client": client,
        "assignment": assignment,
        "url": url,
        "emailed": emailed,
        "instrument": get_instrument(assignment.instrument_id),
    }
    return render(request, "measures/link_created.html", context)


@require_POST
def assign_plan(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    form = AssignPlanForm(request.POST, prefix="plan")
    if form.is_valid():
        created = services.assign_plan(request, client, form.cleaned_data["point"])
        messages.success(request, f"Assigned {len(created)} questionnaire(s) from the measurement plan.")
    return redirect("measures:client", client_id=client.pk)


def acknowledge(request, client_id, alert_id):
    client = get_client(request, client_id, CLINICAL)
    alert = get_object_or_404(SafetyAlert.objects.select_related("response"), client=client, pk=alert_id)
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and alert.acknowledged_at is None and form.is_valid():
        services.acknowledge_alert(request, alert, form.cleaned_data["action_taken"])
        messages.success(request, "Alert acknowledged. The action is recorded on the client's chart.")
        return redirect("measures:client", client_id=client.pk)
    if request.method == "GET":
        log_event(request, "measures.alert.viewed", obj=alert)
    return render(request, "measures/acknowledge.html", {"client": client, "alert": alert, "form": form})


@capability_required(CLINICAL)
def alert_list(request):
    alerts = (
        SafetyAlert.objects.open()
        .filter(client__in=visible_clients(request.membership))
        .select_related("client")
        .order_by("severity", "created_at")  # "critical" sorts before "warning": critical first
    )
    log_event(request, "measures.alerts.viewed")
    return render(request, "measures/alert_list.html", {"alerts": alerts, "now": timezone.now()})


DUE_LIST_DAYS, DUE_LIST_ROWS = 14, 200


@capability_required(Capability.VIEW_CLIENT)
def due_list(request):
    """Open assignments of the member's clients: overdue first, then due in the next 14 days, each
    saying what it is for. One query, whatever the caseload."""
    now, zone = timezone.now(), request.practice.zone
    assignments = (
        Assignment.objects.open()
        .filter(client__in=visible_clients(request.membership))
        .filter(due_at__lt=now + timedelta(days=DUE_LIST_DAYS))
        .select_related("client", "appointment", "session")
        .order_by("due_at")[:DUE_LIST_ROWS]
    )
    rows = [
        {
            "assignment": a,
            "name": get_instrument(a.instrument_id).short_name,
            "purpose": a.purpose(zone),
            "overdue": a.due_at < now,
        }
        for a in assignments
    ]
    return render(request, "measures/due_list.html", {"rows": rows, "days": DUE_LIST_DAYS})


@capability_required(CLINICAL)
def outcomes(request):
    """Outcome rates per instrument with their denominators, filtered by a GET form; aggregate data
    only (no client is named), in a fixed number of queries (docs/clinical.md, "Outcomes")."""
    form = OutcomeFilterForm(request.GET or None, practice=request.practice)
    context = {"form": form, "filtered": bool(request.GET)}
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else OutcomeFilters()
        series = rates_over_time(request.practice, request.practice.zone, filters)
        context["instruments"] = [
            {
                "rates": r,
                "periods": (periods := series[r.instrument.id]),
                "svg": rates_chart_svg(r.instrument, periods),
            }
            for r in practice_rates(request.practice, filters)
        ]
        context["twelve_month"] = twelve_month_remission(request.practice, filters, as_of=timezone.now())
    return render(request, "measures/outcomes.html", context)


@capability_required(Capability.CONFIGURE_PRACTICE)
def plan(request):
    items = plan_for(request.practice)
    form = PlanItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        item.practice = request.practice
        if MeasurementPlanItem.objects.filter(point=item.point, instrument_id=item.instrument_id).exists():
            form.add_error("instrument_id", "This questionnaire is already in the plan at this point.")
        else:
            item.save()
            log_event(request, "measures.plan.updated", obj=item, data={"added": item.instrument_id})
            messages.success(request, "Added to the measurement plan.")
            return redirect("measures:plan")
    order = list(PathwayPoint.values)
    items = sorted(items, key=lambda i: (order.index(i.point), i.instrument_id))
    for item in items:
        item.instrument_name = get_instrument(item.instrument_id).short_name
    points = [(point, WHEN[point]) for point in PathwayPoint if point != PathwayPoint.AD_HOC]
    return render(request, "measures/plan.html", {"items": items, "form": form, "points": points})


@require_POST
@capability_required(Capability.CONFIGURE_PRACTICE)
def plan_remove(request, item_id):
    item = get_object_or_404(MeasurementPlanItem, pk=item_id)
    log_event(request, "measures.plan.updated", obj=item, data={"removed": item.instrument_id})
    item.delete()
    messages.success(request, "Removed from the measurement plan.")
    return redirect("measures:plan")
