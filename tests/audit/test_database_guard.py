"""PostgreSQL itself refuses to change or delete an audit event; chain heads can be exported."""

import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kapstone.audit.models import AuditEvent
from kapstone.audit.services import log_event

from ..factories import make_practice

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger is PostgreSQL's; SQLite has no separate database users to defend against",
)


def raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@on_postgresql
@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("UPDATE audit_auditevent SET action = 'clients.client.updated' WHERE id = %s", "UPDATE"),
        ("DELETE FROM audit_auditevent WHERE id = %s", "DELETE"),
    ],
)
def test_raw_sql_cannot_change_or_delete_an_event(db, sql, operation):
    event = log_event(action="clients.chart.viewed", practice=make_practice())
    refused = pytest.raises(DatabaseError, match=f"audit events are append-only: {operation}")
    with refused, transaction.atomic():
        raw(sql, event.pk)
    assert AuditEvent.objects.get(pk=event.pk).action == "clients.chart.viewed"


@on_postgresql
def test_the_trail_still_grows_and_verifies_with_the_trigger_in_place(db, capsys):
    practice = make_practice()
    for _ in range(3):
        log_event(action="clients.chart.viewed", practice=practice)
    call_command("audit", "verify")
    assert "3 events verified" in capsys.readouterr().out


def test_heads_print_each_chains_newest_event_as_json(db, capsys):
    north, south = make_practice(name="North Clinic"), make_practice(name="South Clinic")
    with time_machine.travel("2026-03-02 14:00:00+00:00", tick=False):
        log_event(action="clients.chart.viewed", practice=north)
        newest_north = log_event(action="clients.chart.viewed", practice=north)
        newest_south = log_event(action="clients.chart.viewed", practice=south)
    call_command("audit", "heads", "--format", "json")
    heads = {head["chain"]: head for head in json.loads(capsys.readouterr().out)}
    assert heads[str(north.pk)] == {
        "chain": str(north.pk),
        "practice": "North Clinic",
        "seq": 2,
        "event_id": newest_north.pk,
        "hash": newest_north.hash,
        "occurred_at": "2026-03-02T14:00:00+00:00",
    }
    assert heads[str(south.pk)]["event_id"] == newest_south.pk
    assert heads[str(south.pk)]["hash"] == newest_south.hash
    assert set(heads) == {str(north.pk), str(south.pk)}


def test_heads_as_text_name_the_practice_and_hash(db, capsys):
    practice = make_practice(name="North Clinic")
    event = log_event(action="clients.chart.viewed", practice=practice)
    call_command("audit", "heads")
    line = capsys.readouterr().out.strip()
    assert "North Clinic" in line and event.hash in line and f"event {event.pk}" in line
