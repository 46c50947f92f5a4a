"""Reporting forms against their deadline (the esketamine REMS Patient Monitoring Form: within 7 days
of every outpatient session, source spravato-rems): which dosed sessions still owe their form, by
when, and recording that one was submitted, when, by whom, with the confirmation it was given.

A session owes the form from its first dose; the deadline is the session protocol's
``due_within_days`` from that day. A form is submitted once, as its newest saved version.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.clinical.protocols import ReportingForm as FormDefinition
from kapstone.clinical.protocols import all_protocols

from .models import MedicineSession, ReportingForm, ReportingSubmission
from .reporting import reporting_form
from .roles import RECORDING_ROLES, has_role


class SubmissionError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class FormDue:
    session: MedicineSession
    definition: FormDefinition
    dosed_on: date
    due_on: date
    saved: bool

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days

    def overdue(self, today: date) -> bool:
        return today > self.due_on


def reporting_protocols() -> list[str]:
    return [protocol.id for protocol in all_protocols() if protocol.reporting]


def due_date(session: MedicineSession, definition: FormDefinition, dosed_on: date) -> date:
    form = reporting_form(session.protocol, definition.id) or definition
    return dosed_on + timedelta(days=form.due_within_days.as_int)


def owing(sessions: QuerySet[MedicineSession]) -> list[FormDue]:
    """The forms ``sessions`` still owe, soonest deadline first (a fixed number of queries)."""
    found = []
    queryset = (
        sessions.filter(protocol_id__in=reporting_protocols())
        .annotate(
            first_dose=Min("administrations__given_at"),
            saved=Exists(ReportingForm.objects.filter(session=OuterRef("pk"))),
        )
        .filter(first_dose__isnull=False)
        .exclude(Exists(ReportingSubmission.objects.filter(session=OuterRef("pk"))))
        .select_related("client", "practice")
    )
    for session in queryset:
        definition = reporting_form(session.protocol)
        if definition is None:
            continue
        dosed_on = timezone.localdate(session.first_dose, session.practice.zone)
        found.append(
            FormDue(session, definition, dosed_on, due_date(session, definition, dosed_on), session.saved)
        )
    return sorted(found, key=lambda f: (f.due_on, f.session.opened_at))


def submission_of(session: MedicineSession, form_id: str) -> ReportingSubmission | None:
    return (
        ReportingSubmission.objects.filter(session=session, form_id=form_id)
        .select_related("submitted_by")
        .first()
    )


@transaction.atomic
def record_submission(
    request: StaffRequest,
    session: MedicineSession,
    definition: FormDefinition,
    *,
    submitted_on: date,
    confirmation: str,
    submitted_by: User | None = None,
) -> ReportingSubmission:
    """The form was sent: its newest saved version, on ``submitted_on``, with the confirmation number."""
    if not has_role(request, RECORDING_ROLES):
        raise SubmissionError("Only clinical staff record that a reporting form was submitted.")
    type(session).objects.select_for_update().filter(pk=session.pk).first()
    if submission_of(session, definition.id) is not None:
        raise SubmissionError(f"{definition.title} for this session is already recorded as submitted.")
    latest = ReportingForm.objects.filter(session=session, form_id=definition.id).order_by("-version").first()
    if latest is None:
        raise SubmissionError("Complete and save the form before recording that it was submitted.")
    first = session.administrations.aggregate(first=Min("given_at"))["first"]
    today = session.practice.today()
    if submitted_on > today:
        raise SubmissionError("The date submitted cannot be in the future.", "submitted_on")
    if first is not None and submitted_on < timezone.localdate(first, session.practice.zone):
        raise SubmissionError("The form cannot be submitted before the session's dose.", "submitted_on")
    if not confirmation.strip():
        raise SubmissionError("Enter the confirmation number the REMS gave.", "confirmation")
    submission = ReportingSubmission.objects.create(
        practice=session.practice,
        session=session,
        form_id=definition.id,
        version=latest,
        submitted_on=submitted_on,
        submitted_by=submitted_by or actor_of(request),
        confirmation=confirmation.strip(),
        recorded_by=actor_of(request),
    )
    log_event(
        request,
        "sessions.reporting_form.submitted",
        obj=submission,
        client=session.client,
        practice=session.practice,
        data={"form": definition.id, "version": latest.version, "submitted_on": submitted_on.isoformat()},
    )
    return submission
