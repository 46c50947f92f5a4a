"""Reminder emails to clients, by their own choices. They never mention health or questionnaires by
name: only that something is waiting in the portal."""

from datetime import timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from kapstone.measures.models import Assignment
from kapstone.pathway.models import Intention
from kapstone.practice.tenancy import scopes_disabled
from kapstone.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

from .models import ClientAccount, ClientReminder


def _remind_once(
    account: ClientAccount, kind: str, reference: object, template: str, context: dict[str, Any]
) -> bool:
    today = timezone.localdate(timezone=account.practice.zone)
    try:
        with transaction.atomic():
            ClientReminder.objects.create(
                practice=account.practice, account=account, kind=kind, reference=str(reference), sent_on=today
            )
    except IntegrityError:
        return False  # already reminded today
    send_mail(
        f"A reminder from {account.practice.name}",
        render_to_string(template, {"practice": account.practice, "client": account.client, **context}),
        None,
        [account.user.email],
    )
    return True


@task
def remind_due_questionnaires() -> int:
    """Remind clients who chose it about questionnaires due now or overdue, and about those due before
    a coming medicine session (``Assignment.objects.to_remind``), at most daily each. Staff-assigned and
    plan-assigned questionnaires are reminded alike."""
    sent = 0
    with scopes_disabled():
        due = (
            Assignment.objects.to_remind(timezone.now())
            .filter(client__account__remind_questionnaires=True)
            .select_related("client__account__user", "client__account__practice", "client")
        )
        for assignment in due:
            account = assignment.client.account
            sent += _remind_once(
                account, "questionnaire", assignment.pk, "portal/email/reminder_questionnaire.txt", {}
            )
    return sent


@task
def remind_intentions() -> int:
    """Before a medicine session (within 3 days), remind clients who chose it to write an intention,
    unless they wrote one since their last session."""
    now, sent = timezone.now(), 0
    with scopes_disabled():
        upcoming = (
            Appointment.objects.filter(
                kind=AppointmentKind.MEDICINE,
                status=AppointmentStatus.SCHEDULED,
                starts_at__gt=now,
                starts_at__lte=now + timedelta(days=3),
                client__account__remind_intentions=True,
            )
            .select_related("client__account__user", "client__account__practice", "client")
            .order_by("starts_at")
        )
        for appointment in upcoming:
            previous = (
                Appointment.objects.filter(
                    client=appointment.client,
                    kind=AppointmentKind.MEDICINE,
                    starts_at__lt=appointment.starts_at,
                )
                .exclude(status=AppointmentStatus.CANCELLED)
                .order_by("-starts_at")
                .first()
            )
            since = previous.starts_at if previous else appointment.episode.opened_at
            if Intention.objects.filter(episode=appointment.episode, recorded_at__gte=since).exists():
                continue
            sent += _remind_once(
                appointment.client.account,
                "intention",
                appointment.pk,
                "portal/email/reminder_intention.txt",
                {},
            )
    return sent
