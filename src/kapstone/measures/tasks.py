"""Background work for measures: telling people about safety alerts, and escalating open ones.

Runs through ``django.tasks``: the database-backed worker (``kapstone db_worker``) in production and
the demo, the immediate backend in tests.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import default_task_backend, task
from django.template.loader import render_to_string
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.practice.models import Membership, Role
from kapstone.practice.tenancy import scopes_disabled

from .models import SafetyAlert


def schedule_escalation(alert_id) -> None:
    """Tell the care team now; check again after the practice's escalation time."""
    notify_care_team.enqueue(str(alert_id))
    if default_task_backend.supports_defer:
        with scopes_disabled():
            alert = SafetyAlert.objects.select_related("practice").get(pk=alert_id)
        due = alert.created_at + timedelta(minutes=alert.practice.alert_escalation_minutes)
        escalate_alert.using(run_after=due).enqueue(str(alert_id))


def _send(recipients, subject, template, context):
    # Emails carry no client data: only that something needs attention, and where to look.
    if recipients:
        send_mail(subject, render_to_string(template, context), None, sorted(recipients))


@task
def notify_care_team(alert_id: str) -> int:
    with scopes_disabled():
        alert = SafetyAlert.objects.select_related("practice", "client").get(pk=alert_id)
        emails = set(
            alert.client.care_team.filter(membership__is_active=True).values_list(
                "membership__user__email", flat=True
            )
        )
    context = {
        "practice": alert.practice,
        "record_number": alert.client.record_number,
        "site": settings.KAPSTONE_SITE_URL,
    }
    _send(
        emails, f"Safety alert for client {alert.client.record_number}", "measures/email/alert.txt", context
    )
    return len(emails)


@task
def escalate_alert(alert_id: str) -> bool:
    """Tell the practice admins about an alert that is still open after the escalation time."""
    with scopes_disabled(), transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().select_related("practice", "client").get(pk=alert_id)
        due = alert.created_at + timedelta(minutes=alert.practice.alert_escalation_minutes)
        if alert.acknowledged_at or alert.escalated_at or timezone.now() < due:
            return False
        SafetyAlert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now())
        log_event(
            action="measures.alert.escalated", obj=alert, practice=alert.practice, data={"kind": alert.kind}
        )
        admins = set(
            Membership.objects.active()
            .filter(practice=alert.practice, role=Role.ADMIN)
            .values_list("user__email", flat=True)
        )
    context = {
        "practice": alert.practice,
        "record_number": alert.client.record_number,
        "minutes": alert.practice.alert_escalation_minutes,
        "site": settings.KAPSTONE_SITE_URL,
    }
    _send(
        admins,
        f"Unacknowledged safety alert for client {alert.client.record_number}",
        "measures/email/escalation.txt",
        context,
    )
    return True


@task
def escalate_overdue_alerts() -> int:
    """Sweep: escalate every alert past its time (for installations that run it from cron)."""
    with scopes_disabled():
        open_ids = list(
            SafetyAlert.objects.open().filter(escalated_at__isnull=True).values_list("pk", flat=True)
        )
    return sum(escalate_alert.call(str(alert_id)) for alert_id in open_ids)


@task
def send_questionnaire_link(assignment_id: str, url: str) -> bool:
    """Email a client their questionnaire link. The email names no questionnaire and no condition."""
    from .models import Assignment

    with scopes_disabled():
        assignment = Assignment.objects.select_related("client", "practice").get(pk=assignment_id)
    if not assignment.client.email:
        return False
    context = {
        "practice": assignment.practice,
        "client": assignment.client,
        "url": url,
        "expires": assignment.link_expires_at,
    }
    _send(
        {assignment.client.email},
        f"A short questionnaire from {assignment.practice.name}",
        "measures/email/questionnaire_link.txt",
        context,
    )
    return True
