from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.audit.services import log_event


def events_on_page(response):
    return [event for event, _label, _client in response.context["rows"]]


def test_admin_filters_the_trail_by_client_user_action_and_date(client, world, scoped):
    therapist, admin = world.members["therapist"], world.members["admin"]
    log_event(action="clients.chart.viewed", obj=world.client, actor=therapist.user, practice=world.practice)
    log_event(
        action="clients.client.updated",
        obj=world.unassigned_client,
        actor=admin.user,
        practice=world.practice,
    )
    log_event(
        action="clients.chart.viewed",
        obj=world.client,
        actor=world.other_members["admin"].user,
        practice=world.other_practice,
    )
    client.force_login(admin.user)
    url = reverse("audit:events")

    by_client = client.get(url, {"client": world.client.record_number})
    assert [e.actor for e in events_on_page(by_client)] == [therapist.user]

    by_user = client.get(url, {"user": admin.user.pk, "action": "clients.client.updated"})
    assert [e.client_id for e in events_on_page(by_user)] == [world.unassigned_client.pk]

    tomorrow = (timezone.now() + timedelta(days=2)).date()
    assert events_on_page(client.get(url, {"date_from": tomorrow})) == []

    everything = client.get(url)
    assert all(e.practice == world.practice for e in events_on_page(everything))
    assert "Viewed a client" in everything.content.decode()


def test_viewing_the_trail_is_itself_recorded(client, world, scoped):
    client.force_login(world.members["admin"].user)
    client.get(reverse("audit:events"))
    assert AuditEvent.objects.filter(action="audit.events.viewed", practice=world.practice).exists()


def test_an_unknown_record_number_says_so(client, world, scoped):
    client.force_login(world.members["admin"].user)
    response = client.get(reverse("audit:events"), {"client": "NOPE-1"})
    assert "No client has this record number." in response.content.decode()
