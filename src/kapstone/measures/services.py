"""Measures: assigning instruments, saving and submitting answers, safety alerts. Each step audited."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.clinical import get_instrument, score
from kapstone.clinical.instruments import visible_items
from kapstone.clinical.scoring import ScoreResult, missing_items
from kapstone.pathway.models import Episode

from .alerts import alert_reasons, raise_alert
from .models import Assignment, PathwayPoint, QuestionnaireResponse, ResponseStatus, SafetyAlert
from .plan import items_at

if TYPE_CHECKING:
    # clients, scheduling and sessions sit above measures: named for the type checker only.
    from kapstone.clients.models import Client
    from kapstone.scheduling.models import Appointment
    from kapstone.sessions.models import MedicineSession


@transaction.atomic
def assign(
    request: HttpRequest | None,
    client: "Client",
    instrument_id: str,
    *,
    due_at: datetime | None = None,
    point: str = PathwayPoint.AD_HOC,
    episode: Episode | None = None,
    since_last_contact: bool = False,
    actor: User | None = None,
    appointment: "Appointment | None" = None,
    session: "MedicineSession | None" = None,
) -> Assignment:
    """Assign ``instrument_id`` to the client. ``appointment`` / ``session`` name the medicine
    appointment it is due before or the medicine session it follows (one per instrument each)."""
    get_instrument(instrument_id)  # refuses an unknown instrument
    if episode is None:
        episode = client.episodes.order_by("-opened_at").first()
    assignment = Assignment.objects.create(
        practice=client.practice,
        client=client,
        episode=episode,
        instrument_id=instrument_id,
        point=point,
        since_last_contact=since_last_contact,
        due_at=due_at or timezone.now(),
        created_by=actor or (request.user if request is not None and request.user.is_authenticated else None),
        appointment=appointment,
        session=session,
    )
    data = {"instrument": instrument_id, "point": point}
    if appointment is not None:
        data["appointment"] = str(appointment.pk)
    if session is not None:
        data["session"] = str(session.pk)
    log_event(
        request,
        "measures.assignment.created",
        obj=assignment,
        actor=actor,
        practice=client.practice,
        data=data,
    )
    return assignment


@transaction.atomic
def assign_plan(
    request: HttpRequest | None,
    client: "Client",
    point: str,
    anchor: datetime | None = None,
    *,
    episode: Episode | None = None,
    actor: User | None = None,
) -> list[Assignment]:
    """Assign every instrument of the practice's plan for ``point``, due relative to ``anchor``."""
    anchor = anchor or timezone.now()
    return [
        assign(
            request,
            client,
            item.instrument_id,
            due_at=anchor + timedelta(days=item.due_after_days),
            point=point,
            episode=episode,
            since_last_contact=item.since_last_contact,
            actor=actor,
        )
        for item in items_at(client.practice, point)
    ]


# --- the plan's moments: called by the apps that own them (docs/measurement-plan.md) ----------------


@transaction.atomic
def assign_for_medicine_appointment(
    request: HttpRequest | None, appointment: "Appointment", *, actor: User | None = None
) -> list[Assignment]:
    """The plan's pre-session questionnaires for a booked medicine appointment, due before it starts.

    Called by scheduling when a medicine appointment is booked and again when it is rescheduled:
    assigns what the plan asks and is not assigned for this appointment yet, and moves the due time of
    the open ones to the appointment's (new) start, less the plan item's lead time. Completed and
    cancelled ones are left alone, so running it again never duplicates anything. Returns the
    assignments it created.
    """
    leads = {item.instrument_id: item for item in items_at(appointment.practice, PathwayPoint.PRE_SESSION)}
    existing = {
        a.instrument_id: a for a in Assignment.objects.select_for_update().filter(appointment=appointment)
    }
    for assignment in existing.values():
        item = leads.get(assignment.instrument_id)
        due = appointment.starts_at - timedelta(hours=item.due_before_hours if item else 0)
        if assignment.completed_at is None and assignment.cancelled_at is None and assignment.due_at != due:
            _move(request, assignment, due, actor=actor)
    return [
        assign(
            request,
            appointment.client,
            item.instrument_id,
            due_at=appointment.starts_at - timedelta(hours=item.due_before_hours),
            point=PathwayPoint.PRE_SESSION,
            episode=appointment.episode,
            since_last_contact=item.since_last_contact,
            actor=actor,
            appointment=appointment,
        )
        for item in leads.values()
        if item.instrument_id not in existing
    ]


@transaction.atomic
def cancel_for_appointment(
    request: HttpRequest | None, appointment: "Appointment", *, reason: str, actor: User | None = None
) -> list[Assignment]:
    """Cancel the open questionnaires assigned for a medicine appointment that will not happen
    (cancelled, or the client did not come); what the client already answered stays."""
    now = timezone.now()
    cancelled = list(Assignment.objects.open().select_for_update().filter(appointment=appointment))
    for assignment in cancelled:
        assignment.cancelled_at = now
        assignment.save(update_fields=["cancelled_at"])
        log_event(
            request,
            "measures.assignment.cancelled",
            obj=assignment,
            actor=actor,
            practice=assignment.practice,
            data={"instrument": assignment.instrument_id, "appointment": str(appointment.pk), "why": reason},
        )
    return cancelled


@transaction.atomic
def assign_after_session(
    request: HttpRequest | None,
    session: "MedicineSession",
    *,
    ended_at: datetime,
    actor: User | None = None,
) -> list[Assignment]:
    """The plan's questionnaires for after a dosed medicine session (the EBI), due the plan's days
    after ``ended_at``. Called by sessions when the client is discharged; idempotent."""
    done = set(Assignment.objects.filter(session=session).values_list("instrument_id", flat=True))
    return [
        assign(
            request,
            session.client,
            item.instrument_id,
            due_at=ended_at + timedelta(days=item.due_after_days),
            point=PathwayPoint.POST_SESSION,
            episode=session.episode,
            since_last_contact=item.since_last_contact,
            actor=actor,
            session=session,
        )
        for item in items_at(session.practice, PathwayPoint.POST_SESSION)
        if item.instrument_id not in done
    ]


def _move(
    request: HttpRequest | None, assignment: Assignment, due_at: datetime, *, actor: User | None = None
) -> None:
    before = assignment.due_at
    assignment.due_at = due_at
    assignment.save(update_fields=["due_at"])
    log_event(
        request,
        "measures.assignment.rescheduled",
        obj=assignment,
        actor=actor,
        practice=assignment.practice,
        data={"instrument": assignment.instrument_id, "from": before.isoformat(), "to": due_at.isoformat()},
    )


@transaction.atomic
def issue_link(request: StaffRequest, assignment: Assignment) -> str:
    """A fresh one-time link token for the assignment (any earlier link stops working)."""
    token = assignment.issue_token()
    assignment.save(update_fields=["token_hash", "link_expires_at"])
    log_event(request, "measures.link.created", obj=assignment, practice=assignment.practice)
    return token


def draft_for(
    client: "Client",
    instrument_id: str,
    *,
    source: str,
    assignment: Assignment | None = None,
    entered_by: User | None = None,
) -> QuestionnaireResponse:
    """The draft to continue (the assignment's, or the staff member's own), or a new unsaved one."""
    drafts = QuestionnaireResponse.objects.filter(client=client, status=ResponseStatus.DRAFT)
    if assignment is not None:
        draft = drafts.filter(assignment=assignment).first()
    else:
        draft = drafts.filter(instrument_id=instrument_id, entered_by=entered_by, assignment=None).first()
    return draft or QuestionnaireResponse(
        practice=client.practice,
        client=client,
        episode=assignment.episode if assignment else client.episodes.order_by("-opened_at").first(),
        assignment=assignment,
        instrument_id=instrument_id,
        instrument_version=get_instrument(instrument_id).version,
        source=source,
        entered_by=entered_by,
    )


class AlreadySubmitted(Exception):
    """The assignment's answers were sent (or it was cancelled) while this save waited for its turn."""

    message = "This questionnaire was already submitted. Your care team has your answers."


@dataclass
class SaveOutcome:
    response: QuestionnaireResponse
    missing: tuple[int, ...] = ()
    alerts: tuple[SafetyAlert, ...] = ()

    @property
    def submitted(self) -> bool:
        return self.response.status == ResponseStatus.SUBMITTED


@transaction.atomic
def save_answers(
    request: HttpRequest | None,
    response: QuestionnaireResponse,
    answers: dict[int, int],
    *,
    submit: bool,
) -> SaveOutcome:
    """Keep the answers as a draft; with ``submit``, score them exactly once nothing is missing.

    A submission with missing answers is kept as a draft and returns the missing item numbers, so
    nothing typed is lost. Raises ValueError (naming the item) for an invalid answer, and
    :class:`AlreadySubmitted` when the response's assignment is no longer open.
    """
    if response.assignment_id is not None:
        response = _claim_assignment(response, response.assignment_id)
    instrument = get_instrument(response.instrument_id)
    missing = missing_items(instrument, answers)
    response.answers = {str(item): value for item, value in sorted(answers.items())}
    if not submit or missing:
        is_new = response._state.adding
        response.save()
        log_event(
            request,
            "measures.response.saved",
            obj=response,
            practice=response.practice,
            data={"instrument": response.instrument_id, "new": is_new},
        )
        return SaveOutcome(response, missing=missing)

    shown = {item.number for item in visible_items(instrument, answers)}
    result = score(instrument, {item: value for item, value in answers.items() if item in shown})
    response.answers = {str(item): value for item, value in sorted(answers.items()) if item in shown}
    response.result = result.to_dict()
    response.total = result.total
    response.band = result.band or ""
    response.severity = result.severity or ""
    response.positive_screen = result.positive_screen
    response.has_critical = bool(result.critical_items)
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.save()
    log_event(
        request,
        "measures.response.submitted",
        obj=response,
        practice=response.practice,
        data={"instrument": response.instrument_id},
    )
    if response.assignment_id:
        Assignment.objects.filter(pk=response.assignment_id).update(completed_at=response.submitted_at)
    alerts = tuple(_raise_alerts(request, response, result, instrument.short_name))
    return SaveOutcome(response, alerts=alerts)


def _claim_assignment(response: QuestionnaireResponse, assignment_id: UUID) -> QuestionnaireResponse:
    """Lock the response's assignment until this transaction ends, so two saves of one link (a double
    tap, two tabs) run one after the other: the second finds the first's answers, not a second new
    response (the one-to-one would refuse it with an IntegrityError). Returns the response to save:
    the first's draft when this one was new and the first saved one meanwhile."""
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None or assignment.completed_at is not None or assignment.cancelled_at is not None:
        raise AlreadySubmitted(AlreadySubmitted.message)
    if response._state.adding:
        saved = QuestionnaireResponse.objects.filter(assignment=assignment).first()
        if saved is not None:
            if saved.status == ResponseStatus.SUBMITTED:
                raise AlreadySubmitted(AlreadySubmitted.message)
            return saved
    return response


def _raise_alerts(
    request: HttpRequest | None, response: QuestionnaireResponse, result: ScoreResult, short_name: str
) -> Iterator[SafetyAlert]:
    for reason in alert_reasons(result, short_name):
        yield raise_alert(
            request,
            client=response.client,
            response=response,
            kind=reason["kind"],
            severity=reason["severity"],
            instrument_id=response.instrument_id,
            item=reason["item"],
            summary=reason["summary"],
        )


@transaction.atomic
def acknowledge_alert(request: StaffRequest, alert: SafetyAlert, action_taken: str) -> SafetyAlert:
    if alert.acknowledged_at is not None:
        raise ValueError("This alert was already acknowledged.")
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = request.user
    alert.action_taken = action_taken
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken"])
    log_event(request, "measures.alert.acknowledged", obj=alert, data={"kind": alert.kind})
    return alert
