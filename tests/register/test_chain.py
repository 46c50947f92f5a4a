"""Entries are append-only and hash-chained; ``kapstone register check`` finds every break."""

import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from kapstone.register.models import AppendOnlyError, Container, Entry, Stock
from kapstone.register.verify import CHECKS, check_register

from ..sessions.builders import dose, make_session
from .builders import ketamine_vial, make_location, receive

pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def register(world):
    """A 10 mL vial of 100 mg/mL received, and a 200 mg intramuscular dose drawn from it (2 mL)."""
    location = make_location(world.practice)
    (vial,) = receive(world.members["prescriber"], location, ketamine_vial(world.practice, strength_mg=100))
    session = make_session(world.client, protocol_id="intramuscular")
    dose(session, world.members["prescriber"], world.members["monitor"], amount=2, weight="100", strength=100)
    return vial


def test_entries_cannot_be_changed_or_deleted_through_the_orm(register):
    entry = Entry.objects.get(kind="draw")
    entry.note = "edited"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(note="edited")
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()


def test_each_entry_follows_the_one_before_it(register, world):
    first, second = Entry.objects.order_by("seq")
    assert (first.seq, second.seq) == (1, 2) and second.prev_hash == first.hash
    assert check_register(world.practice) == []


def test_the_database_refuses_a_negative_balance_even_without_the_service(register):
    with pytest.raises(IntegrityError), transaction.atomic():
        Container.objects.filter(pk=register.pk).update(balance=Decimal(-1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(product=register.product).update(balance=Decimal(-1))


def test_the_database_refuses_self_witnessing(register, world):
    vial = register
    user = world.members["prescriber"].user
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            practice=world.practice,
            seq=99,
            kind="waste",
            container=vial,
            product=vial.product,
            location=vial.location,
            quantity=0,
            stock_delta=0,
            mg=0,
            container_balance_after=8,
            stock_balance_after=8,
            occurred_at=vial.created_at,
            recorded_by=user,
            witness=user,
            prev_hash="0",
            hash="0",
        )


def tamper(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_check_finds_an_altered_entry(register, world):
    tamper("UPDATE register_entry SET note = %s WHERE seq = 2", "nothing happened")
    assert check_register(world.practice) == ["entry #2 was altered: its content no longer matches its hash"]


def test_check_finds_a_removed_entry(register, world):
    tamper("UPDATE medicine_sessions_doseadministration SET draw_id = NULL")
    tamper("DELETE FROM register_entry WHERE seq = 2")
    problems = check_register(world.practice)
    assert any(p.endswith("has no draw from the register") for p in problems)
    assert "entries after #1 are missing (the register should end at #2)" in problems
    assert "container V-0001: stored balance 8.0 mL, entries add up to 10.0 mL" in problems


def test_check_finds_a_balance_changed_behind_the_registers_back(register, world):
    tamper("UPDATE register_container SET balance = 9 WHERE id = %s", register.pk.hex)
    problems = check_register(world.practice)
    assert problems == ["container V-0001: stored balance 9.0 mL, entries add up to 8.0 mL"]


def test_the_check_command_exits_non_zero_with_one_line_per_problem(register, world, capsys):
    call_command("register", "check", "--practice", world.practice.slug)
    assert "is whole" in capsys.readouterr().out
    tamper("UPDATE register_container SET balance = 9 WHERE id = %s", register.pk.hex)
    with pytest.raises(CommandError) as raised:
        call_command("register", "check", "--practice", world.practice.slug)
    assert raised.value.returncode == 1
    assert (
        "PROBLEM container V-0001: stored balance 9.0 mL, entries add up to 8.0 mL" in capsys.readouterr().err
    )


def test_the_check_command_refuses_an_unknown_practice(db):
    with pytest.raises(CommandError, match="No practice with the slug 'nowhere'"):
        call_command("register", "check", "--practice", "nowhere")


def test_checks_are_a_list_to_extend():
    names = [check.__name__ for check in CHECKS]
    assert names[:3] == ["check_chain", "check_container_balances", "check_stock_balances"]


@pytest.mark.django_db(transaction=True)
def test_the_real_cli_prints_help_for_register():
    result = subprocess.run(
        [sys.executable, "-m", "kapstone.cli", "register", "--help"],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "check" in result.stdout and "report" in result.stdout
