"""Background work for measures: telling people about safety alerts, and escalating open ones.

Who is told and how soon depends on the alert's severity (docs/severity.md): a warning reaches the
client's care team and escalates to the admins after ``Practice.alert_escalation_minutes``; a critical
alert reaches the care team and the admins at once and escalates to the admins and every prescriber
after ``Practice.critical_escalation_minutes``.

Runs through ``django.tasks``: the database-backed worker (``kapstone db_worker``) in production and
the demo, the immediate backend in tests.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import default_task_backend, task
from django.template.loader import render_to_string
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.practice.links import email_link
from kapstone.practice.models import Membership, Practice, Role
from kapstone.practice.tenancy import scopes_disabled

from .models import QUESTIONNAIRE_LINK, Assignment, SafetyAlert


def schedule_escalation(alert_id: uuid.UUID | str) -> None:
    """Tell the people the alert's severity reaches now; check again after that severity's escalation
    time (``Practice.escalation_minutes``). Called by ``alerts.raise_alert`` once its transaction commits."""
    notify_care_team.enqueue(str(alert_id))
    if default_task_backend.supports_defer:
        with scopes_disabled():
            alert = SafetyAlert.objects.select_related("practice").get(pk=alert_id)
        escalate_alert.using(run_after=escalation_due(alert)).enqueue(str(alert_id))


def escalation_due(alert: SafetyAlert) -> datetime:
    return alert.created_at + timedelta(minutes=alert.practice.escalation_minutes(alert.severity))


def _active_emails(practice: Practice, *roles: str) -> set[str]:
    members = Membership.objects.active().filter(practice=practice, role__in=roles)
    return set(members.values_list("user__email", flat=True))


def told_at_once(alert: SafetyAlert) -> set[str]:
    """Who an alert reaches when raised (docs/severity.md): the client's care team (prescribers on it
    included); a critical alert also reaches the practice admins, and a prescriber even when the care
    team has none (then every prescriber of the practice). Nobody on the team: the admins."""
    team = alert.client.care_team.filter(membership__is_active=True, membership__user__is_active=True)
    emails = set(team.values_list("membership__user__email", flat=True))
    if alert.severity == SafetyAlert.Severity.CRITICAL:
        emails |= _active_emails(alert.practice, Role.ADMIN)
        if not team.filter(membership__role=Role.PRESCRIBER).exists():
            emails |= _active_emails(alert.practice, Role.PRESCRIBER)
    elif not emails:
        emails |= _active_emails(alert.practice, Role.ADMIN)
    return emails


def told_on_escalation(alert: SafetyAlert) -> set[str]:
    """Who an unacknowledged alert reaches once due: the admins; for a critical one every prescriber."""
    if alert.severity == SafetyAlert.Severity.CRITICAL:
        return _active_emails(alert.practice, Role.ADMIN, Role.PRESCRIBER)
    return _active_emails(alert.practice, Role.ADMIN)


def _send(recipients: Iterable[str], subject: str, template: str, context: dict[str, Any]) -> None:
    # Emails carry no client data: only that something needs attention, how urgent, and where to look.
    if recipients:
        send_mail(subject, render_to_string(template, context), None, sorted(recipients))


def _severity_word(alert: SafetyAlert) -> str:
    critical = alert.severity == SafetyAlert.Severity.CRITICAL
    return "CRITICAL" if critical else "warning"


@task
def notify_care_team(alert_id: str) -> int:
    with scopes_disabled():
        alert = SafetyAlert.objects.select_related("practice", "client").get(pk=alert_id)
        emails = told_at_once(alert)
    context = {
        "practice": alert.practice,
        "record_number": alert.client.record_number,
        "severity": alert.severity,
        "site": settings.KAPSTONE_SITE_URL,
    }
    subject = f"Safety alert ({_severity_word(alert)}) for client {alert.client.record_number}"
    _send(emails, subject, "measures/email/alert.txt", context)
    return len(emails)


@task
def escalate_alert(alert_id: str) -> bool:
    """Tell the admins (and, for a critical alert, every prescriber) about an alert still open after its
    severity's escalation time."""
    with scopes_disabled(), transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().select_related("practice", "client").get(pk=alert_id)
        if alert.acknowledged_at or alert.escalated_at or timezone.now() < escalation_due(alert):
            return False
        SafetyAlert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now())
        log_event(
            action="measures.alert.escalated",
            obj=alert,
            client=alert.client,
            practice=alert.practice,
            data={"kind": alert.kind, "severity": alert.severity},
        )
        emails = told_on_escalation(alert)
    context = {
        "practice": alert.practice,
        "record_number": alert.client.record_number,
        "severity": alert.severity,
        "minutes": alert.practice.escalation_minutes(alert.severity),
        "site": settings.KAPSTONE_SITE_URL,
    }
    _send(
        emails,
        f"Unacknowledged {_severity_word(alert)} safety alert for client {alert.client.record_number}",
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
    with scopes_disabled():
        assignment = Assignment.objects.select_related("client", "practice").get(pk=assignment_id)
    client = assignment.client
    return email_link(QUESTIONNAIRE_LINK, assignment, url, to=client.email, client=client)
