"""One medicine session: its record page, and everything recorded in it (thin views over the services)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client
from kapstone.clinical import dosing
from kapstone.practice.permissions import Capability

from .. import bedside, cancellation, recording, scales, services, supply
from ..amounts import plain
from ..board import board_cards
from ..forms import (
    AdministrationForm,
    AdverseEventForm,
    AmendmentForm,
    BedsideRatingsForm,
    ChecklistForm,
    DoseOrderForm,
    NoteForm,
    ObservationForm,
    VitalsForm,
    local_input,
)
from ..models import (
    AdverseEvent,
    DoseAdministration,
    MedicineSession,
    Observation,
    SessionNote,
    VitalsReading,
)
from ..roles import ADMINISTERING_ROLES, PRESCRIBING_ROLES, RECORDING_ROLES, has_role, require_role
from ..vitals_chart import dose_marks, vitals_chart_svg

CLINICAL = Capability.VIEW_CLINICAL


def session_for(request, session_id, roles=None, what=""):
    """The session if its client is visible to the caller (else 404), for a clinical role (else 403)."""
    session = get_object_or_404(MedicineSession.objects.select_related("client", "episode"), pk=session_id)
    get_client(request, session.client_id, CLINICAL)
    if roles is not None:
        require_role(request, roles, what)
        if session.is_cancelled:
            raise PermissionDenied("This session was cancelled: nothing more can be recorded in it.")
    return session


def service_args(request, now=None, **extra):
    return {"zone": request.practice.zone, "now": now or timezone.now(), **extra}


def _refused(form, exc):
    form.add_error(None, exc.message)
    for problem in exc.problems:
        form.add_error(None, getattr(problem, "label", problem))


def log_viewed(request, session, page):
    """Pages that show clinical content of the session (checklist, order, discharge) are PHI reads."""
    if request.method == "GET":
        log_event(request, "sessions.session.viewed", obj=session, client=session.client, data={"page": page})


def _back(session):
    return redirect("sessions:detail", session_id=session.pk)


def detail(request, session_id):
    session = session_for(request, session_id)
    state = services.load(session)
    context = {
        "session": state.session,
        "client": session.client,
        "state": state,
        "checklist": services.current_checklist(session),
        **histories(session),
        "can_prescribe": has_role(request, PRESCRIBING_ROLES),
        "can_administer": has_role(request, ADMINISTERING_ROLES),
        "pending_orders": [o for o in state.orders if state.given_for(o) < o.dose_mg],
        "age": session.client.age_on(request.practice.today()),
        "vitals_chart": vitals_chart(state, request.practice.zone),
        "may_cancel": cancellation.may_cancel(request, session) and cancellation.refusal(state) is None,
    }
    log_event(request, "sessions.session.viewed", obj=session, client=session.client)
    return render(request, "sessions/detail.html", context)


def vitals_chart(state, zone) -> str:
    """The session's vitals trend (SVG) with its protocol's thresholds and the doses given."""
    return vitals_chart_svg(
        state.vitals,
        state.protocol.thresholds,
        dose_time=state.dose_time,
        doses=dose_marks(state.administrations, state.orders),
        zone=zone,
        key=str(state.session.pk),
        title="Vitals since the dose" if state.dose_time else "Vitals (no dose given yet)",
    )


def histories(session):
    return {
        "vitals_history": recording.history(VitalsReading, session),
        "observation_history": recording.history(Observation, session),
        "ae_history": recording.history(AdverseEvent, session),
        "note_history": recording.history(SessionNote, session),
        "administration_history": recording.history(
            DoseAdministration, session, "order", "given_by", "container"
        ),
        "orders": list(session.orders.select_related("ordered_by")),
    }


# --- checklist, orders, administrations -------------------------------------------------------------


def checklist(request, session_id):
    session = session_for(request, session_id, RECORDING_ROLES, "confirm the checklist")
    log_viewed(request, session, "checklist")
    state = services.load(session)
    latest = services.current_checklist(session)
    initial = {}
    if latest is not None:
        initial = {name: getattr(latest, name) for name in services.CHECKLIST_FIELDS}
    form = ChecklistForm(
        request.POST or None, initial=initial, per_kg=state.protocol.dose.basis == "mg_per_kg"
    )
    review = services.review_checklist(state, form.data if form.is_bound else initial)
    if request.method == "POST" and form.is_valid():
        answers = {k: v for k, v in form.cleaned_data.items() if k != "override_reason"}
        try:
            services.confirm_checklist(
                request, session, answers, override_reason=form.cleaned_data["override_reason"]
            )
        except services.SessionError as exc:
            form.add_error(None, exc.message)
            if "prescriber" in exc.message:
                form.add_error("override_reason", exc.message)
        else:
            messages.success(request, "Pre-dose checklist confirmed.")
            return _back(session)
        review = services.review_checklist(state, form.cleaned_data)
    context = {
        "session": session,
        "client": session.client,
        "state": state,
        "form": form,
        "review": review,
        "latest": latest,
        "can_override": has_role(request, PRESCRIBING_ROLES),
    }
    return render(request, "sessions/checklist.html", context)


def order(request, session_id):
    session = session_for(request, session_id, PRESCRIBING_ROLES, "order a dose")
    log_viewed(request, session, "order")
    state = services.load(session)
    protocol = state.protocol
    booster = state.dose_time is not None
    checklist_ = services.current_checklist(session)
    d = protocol.dose
    initial = {
        "dose": (d.booster.max_each.value if booster and d.booster.max_each else d.default.value).normalize(),
        "weight_kg": checklist_.weight_kg if checklist_ else None,
        "stock_strength": f"{protocol.stock.strengths[-1].normalize():f}",
    }
    plan = services.current_plan(session.episode)
    if plan and plan.protocol_id == protocol.id and not booster:
        initial["dose"] = plan.planned_dose.normalize()
    form = DoseOrderForm(request.POST or None, protocol=protocol, booster=booster, initial=initial)
    preview = problems = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        args = {
            "dose": data["dose"],
            "weight_kg": data["weight_kg"],
            "stock_strength": data["stock_strength"],
            "infusion_minutes": data.get("infusion_minutes"),
            "bag_volume_ml": data.get("bag_volume_ml"),
        }
        if "calculate" in request.POST:
            preview, problems = _preview(state, booster, args, form)
        else:
            try:
                made = services.order_dose(
                    request,
                    session,
                    booster=booster,
                    notes=data["notes"],
                    override_reason=data["override_reason"],
                    **args,
                )
            except services.SessionError as exc:
                form.add_error(None, exc.message)
                if exc.problems:
                    form.add_error("override_reason", "Give a reason to order outside the protocol.")
                preview, problems = _preview(state, booster, args, form)
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Ordered: {_order_words(made)}.")
                return _back(session)
    context = {
        "session": session,
        "client": session.client,
        "state": state,
        "protocol": protocol,
        "form": form,
        "booster": booster,
        "preview": preview,
        "problems": problems,
        "plan": plan,
    }
    return render(request, "sessions/order.html", context)


def _preview(state, booster, args, form):
    protocol = state.protocol
    infusion = args["infusion_minutes"] or (
        protocol.infusion.duration_minutes.as_int if protocol.infusion else None
    )
    bag = args["bag_volume_ml"] or (protocol.infusion.bag_volume_ml.value if protocol.infusion else None)
    try:
        calc = services.calculate(
            protocol,
            dose=args["dose"],
            weight_kg=args["weight_kg"],
            stock_strength=args["stock_strength"],
            infusion_minutes=infusion,
            bag_volume_ml=bag,
        )
        check = dosing.check_dose(
            protocol,
            calc.exact_mg,
            weight_kg=args["weight_kg"],
            booster=booster,
            given_mg=state.given_mg,
            boosters_given=state.boosters_given,
            minutes_since_first_dose=state.minutes_since_dose if booster else None,
            infusion_minutes=int(infusion) if infusion and not booster else None,
        )
    except (services.SessionError, ValueError) as exc:
        form.add_error(None, getattr(exc, "message", str(exc)))
        return None, None
    return calc, [p.message for p in check.problems]


def _order_words(order) -> str:
    words = f"{plain(order.dose_mg)} mg {order.route}"
    if order.dose_mg_per_kg is not None:
        words += f" ({plain(order.dose_mg_per_kg)} mg/kg at {plain(order.weight_kg)} kg)"
    if order.volume_ml is not None:
        words += f" = {plain(order.volume_ml)} mL of {plain(order.stock_strength)} mg/mL"
    if order.unit_count is not None:
        words += f" = {plain(order.unit_count)} \N{MULTIPLICATION SIGN} {plain(order.stock_strength)} mg"
    if order.rate_ml_per_h is not None:
        words += f", {plain(order.rate_ml_per_h)} mL/h over {order.infusion_minutes} min"
    return words


def administer(request, session_id):
    session = session_for(request, session_id, ADMINISTERING_ROLES, "record a dose given")
    now = timezone.now()
    state = services.load(session, now)
    orders = [o for o in state.orders if state.given_for(o) < o.dose_mg]
    if not orders:
        messages.error(request, "There is no dose order left to give. A prescriber orders the dose first.")
        return _back(session)
    pending = orders[-1]
    initial = {
        "order": str(pending.pk),
        "given_at": local_input(now, request.practice.zone),
        "amount_mg": plain(pending.dose_mg - state.given_for(pending)),
    }
    pharmacy = supply.from_pharmacy(session)
    containers = (
        [] if pharmacy else supply.containers_for(session, strengths={o.stock_strength for o in orders})
    )
    if len(containers) == 1:
        initial["container"] = str(containers[0].pk)
    form = AdministrationForm(
        request.POST or None,
        orders=orders,
        containers=containers,
        from_pharmacy=pharmacy,
        initial=initial,
        **service_args(request, now),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_administration(
                request,
                session,
                form.orders[data["order"]],
                given_at=data["given_at"],
                amount_mg=data["amount_mg"],
                container=data.get("container"),
                prescription_ref=data.get("prescription_ref", ""),
                lot_number=data.get("lot_number", ""),
                note=data["note"],
            )
        except services.SessionError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Dose recorded. The monitoring schedule runs from the first dose.")
            return _back(session)
    context = {"session": session, "client": session.client, "state": state, "form": form, "orders": orders}
    return render(request, "sessions/administer.html", context)


# --- vitals and observations -------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def bedside_form(request, data):
    levels = {scale: scales.practice_levels(request.practice, scale) for scale in Observation.Scale.values}
    return BedsideRatingsForm(data, prefix="dialog", levels=levels)


def vitals(request, session_id):
    session = session_for(request, session_id, RECORDING_ROLES, "record vitals")
    now = timezone.now()
    prefix = "dialog" if request.POST.get("dialog-taken_at") is not None else None
    # The board dialog may also rate MOAA/S, RASS and dissociation at the same moment.
    ratings = bedside_form(request, request.POST) if prefix else None
    form = VitalsForm(
        request.POST or None,
        prefix=prefix,
        full_date=prefix is None,
        allow_empty=bool(ratings and ratings.submitted()),
        initial={"taken_at": local_input(now, request.practice.zone, date=prefix is not None)},
        **service_args(request, now),
    )
    if request.method == "POST":
        record, observations, saved = None, [], False
        ratings_valid = ratings is None or ratings.is_valid()
        if form.is_valid() and ratings_valid:
            try:
                record, observations = bedside.record_at_bedside(
                    request,
                    session,
                    taken_at=form.cleaned_data["taken_at"],
                    vitals=form.values(),
                    ratings=ratings.ratings() if ratings else {},
                )
                saved = True
            except (services.SessionError, ValueError) as exc:
                form.add_error(None, getattr(exc, "message", str(exc)))
        if _wants_json(request):
            return _vitals_json(request, session, form, ratings, record, observations, saved)
        if saved:
            _vitals_message(request, record, observations)
            return redirect("sessions:board") if request.POST.get("next") == "board" else _back(session)
        if ratings is not None and ratings.errors:
            for errors in ratings.errors.values():
                form.add_error(None, errors)
    return render(
        request, "sessions/vitals.html", {"session": session, "client": session.client, "form": form}
    )


def _alert_severity(records) -> str | None:
    """The most severe alert the saved records raised: "critical", "warning" or None."""
    raised = {r.alert.severity for r in records if r is not None and r.alert_id}
    return "critical" if "critical" in raised else "warning" if raised else None


# One wording per severity, as docs/severity.md defines who is told.
ALERT_WORDS = {
    "critical": "Critical: a critical safety alert was raised; the care team and the practice admins are "
    "being told now.",
    "warning": "Warning: out of range; a safety alert was raised for the care team.",
}


def _vitals_message(request, record, observations=()):
    severity = _alert_severity([record, *observations])
    if severity:
        messages.error(request, ALERT_WORDS[severity])
    else:
        what = ["Vitals"] if record is not None else []
        what += [f"{o.get_scale_display()} {o.value}" for o in observations]
        messages.success(request, f"{', '.join(what)} recorded.")


def _vitals_json(request, session, form, ratings, record, observations, saved):
    if not saved:
        errors = {
            (name if name == "__all__" else name.removeprefix("dialog-")): [e["message"] for e in errs]
            for name, errs in form.errors.get_json_data().items()
        }
        if ratings is not None:
            for name, errs in ratings.errors.get_json_data().items():
                errors.setdefault("__all__", []).extend(
                    f"{ratings.fields[name].label}: {e['message']}" for e in errs
                )
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    cards = board_cards(request.membership, timezone.now(), session_ids=[session.pk])
    card_html = (
        render_to_string("sessions/card.html", {"card": cards[0], "now": timezone.now()}, request=request)
        if cards
        else ""
    )
    records = [r for r in [record, *observations] if r is not None]
    return JsonResponse(
        {
            "ok": True,
            "session": str(session.pk),
            "card": card_html,
            "alert": any(r.alert_id for r in records),
            "alert_message": ALERT_WORDS.get(_alert_severity(records) or "", ""),
            "flags": [f["message"] for r in records for f in r.flags],
        }
    )


def observation(request, session_id):
    session = session_for(request, session_id, RECORDING_ROLES, "record observations")
    now = timezone.now()
    initial = {"observed_at": local_input(now, request.practice.zone)}
    posted = request.POST.get("scale") if request.method == "POST" else None
    forms_ = {
        scale: ObservationForm(
            request.POST if posted == scale else None,
            scale=scale,
            levels=scales.practice_levels(request.practice, scale),
            prefix=scale,
            initial=initial,
            **service_args(request, now),
        )
        for scale in Observation.Scale.values
    }
    if posted in forms_ and forms_[posted].is_valid():
        form = forms_[posted]
        try:
            record = recording.record_observation(
                request,
                session,
                observed_at=form.cleaned_data["observed_at"],
                scale=posted,
                value=form.cleaned_data["value"],
            )
        except (services.SessionError, ValueError) as exc:
            form.add_error(None, getattr(exc, "message", str(exc)))
        else:
            if record.alert_id:
                messages.error(request, ALERT_WORDS[record.alert.severity])
            else:
                rating = f"{record.value} ({record.band})" if record.band else str(record.value)
                messages.success(request, f"{record.get_scale_display()} {rating} recorded.")
            return _back(session)
    context = {"session": session, "client": session.client, "forms": forms_.items()}
    return render(request, "sessions/observation.html", context)


def adverse_event(request, session_id):
    session = session_for(request, session_id, RECORDING_ROLES, "record adverse events")
    now = timezone.now()
    protocol = session.protocol
    form = AdverseEventForm(
        request.POST or None,
        protocol=protocol,
        initial={"onset_at": local_input(now, request.practice.zone)},
        **service_args(request, now),
    )
    if request.method == "POST" and form.is_valid():
        try:
            recording.record_adverse_event(request, session, **form.cleaned_data)
        except services.SessionError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Adverse event recorded.")
            return _back(session)
    return render(
        request, "sessions/adverse_event.html", {"session": session, "client": session.client, "form": form}
    )


def note(request, session_id):
    session = session_for(request, session_id, RECORDING_ROLES, "write session notes")
    now = timezone.now()
    form = NoteForm(
        request.POST or None,
        initial={"written_at": local_input(now, request.practice.zone)},
        **service_args(request, now),
    )
    if request.method == "POST" and form.is_valid():
        try:
            recording.add_note(request, session, **form.cleaned_data)
        except services.SessionError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Note added.")
            return _back(session)
    return render(request, "sessions/note.html", {"session": session, "client": session.client, "form": form})


# --- corrections -------------------------------------------------------------------------------------


def amend(request, session_id, record_type, record_id):
    if record_type not in recording.RECORD_TYPES:
        raise Http404("No such record.")
    roles, what = (
        (ADMINISTERING_ROLES, "correct a dose given")
        if record_type == "administration"
        else (RECORDING_ROLES, "correct session records")
    )
    session = session_for(request, session_id, roles, what)
    model = recording.RECORD_TYPES[record_type]
    original = get_object_or_404(model, session=session, pk=record_id)
    if original.amendments.exists() or original.entered_in_error:
        messages.error(request, "This record has already been corrected; correct the newest version.")
        return _back(session)
    now = timezone.now()
    form = _record_form(request, session, record_type, original, now)
    amendment = AmendmentForm(request.POST or None, prefix="amend")
    if request.method == "POST" and amendment.is_valid():
        withdraw = amendment.cleaned_data["entered_in_error"]
        if withdraw or form.is_valid():
            values = {} if withdraw else _record_values(record_type, form)
            try:
                recording.amend(
                    request,
                    original,
                    reason=amendment.cleaned_data["reason"],
                    entered_in_error=withdraw,
                    **values,
                )
            except (services.SessionError, ValueError) as exc:
                form.add_error(None, getattr(exc, "message", str(exc)))
            else:
                messages.success(request, "Correction saved. The original stays on the record.")
                return _back(session)
    context = {
        "session": session,
        "client": session.client,
        "original": original,
        "record_type": record_type,
        "form": form,
        "amendment": amendment,
    }
    return render(request, "sessions/amend.html", context)


def _record_form(request, session, record_type, original, now):
    zone = request.practice.zone
    values = recording.copy_values(original)
    for name, value in list(values.items()):
        if hasattr(value, "tzinfo"):
            values[name] = local_input(value, zone)
    data = request.POST or None
    if record_type == "vitals":
        return VitalsForm(data, full_date=True, initial=values, **service_args(request, now))
    if record_type == "observation":
        levels = scales.practice_levels(request.practice, original.scale)
        return ObservationForm(
            data, scale=original.scale, levels=levels, initial=values, **service_args(request, now)
        )
    if record_type == "adverse_event":
        return AdverseEventForm(data, protocol=session.protocol, initial=values, **service_args(request, now))
    if record_type == "note":
        return NoteForm(data, initial=values, **service_args(request, now))
    values["order"] = str(original.order_id)
    return AdministrationForm(
        data, orders=[original.order], amends=original, initial=values, **service_args(request, now)
    )


def _record_values(record_type, form):
    data = dict(form.cleaned_data)
    if record_type == "vitals":
        return {"taken_at": data["taken_at"], **form.values()}
    if record_type == "observation":
        return {"observed_at": data["observed_at"], "scale": form.scale, "value": data["value"]}
    if record_type == "administration":
        data.pop("order")
    return data
