"""Staff pages for one client's appointments: book, see, reschedule, cancel, close; the due integrations."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client, visible_clients
from kapstone.practice.permissions import Capability, capability_required

from .. import rules, services
from ..forms import AppointmentForm, CancelForm, RescheduleForm, StatusForm
from ..models import Appointment, AppointmentKind, AppointmentStatus, SchedulingSettings
from ..queries import integrations_due, past_for_client, upcoming_for_client

# Booking and changing appointments. Until the permissions module has its own scheduling capability,
# the roles that may edit a client's record (admin, prescriber, therapist, front desk) may schedule.
SCHEDULE = Capability.SCHEDULE
PAST_SHOWN = 100


def may_override(request) -> bool:
    return request.membership.role in services.OVERRIDE_ROLES


def usual_lengths(episode, settings) -> str:
    medicine = rules.medicine_length(episode, settings)
    return (
        f"intake {settings.intake_minutes}, preparation {settings.preparation_minutes}, "
        f"medicine session {medicine.explain()}, integration {settings.integration_minutes}, "
        f"follow-up {settings.follow_up_minutes}"
    )


def add_errors(form, error: services.SchedulingError, zone) -> None:
    """Put a refused booking's reasons next to the fields they concern."""
    if error.clashes:
        for clash in error.clashes:
            form.add_error(clash.field, clash.message(zone))
        return
    message = error.message
    if error.gaps:
        missing = "; ".join(f"{gap.label} ({gap.who} can complete it)" for gap in error.gaps)
        message = f"{message} Missing: {missing}."
    field = error.field if error.field in form.fields else None
    form.add_error(field, message)
    if error.gaps and "override_reason" in form.fields and field != "override_reason":
        form.add_error(
            "override_reason",
            "To book it anyway, write why the session should go ahead before readiness is complete.",
        )


def _appointment(request, client_id, appointment_id, capability=Capability.VIEW_CLIENT):
    client = get_client(request, client_id, capability)
    appointment = get_object_or_404(
        Appointment.objects.select_related("room", "episode", "created_by"), client=client, pk=appointment_id
    )
    return client, appointment


def _initial_from_query(request) -> dict:
    """Prefill from a link (the calendar or the integrations list): kind, date, time, clinician, room."""
    initial = {}
    for name in ("kind", "date", "start_time", "room"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:40]
    if request.GET.get("clinician"):
        initial["clinicians"] = [request.GET["clinician"][:40]]
    return initial


def appointment_new(request, client_id):
    client = get_client(request, client_id, SCHEDULE)
    practice = request.practice
    episode = services.open_episode_of(client)
    settings = SchedulingSettings.for_practice(practice)
    can_override = may_override(request)
    initial = _initial_from_query(request)
    initial.setdefault("clinicians", [request.membership.pk])
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        practice=practice,
        initial=initial,
        usual_lengths=usual_lengths(episode, settings),
        can_override=can_override,
    )
    refused_gaps = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.book_appointment(
                request,
                client,
                kind=data["kind"],
                starts_at=data["starts_at"],
                clinicians=data["clinicians"],
                room=data["room"],
                duration_minutes=data["duration_minutes"],
                override_reason=data.get("override_reason", ""),
            )
        except services.SchedulingError as error:
            add_errors(form, error, practice.zone)
            refused_gaps = error.gaps
        else:
            messages.success(
                request, f"Booked: {appointment.get_kind_display().lower()} for {client.display_name}."
            )
            return redirect("scheduling:detail", client_id=client.pk, appointment_id=appointment.pk)
    if request.method == "GET":
        log_event(request, "scheduling.appointments.viewed", obj=client, data={"page": "new"})
    context = {
        "client": client,
        "episode": episode,
        "form": form,
        "readiness": services.readiness_gaps(episode) if episode else [],
        "refused_gaps": refused_gaps,
        "can_override": can_override,
    }
    return render(request, "scheduling/appointment_form.html", context)


def appointment_detail(request, client_id, appointment_id):
    client, appointment = _appointment(request, client_id, appointment_id)
    clinicians = appointment.clinician_links.select_related("membership__user")
    changes = appointment.changes.select_related("actor")
    integration = None
    if appointment.integration_due_at:
        integration = (
            Appointment.objects.blocking()
            .filter(
                client=client,
                kind=AppointmentKind.INTEGRATION,
                starts_at__gte=appointment.starts_at,
                starts_at__lte=appointment.integration_due_at,
            )
            .order_by("starts_at")
            .first()
        )
    log_event(request, "scheduling.appointment.viewed", obj=appointment)
    context = {
        "client": client,
        "appointment": appointment,
        "clinicians": clinicians,
        "changes": changes,
        "integration": integration,
        "now": timezone.now(),
    }
    return render(request, "scheduling/appointment_detail.html", context)


def client_appointments(request, client_id):
    client = get_client(request, client_id)
    now = timezone.now()
    log_event(request, "scheduling.appointments.viewed", obj=client)
    context = {
        "client": client,
        "upcoming": upcoming_for_client(client, now),
        "past": past_for_client(client, now)[:PAST_SHOWN],
        "past_shown": PAST_SHOWN,
        "episode": services.open_episode_of(client),
    }
    return render(request, "scheduling/client_appointments.html", context)


def appointment_reschedule(request, client_id, appointment_id):
    client, appointment = _appointment(request, client_id, appointment_id, SCHEDULE)
    practice = request.practice
    if appointment.status != AppointmentStatus.SCHEDULED:
        messages.error(
            request, f"This appointment is {appointment.get_status_display().lower()}: it cannot move."
        )
        return redirect("scheduling:detail", client_id=client.pk, appointment_id=appointment.pk)
    form = RescheduleForm(
        request.POST if request.method == "POST" else None,
        practice=practice,
        initial=RescheduleForm.initial_for(appointment, practice.zone),
        can_override=may_override(request),
    )
    refused_gaps = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reschedule_appointment(
                request,
                appointment,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                clinicians=data["clinicians"],
                room=data["room"],
                reason=data["reason"],
                override_reason=data.get("override_reason", ""),
            )
        except services.SchedulingError as error:
            add_errors(form, error, practice.zone)
            refused_gaps = error.gaps
        else:
            messages.success(
                request, "Rescheduled. The change and its reason are in the appointment's history."
            )
            return redirect("scheduling:detail", client_id=client.pk, appointment_id=appointment.pk)
    if request.method == "GET":
        log_event(request, "scheduling.appointment.viewed", obj=appointment, data={"page": "reschedule"})
    context = {"client": client, "appointment": appointment, "form": form, "refused_gaps": refused_gaps}
    return render(request, "scheduling/reschedule.html", context)


def appointment_cancel(request, client_id, appointment_id):
    client, appointment = _appointment(request, client_id, appointment_id, SCHEDULE)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_appointment(request, appointment, form.cleaned_data["reason"])
        except services.SchedulingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Cancelled. No reminder will be sent.")
        return redirect("scheduling:detail", client_id=client.pk, appointment_id=appointment.pk)
    log_event(request, "scheduling.appointment.viewed", obj=appointment, data={"page": "cancel"})
    return render(
        request, "scheduling/cancel.html", {"client": client, "appointment": appointment, "form": form}
    )


@require_POST
def appointment_status(request, client_id, appointment_id):
    client, appointment = _appointment(request, client_id, appointment_id, SCHEDULE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose completed or no-show.")
    else:
        try:
            if form.cleaned_data["status"] == AppointmentStatus.COMPLETED:
                services.complete_appointment(request, appointment)
                messages.success(request, "Marked as completed.")
            else:
                services.mark_no_show(request, appointment, form.cleaned_data["reason"])
                messages.success(request, "Marked as a no-show.")
        except services.SchedulingError as error:
            messages.error(request, error.message)
    return redirect("scheduling:detail", client_id=client.pk, appointment_id=appointment.pk)


@capability_required(SCHEDULE)
def choose_client(request):
    """Book from the calendar: find the client first (only clients the member may see)."""
    query = request.GET.get("q", "").strip()[:100]
    clients = []
    if query:
        clients = visible_clients(request.membership)
        for word in query.split()[:5]:
            clients = clients.filter(
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(record_number__icontains=word)
            )
        clients = list(clients.order_by("legal_last_name", "legal_first_name")[:25])
        # The search words are PHI (names): the trail records only that a search happened.
        log_event(request, "scheduling.clients.searched", data={"found": len(clients)})
    prefill = {
        k: request.GET[k][:40]
        for k in ("kind", "date", "start_time", "clinician", "room")
        if request.GET.get(k)
    }
    context = {"query": query, "clients": clients, "prefill": urlencode(prefill)}
    return render(request, "scheduling/choose_client.html", context)


@capability_required(Capability.VIEW_CLIENT)
def integrations(request):
    """Medicine sessions waiting for their integration appointment: overdue first, then due."""
    now = timezone.now()
    due = list(integrations_due(request.membership, now)[:200])
    log_event(request, "scheduling.integrations.viewed", data={"count": len(due)})
    today = request.practice.today()
    for appointment in due:
        due_day = timezone.localtime(appointment.integration_due_at, request.practice.zone).date()
        query = {"kind": AppointmentKind.INTEGRATION, "date": max(due_day, today).isoformat()}
        appointment.book_url = (
            reverse("scheduling:new", args=[appointment.client_id]) + "?" + urlencode(query)
        )
    return render(request, "scheduling/integrations.html", {"due": due, "now": now})
