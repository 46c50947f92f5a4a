"""Before the session: the practice's protocol settings, a client's dose plan and starting a session."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client
from kapstone.clinical import get_instrument
from kapstone.clinical.protocols import get_protocol
from kapstone.pathway import readiness
from kapstone.practice.permissions import Capability, capability_required

from .. import scales, services, supply
from ..forms import DosePlanForm, ProtocolSettingsForm, ScaleLabelsForm, StartSessionForm, SupplyForm
from ..models import MedicineSession, Observation, ProtocolChange
from ..practice_protocols import practice_protocol, practice_protocols
from ..roles import PRESCRIBING_ROLES, READINESS_OVERRIDE_ROLES, RECORDING_ROLES, has_role, require_role
from ..state import SessionState, with_records

CLINICAL = Capability.VIEW_CLINICAL


@capability_required(CLINICAL)
def protocols(request):
    context = {
        "protocols": practice_protocols(request.practice),
        "from_pharmacy": supply.pharmacy_protocols(request.practice),
        "changes": ProtocolChange.objects.select_related("changed_by")[:50],
        "scales": [
            (get_instrument(scale), scales.practice_levels(request.practice, scale))
            for scale in scales.CONFIGURABLE_SCALES
        ],
    }
    return render(request, "sessions/protocols.html", context)


@capability_required(Capability.CONFIGURE_PRACTICE)
def scale_labels(request, scale):
    """An admin rewords the levels of a configurable observation scale for the practice."""
    if scale not in scales.CONFIGURABLE_SCALES:
        raise Http404("This scale cannot be reworded.")
    levels = scales.practice_levels(request.practice, scale)
    form = ScaleLabelsForm(request.POST or None, levels=levels, max_length=scales.LABEL_MAX_LENGTH)
    if request.method == "POST" and form.is_valid():
        try:
            scales.save_labels(request, request.practice, scale, form.labels())
        except scales.ScaleError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved the practice's wording of {Observation.Scale(scale).label}.")
            return redirect("sessions:protocols")
    context = {"instrument": get_instrument(scale), "form": form}
    return render(request, "sessions/scale_labels.html", context)


@capability_required(Capability.CONFIGURE_PRACTICE)
def protocol_edit(request, protocol_id):
    try:
        base = get_protocol(protocol_id)
    except KeyError:
        raise Http404("No such protocol.") from None
    protocol = practice_protocol(request.practice, protocol_id)
    form = ProtocolSettingsForm(request.POST or None, protocol=protocol, base=base)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.update_protocol_settings(
                request, request.practice, protocol_id, form.values(), form.cleaned_data["reason"]
            )
        except services.SessionError as exc:
            form.add_error("reason", exc.message)
        except ValueError as exc:  # apply_overrides: outside the bounds, or inconsistent
            form.add_error(None, str(exc))
        else:
            if changes:
                messages.success(request, f"Saved {len(changes)} change(s) to {protocol.title}.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("sessions:protocols")
    changes = ProtocolChange.objects.filter(protocol_id=protocol_id).select_related("changed_by")[:50]
    context = {"protocol": protocol, "base": base, "form": form, "changes": changes}
    return render(request, "sessions/protocol_edit.html", context)


@capability_required(Capability.CONFIGURE_PRACTICE)
def protocol_supply(request, protocol_id):
    """Where a route's doses come from: the register (drawn for each dose) or a pharmacy's prescription."""
    try:
        protocol = get_protocol(protocol_id)
    except KeyError:
        raise Http404("No such protocol.") from None
    current = supply.supply_of(request.practice, protocol_id)
    form = SupplyForm(request.POST or None, initial={"supply": current})
    if request.method == "POST" and form.is_valid():
        try:
            supply.set_supply(
                request, request.practice, protocol, form.cleaned_data["supply"], form.cleaned_data["reason"]
            )
        except supply.SupplyError as exc:
            form.add_error("supply", str(exc))
        else:
            messages.success(request, f"Saved where {protocol.title} doses come from.")
            return redirect("sessions:protocols")
    context = {"protocol": protocol, "form": form, "can_dispense": protocol.route in supply.PHARMACY_ROUTES}
    return render(request, "sessions/protocol_supply.html", context)


def client_sessions(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    episode = services.open_episode_of(client)
    now = timezone.now()
    sessions = with_records(MedicineSession.objects.filter(client=client).order_by("-opened_at"))
    context = {
        "client": client,
        "age": client.age_on(request.practice.today()),
        "episode": episode,
        "plan": services.current_plan(episode) if episode else None,
        "plans": list(episode.dose_plans.select_related("prescribed_by")) if episode else [],
        "gaps": readiness.readiness_gaps(episode) if episode else [],
        "states": [SessionState(s, now) for s in sessions],
        "can_prescribe": has_role(request, PRESCRIBING_ROLES),
    }
    log_event(request, "sessions.client.viewed", obj=client)
    return render(request, "sessions/client_sessions.html", context)


def dose_plan(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    require_role(request, PRESCRIBING_ROLES, "write a dose plan")
    if request.method == "GET":
        log_event(request, "sessions.client.viewed", obj=client, data={"page": "dose_plan"})
    episode = services.open_episode_of(client)
    if episode is None:
        return render(request, "sessions/no_episode.html", {"client": client, "heading": "Dose plan"})
    plan = services.current_plan(episode)
    initial = (
        {"protocol_id": plan.protocol_id, "planned_dose": plan.planned_dose.normalize(), "notes": plan.notes}
        if plan
        else {}
    )
    form = DosePlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_dose_plan(request, episode, **form.cleaned_data)
        except services.SessionError as exc:
            form.add_error("planned_dose", exc.message)
        else:
            messages.success(request, "Dose plan saved.")
            return redirect("sessions:client", client_id=client.pk)
    protocols_ = practice_protocols(request.practice)
    context = {"client": client, "episode": episode, "plan": plan, "form": form, "protocols": protocols_}
    return render(request, "sessions/dose_plan.html", context)


def start(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    require_role(request, RECORDING_ROLES, "start a medicine session")
    if request.method == "GET":
        log_event(request, "sessions.client.viewed", obj=client, data={"page": "start"})
    episode = services.open_episode_of(client)
    if episode is None:
        return render(
            request, "sessions/no_episode.html", {"client": client, "heading": "Start a medicine session"}
        )
    plan = services.current_plan(episode)
    form = StartSessionForm(request.POST or None, initial={"protocol_id": plan.protocol_id if plan else None})
    gaps = readiness.readiness_gaps(episode)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.start_session(request, episode, **form.cleaned_data)
        except services.SessionError as exc:
            form.add_error(None, exc.message)
            gaps = exc.problems or gaps
        else:
            messages.success(request, f"Medicine session started in {session.room}. It is on the live board.")
            return redirect("sessions:detail", session_id=session.pk)
    context = {
        "client": client,
        "episode": episode,
        "plan": plan,
        "form": form,
        "gaps": gaps,
        "can_override": has_role(request, READINESS_OVERRIDE_ROLES),
    }
    return render(request, "sessions/start.html", context)
