"""Counts: the initial and biennial inventories and shift-change counts, and their discrepancies."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from kapstone.register import counts, services
from kapstone.register.models import AppendOnlyError, Container, Count, Discrepancy, Entry
from kapstone.register.services import RegisterError

from .builders import ketamine_lozenges, ketamine_vial, make_location, receive, register_problems, request_as

pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def stocked(world):
    location = make_location(world.practice)
    sealed, opened = receive(
        world.members["prescriber"], location, ketamine_vial(world.practice), containers=2
    )
    services.draw_for_dose(
        request_as(world.members["prescriber"]),
        container=opened,
        client=world.client,
        administration_ref="a-1",
        ml=Decimal(3),
    )
    return location, sealed, opened


def count(world, location, lines, kind="ad_hoc", business_time="shift", member="prescriber"):
    return counts.record_count(
        request_as(world.members[member]),
        location=location,
        kind=kind,
        business_time=business_time,
        taken_at=timezone.now() - timedelta(minutes=1),
        lines=[counts.Counted(container, Decimal(found), method) for container, found, method in lines],
    )


def test_a_count_that_matches_opens_no_discrepancy(world, stocked):
    location, sealed, opened = stocked
    taken = count(world, location, [(sealed, 10, "exact"), (opened, 7, "estimated")])
    assert [(line.expected, line.counted) for line in taken.lines.all()] == [(10, 10), (7, 7)]
    assert not Discrepancy.objects.exists() and mail.outbox == []


def test_a_difference_opens_a_discrepancy_and_tells_the_admins(
    world, stocked, django_capture_on_commit_callbacks
):
    location, sealed, opened = stocked
    with django_capture_on_commit_callbacks(execute=True):
        count(world, location, [(sealed, 10, "exact"), (opened, "6.5", "estimated")])
    discrepancy = Discrepancy.objects.get()
    assert discrepancy.container == opened and discrepancy.line.difference == Decimal("-0.5")
    assert [message.to for message in mail.outbox] == [[world.members["admin"].user.email]]
    assert "V-0002" in mail.outbox[0].subject and world.client.legal_last_name not in mail.outbox[0].body
    assert register_problems(world.practice) == [
        f"count discrepancy on container V-0002 found {discrepancy.line.count.taken_at:%Y-%m-%d} "
        "is not explained"
    ]


def test_an_explanation_closes_it_and_may_set_the_register_to_the_count(world, stocked):
    location, sealed, opened = stocked
    count(world, location, [(sealed, 10, "exact"), (opened, "6.5", "estimated")])
    discrepancy = Discrepancy.objects.get()
    with pytest.raises(RegisterError, match="Explain what happened"):
        counts.explain_discrepancy(
            request_as(world.members["admin"]), discrepancy, explanation=" ", adjust=True
        )
    entry = counts.explain_discrepancy(
        request_as(world.members["admin"]),
        discrepancy,
        explanation="Spilled 0.5 mL drawing the dose; not recorded as waste.",
        adjust=True,
    )
    assert entry.kind == "explanation" and entry.quantity == Decimal("-0.5")
    assert entry.recorded_by == world.members["admin"].user
    assert Container.objects.get(pk=opened.pk).balance == Decimal("6.5")
    assert not Discrepancy.objects.get().is_open and register_problems(world.practice) == []
    with pytest.raises(RegisterError, match="already explained"):
        counts.explain_discrepancy(
            request_as(world.members["admin"]), discrepancy, explanation="again", adjust=False
        )


def test_sealed_containers_are_counted_exactly(world, stocked):
    location, sealed, opened = stocked
    with pytest.raises(RegisterError, match="V-0001 is sealed: count it exactly"):
        count(world, location, [(sealed, 10, "estimated"), (opened, 7, "estimated")])


def test_an_opened_box_of_many_tablets_is_counted_exactly(world):
    location = make_location(world.practice)
    (box,) = receive(world.members["prescriber"], location, ketamine_lozenges(world.practice, per_box=1001))
    services.draw_for_dose(
        request_as(world.members["prescriber"]),
        container=box,
        client=world.client,
        administration_ref="a",
        units=1,
    )
    with pytest.raises(RegisterError, match="count it exactly"):
        count(world, location, [(box, 1000, "estimated")])


def test_every_container_on_hand_is_counted(world, stocked):
    location, sealed, _ = stocked
    with pytest.raises(RegisterError, match="missing: V-0002"):
        count(world, location, [(sealed, 10, "exact")])


def test_an_inventory_is_taken_at_opening_or_close_and_the_initial_one_once(world):
    location = make_location(world.practice)
    with pytest.raises(RegisterError, match="opening or the close of business"):
        count(world, location, [], kind="initial", business_time="shift")
    initial = count(world, location, [], kind="initial", business_time="opening")  # a zero inventory
    assert initial.lines.count() == 0
    with pytest.raises(RegisterError, match=r"initial inventory of .* was taken on"):
        count(world, location, [], kind="initial", business_time="close")


def test_the_biennial_inventory_is_due_two_years_after_the_last(world):
    location = make_location(world.practice)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=world.practice.zone)):
        count(world, location, [], kind="initial", business_time="opening")
    assert counts.next_biennial_due(location) == date(2028, 3, 2)


def test_counts_are_append_only(world, stocked):
    location, sealed, opened = stocked
    taken = count(world, location, [(sealed, 10, "exact"), (opened, 7, "exact")])
    with pytest.raises(AppendOnlyError):
        Count.objects.filter(pk=taken.pk).delete()
    assert Entry.objects.filter(kind="explanation").count() == 0
