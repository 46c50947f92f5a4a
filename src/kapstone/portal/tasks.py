"""Reminder emails to clients, by their own choices. They never mention health or questionnaires by
name: only that something is waiting in the portal."""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from kapstone.measures.models import Assignment
from kapstone.practice.tenancy import scopes_disabled

from .models import ClientReminder


def _remind_once(account, kind, reference, template, context) -> bool:
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
    """Remind clients who chose it about questionnaires due now or overdue (at most daily each)."""
    sent = 0
    with scopes_disabled():
        due = (
            Assignment.objects.open()
            .filter(due_at__lte=timezone.now(), client__account__remind_questionnaires=True)
            .select_related("client__account__user", "client__account__practice", "client")
        )
        for assignment in due:
            account = assignment.client.account
            sent += _remind_once(
                account, "questionnaire", assignment.pk, "portal/email/reminder_questionnaire.txt", {}
            )
    return sent
