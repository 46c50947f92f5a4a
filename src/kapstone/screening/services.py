"""Screening changes: inquiries, intake, assessments and decisions. Each one atomic, checked, audited.

Inquiries and intake live here; assessments and decisions in :mod:`kapstone.screening.assessment`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.clients.forms import ClientForm
from kapstone.clients.models import Client
from kapstone.clients.services import add_care_team_member, create_client
from kapstone.measures.models import Assignment, PathwayPoint, QuestionnaireResponse
from kapstone.measures.services import assign
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.pathway.services import TransitionError, transition
from kapstone.pathway.transitions import Gap
from kapstone.practice.models import Membership, Practice

from .intake_facts import FOLLOW_UPS, SCREENERS, intake_specs, is_asked, missing_answers
from .models import Inquiry, InquiryStatus, InquiryTriage, Intake
from .tasks import notify_new_inquiry


class ScreeningError(Exception):
    """A screening step refused, with a message for the person who tried it."""

    def __init__(self, message: str, gaps: Iterable[Gap] = ()) -> None:
        super().__init__(message)
        self.gaps = list(gaps)


# ---------------------------------------------------------------- inquiries


@transaction.atomic
def submit_inquiry(
    request: HttpRequest,
    practice: Practice,
    *,
    name: str,
    email: str,
    phone: str,
    preferred_contact: str,
    reason: str,
    self_check: Mapping[str, Any],
) -> Inquiry:
    """Keep an inquiry from the public form and tell the practice's front desk that one arrived."""
    inquiry = Inquiry.objects.create(
        practice=practice,
        name=name,
        email=email,
        phone=phone,
        preferred_contact=preferred_contact,
        reason=reason,
        self_check={key: value for key, value in self_check.items() if value},
    )
    log_event(request, "screening.inquiry.received", obj=inquiry, practice=practice)

    transaction.on_commit(lambda: notify_new_inquiry.enqueue(str(inquiry.pk)))
    return inquiry


TRIAGE_TARGETS = (InquiryStatus.CONTACTED, InquiryStatus.INVITED, InquiryStatus.NOT_A_FIT)


@transaction.atomic
def triage_inquiry(request: StaffRequest, inquiry: Inquiry, to_status: str, note: str = "") -> InquiryTriage:
    """Record a triage step: contacted, invited to intake, or not a fit (which needs a reason)."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    note = note.strip()
    if inquiry.status == InquiryStatus.CONVERTED:
        raise ScreeningError("This inquiry already became a client; triage it no further.")
    if to_status not in TRIAGE_TARGETS:
        raise ScreeningError("Choose contacted, invited to intake, or not a fit.")
    if to_status == InquiryStatus.NOT_A_FIT and not note:
        raise ScreeningError("Say why the inquiry is not a fit.")
    step = InquiryTriage.objects.create(
        practice=inquiry.practice,
        inquiry=inquiry,
        from_status=inquiry.status,
        to_status=to_status,
        note=note,
        by=actor_of(request),
    )
    inquiry.status, inquiry.status_changed_at, inquiry.status_changed_by = to_status, step.at, step.by
    inquiry.not_a_fit_reason = note if to_status == InquiryStatus.NOT_A_FIT else ""
    inquiry.save(update_fields=["status", "status_changed_at", "status_changed_by", "not_a_fit_reason"])
    log_event(
        request, "screening.inquiry.triaged", obj=inquiry, data={"from": step.from_status, "to": to_status}
    )
    return step


@transaction.atomic
def convert_inquiry(
    request: StaffRequest,
    inquiry: Inquiry,
    client_form: ClientForm,
    *,
    care_team: Iterable[Membership | None] = (),
) -> Client:
    """Make the inquiry a client: record, care team, an episode moved into screening, a draft intake.

    ``client_form`` is a valid ``clients.forms.ClientForm``; ``care_team`` are more memberships to add
    (e.g. the prescriber and therapist who will screen). Raises ScreeningError if the episode cannot
    enter screening; nothing is kept then.
    """
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status == InquiryStatus.CONVERTED:
        raise ScreeningError("This inquiry already became a client.")
    client = create_client(request, client_form)
    for membership in care_team:
        if membership is not None:
            add_care_team_member(request, client, membership)
    episode = Episode.objects.filter(client=client).order_by("-opened_at").first()
    assert episode is not None  # create_client opened the client's first episode
    try:
        transition(request, episode, EpisodeState.SCREENING, reason="Converted from an inquiry")
    except TransitionError as error:
        transaction.set_rollback(True)
        raise ScreeningError(str(error), error.gaps) from error
    start_intake(request, client, episode)
    now = timezone.now()
    InquiryTriage.objects.create(
        practice=inquiry.practice,
        inquiry=inquiry,
        from_status=inquiry.status,
        to_status=InquiryStatus.CONVERTED,
        note=f"Client record {client.record_number}",
        at=now,
        by=actor_of(request),
    )
    inquiry.status, inquiry.status_changed_at, inquiry.status_changed_by = (
        InquiryStatus.CONVERTED,
        now,
        actor_of(request),
    )
    inquiry.client = client
    inquiry.save(update_fields=["status", "status_changed_at", "status_changed_by", "client"])
    log_event(request, "screening.inquiry.converted", obj=inquiry, client=client)
    return client


# ---------------------------------------------------------------- intake


def current_episode(client: Client) -> Episode | None:
    return Episode.objects.filter(client=client).order_by("-opened_at").first()


def intake_for(episode: Episode | None) -> Intake | None:
    if episode is None:
        return None
    return Intake.objects.filter(episode=episode).select_related("client", "episode", "practice").first()


@transaction.atomic
def start_intake(
    request: StaffRequest | None, client: Client, episode: Episode | None, *, actor: User | None = None
) -> Intake:
    """The episode's intake, created as an empty draft the first time."""
    if episode is None:
        raise ScreeningError("Open an episode of care before starting an intake.")
    intake = intake_for(episode)
    if intake is not None:
        return intake
    intake = Intake.objects.create(
        practice=client.practice, client=client, episode=episode, updated_by=actor_of(request, actor)
    )
    log_event(request, "screening.intake.created", obj=intake, actor=actor, practice=client.practice)
    return intake


def _merge(current: dict, changes: dict) -> tuple[dict, list[str]]:
    """Apply answers (None clears one); drop follow-ups no longer asked. Returns (answers, changed keys)."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = list(value) if isinstance(value, tuple | list) else value
    for key in FOLLOW_UPS:
        if key in merged and not is_asked(key, merged):
            del merged[key]
    changed = sorted(key for key in set(current) | set(merged) if current.get(key) != merged.get(key))
    return merged, changed


@dataclass
class IntakeSave:
    intake: Intake
    missing: list = field(default_factory=list)  # FactSpecs still unanswered
    changed: list = field(default_factory=list)


@transaction.atomic
def save_intake(
    request: StaffRequest,
    intake: Intake,
    answers: dict[str, Any],
    *,
    medications_text: str | None = None,
    clinical_notes: str | None = None,
    complete: bool = False,
) -> IntakeSave:
    """Staff save intake answers (a draft), and mark the intake complete once nothing is missing.

    Changing a completed intake makes it a draft again: it must be completed (and assessed) anew.
    """
    intake = (
        Intake.objects.select_for_update().select_related("client", "practice", "episode").get(pk=intake.pk)
    )
    merged, changed = _merge(intake.answers or {}, answers)
    for name, value in (("medications_text", medications_text), ("clinical_notes", clinical_notes)):
        if value is not None and value != getattr(intake, name):
            setattr(intake, name, value)
            changed.append(name)
    intake.answers = merged
    missing = missing_answers(merged)
    was_complete = intake.is_complete
    if changed:
        intake.updated_at, intake.updated_by = timezone.now(), actor_of(request)
        if was_complete:
            intake.completed_at, intake.completed_by = None, None
    if complete and not missing and not intake.is_complete:
        intake.completed_at, intake.completed_by = timezone.now(), actor_of(request)
    intake.save()
    if changed:
        log_event(request, "screening.intake.saved", obj=intake, data={"fields": changed})
    if was_complete and not intake.is_complete:
        log_event(request, "screening.intake.reopened", obj=intake, data={"fields": changed})
    if intake.is_complete and (changed or not was_complete):
        log_event(request, "screening.intake.completed", obj=intake)
    return IntakeSave(intake, missing=missing, changed=changed)


@transaction.atomic
def save_client_answers(
    request: HttpRequest, intake: Intake, answers: dict[str, Any], medications_text: str, *, submit: bool
) -> IntakeSave:
    """The client's own answers from their link: a draft until sent, then locked for staff to verify."""
    intake = Intake.objects.select_for_update().select_related("client", "practice").get(pk=intake.pk)
    if intake.client_submitted_at is not None or intake.is_complete:
        raise ScreeningError("Your answers were already sent to your care team.")
    client_keys = {spec.key for spec in intake_specs("client")}
    merged, changed = _merge(intake.answers or {}, {k: v for k, v in answers.items() if k in client_keys})
    if medications_text != intake.medications_text:
        intake.medications_text = medications_text
        changed.append("medications_text")
    intake.answers = merged
    missing = missing_answers(merged, "client")
    if changed:
        intake.updated_at, intake.updated_by = timezone.now(), None
    if submit and not missing:
        intake.client_submitted_at = timezone.now()
    intake.save()
    practice = intake.practice
    if changed:
        log_event(request, "screening.intake.saved", obj=intake, practice=practice, data={"fields": changed})
    if intake.client_submitted_at is not None:
        log_event(request, "screening.intake.client_submitted", obj=intake, practice=practice)
    return IntakeSave(intake, missing=missing, changed=changed)


@transaction.atomic
def issue_intake_link(request: StaffRequest, intake: Intake) -> str:
    """A fresh link token for the client's part of the intake (any earlier link stops working)."""
    token = intake.issue_token()
    intake.save(update_fields=["token_hash", "link_expires_at"])
    log_event(request, "screening.intake_link.created", obj=intake)
    return token


def open_screener_assignments(intake: Intake) -> list[Assignment]:
    """The episode's open assignments of intake screeners (for the client's link page)."""
    return list(
        Assignment.objects.open()
        .filter(practice=intake.practice, episode=intake.episode, instrument_id__in=SCREENERS)
        .order_by("due_at")
    )


@transaction.atomic
def assign_screeners(
    request: StaffRequest | None, intake: Intake, *, due_days: int | None = None
) -> list[Assignment]:
    """Assign every intake screener not yet submitted or assigned in this episode."""
    submitted = set(
        QuestionnaireResponse.objects.submitted()
        .filter(episode=intake.episode, instrument_id__in=SCREENERS)
        .values_list("instrument_id", flat=True)
    )
    assigned = set(
        Assignment.objects.open()
        .filter(episode=intake.episode, instrument_id__in=SCREENERS)
        .values_list("instrument_id", flat=True)
    )
    days = intake.practice.questionnaire_link_days if due_days is None else due_days
    due = timezone.now() + timedelta(days=days)
    created = [
        assign(
            request, intake.client, instrument, due_at=due, point=PathwayPoint.INTAKE, episode=intake.episode
        )
        for instrument in SCREENERS
        if instrument not in submitted | assigned
    ]
    if created:
        log_event(
            request,
            "screening.screeners.assigned",
            obj=intake,
            data={"instruments": [a.instrument_id for a in created]},
        )
    return created
