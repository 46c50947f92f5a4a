from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import SafetyAlert
from kapstone.measures.tasks import escalate_alert, escalate_overdue_alerts


def open_alert(world):
    return SafetyAlert.objects.create(
        practice=world.practice, client=world.client, kind="critical_item", summary="PHQ-9 item 9"
    )


def test_an_open_alert_goes_to_the_admins_after_the_practices_escalation_time(world, scoped):
    alert = open_alert(world)
    assert escalate_alert.call(str(alert.pk)) is False  # too early
    later = alert.created_at + timedelta(minutes=world.practice.alert_escalation_minutes + 1)
    with time_machine.travel(later):
        assert escalate_alert.call(str(alert.pk)) is True
        assert escalate_alert.call(str(alert.pk)) is False  # only once
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert mail.outbox[-1].to == [world.members["admin"].user.email]
    assert world.client.record_number in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(action="measures.alert.escalated", client_id=world.client.pk).exists()


def test_an_acknowledged_alert_is_never_escalated(world, scoped):
    alert = open_alert(world)
    alert.acknowledged_at = timezone.now()
    alert.save()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert escalate_alert.call(str(alert.pk)) is False
        assert escalate_overdue_alerts.call() == 0


def test_the_sweep_escalates_every_overdue_alert(world, scoped):
    open_alert(world), open_alert(world)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert escalate_overdue_alerts.call() == 2


def test_the_cron_command_escalates_overdue_alerts(world, scoped, capsys):
    from django.core.management import call_command

    open_alert(world)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        call_command("escalate_alerts")
    assert "Escalated 1 alert(s)." in capsys.readouterr().out
