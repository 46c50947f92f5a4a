"""Medicine sessions: protocol settings, dose plans, starting a session, the pre-dose checklist, dose
orders and administrations. Each function is atomic, checks its preconditions and writes the audit
trail; the clinical arithmetic and limits all come from ``kapstone.clinical``.

Refusals raise :class:`SessionError` with the problems in words, so a form can show them and keep
what was typed. Where the rules allow an override (readiness, checklist, dose range), the caller
passes ``override_reason`` and the service checks the caller's role.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.clients.models import Client
from kapstone.clinical import dosing, get_instrument
from kapstone.clinical.monitoring import check_plausible_value
from kapstone.clinical.protocols import Protocol, apply_overrides
from kapstone.measures.models import QuestionnaireResponse
from kapstone.measures.presession import counting_responses, pre_session_questionnaires
from kapstone.pathway import readiness
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.pathway.services import TransitionError, transition
from kapstone.pathway.transitions import Gap
from kapstone.practice.models import Practice
from kapstone.practice.tenancy import PracticeScopedModel
from kapstone.register.models import Container

from . import dose_gates, supply
from .models import (
    Checklist,
    DoseAdministration,
    DoseOrder,
    DosePlan,
    MedicineSession,
    PregnancyStatus,
    ProtocolChange,
    ProtocolSetting,
    VitalsReading,
)
from .practice_protocols import practice_overrides, practice_protocol
from .protocol_versions import build, override_label, route_label
from .roles import ADMINISTERING_ROLES, PRESCRIBING_ROLES, READINESS_OVERRIDE_ROLES, has_role
from .state import SessionState, with_records

CLOSED_STATES = (EpisodeState.CLOSED, EpisodeState.WITHDRAWN, EpisodeState.DECLINED, EpisodeState.PAUSED)
# C-SSRS screener band severities that count as "high" for the pre-dose checklist (the screener's
# "High risk" band; its definition lives in kapstone.clinical's cssrs_screener data).
CSSRS_HIGH = frozenset({"severe"})
CSSRS_INTAKE, CSSRS_SINCE_LAST_CONTACT = "cssrs_screener", "cssrs_since_last_contact"
CSSRS_VERSIONS = (CSSRS_INTAKE, CSSRS_SINCE_LAST_CONTACT)


class SessionError(Exception):
    """A refused step; ``problems`` lists what is missing or out of range, in words."""

    def __init__(self, message: str, problems: Iterable[str | Gap] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def log_session_event(
    request: StaffRequest | None,
    action: str,
    obj: PracticeScopedModel,
    session: MedicineSession | None = None,
    *,
    actor: User | None = None,
    **data: Any,
) -> None:
    """Audit a change to a session record: its client and practice come from the record itself."""
    client = session.client if session is not None else getattr(obj, "client", None)
    log_event(request, action, obj=obj, client=client, actor=actor, practice=obj.practice, data=data)


def load(
    session_id_or_session: MedicineSession | uuid.UUID | str, now: datetime | None = None
) -> SessionState:
    """A session with its records, and where it stands ``now``."""
    if isinstance(session_id_or_session, MedicineSession):
        pk: uuid.UUID | str = session_id_or_session.pk
    else:
        pk = session_id_or_session
    session = with_records(MedicineSession.objects.filter(pk=pk)).get()
    return SessionState(session, now or timezone.now())


# --- protocol settings -----------------------------------------------------------------------------------


@transaction.atomic
def update_protocol_settings(
    request: StaffRequest, practice: Practice, protocol_id: str, values: dict[str, Any], reason: str
) -> list[ProtocolChange]:
    """Set the practice's values of a protocol's settings (path -> value as text).

    Values equal to the current ones are ignored; a value back at the protocol file's value removes
    that override. ``apply_overrides`` refuses anything outside the protocol's bounds (ValueError,
    naming the bound). Each changed setting is one ``ProtocolChange`` and one audit event.
    """
    reason = reason.strip()
    if not reason:
        raise SessionError("Give a reason for changing the protocol.")
    label = override_label(practice)
    before = practice_overrides(practice, protocol_id)
    current = build(protocol_id, before, label)
    params = current.params()
    changed = {}
    for path, raw in values.items():
        if path not in params:
            raise SessionError(f"{path} is not an adjustable setting of {current.title}.")
        value = Decimal(str(raw).strip())
        if value != params[path].value:
            changed[path] = value
    if not changed:
        return []
    after = apply_overrides(
        build(protocol_id, before, label), {k: str(v) for k, v in changed.items()}, label=label
    )
    overrides = {o.path: f"{o.new.normalize():f}" for o in after.overrides}
    setting, _ = ProtocolSetting.objects.select_for_update().get_or_create(
        practice=practice, protocol_id=protocol_id
    )
    setting.overrides = overrides
    setting.updated_at = timezone.now()
    setting.updated_by = actor_of(request)
    setting.save()
    records = []
    for path, value in sorted(changed.items()):
        param = params[path]
        record = ProtocolChange.objects.create(
            practice=practice,
            protocol_id=protocol_id,
            path=path,
            old_value=f"{param.value.normalize():f}",
            new_value=f"{value.normalize():f}",
            unit=param.unit,
            reason=reason,
            version_label=after.version_label,
            changed_by=actor_of(request),
        )
        log_event(
            request,
            "sessions.protocol.changed",
            obj=record,
            practice=practice,
            data={
                "protocol": protocol_id,
                "setting": path,
                "old": record.old_value,
                "new": record.new_value,
                "version": after.version_label,
            },
        )
        records.append(record)
    return records


# --- dose plan --------------------------------------------------------------------------------------


@transaction.atomic
def save_dose_plan(
    request: StaffRequest, episode: Episode, *, protocol_id: str, planned_dose: dosing.Number, notes: str = ""
) -> DosePlan:
    """A prescriber's plan for the episode: which protocol, which dose (in the protocol's unit)."""
    if not has_role(request, PRESCRIBING_ROLES):
        raise SessionError("Only a prescriber can write the dose plan.")
    protocol = practice_protocol(episode.practice, protocol_id)
    dose, planned = protocol.dose, Decimal(planned_dose)
    if not dose.minimum.value <= planned <= dose.maximum.value:
        raise SessionError(
            f"{planned.normalize():f} {dose.unit} is outside the practice's {protocol.title} range "
            f"{dose.minimum.value.normalize():f}-{dose.maximum.value.normalize():f} {dose.unit}."
        )
    if dose.step is not None and planned % dose.step.value:
        raise SessionError(f"The dose must be a multiple of {dose.step.value.normalize():f} {dose.unit}.")
    refusals = dose_gates.plan_refusals(
        episode.practice, actor_of(request), episode.client, episode.practice.today()
    )
    if refusals:
        raise SessionError(" ".join(refusals))
    plan = DosePlan.objects.create(
        practice=episode.practice,
        client=episode.client,
        episode=episode,
        protocol_id=protocol.id,
        planned_dose=planned,
        dose_unit=dose.unit,
        notes=notes.strip(),
        prescribed_by=actor_of(request),
    )
    log_session_event(request, "sessions.dose_plan.saved", plan, protocol=protocol.id)
    return plan


def current_plan(episode: Episode) -> DosePlan | None:
    return DosePlan.objects.filter(episode=episode).select_related("prescribed_by").first()


# --- starting a session -------------------------------------------------------------------------------


def open_episode_of(client: Client) -> Episode | None:
    episode = client.episodes.order_by("-opened_at").first()
    return episode if episode is not None and episode.state not in CLOSED_STATES else None


@transaction.atomic
def start_session(
    request: StaffRequest,
    episode: Episode,
    *,
    protocol_id: str,
    room: str,
    override_reason: str = "",
    now: datetime | None = None,
) -> MedicineSession:
    """Open a medicine session for the episode (it then shows on the live board, pre-dose).

    Refused while the episode's readiness requirements (``readiness_gaps``) are missing, unless an
    admin or a prescriber gives a written reason. An episode still in preparation moves into
    treatment with its first session.
    """
    now = now or timezone.now()
    room, override_reason = room.strip(), override_reason.strip()
    if episode.state in CLOSED_STATES:
        raise SessionError(f"This episode is {episode.get_state_display().lower()}: no session can start.")
    if not room:
        raise SessionError("Say which room or chair the session is in.")
    try:
        protocol = practice_protocol(episode.practice, protocol_id)
    except KeyError:
        raise SessionError(f"Unknown protocol {protocol_id!r}.") from None
    today_start = timezone.localtime(now, episode.practice.zone).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    if MedicineSession.objects.filter(
        client=episode.client,
        opened_at__gte=today_start,
        discharge__isnull=True,
        cancelled_at__isnull=True,  # a cancelled session (never dosed) has ended
    ).exists():
        raise SessionError("This client already has a medicine session open today; discharge it first.")
    gaps = readiness.readiness_gaps(episode)
    if gaps and not override_reason:
        raise SessionError("Some readiness requirements are not met yet.", gaps)
    if gaps and not has_role(request, READINESS_OVERRIDE_ROLES):
        raise SessionError(
            "Only an admin or a prescriber can start a session with requirements missing.", gaps
        )
    session = MedicineSession.objects.create(
        practice=episode.practice,
        client=episode.client,
        episode=episode,
        number=MedicineSession.objects.filter(episode=episode, cancelled_at__isnull=True).count() + 1,
        protocol_id=protocol.id,
        protocol_version=protocol.version_label,
        protocol_overrides={o.path: f"{o.new.normalize():f}" for o in protocol.overrides},
        room=room,
        opened_at=now,
        opened_by=actor_of(request),
        readiness_gaps=[{"code": g.code, "label": g.label, "who": g.who} for g in gaps],
        readiness_override_reason=override_reason if gaps else "",
    )
    log_session_event(request, "sessions.session.started", session, protocol=protocol.version_label)
    if gaps:
        log_session_event(
            request, "sessions.session.readiness_overridden", session, gaps=[g.code for g in gaps]
        )
    if episode.state == EpisodeState.PREPARATION:
        try:
            transition(
                request,
                episode,
                EpisodeState.TREATMENT,
                reason="First medicine session started",
                override_reason=override_reason,
            )
        except TransitionError as exc:
            raise SessionError(f"The episode cannot move into treatment: {exc}", exc.gaps) from None
    return session


# --- the pre-dose checklist ---------------------------------------------------------------------------


@dataclass
class ChecklistReview:
    problems: list[str]
    baseline: VitalsReading | None
    cssrs: QuestionnaireResponse | None
    cssrs_summary: str
    # The plan's pre-session questionnaires: done, due or missing (kapstone.measures.presession).
    questionnaires: list = field(default_factory=list)


def previous_session_end(session: MedicineSession) -> datetime | None:
    """When the client's previous medicine session ended (its discharge, else its opening), or None
    before their first: answers given before it belong to that session, not to this one. A cancelled
    session was never dosed, so it does not count."""
    previous = (
        MedicineSession.objects.filter(
            client=session.client, opened_at__lt=session.opened_at, cancelled_at__isnull=True
        )
        .order_by("-opened_at")
        .values_list("opened_at", "discharge__discharged_at")
        .first()
    )
    if previous is None:
        return None
    opened_at, discharged_at = previous
    return discharged_at or opened_at


def latest_cssrs(session: MedicineSession, since: datetime | None = None) -> QuestionnaireResponse | None:
    """The C-SSRS answers the pre-dose checklist goes by: the newest "since last contact" screener
    submitted after ``since`` (the end of the previous medicine session); before the first session
    (``since`` None) the intake screener of this episode counts too (clinical.md §4.4)."""
    return counting_responses(
        session.client,
        [CSSRS_SINCE_LAST_CONTACT] if since is not None else [CSSRS_SINCE_LAST_CONTACT, CSSRS_INTAKE],
        since=since,
        episode=session.episode,
    ).first()


def review_checklist(state: SessionState, answers: dict) -> ChecklistReview:
    """What stands in the way of dosing, given the checklist answers and the session's records."""
    session, protocol = state.session, state.protocol
    problems = []
    baseline = state.baseline_vitals
    if baseline is None:
        problems.append("No baseline vitals recorded before the dose.")
    else:
        problems.extend(f"{f['message']} {f['advice']}" for f in baseline.flags)
    if not answers.get("fasting"):
        problems.append("Fasting as instructed is not confirmed.")
    if not answers.get("no_alcohol_24h"):
        problems.append("No alcohol in the last 24 hours is not confirmed.")
    if not answers.get("escort_present") or not (answers.get("escort_name") or "").strip():
        problems.append("No escort present and named.")
    if not answers.get("intention_recalled"):
        problems.append("The client's intention has not been recalled.")
    pregnancy = answers.get("pregnancy_status")
    if pregnancy == PregnancyStatus.PREGNANT:
        problems.append("The client is pregnant.")
    elif pregnancy == PregnancyStatus.UNKNOWN or not pregnancy:
        problems.append("Pregnancy status is unknown.")
    if protocol.dose.basis == "mg_per_kg" and not answers.get("weight_kg"):
        problems.append(f"{protocol.title} doses by weight: record the client's weight.")

    zone = session.practice.zone
    since = previous_session_end(session)
    cssrs = latest_cssrs(session, since)
    if cssrs is None:
        summary = (
            "No C-SSRS screener on record."
            if since is None
            else f"No {get_instrument(CSSRS_SINCE_LAST_CONTACT).short_name} since the last medicine session."
        )
        problems.append(summary)
    else:
        when = timezone.localtime(cssrs.submitted_at, zone).date().isoformat()
        summary = f"{get_instrument(cssrs.instrument_id).short_name} {when}: {cssrs.band or 'no band'}"
    # Any high triage since the last session stops the checklist, even if a later answer is lower.
    high = (
        counting_responses(session.client, CSSRS_VERSIONS, since=since, episode=session.episode)
        .filter(severity__in=CSSRS_HIGH)
        .first()
    )
    if high is not None:
        when = timezone.localtime(high.submitted_at, zone).date().isoformat()
        problems.append(f"C-SSRS since the last contact is high: {high.band} ({when}).")
    questionnaires = pre_session_questionnaires(session.client, session.episode, since=since, now=state.now)
    return ChecklistReview(problems, baseline, cssrs, summary, [q.describe(zone) for q in questionnaires])


CHECKLIST_FIELDS = (
    "weight_kg",
    "fasting",
    "no_alcohol_24h",
    "escort_present",
    "escort_name",
    "escort_phone",
    "pregnancy_status",
    "intention_recalled",
    "music",
    "eye_shades",
    "setting_notes",
)


@transaction.atomic
def confirm_checklist(
    request: StaffRequest,
    session: MedicineSession,
    answers: dict[str, Any],
    *,
    override_reason: str = "",
    now: datetime | None = None,
) -> Checklist:
    """Confirm the pre-dose checklist. Unmet items need a prescriber's override with a reason."""
    state = load(session, now)
    if state.dose_time is not None:
        raise SessionError("The client has been dosed: the pre-dose checklist is closed. Add a note instead.")
    if state.discharge is not None:
        raise SessionError("This session has ended.")
    if answers.get("weight_kg") is not None:
        check_plausible_value("weight_kg", Decimal(answers["weight_kg"]))
    review = review_checklist(state, answers)
    override_reason = override_reason.strip()
    if review.problems and not override_reason:
        raise SessionError("The checklist is not met.", review.problems)
    if review.problems and not has_role(request, PRESCRIBING_ROLES):
        raise SessionError("Only a prescriber can override an unmet checklist.", review.problems)
    checklist = Checklist.objects.create(
        practice=session.practice,
        session=session,
        **{name: answers.get(name) for name in CHECKLIST_FIELDS if answers.get(name) is not None},
        baseline_vitals=review.baseline,
        cssrs_response=review.cssrs,
        cssrs_summary=review.cssrs_summary[:200],
        problems=review.problems,
        override_reason=override_reason if review.problems else "",
        confirmed_by=actor_of(request),
    )
    log_session_event(request, "sessions.checklist.confirmed", checklist, session)
    if review.problems:
        log_session_event(
            request, "sessions.checklist.overridden", checklist, session, problems=len(review.problems)
        )
    return checklist


def current_checklist(session: MedicineSession) -> Checklist | None:
    return session.checklists.select_related("confirmed_by").first()


# --- dose orders and administrations ------------------------------------------------------------------


@dataclass
class DoseCalculation:
    dose_mg: Decimal
    exact_mg: Decimal  # unrounded, for the protocol limits
    dose_mg_per_kg: Decimal | None
    volume_ml: Decimal | None
    unit_count: Decimal | None
    rate: dosing.InfusionRate | None
    dilute: bool


def calculate(
    protocol: Protocol,
    *,
    dose: dosing.Number,
    weight_kg: dosing.Number | None,
    stock_strength: dosing.Number,
    infusion_minutes: int | None = None,
    bag_volume_ml: dosing.Number | None = None,
) -> DoseCalculation:
    """mg, mg/kg, volume or tablets/devices, and the IV rate, with ``kapstone.clinical.dosing``."""
    dose = Decimal(dose)
    weight = Decimal(weight_kg) if weight_kg not in (None, "") else None
    strength = Decimal(stock_strength)
    per_kg: Decimal | None
    if protocol.dose.basis == "mg_per_kg":
        if weight is None:
            raise SessionError(f"{protocol.title} doses by weight: enter the client's weight.")
        mg = dosing.mg_from_mg_per_kg(dose, weight)
        exact = dose * weight
        per_kg = dosing.mg_per_kg_from_mg(exact, weight)
    else:
        mg = exact = dose
        per_kg = dosing.mg_per_kg_from_mg(dose, weight) if weight is not None else None
    volume = units = rate = None
    if protocol.stock.form == "solution":
        volume = dosing.volume_ml(mg, strength)
    else:
        units = dosing.unit_count(mg, strength)
    if protocol.infusion is not None:
        if weight is None or bag_volume_ml is None or infusion_minutes is None:
            raise SessionError("An infusion needs the client's weight, the bag volume and the infusion time.")
        rate = dosing.infusion_rate(mg, weight, bag_volume_ml, infusion_minutes)
    return DoseCalculation(
        mg, exact, per_kg, volume, units, rate, strength in protocol.stock.dilute_before_use
    )


@transaction.atomic
def order_dose(
    request: StaffRequest,
    session: MedicineSession,
    *,
    dose: dosing.Number,
    weight_kg: dosing.Number | None = None,
    stock_strength: dosing.Number,
    infusion_minutes: int | None = None,
    bag_volume_ml: dosing.Number | None = None,
    booster: bool = False,
    notes: str = "",
    override_reason: str = "",
    now: datetime | None = None,
) -> DoseOrder:
    """A prescriber orders the dose (or a booster), in the protocol's unit.

    The protocol's limits (range, booster rules, session maximum, infusion duration) come from
    ``dosing.check_dose``; a breach is refused unless the prescriber gives a reason.
    """
    if not has_role(request, PRESCRIBING_ROLES):
        raise SessionError("Only a prescriber can order a dose.")
    state = load(session, now)
    protocol = state.protocol
    if state.discharge is not None:
        raise SessionError("This session has ended.")
    if booster and state.dose_time is None:
        raise SessionError("A booster follows a dose: no dose has been given yet.")
    if not booster and state.dose_time is not None:
        raise SessionError("The dose has been given; order a booster instead.")
    on = timezone.localdate(now or timezone.now(), session.practice.zone)
    refusals = dose_gates.order_refusals(
        session.practice, actor_of(request), session.client, protocol, on, first=not booster
    )
    if refusals:
        raise SessionError(" ".join(refusals))
    strength = Decimal(stock_strength)
    if strength not in protocol.stock.strengths:
        allowed = ", ".join(f"{s.normalize():f}" for s in protocol.stock.strengths)
        raise SessionError(f"Stock strength must be one of {allowed} {protocol.stock.unit}.")
    if protocol.infusion is not None:
        infusion_minutes = infusion_minutes or protocol.infusion.duration_minutes.as_int
        bag_volume_ml = bag_volume_ml or protocol.infusion.bag_volume_ml.value
    else:
        infusion_minutes = bag_volume_ml = None
    calc = calculate(
        protocol,
        dose=dose,
        weight_kg=weight_kg,
        stock_strength=strength,
        infusion_minutes=infusion_minutes,
        bag_volume_ml=bag_volume_ml,
    )
    check = dosing.check_dose(
        protocol,
        calc.exact_mg,
        weight_kg=Decimal(weight_kg) if weight_kg not in (None, "") else None,
        booster=booster,
        given_mg=state.given_mg,
        boosters_given=state.boosters_given,
        minutes_since_first_dose=state.minutes_since_dose if booster else None,
        infusion_minutes=int(infusion_minutes) if infusion_minutes and not booster else None,
    )
    problems = [p.message for p in check.problems]
    override_reason = override_reason.strip()
    if problems and not override_reason:
        raise SessionError("The dose is outside the protocol.", problems)
    order = DoseOrder.objects.create(
        practice=session.practice,
        session=session,
        kind=DoseOrder.Kind.BOOSTER if booster else DoseOrder.Kind.INITIAL,
        route=route_label(protocol),
        dose_unit=protocol.dose.unit,
        entered_dose=Decimal(dose),
        weight_kg=Decimal(weight_kg) if weight_kg not in (None, "") else None,
        dose_mg=calc.dose_mg,
        dose_mg_per_kg=calc.dose_mg_per_kg,
        stock_form=protocol.stock.form,
        stock_strength=strength,
        volume_ml=calc.volume_ml,
        unit_count=calc.unit_count,
        infusion_minutes=infusion_minutes if not booster else None,
        bag_volume_ml=bag_volume_ml if not booster else None,
        rate_ml_per_h=calc.rate.ml_per_h if calc.rate and not booster else None,
        rate_mg_per_kg_per_h=calc.rate.mg_per_kg_per_h if calc.rate and not booster else None,
        problems=problems,
        override_reason=override_reason if problems else "",
        notes=notes.strip(),
        ordered_by=actor_of(request),
        ordered_at=now or timezone.now(),
    )
    log_session_event(request, "sessions.dose.ordered", order, session, kind=order.kind)
    if problems:
        log_session_event(
            request,
            "sessions.dose.range_overridden",
            order,
            session,
            breaches=[p.code for p in check.problems],
        )
    return order


def refuse_if_dose_held(state: SessionState, given_at: datetime | None = None) -> None:
    """No first dose while the newest pre-dose BP is in the crisis band: no override (docs/severity.md).

    Both the newest reading now and the newest one at the time the dose is said to be given count, so
    a dose recorded back into a crisis is refused too.
    """
    for moment in (state.now, given_at or state.now):
        held = state.dose_hold_at(moment)
        if held is not None:
            raise SessionError(state.dose_hold_message_at(moment), [f["message"] for f in held[1]])


def refuse_booster_in_hypertension(state: SessionState, given_at: datetime) -> None:
    """No more ketamine while the newest blood pressure is critically high: ketamine raises it
    (docs/severity.md). A newer reading below the critical level lifts this."""
    reading = state.blood_pressure_at(given_at)
    if reading is None:
        return
    high = [f for f in reading.flags if f.get("severity") == "critical" and f.get("direction") == "high"]
    if high:
        raise SessionError(
            f"No booster while the blood pressure is critically high ({reading.bp} mmHg): repeat the "
            "reading; a booster can be given once a newer one is below the critical level.",
            [f["message"] for f in high],
        )


def refuse_unreviewed_pressure(request: StaffRequest | None, state: SessionState, given_at: datetime) -> None:
    """A pre-dose BP at or above the review level taken after the checklist was confirmed has not been
    seen by a prescriber: only a prescriber may then record the first dose (docs/severity.md)."""
    checklist = current_checklist(state.session)
    reading = state.blood_pressure_at(given_at)
    if reading is None or checklist is None or reading.taken_at <= checklist.confirmed_at:
        return
    review = [f for f in reading.flags if f.get("severity") == "review"]
    if review and not has_role(request, PRESCRIBING_ROLES):
        raise SessionError(
            f"The blood pressure {reading.bp} mmHg was taken after the checklist and is at or above the "
            "review level: a prescriber reviews it and records this dose.",
            [f["message"] for f in review],
        )


@transaction.atomic
def record_administration(
    request: StaffRequest,
    session: MedicineSession,
    order: DoseOrder,
    *,
    given_at: datetime,
    amount_mg: dosing.Number,
    container: Container | None = None,
    prescription_ref: str = "",
    lot_number: str = "",
    note: str = "",
    amends: DoseAdministration | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> DoseAdministration:
    """An amount actually given. Less than ordered is a partial dose; more than ordered is refused, and
    so is a first dose while the newest pre-dose blood pressure is in the crisis band.

    A dose from the practice's stock names its ``container`` and is drawn from it in this transaction
    (``supply.draw``); a route dispensed by a pharmacy names the ``prescription_ref`` instead. An
    amendment keeps the original's source, and a changed amount corrects the original's draw."""
    if not has_role(request, ADMINISTERING_ROLES):
        raise SessionError("Only a prescriber or a monitor can record a dose given.")
    now = now or timezone.now()
    state = load(session, now)
    if order.session_id != session.pk:
        raise SessionError("That order belongs to another session.")
    if state.discharge is not None:
        raise SessionError("This session has ended.")
    if given_at > now:
        raise SessionError("The time given is in the future.")
    # Times are entered to the minute, so a dose in the minute of its order is not before it.
    if given_at < order.ordered_at.replace(second=0, microsecond=0):
        ordered = timezone.localtime(order.ordered_at, session.practice.zone)
        raise SessionError(
            f"A dose cannot be given before it was ordered: the order was made at {ordered:%H:%M} "
            f"on {ordered:%d %b}."
        )
    amount = Decimal(amount_mg)
    if amount <= 0:
        raise SessionError("Enter the amount given in mg.")
    if current_checklist(session) is None:
        raise SessionError("Confirm the pre-dose checklist before the first dose.")
    if order.kind == DoseOrder.Kind.INITIAL and amends is None:
        refusals = dose_gates.given_refusals(
            session.client, state.protocol, timezone.localdate(given_at, session.practice.zone)
        )
        if refusals:
            raise SessionError(refusals[0], refusals)
    if order.kind == DoseOrder.Kind.INITIAL:
        refuse_if_dose_held(state, given_at)
        refuse_unreviewed_pressure(request, state, given_at)
    already = state.given_for(order) - (amends.amount_mg if amends is not None else 0)
    if already + amount > order.dose_mg:
        raise SessionError(
            f"{amount.normalize():f} mg would be more than ordered: the order is "
            f"{order.dose_mg.normalize():f} mg and {already.normalize():f} mg of it has been given."
        )
    if order.kind == DoseOrder.Kind.BOOSTER and state.dose_time is not None and given_at < state.dose_time:
        raise SessionError("A booster cannot be given before the first dose.")
    if order.kind == DoseOrder.Kind.BOOSTER:
        refuse_booster_in_hypertension(state, given_at)
    if amends is not None:
        container, prescription_ref = amends.container, prescription_ref.strip() or amends.prescription_ref
    elif supply.from_pharmacy(session):
        container, prescription_ref = None, prescription_ref.strip()
        if not prescription_ref:
            raise SessionError("This route is dispensed by a pharmacy: enter the prescription reference.")
    elif container is None:
        raise SessionError("Choose the container the dose was drawn from.")
    record = DoseAdministration(
        practice=session.practice,
        session=session,
        order=order,
        given_at=given_at,
        amount_mg=amount,
        given_by=actor_of(request),
        container=container,
        prescription_ref=prescription_ref if container is None else "",
        lot_number=container.lot if container is not None else lot_number.strip(),
        note=note.strip(),
        recorded_by=actor_of(request),
        amends=amends,
        amendment_reason=reason,
    )
    # The register first, so its locks come before the audit trail's (register/README.md).
    try:
        if amends is not None:
            record.draw = amends.draw
            if amends.draw is not None and amount != amends.amount_mg:
                supply.refuse_non_mover(request)
                supply.correct_draw(request, amends, amount, reason or "Dose amended")
        elif container is not None:
            supply.refuse_non_mover(request)
            supply.check_container(state.protocol, order, container)
            record.draw = supply.draw(request, record, container, now)
    except supply.SupplyError as exc:
        raise SessionError(str(exc)) from exc
    record.save(force_insert=True)
    log_session_event(request, "sessions.dose.administered", record, session, kind=order.kind)
    return record
