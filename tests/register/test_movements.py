"""Every movement of stock through the services: what each records, and what each refuses and why."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapstone.audit.models import AuditEvent
from kapstone.register import services
from kapstone.register.models import Container, Entry, RegisterHandler, ReportingTask, Stock, StoragePlace
from kapstone.register.services import RegisterError
from tests.factories import PASSWORD

from .builders import (
    esketamine_device,
    ketamine_lozenges,
    ketamine_vial,
    make_location,
    receive,
    request_as,
    safe_of,
)

pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def stocked(world):
    location = make_location(world.practice)
    vials = receive(world.members["prescriber"], location, ketamine_vial(world.practice), containers=2)
    return location, vials


def draw(world, vial, member="prescriber", **amount):
    return services.draw_for_dose(
        request_as(world.members[member]),
        container=vial,
        client=world.client,
        administration_ref="administration-1",
        **amount,
    )


def refresh(container) -> Container:
    return Container.objects.get(pk=container.pk)


def test_a_receipt_labels_each_container_and_fills_the_stock(world, stocked):
    location, vials = stocked
    assert [v.code for v in vials] == ["V-0001", "V-0002"]
    assert all(v.state == "sealed" and v.balance == Decimal(10) for v in vials)
    stock = Stock.objects.get(location=location)
    assert stock.balance == Decimal(20)
    receipt = vials[0].receipt
    assert (
        receipt.supplier_dea_number == "RA1234567" and receipt.received_by == world.members["prescriber"].user
    )
    assert [e.kind for e in Entry.objects.order_by("seq")] == ["receipt", "receipt"]


def test_product_descriptions_read_like_the_inventory_rule(world):
    assert str(ketamine_vial(world.practice)) == "Ketamine HCl injection (solution) 50 mg/mL, 10 mL vial"
    assert str(esketamine_device(world.practice)) == "Esketamine HCl 28 mg nasal device"
    assert str(ketamine_lozenges(world.practice, 30)) == "Ketamine HCl 100 mg lozenge (troche), box of 30"


def test_a_draw_takes_mg_and_ml_and_opens_the_vial(world, stocked):
    _, (vial, _) = stocked
    entry = draw(world, vial, mg=Decimal(100), ml=Decimal(2))
    assert (entry.quantity, entry.mg, entry.container_balance_after) == (
        Decimal(-2),
        Decimal(-100),
        Decimal(8),
    )
    assert entry.client == world.client and entry.given_by == world.members["prescriber"].user
    assert refresh(vial).state == "open"
    assert draw(world, vial, mg=Decimal(50)).quantity == Decimal(-1)  # mL follow from the strength


def test_mg_and_ml_that_disagree_are_refused(world, stocked):
    _, (vial, _) = stocked
    with pytest.raises(RegisterError, match=r"2 mL of 50 mg/mL is 100 mg, not 90 mg"):
        draw(world, vial, mg=Decimal(90), ml=Decimal(2))


def test_a_draw_larger_than_the_container_says_what_it_holds(world, stocked):
    _, (vial, _) = stocked
    draw(world, vial, ml=Decimal(7))
    with pytest.raises(RegisterError, match=r"^Container V-0001 holds 3\.0 mL; 5\.0 mL requested\.$"):
        draw(world, vial, ml=Decimal(5))
    assert refresh(vial).balance == Decimal(3)


def test_the_last_draw_empties_the_container_and_nothing_more_is_drawn(world, stocked):
    _, (vial, _) = stocked
    draw(world, vial, ml=Decimal(10))
    assert refresh(vial).state == "empty"
    with pytest.raises(RegisterError, match="V-0001 is empty"):
        draw(world, vial, ml=Decimal("0.1"))


def test_units_for_devices_and_lozenges(world):
    location = make_location(world.practice)
    (device,) = receive(world.members["prescriber"], location, esketamine_device(world.practice))
    entry = draw(world, device, units=Decimal(1))
    assert entry.mg == Decimal(-28) and refresh(device).state == "empty"
    (box,) = receive(world.members["prescriber"], location, ketamine_lozenges(world.practice, 10))
    assert draw(world, box, mg=Decimal(200)).quantity == Decimal(-2)
    with pytest.raises(RegisterError, match="counted in units, not mL"):
        draw(world, box, ml=Decimal(1))


def test_an_expired_container_cannot_be_drawn_from(world):
    location = make_location(world.practice)
    (vial,) = receive(
        world.members["prescriber"], location, ketamine_vial(world.practice), expires_on=date(2026, 1, 31)
    )
    with (
        time_machine.travel(datetime(2026, 2, 1, 9, tzinfo=world.practice.zone)),
        pytest.raises(RegisterError, match="V-0001 expired on 2026-01-31"),
    ):
        draw(world, vial, ml=Decimal(1))


def test_a_draw_names_its_dose_administration(world, stocked):
    _, (vial, _) = stocked
    with pytest.raises(RegisterError, match="names the dose administration"):
        services.draw_for_dose(
            request_as(world.members["prescriber"]),
            container=vial,
            client=world.client,
            administration_ref="",
            ml=1,
        )


def test_a_draw_cannot_be_dated_in_the_future(world, stocked):
    _, (vial, _) = stocked
    with pytest.raises(RegisterError, match="A draw cannot be in the future") as refused:
        services.draw_for_dose(
            request_as(world.members["prescriber"]),
            container=vial,
            client=world.client,
            administration_ref="administration-1",
            ml=1,
            occurred_at=timezone.now() + timedelta(hours=1),
        )
    assert refused.value.field == "date"
    assert not Entry.objects.filter(container=vial, kind="draw").exists()


def test_only_prescribers_admins_and_named_staff_move_stock(world, stocked):
    _, (vial, _) = stocked
    with pytest.raises(PermissionDenied):
        draw(world, vial, member="monitor", ml=Decimal(1))
    with pytest.raises(PermissionDenied):
        draw(world, vial, member="front_desk", ml=Decimal(1))
    RegisterHandler.objects.create(practice=world.practice, membership=world.members["monitor"])
    assert draw(world, vial, member="monitor", ml=Decimal(1)).recorded_by == world.members["monitor"].user


def waste(world, vial, witness="monitor", password=PASSWORD, member="prescriber", quantity=Decimal("0.5")):
    return services.record_waste(
        request_as(world.members[member]),
        container=vial,
        quantity=quantity,
        manner="Into the drug-waste container",
        witness=world.members[witness].user if witness else None,
        witness_password=password,
    )


def test_waste_is_witnessed_by_a_second_member_with_their_own_password(world, stocked):
    _, (vial, _) = stocked
    draw(world, vial, ml=Decimal(2))
    entry = waste(world, vial)
    assert entry.witness == world.members["monitor"].user and entry.witnessed_at is not None
    assert entry.quantity == Decimal("-0.5") and refresh(vial).balance == Decimal("7.5")


@pytest.mark.parametrize(
    ("witness", "password", "message"),
    [
        ("prescriber", PASSWORD, "cannot witness your own entry"),
        ("monitor", "not the password", "not A monitor's password|not .*'s password"),
        ("monitor", "", "types their own password"),
        ("front_desk", PASSWORD, "not a clinical member"),
        (None, PASSWORD, "Choose the second staff member"),
    ],
)
def test_waste_without_a_true_witness_is_refused(world, stocked, witness, password, message):
    _, (vial, _) = stocked
    with pytest.raises(RegisterError, match=message):
        waste(world, vial, witness=witness, password=password)
    assert refresh(vial).balance == Decimal(10)
    assert not Entry.objects.filter(kind="waste").exists()


def test_a_member_of_another_practice_cannot_witness(world, stocked):
    _, (vial, _) = stocked
    with pytest.raises(RegisterError, match="not a clinical member"):
        services.record_waste(
            request_as(world.members["prescriber"]),
            container=vial,
            quantity=Decimal(1),
            manner="sink",
            witness=world.other_members["monitor"].user,
            witness_password=PASSWORD,
        )


def test_a_transfer_moves_the_balance_between_locations(world, stocked):
    location, (vial, _) = stocked
    other = make_location(world.practice)
    out, arrived = services.transfer(
        request_as(world.members["prescriber"]), container=vial, to_storage=safe_of(other)
    )
    assert (out.stock_delta, arrived.stock_delta) == (Decimal(-10), Decimal(10))
    assert Stock.objects.get(location=location).balance == Decimal(10)
    assert Stock.objects.get(location=other).balance == Decimal(10)
    assert refresh(vial).location == other and refresh(vial).balance == Decimal(10)


def test_a_transfer_within_a_location_moves_the_container_only(world, stocked):
    location, (vial, _) = stocked
    cabinet = StoragePlace.objects.create(
        practice=world.practice, location=location, name="Cab", kind="locked_cabinet"
    )
    services.transfer(request_as(world.members["prescriber"]), container=vial, to_storage=cabinet)
    assert refresh(vial).storage == cabinet and Stock.objects.get(location=location).balance == Decimal(20)


def test_a_return_and_a_destruction_dispose_of_the_whole_container(world, stocked):
    location, (first, second) = stocked
    entry = services.return_to_distributor(
        request_as(world.members["prescriber"]),
        container=first,
        distributor="Returns Co, 2 Dock Rd, Reno NV, DEA RR7654321",
        reference="RMA-88",
    )
    assert entry.quantity == Decimal(-10) and refresh(first).state == "disposed"
    with pytest.raises(RegisterError, match="Form 41 reference"):
        services.destroy(
            request_as(world.members["prescriber"]),
            container=second,
            form_41_reference="",
            manner="Incinerated",
            witness=world.members["monitor"].user,
            witness_password=PASSWORD,
        )
    entry = services.destroy(
        request_as(world.members["prescriber"]),
        container=second,
        form_41_reference="F41-2026-3",
        manner="Incinerated on site",
        witness=world.members["monitor"].user,
        witness_password=PASSWORD,
    )
    assert entry.reference == "F41-2026-3" and entry.witness == world.members["monitor"].user
    assert Stock.objects.get(location=location).balance == 0
    with pytest.raises(RegisterError, match="V-0002 is disposed: nothing can be drawn from it"):
        draw(world, second, ml=Decimal(1))


def test_a_loss_opens_its_two_reporting_tasks_with_due_dates(world, stocked):
    _, (vial, _) = stocked
    friday = datetime(2026, 11, 6, 16, tzinfo=world.practice.zone)
    with time_machine.travel(datetime(2026, 11, 6, 17, tzinfo=world.practice.zone)):
        report = services.report_loss(
            request_as(world.members["prescriber"]),
            container=vial,
            kind="theft",
            quantity=Decimal(10),
            discovered_at=friday,
            description="The vial is missing from the safe.",
        )
    due = {task.kind: task.due_on for task in report.tasks.all()}
    assert due == {"written_notice": date(2026, 11, 9), "form_106": date(2026, 12, 21)}  # Monday; 45 days
    assert refresh(vial).state == "empty" and report.entry.quantity == Decimal(-10)
    task = report.tasks.get(kind="written_notice")
    assert task.status_on(date(2026, 11, 9)) == "due" and task.status_on(date(2026, 11, 10)) == "overdue"
    services.complete_task(request_as(world.members["admin"]), task, reference="Letter to the field office")
    assert ReportingTask.objects.get(pk=task.pk).status_on(date(2026, 12, 1)) == "done"


def test_a_set_aside_container_is_not_drawn_from_but_stays_on_hand(world, stocked):
    _, (vial, _) = stocked
    services.set_aside(
        request_as(world.members["prescriber"]), container=vial, state="quarantined", reason="Recall"
    )
    with pytest.raises(RegisterError, match="V-0001 is quarantined"):
        draw(world, vial, ml=Decimal(1))
    assert refresh(vial).balance == Decimal(10)


def test_a_correction_points_at_the_entry_and_the_balance_follows(world, stocked):
    _, (vial, _) = stocked
    mistaken = draw(world, vial, ml=Decimal(2))
    correction = services.correct_entry(
        request_as(world.members["prescriber"]),
        entry=mistaken,
        corrected=Decimal("1.5"),
        reason="Typed 2 for 1.5",
    )
    assert correction.corrects == mistaken and correction.quantity == Decimal("0.5")
    assert refresh(vial).balance == Decimal("8.5")
    assert services.effective_amount(Entry.objects.get(pk=mistaken.pk)) == Decimal("1.5")
    assert Entry.objects.get(pk=mistaken.pk).quantity == Decimal(-2)  # the original stays as it was
    with pytest.raises(RegisterError, match=r"more than the 10\.0 mL it arrived with"):
        services.correct_entry(
            request_as(world.members["prescriber"]),
            entry=vial.entries.get(kind="receipt"),
            corrected=Decimal(12),
            reason="Overfilled?",
        )


def test_every_entry_writes_an_audit_event(world, stocked):
    _, (vial, _) = stocked
    draw(world, vial, ml=Decimal(1))
    waste(world, vial)
    actions = list(
        AuditEvent.objects.filter(practice=world.practice).order_by("seq").values_list("action", flat=True)
    )
    assert actions.count("register.receipt.recorded") == 2
    assert actions[-2:] == ["register.draw.recorded", "register.waste.recorded"]
    draw_event = AuditEvent.objects.get(action="register.draw.recorded")
    assert draw_event.client_id == world.client.pk


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.decimals(min_value="0.1", max_value="4", places=1), min_size=1, max_size=12))
def test_any_sequence_of_draws_keeps_the_balance_equal_to_the_entries(world, amounts):
    (vial,) = receive(
        world.members["prescriber"], make_location(world.practice), ketamine_vial(world.practice)
    )
    balance = Decimal(10)
    for amount in amounts:
        if amount <= balance:
            draw(world, vial, ml=amount)
            balance -= amount
        else:
            held = f"holds {vial.amount(balance)}; {vial.amount(amount)} requested"
            with pytest.raises(RegisterError, match="is empty" if balance == 0 else held):
                draw(world, vial, ml=amount)
    stored = refresh(vial)
    assert stored.balance == balance == sum(e.quantity for e in stored.entries.all())
    assert stored.state == ("empty" if balance == 0 else "open" if balance < 10 else "sealed")


def test_a_caller_without_a_request_names_who_gave_the_dose(world, stocked):
    _, (vial, _) = stocked
    giver = world.members["prescriber"].user
    entry = services.draw_for_dose(
        None, container=vial, client=world.client, administration_ref="adm-7", ml=Decimal(1), given_by=giver
    )
    assert entry.given_by == giver and entry.recorded_by == giver
