"""An admin sets how soon an unacknowledged safety alert escalates, per severity (docs/severity.md)."""

from django.urls import reverse

from kapstone.audit.models import AuditEvent

URL = reverse("practice:alert_settings")


def test_the_defaults_are_5_minutes_for_critical_and_60_for_warning(client, world, scoped):
    client.force_login(world.members["admin"].user)
    page = client.get(URL).content.decode()
    assert 'name="critical_escalation_minutes" value="5"' in page
    assert 'name="alert_escalation_minutes" value="60"' in page
    assert "Critical" in page and "Warning" in page  # the severities in words, not colour alone


def test_an_admin_changes_the_times_and_the_change_is_audited(client, world, scoped):
    client.force_login(world.members["admin"].user)
    response = client.post(URL, {"critical_escalation_minutes": "3", "alert_escalation_minutes": "30"})
    assert response.status_code == 302
    world.practice.refresh_from_db()
    assert (world.practice.critical_escalation_minutes, world.practice.alert_escalation_minutes) == (3, 30)
    assert world.practice.escalation_minutes("critical") == 3
    assert world.practice.escalation_minutes("warning") == 30
    event = AuditEvent.objects.get(action="practice.alert_settings.changed")
    assert event.data == {"alert_escalation_minutes": [60, 30], "critical_escalation_minutes": [5, 3]}


def test_critical_can_never_escalate_later_than_warning_and_nothing_typed_is_lost(client, world, scoped):
    client.force_login(world.members["admin"].user)
    page = client.post(URL, {"critical_escalation_minutes": "90", "alert_escalation_minutes": "60"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "A critical alert must escalate no later than a warning." in text
    assert 'value="90"' in text
    zero = client.post(URL, {"critical_escalation_minutes": "0", "alert_escalation_minutes": "60"})
    assert "Ensure this value is greater than or equal to 1." in zero.content.decode()
    world.practice.refresh_from_db()
    assert world.practice.critical_escalation_minutes == 5
    assert not AuditEvent.objects.filter(action="practice.alert_settings.changed").exists()
