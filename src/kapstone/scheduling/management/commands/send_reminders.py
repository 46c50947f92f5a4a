"""``kapstone send_reminders``: email every appointment reminder that is due and not sent yet.

The worker already sends each reminder at its time; this sweep is the safety net to run from cron
(for example every 15 minutes) in case the worker was down, and the way reminders go out with a task
backend that cannot defer. It is idempotent: a reminder is sent at most once.
"""

from django.core.management.base import BaseCommand

from kapstone.scheduling.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Send the appointment reminders that are due (the practice's lead time before the start)."

    def handle(self, *args, **options):
        count = send_due_reminders.call()
        self.stdout.write(f"Sent {count} reminder(s).")
