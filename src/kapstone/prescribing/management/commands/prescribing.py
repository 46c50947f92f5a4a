"""``kapstone prescribing``: the prescribing records' background work.

kapstone prescribing remind --practice SLUG [--today DATE]
    Email each member of the practice whose credentials (DEA registration, licence, BLS, ACLS) expire
    within the practice's window or have expired, and the admins the whole list. Once a day, for cron;
    a credential is reminded of again at most weekly.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kapstone.practice.models import Practice

from ...tasks import send_credential_reminders


def a_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date such as 2026-01-31.") from error


class Command(BaseCommand):
    help = "Prescribing records: 'remind' emails staff about credentials expiring or expired."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        remind = sub.add_parser("remind", help="email staff and admins about credentials due")
        remind.add_argument("--practice", required=True, help="the practice's slug")
        remind.add_argument("--today", type=a_date, default=None)

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        practice = Practice.objects.filter(slug=options["practice"]).first()
        if practice is None:
            raise CommandError(f"No practice with the slug {options['practice']!r}.")
        today = options["today"]
        sent = send_credential_reminders.call(str(practice.pk), today.isoformat() if today else None)
        self.stdout.write(f"Sent {sent} credential reminder email(s) for {practice.name}.")
