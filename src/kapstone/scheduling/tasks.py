"""Appointment reminders by email, sent by the background worker.

Booking or rescheduling enqueues :func:`send_reminder` to run the practice's lead time before the
start (when the task backend can defer); :func:`send_due_reminders` is the sweep for cron
(``kapstone send_reminders``) and for backends that cannot defer. Both are idempotent: the
appointment row is locked and ``reminder_sent_at`` set in the same transaction as the send.

A reminder says when and where, never what for: no appointment kind, no clinician, nothing clinical.
Cancelled, completed and missed appointments, clients without an email address, and practices that
turned reminders off get none.
"""

import uuid
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import default_task_backend, task
from django.template.loader import render_to_string
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.practice.models import Practice
from kapstone.practice.tenancy import scopes_disabled

from .models import Appointment, AppointmentKind, AppointmentStatus, SchedulingSettings

# The sweep looks at most this far ahead (the largest lead time a practice may set).
MAX_LEAD = timedelta(hours=168)


def _settings(practice: Practice) -> SchedulingSettings:
    return SchedulingSettings.for_practice(practice)


def reminder_time(appointment: Appointment, settings: SchedulingSettings) -> datetime:
    return appointment.starts_at - timedelta(hours=settings.reminder_lead_hours)


def schedule_reminder(appointment_id: uuid.UUID | str) -> None:
    """Enqueue the reminder for the lead time before the start (now, if that time has passed)."""
    if not default_task_backend.supports_defer:
        return  # the sweep sends it
    with scopes_disabled():
        appointment = Appointment.objects.select_related("practice").filter(pk=appointment_id).first()
        if appointment is None:
            return
        settings = _settings(appointment.practice)
    if not settings.reminders_enabled:
        return
    run_after = max(reminder_time(appointment, settings), timezone.now())
    send_reminder.using(run_after=run_after).enqueue(str(appointment_id))


@task
def send_reminder(appointment_id: str) -> bool:
    """Email the client a reminder if it is due now and not sent yet. Returns whether one was sent."""
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("client", "practice")
            .filter(pk=appointment_id)
            .first()
        )
        if appointment is None:
            return False
        settings = _settings(appointment.practice)
        if (
            not settings.reminders_enabled
            or appointment.status != AppointmentStatus.SCHEDULED
            or appointment.reminder_sent_at is not None
            or not appointment.client.email
            or not reminder_time(appointment, settings) <= now < appointment.starts_at
            or _client_opted_out(appointment)
        ):
            return False
        Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=now)
        log_event(
            action="scheduling.reminder.sent",
            obj=appointment,
            practice=appointment.practice,
            data={"lead_hours": settings.reminder_lead_hours},
        )
        practice = appointment.practice
        context = {"practice": practice, "client": appointment.client, "starts_at": appointment.starts_at}
        with timezone.override(practice.zone):  # the template shows times in the practice's zone
            body = render_to_string("scheduling/email/reminder.txt", context)
        send_mail(f"Appointment reminder from {practice.name}", body, None, [appointment.client.email])
    return True


def _client_opted_out(appointment: Appointment) -> bool:
    """A portal client may turn off reminders of their integration appointments."""
    account = getattr(appointment.client, "account", None)
    return (
        appointment.kind == AppointmentKind.INTEGRATION
        and account is not None
        and not account.remind_integration
    )


@task
def send_due_reminders() -> int:
    """Sweep: send every reminder that is due now and not sent yet. Returns how many were sent."""
    now = timezone.now()
    with scopes_disabled():
        candidates = list(
            Appointment.objects.filter(
                status=AppointmentStatus.SCHEDULED,
                reminder_sent_at__isnull=True,
                starts_at__gt=now,
                starts_at__lte=now + MAX_LEAD,
            )
            .exclude(client__email="")
            .values_list("pk", "practice_id", "starts_at")
        )
        settings = {
            s.practice_id: s
            for s in SchedulingSettings.objects.filter(practice_id__in={c[1] for c in candidates})
        }
    sent = 0
    for pk, practice_id, starts_at in candidates:
        found = settings.get(practice_id) or SchedulingSettings()
        if found.reminders_enabled and starts_at - timedelta(hours=found.reminder_lead_hours) <= now:
            sent += send_reminder.call(str(pk))
    return sent
