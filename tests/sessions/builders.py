"""Builders for medicine-session tests: sessions at any point, without the readiness gates."""

from datetime import timedelta
from decimal import Decimal

from django.test import RequestFactory
from django.utils import timezone

from kapstone.clinical.protocols import get_protocol
from kapstone.pathway.models import Episode
from kapstone.practice.tenancy import scopes_disabled
from kapstone.prescribing.models import (
    Credential,
    CredentialKind,
    PdmpCheck,
    RemsCertification,
    RemsEnrolment,
)
from kapstone.register.models import FinishedForm, Location, Product, RegisterHandler
from kapstone.sessions import recording, services, supply
from kapstone.sessions.models import Checklist, MedicineSession
from tests.prescribing.builders import (
    make_certification,
    make_enrolment,
    make_pdmp_check,
    make_prescriber_ready,
)
from tests.register.builders import make_location, receive


def request_for(membership, path="/"):
    """A request as the member makes it (for calling services directly)."""
    request = RequestFactory().post(path)
    request.user = membership.user
    request.membership = membership
    request.practice = membership.practice
    request.session = {}
    return request


def ready_to_prescribe(client, protocol_id="sublingual", on=None):
    """What the prescribing gates ask for before a dose (docs/prescribing.md): every prescriber's DEA
    registration, the client's PDMP check the day before ``on``, and for esketamine the setting's
    REMS certification and the client's enrolment. Tests of the gates themselves leave these out."""
    on = on or timezone.localdate(timezone=client.practice.zone)
    with scopes_disabled():
        prescribers = client.practice.memberships.filter(role="prescriber", is_active=True)
        for member in prescribers:
            if not Credential.objects.filter(membership=member, kind=CredentialKind.DEA).exists():
                make_prescriber_ready(member)
        checker = prescribers.first()
        if checker is not None and not PdmpCheck.objects.filter(client=client, checked_on__lte=on).exists():
            make_pdmp_check(client, checker.user, on - timedelta(days=1))
        if protocol_id.startswith("esketamine") and checker is not None:
            if not RemsCertification.objects.filter(practice=client.practice).exists():
                make_certification(client.practice, checker.user)
            if not RemsEnrolment.objects.filter(client=client).exists():
                make_enrolment(client, checker.user, enrolled_on=on - timedelta(days=1))


def make_session(client, *, protocol_id="sublingual", room="Room 1", opened_at=None, by=None, ready=True):
    """A session of ``client``; ``ready``: with the prescribing records a dose needs."""
    if ready:
        ready_to_prescribe(
            client,
            protocol_id,
            timezone.localdate(opened_at or timezone.now(), timezone=client.practice.zone),
        )
    with scopes_disabled():
        episode = client.episodes.order_by("-opened_at").first() or Episode.objects.create(
            practice=client.practice, client=client, state="treatment"
        )
        protocol = get_protocol(protocol_id)
        return MedicineSession.objects.create(
            practice=client.practice,
            client=client,
            episode=episode,
            number=MedicineSession.objects.filter(episode=episode).count() + 1,
            protocol_id=protocol.id,
            protocol_version=protocol.version_label,
            room=room,
            opened_at=opened_at or timezone.now(),
            opened_by=by.user if by else None,
        )


def confirm(session, member, **answers):
    """A confirmed checklist with everything met (a checklist row, no checks)."""
    with scopes_disabled():
        fields = {
            "weight_kg": Decimal("70"),
            "fasting": True,
            "no_alcohol_24h": True,
            "escort_present": True,
            "escort_name": "Robin Escort",
            "pregnancy_status": "not_applicable",
            "intention_recalled": True,
        }
        fields.update(answers)
        return Checklist.objects.create(
            practice=session.practice, session=session, confirmed_by=member.user, **fields
        )


# What one container of each stock form holds in these tests: a 10 mL vial, a box of 20 lozenges,
# one nasal device (each device is its own container, given as its own administration).
TEST_PACKS = {
    "solution": (FinishedForm.INJECTION, Decimal(10)),
    "unit": (FinishedForm.LOZENGE, Decimal(20)),
    "device": (FinishedForm.NASAL_DEVICE, Decimal(1)),
}


def stock_for(session, strength=None, *, by=None, containers=3):
    """A container a dose of ``session`` can be drawn from, received on the register if none is on hand
    (received by ``by``, default the practice's first prescriber or admin)."""
    protocol = session.protocol
    strength = Decimal(strength) if strength is not None else protocol.stock.strengths[-1]
    with scopes_disabled():
        on_hand = supply.containers_for(session, strengths=[strength])
        if on_hand:
            return on_hand[0]
        practice = session.practice
        if by is None:
            by = practice.memberships.filter(role__in=["prescriber", "admin"], is_active=True).first()
        location = Location.objects.filter(practice=practice).first() or make_location(practice)
        form, per_container = TEST_PACKS[protocol.stock.form]
        product, _ = Product.objects.get_or_create(
            practice=practice,
            substance=supply.substance_of(protocol),
            form=form,
            strength_mg=strength,
            defaults={"name": f"{protocol.drug} {form.label}", "per_container": per_container},
        )
        return receive(by, location, product, containers)[0]


def name_handler(member):
    """Let a monitor or therapist move stock (prescribers and admins always may)."""
    with scopes_disabled():
        RegisterHandler.objects.get_or_create(practice=member.practice, membership=member)


def dose(session, prescriber, monitor, *, amount=None, at=None, weight="70", strength=None, booster=False):
    """Order (as ``prescriber``) and give (as ``monitor``) a dose ``at`` a time (default now), drawn from
    a container of the register (received if none is on hand; the monitor is named to move stock)."""
    protocol = session.protocol
    at = at or timezone.now()
    with scopes_disabled():
        if not session.checklists.exists():
            confirm(session, monitor)
        amount = Decimal(amount) if amount is not None else protocol.dose.default.value
        strength = strength or protocol.stock.strengths[-1]
        order = services.order_dose(
            request_for(prescriber),
            session,
            dose=amount,
            weight_kg=Decimal(weight),
            stock_strength=strength,
            booster=booster,
            override_reason="test",
            now=at,
        )
        if supply.from_pharmacy(session):
            return services.record_administration(
                request_for(monitor),
                session,
                order,
                given_at=at,
                amount_mg=order.dose_mg,
                prescription_ref="RX-TEST",
                now=at + timedelta(seconds=1),
            )
        name_handler(monitor)
        # Nasal devices are given one by one, each from its own container; anything else in one draw.
        parts = int(order.unit_count) if protocol.stock.form == "device" and order.unit_count else 1
        given = [
            services.record_administration(
                request_for(monitor),
                session,
                order,
                given_at=at,
                amount_mg=order.dose_mg / parts,
                container=stock_for(session, strength, by=prescriber),
                now=at + timedelta(seconds=1),
            )
            for _ in range(parts)
        ]
        return given[0]


def vitals(session, member, *, at=None, sbp=120, dbp=78, hr=72, spo2=98, rr=14):
    at = at or timezone.now()
    with scopes_disabled():
        return recording.record_vitals(
            request_for(member),
            session,
            taken_at=at,
            sbp=sbp,
            dbp=dbp,
            hr=hr,
            spo2=spo2,
            rr=rr,
            now=at + timedelta(seconds=1),
        )


def at_minutes(session, minutes):
    """The moment ``minutes`` after the session's first dose."""
    with scopes_disabled():
        first = session.administrations.order_by("given_at").first()
    return first.given_at + timedelta(minutes=minutes)


def discharged_session(client, world, *, hours_ago=4):
    """A dosed session of ``client`` that ended with a discharge (for pages that follow a session)."""
    from kapstone.sessions.models import Discharge

    opened = timezone.now() - timedelta(hours=hours_ago)
    session = make_session(client, opened_at=opened)
    dose(session, world.members["prescriber"], world.members["monitor"], at=opened + timedelta(minutes=10))
    with scopes_disabled():
        Discharge.objects.create(
            practice=client.practice,
            session=session,
            discharged_at=opened + timedelta(hours=2, minutes=30),
            discharged_by=world.members["monitor"].user,
            aldrete_answers={},
            aldrete_total=10,
            criteria={},
        )
    return session
