"""Alert notices and escalations really run through the database queue and its worker.

The worker closes its database connection when a batch ends, as it would in production, so this test
runs with real commits (transaction=True) instead of inside a rolled-back test transaction.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kapstone.measures import services


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_tells_the_team_now_and_the_admins_later(world, scoped, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    draft = services.draft_for(world.client, "phq9", source="staff")
    services.save_answers(None, draft, dict.fromkeys(range(1, 9), 0) | {9: 2}, submit=True)
    assert mail.outbox == []  # queued, not sent inline
    run_worker()
    assert len(mail.outbox) == 1 and "Safety alert (CRITICAL)" in mail.outbox[0].subject
    # PHQ-9 item 9 is critical: it escalates after the critical time, to the admins and prescribers.
    later = timezone.now() + timedelta(minutes=world.practice.critical_escalation_minutes + 1)
    with time_machine.travel(later):
        run_worker()
    assert len(mail.outbox) == 2 and "Unacknowledged" in mail.outbox[1].subject
    assert mail.outbox[1].to == sorted(world.members[r].user.email for r in ("admin", "prescriber"))
