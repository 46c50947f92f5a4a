"""Builders for prescribing tests: DEA numbers with a right check digit, credentials, checks, enrolments.

Other apps' tests that give a dose use :func:`make_prescriber_ready` so the prescriber gate lets the
dose through (a practice with no recorded DEA registration refuses every dose).
"""

import itertools
from datetime import date

from django.test import RequestFactory

from kapstone.practice.tenancy import scopes_disabled
from kapstone.prescribing.models import (
    Credential,
    CredentialKind,
    PdmpCheck,
    PrescribingSettings,
    RemsCertification,
    RemsEnrolment,
)

_seq = itertools.count(1)
FAR_AWAY = date(2099, 12, 31)


def dea_number(letters: str = "AB", n: int | None = None) -> str:
    """A DEA number whose check digit is right: letters, six digits, then the check digit."""
    six = f"{(n if n is not None else next(_seq)) % 1_000_000:06d}"
    d = [int(c) for c in six]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return f"{letters}{six}{check}"


def request_as(membership, path="/prescribing/"):
    """A request as the member makes it, for calling services directly."""
    request = RequestFactory().post(path)
    request.user = membership.user
    request.membership = membership
    request.practice = membership.practice
    request.session = {}
    return request


def make_credential(membership, kind=CredentialKind.DEA, **fields) -> Credential:
    fields.setdefault("expires_on", FAR_AWAY)
    fields.setdefault("recorded_by", membership.user)
    if kind == CredentialKind.DEA:
        fields.setdefault("number", dea_number())
    if kind in (CredentialKind.DEA, CredentialKind.MEDICAL_LICENCE, CredentialKind.NURSING_LICENCE):
        fields.setdefault("state", "IL")
        fields.setdefault("number", f"036-{next(_seq):06d}")
    with scopes_disabled():
        return Credential.objects.create(
            practice=membership.practice, membership=membership, kind=kind, **fields
        )


def make_prescriber_ready(membership, **fields) -> Credential:
    """A DEA registration for ``membership`` valid for the rest of the century."""
    return make_credential(membership, CredentialKind.DEA, **fields)


def make_pdmp_check(client, checked_by, checked_on, reviewed=True, **fields) -> PdmpCheck:
    fields.setdefault("state", "IL")
    fields.setdefault("finding", "No other controlled-substance prescriptions." if reviewed else "")
    with scopes_disabled():
        return PdmpCheck.objects.create(
            practice=client.practice,
            client=client,
            checked_on=checked_on,
            checked_by=checked_by,
            reviewed=reviewed,
            recorded_by=checked_by,
            **fields,
        )


def make_certification(practice, recorded_by, certified_on=date(2020, 1, 1), **fields) -> RemsCertification:
    fields.setdefault("setting_name", "Riverbend KAP, Suite 200")
    fields.setdefault("address", "200 River Road\nSpringfield, IL 62701")
    fields.setdefault("certification_id", f"HCS-{next(_seq):06d}")
    fields.setdefault("authorised_representative", "Dana Reyes")
    with scopes_disabled():
        return RemsCertification.objects.create(
            practice=practice, certified_on=certified_on, recorded_by=recorded_by, **fields
        )


def make_enrolment(client, prescriber, enrolled_on=date(2020, 1, 1), **fields) -> RemsEnrolment:
    fields.setdefault("enrolment_id", f"PT-{next(_seq):07d}")
    fields.setdefault("signed_by_patient", True)
    fields.setdefault("signed_by_prescriber", True)
    with scopes_disabled():
        return RemsEnrolment.objects.create(
            practice=client.practice,
            client=client,
            enrolled_on=enrolled_on,
            prescriber=prescriber,
            recorded_by=prescriber,
            **fields,
        )


def set_pdmp(practice, **fields) -> PrescribingSettings:
    with scopes_disabled():
        settings = PrescribingSettings.for_practice(practice)
        for name, value in fields.items():
            setattr(settings, name, value)
        settings.save()
    return settings
