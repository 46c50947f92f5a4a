import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from kapstone.audit.models import AppendOnlyError, AuditEvent
from kapstone.audit.services import log_event
from kapstone.audit.verify import verify_all

from ..factories import make_practice, make_user


def write_events(practice, n, actor=None):
    return [log_event(action="clients.chart.viewed", practice=practice, actor=actor) for _ in range(n)]


def raw(sql, *params):
    """Tamper as a database superuser would: on PostgreSQL, with the append-only trigger switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def test_viewing_a_chart_writes_an_event_with_who_what_where(client, world, scoped):
    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    client.get(reverse("clients:detail", args=[world.client.pk]), HTTP_USER_AGENT="Tablet/1.0")
    event = AuditEvent.objects.filter(action="clients.chart.viewed").get()
    assert event.actor == therapist.user
    assert event.actor_role == "therapist"
    assert event.practice == world.practice
    assert event.client_id == world.client.pk
    assert event.object_type == "clients.client"
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == "Tablet/1.0"


def test_events_cannot_be_changed_or_deleted_through_the_orm(db):
    event = write_events(make_practice(), 1)[0]
    event.action = "clients.client.updated"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_unknown_action_codes_are_refused(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        log_event(action="clients.chart.veiwed", practice=make_practice())


def test_an_event_rolls_back_with_the_change_it_records(db):
    practice = make_practice()
    with pytest.raises(RuntimeError), transaction.atomic():
        write_events(practice, 1)
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0
    assert verify_all() == (0, [])


def test_each_practice_has_its_own_chain(db):
    a, b = make_practice(), make_practice()
    write_events(a, 3)
    event_b = write_events(b, 1)[0]
    assert event_b.seq == 1
    assert [e.seq for e in AuditEvent.objects.filter(practice=a).order_by("seq")] == [1, 2, 3]
    assert verify_all() == (4, [])


def test_verify_names_the_first_altered_event(db):
    practice = make_practice()
    events = write_events(practice, 5, actor=make_user())
    raw("UPDATE audit_auditevent SET action = 'clients.client.updated' WHERE id = %s", events[2].pk)
    raw("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", events[3].pk)
    _, problems = verify_all()
    assert len(problems) == 1
    assert problems[0].seq == 3
    assert problems[0].event_id == events[2].pk
    assert "altered" in str(problems[0])


def test_verify_notices_a_removed_event(db):
    events = write_events(make_practice(), 4)
    raw("DELETE FROM audit_auditevent WHERE id = %s", events[1].pk)
    _, problems = verify_all()
    assert problems[0].seq == 2
    assert "missing" in str(problems[0])


def test_verify_notices_the_newest_events_removed(db):
    events = write_events(make_practice(), 4)
    raw("DELETE FROM audit_auditevent WHERE id = %s", events[3].pk)
    _, problems = verify_all()
    assert problems[0].seq == 4
    assert "missing" in str(problems[0])


def test_verify_notices_a_rewritten_event_with_a_recomputed_hash(db):
    # Recomputing the altered event's own hash still breaks the link from the event after it.
    events = write_events(make_practice(), 3)
    altered = AuditEvent.objects.get(pk=events[1].pk)
    altered.action = "clients.client.updated"
    raw(
        "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
        altered.action,
        altered.compute_hash(),
        altered.pk,
    )
    _, problems = verify_all()
    assert problems[0].seq == 3
    assert "does not follow" in str(problems[0])


def test_the_verify_command_exits_non_zero_naming_the_event(db, capsys):
    events = write_events(make_practice(), 3)
    call_command("audit", "verify")
    assert "3 events verified" in capsys.readouterr().out
    raw("UPDATE audit_auditevent SET user_agent = 'forged' WHERE id = %s", events[0].pk)
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    assert f"event #1 (id {events[0].pk}) was altered" in capsys.readouterr().err
