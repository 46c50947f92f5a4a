"""``kapstone escalate_alerts``: escalate every safety alert still open past its practice's time.

The worker already escalates each alert on time; this sweep is a safety net to run from cron (for
example every 10 minutes) in case the worker was down. It is idempotent.
"""

from django.core.management.base import BaseCommand

from kapstone.measures.tasks import escalate_overdue_alerts


class Command(BaseCommand):
    help = "Escalate safety alerts that are still unacknowledged after the practice's escalation time."

    def handle(self, *args, **options):
        count = escalate_overdue_alerts.call()
        self.stdout.write(f"Escalated {count} alert(s).")
