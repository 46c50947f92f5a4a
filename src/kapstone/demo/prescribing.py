"""The demo practice's prescribing records: the prescriber's DEA registration and licence, the
monitor's BLS card (due for renewal soon, so the reminders have something to say), the setting's
esketamine REMS certification, and for each client a REMS enrolment before a first esketamine session
and a PDMP check before the first dose and again whenever the last one is older than the interval.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clients.models import Client
from kapstone.practice.models import Membership
from kapstone.prescribing import services
from kapstone.prescribing.models import (
    Credential,
    CredentialKind,
    PdmpCheck,
    RemsCertification,
    RemsEnrolment,
)

from .acting import As

# A check this old is renewed before the next dose (the practice's interval is 90 days by default).
RENEW_AFTER = timedelta(days=75)


def add_credentials(practice, *, admin: Membership, prescriber: Membership, monitor: Membership, since: date):
    today = practice.today()
    records = [
        (prescriber, CredentialKind.DEA, "FP4273185", "IL", date(today.year + 2, 3, 31)),
        (prescriber, CredentialKind.MEDICAL_LICENCE, "036-148822", "IL", date(today.year + 1, 7, 31)),
        (monitor, CredentialKind.NURSING_LICENCE, "041-390117", "IL", date(today.year + 1, 5, 31)),
        (monitor, CredentialKind.BLS, "", "", today + timedelta(days=40)),
    ]
    for member, kind, number, state, expires in records:
        credential = Credential.objects.create(
            practice=practice,
            membership=member,
            kind=kind,
            number=number,
            state=state,
            issued_on=since - timedelta(days=400),
            expires_on=expires,
            recorded_by=admin.user,
        )
        log_event(
            action="prescribing.credential.saved",
            obj=credential,
            actor=admin.user,
            practice=practice,
            role=admin.role,
            data={"kind": kind},
        )
    RemsCertification.objects.create(
        practice=practice,
        setting_name="Cedar Grove Healing Collective, Lakeside clinic",
        address="1200 Lakeside Avenue, Suite 300\nSpringfield, IL 62704",
        certification_id="HCS-2291734",
        certified_on=since - timedelta(days=60),
        authorised_representative="Morgan Ellery",
        recorded_by=admin.user,
    )


def before_dose(client: Client, prescriber: Membership, at: datetime, *, esketamine: bool) -> None:
    """What the prescribing gates ask for before a dose ``at``, recorded a day or two before it."""
    on = timezone.localdate(at, client.practice.zone)
    newest = PdmpCheck.objects.filter(client=client, checked_on__lte=on).order_by("-checked_on").first()
    if newest is None or on - newest.checked_on > RENEW_AFTER:
        services.record_pdmp_check(
            As(prescriber),
            client,
            checked_on=on - timedelta(days=2),
            state="IL",
            checked_by=prescriber.user,
            reviewed=True,
            finding="No other controlled-substance prescriptions in the last 12 months.",
        )
    if esketamine and not RemsEnrolment.objects.filter(client=client).exists():
        services.record_enrolment(
            As(prescriber),
            client,
            enrolled_on=on - timedelta(days=3),
            enrolment_id=f"PT-{client.record_number}",
            prescriber=prescriber.user,
            signed_by_patient=True,
            signed_by_prescriber=True,
        )
