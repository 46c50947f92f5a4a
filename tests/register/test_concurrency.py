"""Concurrent draws from one container: the row lock serialises them, so none is lost and the balance
never goes negative. Runs on PostgreSQL, where ``select_for_update`` takes a real row lock."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, connections

from kapstone.practice.tenancy import scopes_disabled
from kapstone.register import services
from kapstone.register.models import Container, Entry, Stock
from tests.conftest import build_world

from .builders import ketamine_vial, make_location, receive, register_problems, request_as

THREADS, DRAWS_EACH, DOSE_ML = 8, 5, Decimal("0.7")

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite has no row locks: it serialises writers for the whole database (and the in-memory test "
    "database is not shared between threads). Run with DATABASE_URL=postgres://... to test the locks.",
)


def test_many_threads_drawing_from_one_vial_never_overdraw_it(transactional_db):
    world = build_world()
    prescriber = world.members["prescriber"]
    location = make_location(world.practice)
    (vial,) = receive(prescriber, location, ketamine_vial(world.practice))  # 10 mL: serves 14 of 40 draws
    start = threading.Barrier(THREADS)
    accepted: list[Decimal] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def nurse(n: int) -> None:
        try:
            start.wait()
            with scopes_disabled():
                for i in range(DRAWS_EACH):
                    try:
                        entry = services.draw_for_dose(
                            request_as(prescriber),
                            container=vial,
                            client=world.client,
                            administration_ref=f"thread-{n}-dose-{i}",
                            ml=DOSE_ML,
                        )
                    except services.RegisterError as error:
                        with lock:
                            refused.append(error.message)
                    else:
                        with lock:
                            accepted.append(-entry.quantity)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=nurse, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(accepted) + len(refused) == THREADS * DRAWS_EACH
    assert len(accepted) == 14 and sum(accepted) == Decimal("9.8")
    with scopes_disabled():
        vial = Container.objects.get(pk=vial.pk)
        assert vial.balance == Decimal(10) - sum(accepted) == Decimal("0.2")
        assert Stock.objects.get(location=location).balance == vial.balance
        draws = Entry.objects.filter(container=vial, kind="draw").order_by("seq")
        balances = list(draws.values_list("container_balance_after", flat=True))
        assert balances == sorted(balances, reverse=True) and min(balances) >= 0  # no lost update
        assert len(set(balances)) == len(balances)
        assert register_problems(world.practice) == []
    assert Counter(refused) == {"Container V-0001 holds 0.2 mL; 0.7 mL requested.": len(refused)}
