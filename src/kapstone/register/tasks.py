"""Background work of the register: telling the admins about a discrepancy, and reminding them of
theft or loss reporting deadlines.

Runs through ``django.tasks`` (the database worker in production, the immediate backend in tests).
``kapstone register remind`` runs the reminder sweep from cron. Emails carry no client data and no
quantities: only that something needs attention and where to look.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.tasks import task
from django.template.loader import render_to_string

from kapstone.practice.models import Membership, Practice, Role
from kapstone.practice.tenancy import scopes_disabled

from .models import Discrepancy, ReportingTask
from .rules import rules


def admin_emails(practice: Practice) -> list[str]:
    members = Membership.objects.active().filter(practice=practice, role=Role.ADMIN)
    return sorted(set(members.values_list("user__email", flat=True)))


@task
def notify_discrepancy(discrepancy_id: str) -> int:
    """Email the practice admins that a count differs from the register."""
    with scopes_disabled():
        discrepancy = Discrepancy.objects.select_related("practice", "container", "line__count").get(
            pk=discrepancy_id
        )
    recipients = admin_emails(discrepancy.practice)
    if recipients:
        context = {
            "discrepancy": discrepancy,
            "practice": discrepancy.practice,
            "site": settings.KAPSTONE_SITE_URL,
        }
        send_mail(
            f"Controlled-substance count discrepancy on container {discrepancy.container.code}",
            render_to_string("register/email/discrepancy.txt", context),
            None,
            recipients,
        )
    return len(recipients)


def tasks_to_remind(today: date, practice: Practice | None = None) -> QuerySet[ReportingTask]:
    """Open reporting tasks due by tomorrow or overdue that nobody was reminded of today."""
    tasks = (
        ReportingTask.objects.open().filter(due_on__lte=today + timedelta(days=1)).exclude(reminded_on=today)
    )
    if practice is not None:
        tasks = tasks.filter(practice=practice)
    return tasks.select_related("practice", "report").order_by("practice_id", "due_on")


@task
def send_task_reminders(today: str | None = None) -> int:
    """Remind each practice's admins of theft or loss reports whose notice or Form 106 is due.

    ``today`` (ISO date) fixes the day for every practice; by default each practice's own today.
    """
    sent = 0
    with scopes_disabled():
        open_in = ReportingTask.objects.open().values_list("practice", flat=True).distinct()
        for practice in Practice.objects.filter(pk__in=open_in):
            day = date.fromisoformat(today) if today else practice.today()
            due = list(tasks_to_remind(day, practice))
            if not due:
                continue
            recipients = admin_emails(practice)
            if recipients:
                context = {
                    "practice": practice,
                    "tasks": due,
                    "today": day,
                    "rules": rules(),
                    "site": settings.KAPSTONE_SITE_URL,
                }
                send_mail(
                    f"Theft or loss reporting due at {practice.name}",
                    render_to_string("register/email/reporting_due.txt", context),
                    None,
                    recipients,
                )
                sent += 1
            ReportingTask.objects.filter(pk__in=[t.pk for t in due]).update(reminded_on=day)
    return sent
