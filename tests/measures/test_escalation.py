"""Who hears about a safety alert and how soon, by severity (docs/severity.md).

A warning reaches the client's care team at once and the admins after the practice's warning
escalation time; a critical alert reaches the care team (its prescribers included) and the admins at
once (every prescriber of the practice when none is on the team), and every prescriber with the admins
after the (shorter) critical escalation time.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures import services
from kapstone.measures.alerts import raise_alert
from kapstone.measures.models import SafetyAlert
from kapstone.measures.tasks import escalate_alert, escalate_overdue_alerts
from kapstone.practice.models import Role

NO_RISK = {1: 0, 2: 0, 6: 0}


def emails(world, *roles):
    return sorted(world.members[role].user.email for role in roles)


def team(world):
    return emails(world, Role.PRESCRIBER, Role.THERAPIST, Role.MONITOR, Role.FRONT_DESK)


def alert_of(world, severity, django_capture_on_commit_callbacks, summary="Room 1: Vitals out of range."):
    with django_capture_on_commit_callbacks(execute=True):
        return raise_alert(None, client=world.client, kind="vitals", severity=severity, summary=summary)


def test_a_warning_reaches_the_care_team_at_once_and_the_admins_after_an_hour(
    world, scoped, django_capture_on_commit_callbacks
):
    alert = alert_of(world, "warning", django_capture_on_commit_callbacks)
    (notice,) = mail.outbox
    assert notice.to == team(world)
    assert notice.subject == f"Safety alert (warning) for client {world.client.record_number}"
    assert world.practice.alert_escalation_minutes == 60
    with time_machine.travel(alert.created_at + timedelta(minutes=59)):
        assert escalate_alert.call(str(alert.pk)) is False
    with time_machine.travel(alert.created_at + timedelta(minutes=61)):
        assert escalate_alert.call(str(alert.pk)) is True
        assert escalate_alert.call(str(alert.pk)) is False  # only once
    assert mail.outbox[-1].to == emails(world, Role.ADMIN)
    assert "60 minutes" in mail.outbox[-1].body
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert AuditEvent.objects.filter(action="measures.alert.escalated", client_id=world.client.pk).exists()


def test_a_critical_alert_reaches_the_team_and_the_admins_at_once_and_escalates_in_5_minutes(
    world, scoped, django_capture_on_commit_callbacks
):
    alert = alert_of(world, "critical", django_capture_on_commit_callbacks)
    (notice,) = mail.outbox
    assert notice.to == sorted(team(world) + emails(world, Role.ADMIN))
    assert world.members[Role.PRESCRIBER].user.email in notice.to
    assert notice.subject == f"Safety alert (CRITICAL) for client {world.client.record_number}"
    assert "CRITICAL" in notice.body and world.client.display_name not in notice.body
    assert world.practice.critical_escalation_minutes == 5
    with time_machine.travel(alert.created_at + timedelta(minutes=4)):
        assert escalate_alert.call(str(alert.pk)) is False
    with time_machine.travel(alert.created_at + timedelta(minutes=6)):
        assert escalate_alert.call(str(alert.pk)) is True
    assert mail.outbox[-1].to == emails(world, Role.ADMIN, Role.PRESCRIBER)  # this practice's only
    assert mail.outbox[-1].subject.startswith("Unacknowledged CRITICAL safety alert")


def test_each_practice_sets_its_own_escalation_times(world, scoped, django_capture_on_commit_callbacks):
    world.practice.critical_escalation_minutes, world.practice.alert_escalation_minutes = 2, 30
    world.practice.save()
    critical = alert_of(world, "critical", django_capture_on_commit_callbacks)
    warning = alert_of(world, "warning", django_capture_on_commit_callbacks)
    with time_machine.travel(critical.created_at + timedelta(minutes=3)):
        assert escalate_overdue_alerts.call() == 1
    with time_machine.travel(warning.created_at + timedelta(minutes=31)):
        assert escalate_overdue_alerts.call() == 1


def test_a_critical_alert_can_never_escalate_later_than_a_warning(world):
    world.practice.critical_escalation_minutes = 61
    with pytest.raises(IntegrityError), transaction.atomic():
        world.practice.save()


def test_a_critical_alert_reaches_a_prescriber_at_once_even_when_none_is_on_the_care_team(
    world, scoped, django_capture_on_commit_callbacks
):
    world.client.care_team.filter(membership__role=Role.PRESCRIBER).delete()
    alert_of(world, "critical", django_capture_on_commit_callbacks)
    (notice,) = mail.outbox
    assert world.members[Role.PRESCRIBER].user.email in notice.to
    assert world.other_members[Role.PRESCRIBER].user.email not in notice.to  # never another practice


def test_an_empty_care_team_hands_a_warning_to_the_admins(world, scoped, django_capture_on_commit_callbacks):
    world.client.care_team.all().delete()
    alert_of(world, "warning", django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == emails(world, Role.ADMIN)


def test_raise_alert_audits_the_severity_and_trims_the_summary(
    world, scoped, django_capture_on_commit_callbacks
):
    alert = alert_of(world, "critical", django_capture_on_commit_callbacks, summary="x" * 400)
    assert len(alert.summary) == 300 and alert.summary.endswith("…")
    event = AuditEvent.objects.get(action="measures.alert.created", object_id=str(alert.pk))
    assert event.data == {"kind": "vitals", "severity": "critical"}
    with pytest.raises(ValueError, match="Unknown alert severity 'urgent'"):
        raise_alert(None, client=world.client, kind="vitals", severity="urgent", summary="x")


@pytest.mark.parametrize(
    ("instrument", "answers", "expected"),
    [
        ("phq9", dict.fromkeys(range(1, 9), 0) | {9: 1}, [("critical_item", "critical")]),
        ("cssrs_screener", {1: 1, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0}, [("risk_level", "warning")]),
        (
            "cssrs_screener",
            {1: 1, 2: 1, 3: 1, 4: 1, 5: 0, 6: 0},
            [("critical_item", "critical"), ("risk_level", "critical")],
        ),
        ("cssrs_screener", {1: 1, 2: 0, 6: 0}, []),  # low risk: no alert
    ],
)
def test_questionnaire_alerts_carry_their_severity(world, scoped, instrument, answers, expected):
    draft = services.draft_for(world.client, instrument, source="staff")
    outcome = services.save_answers(None, draft, answers, submit=True)
    assert sorted((a.kind, a.severity) for a in outcome.alerts) == expected


def test_an_acknowledged_alert_is_never_escalated(world, scoped, django_capture_on_commit_callbacks):
    alert = alert_of(world, "critical", django_capture_on_commit_callbacks)
    alert.acknowledged_at = timezone.now()
    alert.save()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert escalate_alert.call(str(alert.pk)) is False
        assert escalate_overdue_alerts.call() == 0


def test_the_sweep_escalates_every_overdue_alert(world, scoped, django_capture_on_commit_callbacks):
    alert_of(world, "warning", django_capture_on_commit_callbacks)
    alert_of(world, "critical", django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert escalate_overdue_alerts.call() == 2


def test_the_cron_command_escalates_overdue_alerts(world, scoped, capsys):
    SafetyAlert.objects.create(
        practice=world.practice, client=world.client, kind="critical_item", summary="x"
    )
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        call_command("escalate_alerts")
    assert "Escalated 1 alert(s)." in capsys.readouterr().out
