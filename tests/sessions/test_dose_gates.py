"""The prescribing records are hard stops on the dose: a prescriber whose DEA registration has lapsed
cannot order, a client without a current PDMP check cannot be dosed, and no first esketamine dose
without the setting's REMS certification and the client's enrolment (docs/prescribing.md)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.prescribing.models import Credential, PdmpCheck, RemsEnrolment
from kapstone.sessions.models import DoseAdministration, DoseOrder
from kapstone.sessions.services import SessionError, order_dose, record_administration

from ..prescribing.builders import set_pdmp
from .builders import confirm, dose, make_session, request_for, stock_for


def order(world, session, **extra):
    return order_dose(
        request_for(world.members["prescriber"]),
        session,
        dose=extra.pop("amount", 100),
        weight_kg=70,
        stock_strength=extra.pop("strength", 100),
        override_reason="test",
        **extra,
    )


def test_a_prescriber_whose_registration_lapsed_yesterday_cannot_order_and_the_page_says_why(
    world, scoped, login
):
    session = make_session(world.client)
    confirm(session, world.members["monitor"])
    Credential.objects.filter(membership=world.members["prescriber"]).update(
        expires_on=world.practice.today() - timedelta(days=1)
    )
    with pytest.raises(SessionError, match=r"Your DEA registration \w+ expired on"):
        order(world, session)
    page = login(world.members["prescriber"]).post(
        reverse("sessions:order", args=[session.pk]),
        {"dose": "100", "weight_kg": "70", "stock_strength": "100"},
    )
    assert "a prescriber with a current registration orders this dose" in page.content.decode()
    assert not DoseOrder.objects.exists()
    Credential.objects.filter(membership=world.members["prescriber"]).update(
        expires_on=world.practice.today()
    )
    assert order(world, session).pk  # valid through its expiry day


def test_no_first_dose_without_a_pdmp_check_within_the_interval_unless_the_practice_only_warns(world, scoped):
    session = make_session(world.client)
    confirm(session, world.members["monitor"])
    PdmpCheck.objects.filter(client=world.client).update(
        checked_on=world.practice.today() - timedelta(days=91)
    )
    with pytest.raises(SessionError, match="PDMP"):
        order(world, session)
    set_pdmp(world.practice, pdmp_hard_stop=False)
    assert order(world, session).pk


def test_a_pdmp_check_that_lapses_between_the_order_and_the_dose_stops_the_dose(world, scoped):
    session = make_session(world.client)
    confirm(session, world.members["monitor"])
    first = order(world, session)
    PdmpCheck.objects.filter(client=world.client).delete()
    with pytest.raises(SessionError, match="No PDMP check is recorded for"):
        record_administration(
            request_for(world.members["prescriber"]),
            session,
            first,
            given_at=timezone.now(),
            amount_mg=first.dose_mg,
            container=stock_for(session),
        )
    assert not DoseAdministration.objects.exists()


def test_no_first_esketamine_dose_without_the_clients_rems_enrolment(world, scoped):
    session = make_session(world.client, protocol_id="esketamine_intranasal")
    confirm(session, world.members["monitor"])
    RemsEnrolment.objects.filter(client=world.client).delete()
    with pytest.raises(SessionError, match="REMS"):
        order(world, session, amount=56, strength=28)
    # Ketamine needs no REMS: the same client can be dosed on another route.
    other = make_session(world.client, protocol_id="sublingual", room="Room 2")
    assert dose(other, world.members["prescriber"], world.members["monitor"]).draw is not None
