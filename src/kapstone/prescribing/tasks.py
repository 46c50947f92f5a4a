"""Reminding staff of credentials that expire soon or have expired.

``kapstone prescribing remind --practice SLUG`` runs :func:`send_credential_reminders` from cron (once
a day). Each member gets their own credentials due; the admins get the practice's whole list. A
credential is reminded of again at most every ``remind_every_days`` (rules.toml). Emails carry no
client data.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from kapstone.audit.services import log_event
from kapstone.practice.models import Membership, Practice, Role
from kapstone.practice.tenancy import practice_scope

from .models import Credential, PrescribingSettings, current_credentials
from .rules import rules


@dataclass(frozen=True)
class Due:
    """The practice's current credentials that have expired or expire within its window, on a day."""

    expired: list[Credential]
    expiring: list[Credential]

    @property
    def all(self) -> list[Credential]:
        return self.expired + self.expiring


def credentials_due(practice: Practice, today: date) -> Due:
    """Current credentials (a renewal supersedes what it renews) of the practice's active members that
    have expired, or expire within the practice's window (the expiry day itself included)."""
    window = PrescribingSettings.for_practice(practice).expiry_warning_days
    held = Credential.objects.filter(
        practice=practice, membership__is_active=True, membership__user__is_active=True
    ).select_related("membership__user")
    current = current_credentials(held)
    return Due(
        expired=[c for c in current if c.status(today, window) == "expired"],
        expiring=[c for c in current if c.status(today, window) == "expiring"],
    )


def admin_emails(practice: Practice) -> list[str]:
    members = Membership.objects.active().filter(practice=practice, role=Role.ADMIN)
    return sorted(set(members.values_list("user__email", flat=True)))


def _send(subject: str, template: str, context: dict[str, object], recipients: list[str]) -> None:
    send_mail(subject, render_to_string(template, context), None, recipients)


@task
def send_credential_reminders(practice_id: str, today: str | None = None) -> int:
    """Email each member with credentials due, and the admins the whole list. Returns emails sent.

    ``today`` (ISO date) fixes the day; by default the practice's own today.
    """
    practice = Practice.objects.get(pk=practice_id)
    day = date.fromisoformat(today) if today else practice.today()
    again_after = day - timedelta(days=rules().remind_every_days)
    sent = 0
    with practice_scope(practice):
        due = credentials_due(practice, day)
        fresh = [c for c in due.all if c.reminded_on is None or c.reminded_on <= again_after]
        if not fresh:
            return 0
        context: dict[str, object] = {"practice": practice, "today": day, "site": settings.KAPSTONE_SITE_URL}
        by_member: dict[Membership, list[Credential]] = {}
        for credential in fresh:
            by_member.setdefault(credential.membership, []).append(credential)
        for membership, credentials in by_member.items():
            _send(
                f"Your credentials at {practice.name} need renewing",
                "prescribing/email/my_credentials_due.txt",
                {**context, "member": membership, "credentials": credentials},
                [membership.user.email],
            )
            sent += 1
        admins = admin_emails(practice)
        if admins:
            _send(
                f"Staff credentials expiring or expired at {practice.name}",
                "prescribing/email/credentials_due.txt",
                {**context, "expired": due.expired, "expiring": due.expiring},
                admins,
            )
            sent += 1
        Credential.objects.filter(pk__in=[c.pk for c in fresh]).update(reminded_on=day)
        log_event(
            action="prescribing.credentials.reminded",
            practice=practice,
            data={"credentials": [str(c.pk) for c in fresh], "emails": sent},
        )
    return sent
