"""Builders for pathway tests: requests for services, consent documents, and a client made ready."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from kapstone.pathway import consent, preparation
from kapstone.pathway.models import ConsentKind
from kapstone.pathway.readiness import READY_FOR_DOSING
from kapstone.pathway.transitions import gaps_for

PATHWAY_CODES = {"pathway.consent", "pathway.preparation", "pathway.escort"}


def staff_request(member, path="/"):
    request = RequestFactory().post(path, REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="pytest")
    request.user, request.membership, request.practice = member.user, member, member.practice
    return request


def client_request(practice, ip="198.51.100.23", agent="Mozilla/5.0 (phone)"):
    request = RequestFactory().post("/consent/x/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    request.user, request.practice = AnonymousUser(), practice
    return request


def publish(admin, kind=ConsentKind.TREATMENT, text="I agree to ketamine-assisted psychotherapy.", **kw):
    kw.setdefault("title", "Consent to KAP")
    return consent.publish_document(staff_request(admin), kind, text=text, **kw)


def sign_current(episode, admin, *, countersign=True, kind=ConsentKind.TREATMENT):
    signature, _token = consent.request_signature(staff_request(admin), episode, kind)
    signature = consent.sign(
        client_request(episode.practice),
        signature,
        typed_name=episode.client.legal_name,
        shown_sha256=signature.document.sha256,
    )
    if countersign:
        signature = consent.countersign(staff_request(admin), signature)
    return signature


def prepare(episode, therapist, *, intentions="Stay curious about whatever comes up."):
    return preparation.record_preparation_session(
        staff_request(therapist),
        episode,
        held_on=episode.practice.today(),
        therapist=therapist,
        notes="Set and setting.",
        goals="Feel like myself again.",
        intentions=intentions,
    )


def name_escort(episode, member):
    return preparation.save_escort(
        staff_request(member), episode, name="Jamie Rivera", relationship="partner", phone="+1 555 010 0199"
    )


def make_ready(episode, world):
    """Everything the pathway itself asks for before dosing: consent, preparation, escort."""
    from kapstone.pathway.models import ConsentDocument

    admin, therapist = world.members["admin"], world.members["therapist"]
    if not ConsentDocument.objects.filter(practice=episode.practice, kind=ConsentKind.TREATMENT).exists():
        publish(admin)
    sign_current(episode, admin)
    prepare(episode, therapist)
    name_escort(episode, therapist)


def pathway_gap_codes(episode, target=READY_FOR_DOSING):
    return {gap.code for gap in gaps_for(episode, target)} & PATHWAY_CODES
