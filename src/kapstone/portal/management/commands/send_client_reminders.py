"""``kapstone send_client_reminders``: email clients about what is waiting for them in the portal.

Run from cron every hour or so; each item is reminded at most once a day, and only to clients who
chose that kind of reminder. Appointment reminders are sent by the scheduling app's own task.
"""

from django.core.management.base import BaseCommand

from kapstone.portal.tasks import remind_due_questionnaires, remind_intentions


class Command(BaseCommand):
    help = "Send due-questionnaire and intention reminder emails to clients who chose them."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {remind_due_questionnaires.call()} questionnaire reminder(s).")
        self.stdout.write(f"Sent {remind_intentions.call()} intention reminder(s).")
