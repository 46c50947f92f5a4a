"""Where a dose comes from: every dose from stock draws from a named container of the register in the
same transaction, and a pharmacy-dispensed route records its prescription instead (docs/register.md)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.clinical.protocols import get_protocol
from kapstone.register import services as register_services
from kapstone.register.models import Entry, EntryKind
from kapstone.register.verify import CHECKS, check_register
from kapstone.sessions import recording, supply
from kapstone.sessions.board import board_cards
from kapstone.sessions.models import DoseAdministration, ProtocolSetting
from kapstone.sessions.services import SessionError, order_dose, record_administration
from kapstone.sessions.supply import SupplyError, check_doses_drawn, set_supply

from ..register.builders import esketamine_device, ketamine_vial, make_location, receive
from .builders import confirm, dose, make_session, name_handler, request_for, stock_for


def ordered(world, session, amount=100, strength=100):
    confirm(session, world.members["monitor"])
    return order_dose(
        request_for(world.members["prescriber"]),
        session,
        dose=amount,
        weight_kg=70,
        stock_strength=strength,
        override_reason="test",
    )


def give(world, session, order, container, member="prescriber", amount=None, **extra):
    return record_administration(
        request_for(world.members[member]),
        session,
        order,
        given_at=timezone.now(),
        amount_mg=amount if amount is not None else order.dose_mg,
        container=container,
        **extra,
    )


def test_a_dose_draws_its_amount_from_the_container_named_with_its_lot(world, scoped):
    session = make_session(world.client, protocol_id="intramuscular")
    order = ordered(world, session, amount=Decimal("0.5"))  # 35 mg at 70 kg = 0.35 mL of 100 mg/mL
    vial = stock_for(session, 100)
    given = give(world, session, order, vial)
    vial.refresh_from_db()
    assert vial.balance == vial.capacity - Decimal("0.35")
    assert vial.state == "open"
    draw = given.draw
    assert (draw.kind, draw.quantity, draw.mg, draw.container) == (
        EntryKind.DRAW,
        Decimal("-0.35"),
        -35,
        vial,
    )
    assert (draw.client, draw.given_by, draw.administration_ref) == (
        world.client,
        world.members["prescriber"].user,
        f"session 1, dose {given.pk}",
    )
    assert given.lot_number == vial.lot
    assert check_doses_drawn(world.practice) == []


def test_no_dose_from_stock_without_a_container_and_nothing_is_recorded(world, scoped):
    session = make_session(world.client)
    order = ordered(world, session)
    with pytest.raises(SessionError, match="Choose the container the dose was drawn from"):
        give(world, session, order, None)
    assert not DoseAdministration.objects.exists()


def test_a_container_that_does_not_hold_what_was_ordered_is_refused(world, scoped):
    session = make_session(world.client, protocol_id="intramuscular")
    order = ordered(world, session, amount=Decimal("0.5"))
    location = make_location(world.practice)
    weak = receive(world.members["prescriber"], location, ketamine_vial(world.practice, strength_mg=10))[0]
    with pytest.raises(SessionError, match=r"is 10 mg/mL; the dose was ordered with 100 mg/mL stock"):
        give(world, session, order, weak)
    nasal = receive(world.members["prescriber"], location, esketamine_device(world.practice))[0]
    with pytest.raises(SessionError, match=r"holds Esketamine HCl; this session gives ketamine"):
        give(world, session, order, nasal)
    assert not DoseAdministration.objects.exists()
    assert not Entry.objects.filter(kind=EntryKind.DRAW).exists()


def test_a_container_with_too_little_left_refuses_the_dose_and_says_how_much_it_holds(world, scoped):
    session = make_session(world.client, protocol_id="esketamine_intranasal")
    order = ordered(world, session, amount=56, strength=28)
    device = stock_for(session, 28)  # one device: 28 mg
    with pytest.raises(SessionError, match=r"Container D-\d+ holds 1 unit; 2 units requested."):
        give(world, session, order, device)
    assert not DoseAdministration.objects.exists()
    # Device by device, each from its own container, is how a nasal dose is given.
    give(world, session, order, device, amount=28)
    give(world, session, order, stock_for(session, 28), amount=28)
    assert DoseAdministration.objects.count() == 2
    assert check_doses_drawn(world.practice) == []


def test_a_monitor_not_named_to_move_stock_is_told_who_can_record_the_dose(world, scoped):
    session = make_session(world.client)
    order = ordered(world, session)
    box = stock_for(session)
    with pytest.raises(SessionError, match="you are not named to move stock: a prescriber records this dose"):
        give(world, session, order, box, member="monitor")
    name_handler(world.members["monitor"])
    assert give(world, session, order, box, member="monitor").draw is not None


def test_a_corrected_amount_corrects_the_draw_and_a_dose_entered_in_error_returns_it(world, scoped):
    session = make_session(world.client)
    given = dose(session, world.members["prescriber"], world.members["monitor"], amount=200)
    box = given.container
    box.refresh_from_db()
    assert box.balance == box.capacity - 2  # two 100 mg troches
    corrected = recording.amend(
        request_for(world.members["monitor"]),
        given,
        reason="Only half of the second troche was given",
        given_at=given.given_at,
        amount_mg=Decimal(150),
        note="",
    )
    box.refresh_from_db()
    assert box.balance == box.capacity - Decimal("1.5")
    assert corrected.draw == given.draw and corrected.container == box
    correction = Entry.objects.get(kind=EntryKind.CORRECTION)
    assert correction.corrects == given.draw and correction.quantity == Decimal("0.5")
    assert check_doses_drawn(world.practice) == []
    recording.amend(
        request_for(world.members["monitor"]),
        corrected,
        reason="Recorded on the wrong client",
        entered_in_error=True,
    )
    box.refresh_from_db()
    assert box.balance == box.capacity
    assert check_register(world.practice) == []


def test_the_register_check_finds_a_dose_without_its_draw(world, scoped):
    assert check_doses_drawn in CHECKS
    session = make_session(world.client)
    given = dose(session, world.members["prescriber"], world.members["monitor"], amount=100)
    DoseAdministration.objects.filter(pk=given.pk).update(draw=None)
    orphan, no_draw = check_register(world.practice)
    assert no_draw.startswith(f"dose of 100 mg to {world.client}")
    assert no_draw.endswith("has no draw from the register")
    assert orphan.endswith("belongs to no dose administration")


def test_the_register_check_finds_a_draw_that_belongs_to_no_dose(world, scoped):
    session = make_session(world.client)
    box = stock_for(session)
    entry = register_services.draw_for_dose(
        request_for(world.members["prescriber"]),
        container=box,
        client=world.client,
        administration_ref="paper",
        units=1,
    )
    assert check_register(world.practice) == [
        f"draw entry #{entry.seq} from container {box.code} belongs to no dose administration"
    ]


def test_the_session_page_and_the_board_show_which_container_a_dose_came_from(world, scoped, login):
    session = make_session(world.client)
    given = dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        at=timezone.now() - timedelta(minutes=5),
    )
    code = given.container.code
    page = login(world.members["monitor"]).get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert f">{code}</a>, lot {given.lot_number}" in page
    [card] = [c for c in board_cards(world.members["monitor"], timezone.now()) if c.session == session]
    assert card.dose_text.endswith(f"given from {code}")


def test_a_sublingual_route_dispensed_by_a_pharmacy_records_the_prescription_instead(world, scoped, login):
    admin = request_for(world.members["admin"])
    with pytest.raises(SupplyError, match="only a sublingual route can be dispensed by a pharmacy"):
        set_supply(admin, world.practice, get_protocol("esketamine_intranasal"), "pharmacy", "Home use")
    with pytest.raises(SupplyError, match="Only an admin or a prescriber"):
        set_supply(
            request_for(world.members["monitor"]), world.practice, get_protocol("sublingual"), "pharmacy", "x"
        )
    set_supply(admin, world.practice, get_protocol("sublingual"), "pharmacy", "Clients bring their troches")
    assert ProtocolSetting.objects.get(protocol_id="sublingual").supply == "pharmacy"
    session = make_session(world.client)
    order = ordered(world, session)
    with pytest.raises(SessionError, match="enter the prescription reference"):
        give(world, session, order, None)
    url = reverse("sessions:administer", args=[session.pk])
    monitor = login(world.members["monitor"])
    page = monitor.get(url).content.decode()
    assert "Prescription reference" in page and "Drawn from" not in page
    now = timezone.localtime(timezone.now(), world.practice.zone).strftime("%Y-%m-%dT%H:%M")
    form = {
        "order": order.pk,
        "given_at": now,
        "amount_mg": "100",
        "prescription_ref": "RX 448120",
        "lot_number": "C-17",
    }
    assert monitor.post(url, form).status_code == 302
    given = DoseAdministration.objects.get()
    assert (given.container, given.draw, given.prescription_ref, given.lot_number) == (
        None,
        None,
        "RX 448120",
        "C-17",
    )
    assert check_doses_drawn(world.practice) == []
    assert not Entry.objects.exists()


def test_the_dose_form_offers_the_open_container_first_and_never_an_expired_one(world, scoped, login):
    session = make_session(world.client)
    order = ordered(world, session)
    sealed_first = stock_for(session)
    opened = next(c for c in supply.containers_for(session) if c != sealed_first)
    give(world, session, order, opened, amount=50)
    assert supply.containers_for(session)[0] == opened
    assert supply.containers_for(session, on=opened.expires_on + timedelta(days=1)) == []
    page = (
        login(world.members["monitor"])
        .get(reverse("sessions:administer", args=[session.pk]))
        .content.decode()
    )
    assert page.index(opened.code) < page.index(sealed_first.code)


def test_an_admin_marks_the_sublingual_route_as_pharmacy_dispensed_on_the_protocols_page(
    world, scoped, login
):
    admin = login(world.members["admin"])
    page = admin.get(reverse("sessions:protocols")).content.decode()
    assert "the practice's register (each dose drawn from a named container)" in page
    url = reverse("sessions:protocol_supply", args=["iv_infusion"])
    page = admin.post(url, {"supply": "pharmacy", "reason": "Try it"}).content.decode()
    assert "only a sublingual route can be dispensed by a pharmacy" in page
    url = reverse("sessions:protocol_supply", args=["sublingual"])
    page = admin.post(url, {"supply": "pharmacy", "reason": ""}).content.decode()
    assert "Give a reason for the change." in page
    assert re.search(r'<input type="radio" name="supply" value="pharmacy"[^>]*checked', page)
    response = admin.post(url, {"supply": "pharmacy", "reason": "Clients bring their troches"}, follow=True)
    assert "a pharmacy, dispensed to the client" in response.content.decode()
    event = AuditEvent.objects.get(action="sessions.protocol.supply_changed")
    assert event.data == {
        "protocol": "sublingual",
        "old": "register",
        "new": "pharmacy",
        "reason": "Clients bring their troches",
    }
