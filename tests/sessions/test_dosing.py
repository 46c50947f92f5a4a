"""Dose orders and administrations through the views: the arithmetic against hand-computed examples,
refusal outside the protocol and the prescriber's override."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.sessions.models import DoseAdministration, DoseOrder
from kapstone.sessions.services import SessionError, order_dose, record_administration

from .builders import (
    at_minutes,
    confirm,
    dose,
    make_session,
    name_handler,
    request_for,
    stock_for,
    vitals,
)


def order_url(session):
    return reverse("sessions:order", args=[session.pk])


def test_70_kg_at_0_5_mg_per_kg_im_is_35_mg_or_0_35_ml_of_100_mg_per_ml(world, scoped, login):
    session = make_session(world.client, protocol_id="intramuscular")
    client = login(world.members["prescriber"])
    page = client.get(order_url(session)).content.decode()
    assert "Dose (mg/kg)" in page and "Protocol range 0.2 to 2 mg/kg, default 0.5" in page
    response = client.post(
        order_url(session), {"dose": "0.5", "weight_kg": "70", "stock_strength": "100"}, follow=True
    )
    assert (
        "Ordered: 35 mg Intramuscular (0.5 mg/kg at 70 kg) = 0.35 mL of 100 mg/mL."
        in response.content.decode()
    )
    order = DoseOrder.objects.get(session=session)
    assert (order.dose_mg, order.dose_mg_per_kg, order.volume_ml) == (
        Decimal("35.0"),
        Decimal("0.500"),
        Decimal("0.35"),
    )
    assert order.ordered_by == world.members["prescriber"].user and order.problems == []
    assert AuditEvent.objects.filter(action="sessions.dose.ordered", client_id=world.client.pk).exists()


def test_the_same_dose_from_10_mg_per_ml_stock_is_3_5_ml(world, scoped, login):
    session = make_session(world.client, protocol_id="intramuscular")
    login(world.members["prescriber"]).post(
        order_url(session), {"dose": "0.5", "weight_kg": "70", "stock_strength": "10"}
    )
    assert DoseOrder.objects.get(session=session).volume_ml == Decimal("3.50")


def test_an_iv_infusion_gets_its_pump_rate(world, scoped, login):
    session = make_session(world.client, protocol_id="iv_infusion")
    login(world.members["prescriber"]).post(
        order_url(session),
        {
            "dose": "0.5",
            "weight_kg": "70",
            "stock_strength": "10",
            "infusion_minutes": "40",
            "bag_volume_ml": "100",
        },
    )
    order = DoseOrder.objects.get(session=session)
    # 35 mg in 100 mL over 40 min for 70 kg = 150 mL/h = 0.75 mg/kg/h (docs/protocols.md)
    assert (order.dose_mg, order.volume_ml, order.rate_ml_per_h, order.rate_mg_per_kg_per_h) == (
        Decimal("35.0"),
        Decimal("3.50"),
        Decimal("150.0"),
        Decimal("0.750"),
    )


def test_fixed_doses_count_tablets_and_devices(world, scoped, login):
    client = login(world.members["prescriber"])
    sl = make_session(world.client, protocol_id="sublingual")
    client.post(order_url(sl), {"dose": "150", "weight_kg": "75", "stock_strength": "50"})
    order = DoseOrder.objects.get(session=sl)
    assert (order.dose_mg, order.unit_count, order.dose_mg_per_kg) == (
        Decimal("150.0"),
        Decimal("3.00"),
        Decimal("2.000"),
    )
    spravato = make_session(world.unassigned_client, protocol_id="esketamine_intranasal")
    world.unassigned_client.care_team.create(
        practice=world.practice, membership=world.members["prescriber"], role="prescriber"
    )
    client.post(order_url(spravato), {"dose": "56", "stock_strength": "28"})
    assert DoseOrder.objects.get(session=spravato).unit_count == Decimal("2.00")


def test_calculate_shows_the_arithmetic_without_ordering(world, scoped, login):
    session = make_session(world.client, protocol_id="intramuscular")
    page = (
        login(world.members["prescriber"])
        .post(
            order_url(session), {"dose": "0.5", "weight_kg": "70", "stock_strength": "100", "calculate": "1"}
        )
        .content.decode()
    )
    assert "35 mg = 0.5 mg/kg" in page and "0.35 mL of 100 mg/mL" in page and "Within the protocol." in page
    assert not DoseOrder.objects.exists()


def test_a_dose_outside_the_protocol_is_refused_and_says_by_how_much(world, scoped, login):
    session = make_session(world.client, protocol_id="intramuscular")
    client = login(world.members["prescriber"])
    data = {"dose": "2.5", "weight_kg": "70", "stock_strength": "100"}
    page = client.post(order_url(session), data).content.decode()
    assert "The dose is outside the protocol." in page
    assert (
        "2.5 mg/kg (175 mg) is above the protocol maximum of 2 mg/kg (140 mg) by 0.5 mg/kg (35 mg)." in page
    )
    assert 'value="2.5"' in page  # what was typed is kept
    assert not DoseOrder.objects.exists()

    client.post(
        order_url(session), data | {"override_reason": "Titration plan agreed with the medical director"}
    )
    order = DoseOrder.objects.get(session=session)
    assert order.dose_mg == Decimal("175.0") and order.override_reason.startswith("Titration plan")
    assert order.problems == [
        "2.5 mg/kg (175 mg) is above the protocol maximum of 2 mg/kg (140 mg) by 0.5 mg/kg (35 mg)."
    ]
    event = AuditEvent.objects.get(action="sessions.dose.range_overridden")
    assert event.data == {"breaches": ["above_maximum"]} and event.actor_role == "prescriber"


def test_esketamine_only_in_whole_devices(world, scoped, login):
    session = make_session(world.client, protocol_id="esketamine_intranasal")
    page = (
        login(world.members["prescriber"])
        .post(order_url(session), {"dose": "60", "stock_strength": "28"})
        .content.decode()
    )
    assert "60 mg is not a multiple of the protocol&#x27;s 28 mg step." in page
    assert not DoseOrder.objects.exists()


@pytest.mark.parametrize("role", ["admin", "therapist", "monitor", "front_desk"])
def test_only_a_prescriber_orders(world, scoped, login, role):
    session = make_session(world.client, protocol_id="intramuscular")
    response = login(world.members[role]).post(
        order_url(session), {"dose": "0.5", "weight_kg": "70", "stock_strength": "100"}
    )
    assert response.status_code == 403 and not DoseOrder.objects.exists()


def test_a_booster_follows_the_protocol_booster_rule(world, scoped, login):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    session = make_session(world.client, protocol_id="sublingual")
    dose(session, prescriber, monitor, amount=100, at=timezone.now() - timedelta(minutes=30))
    client = login(prescriber)
    page = client.post(
        order_url(session), {"dose": "100", "weight_kg": "70", "stock_strength": "100"}
    ).content.decode()
    assert "Booster dose (mg)" in page
    assert "A booster 30 min after the first dose is 10 min earlier than the protocol&#x27;s 40 min." in page
    assert DoseOrder.objects.filter(kind="booster").count() == 0


def test_the_session_maximum_counts_what_was_given(world, scoped, login):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    session = make_session(world.client, protocol_id="sublingual")
    dose(session, prescriber, monitor, amount=350, at=timezone.now() - timedelta(minutes=50))
    page = (
        login(prescriber)
        .post(order_url(session), {"dose": "100", "weight_kg": "70", "stock_strength": "100"})
        .content.decode()
    )
    assert (
        "With 350 mg already given, the session total 450 mg is above the protocol&#x27;s "
        "session maximum of 400 mg by 50 mg." in page
    )


def test_doses_given_partial_doses_and_more_than_ordered(world, scoped, login):
    session = make_session(world.client, protocol_id="sublingual")
    client = login(world.members["prescriber"])
    client.post(order_url(session), {"dose": "100", "weight_kg": "70", "stock_strength": "50"})
    box = stock_for(session, 50)
    name_handler(world.members["monitor"])
    monitor = login(world.members["monitor"])
    url = reverse("sessions:administer", args=[session.pk])
    order = DoseOrder.objects.get()
    now = timezone.localtime(timezone.now(), world.practice.zone).strftime("%Y-%m-%dT%H:%M")
    given_from_box = {"order": order.pk, "given_at": now, "container": box.pk}
    page = monitor.post(url, {**given_from_box, "amount_mg": "50"}).content.decode()
    assert "Confirm the pre-dose checklist before the first dose." in page
    confirm(session, world.members["monitor"])
    page = monitor.post(url, {"order": order.pk, "given_at": now, "amount_mg": "50"}).content.decode()
    assert "Choose the container the dose was drawn from." in page
    assert monitor.post(url, {**given_from_box, "amount_mg": "50"}).status_code == 302
    page = monitor.post(url, {**given_from_box, "amount_mg": "60"}).content.decode()
    assert "60 mg would be more than ordered: the order is 100 mg and 50 mg of it has been given." in page
    given = DoseAdministration.objects.get()
    assert (given.amount_mg, given.given_by, given.container, given.lot_number) == (
        Decimal("50.0"),
        world.members["monitor"].user,
        box,
        box.lot,
    )
    box.refresh_from_db()
    assert box.balance == box.capacity - 1  # one 50 mg lozenge
    summary = monitor.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert "partial: 50 of 100 mg" in summary
    assert f"{box.code}</a>, lot {box.lot}" in summary
    assert login(world.members["therapist"]).get(url).status_code == 403


def test_the_dose_time_starts_the_monitoring_schedule(world, scoped):
    from kapstone.sessions.services import load

    session = make_session(world.client)
    dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        at=timezone.now() - timedelta(minutes=3),
    )
    state = load(session)
    assert state.dose_time == at_minutes(session, 0)
    assert state.status.next.label == "Vitals 15 min after the dose"
    assert state.phase == "dosed"


def test_an_order_is_stamped_when_it_was_made_and_no_dose_is_given_before_it(world, scoped):
    session = make_session(world.client)
    confirm(session, world.members["monitor"])
    made = timezone.now() - timedelta(minutes=30)
    order = order_dose(
        request_for(world.members["prescriber"]),
        session,
        dose=100,
        weight_kg=70,
        stock_strength=100,
        now=made,
    )
    assert order.ordered_at == made
    with pytest.raises(SessionError, match="cannot be given before it was ordered"):
        record_administration(
            request_for(world.members["monitor"]),
            session,
            order,
            given_at=made - timedelta(minutes=1),
            amount_mg=order.dose_mg,
        )
    assert not session.administrations.exists()


def test_no_booster_while_the_blood_pressure_is_critically_high(world, scoped):
    session = make_session(world.client)
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    start = timezone.now() - timedelta(minutes=60)
    dose(session, prescriber, monitor, at=start)
    vitals(session, monitor, at=start + timedelta(minutes=45), sbp=212, dbp=118)  # above 200: critical
    booster = order_dose(
        request_for(prescriber),
        session,
        dose=100,
        weight_kg=70,
        stock_strength=100,
        booster=True,
        override_reason="test",
    )
    with pytest.raises(SessionError, match="No booster while the blood pressure is critically high"):
        record_administration(
            request_for(monitor),
            session,
            booster,
            given_at=timezone.now(),
            amount_mg=booster.dose_mg,
            container=stock_for(session),
        )
    vitals(session, monitor, at=timezone.now() - timedelta(seconds=30), sbp=168, dbp=96)
    given = record_administration(
        request_for(monitor),
        session,
        booster,
        given_at=timezone.now(),
        amount_mg=booster.dose_mg,
        container=stock_for(session),
    )
    assert given.order == booster
