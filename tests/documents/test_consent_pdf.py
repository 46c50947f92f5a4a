"""The signed consent as a PDF, printed at signing and kept: staff and the client download the same
bytes ever after, whatever later happens to the consent text or its template (docs/documents.md)."""

import hashlib

import pytest
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.pathway import consent
from kapstone.pathway.models import ConsentKind, ConsentPdf
from kapstone.pathway.services import open_episode
from tests.pathway.helpers import client_request, publish, staff_request
from tests.permission_specs.portal import signed_consent

from .helpers import pdf_metadata, pdf_text

pytestmark = pytest.mark.usefixtures("scoped")

TEXT = "Ketamine may raise blood pressure for about an hour.\n\nYou may stop at any time."


@pytest.fixture
def signed(world):
    """The world's client signs the treatment consent through their link, typing their name."""
    publish(world.members["admin"], text=TEXT, title="Consent to KAP")
    episode = open_episode(None, world.client)
    signature, _ = consent.request_signature(
        staff_request(world.members["therapist"]), episode, ConsentKind.TREATMENT
    )
    return consent.sign(
        client_request(world.practice, ip="203.0.113.9"),
        signature,
        typed_name=world.client.legal_name,
        shown_sha256=signature.document.sha256,
    )


def staff_pdf(client, member, signature):
    client.force_login(member.user)
    return client.get(reverse("pathway:signature_pdf", args=[signature.client_id, signature.pk]))


def portal_pdf(client, world, signature):
    client.force_login(world.client_account.user)
    return client.get(reverse("portal:consent_download", args=[signature.pk]))


def test_signing_prints_and_keeps_the_pdf_with_the_text_signature_block_and_hash(world, signed):
    kept = ConsentPdf.objects.get(signature=signed)
    assert kept.stage == "signed" and not kept.printed_late
    pdf = bytes(kept.pdf)
    assert pdf.startswith(b"%PDF") and kept.sha256 == hashlib.sha256(pdf).hexdigest()
    text = pdf_text(pdf)
    assert "Consent to KAP" in text and world.client.legal_name in text
    assert "Ketamine may raise blood pressure for about an hour." in text
    assert "You may stop at any time." in text
    assert f"Signed by {world.client.legal_name} (typed name)" in text
    signed_at = signed.signed_at.astimezone(world.practice.zone)
    assert f"Signed at {signed_at:%Y-%m-%d %H:%M}" in text and "203.0.113.9" in text
    assert "Not countersigned when this copy was printed" in text
    assert signed.signed_text_sha256 in text.replace(" ", "")
    assert pdf_metadata(pdf)["/Author"] == world.practice.name
    event = AuditEvent.objects.get(action="pathway.consent.signed", object_id=str(signed.pk))
    assert event.data["pdf_sha256"] == kept.sha256  # the audit chain holds the PDF's fingerprint


def test_countersigning_keeps_a_second_pdf_and_leaves_the_first_as_it_was(client, world, signed):
    first = bytes(ConsentPdf.objects.get(signature=signed).pdf)
    prescriber = world.members["prescriber"]
    consent.countersign(staff_request(prescriber), signed)
    kept = {pdf.stage: pdf for pdf in ConsentPdf.objects.filter(signature=signed)}
    assert set(kept) == {"signed", "countersigned"} and bytes(kept["signed"].pdf) == first
    assert f"Countersigned {prescriber.user.full_name}" in pdf_text(bytes(kept["countersigned"].pdf))
    # both downloads now serve the countersigned copy
    assert staff_pdf(client, world.members["therapist"], signed).content == bytes(kept["countersigned"].pdf)
    assert portal_pdf(client, world, signed).content == bytes(kept["countersigned"].pdf)


def test_a_later_consent_version_or_template_never_changes_the_signed_pdf(client, world, signed, templates):
    archived = bytes(ConsentPdf.objects.get(signature=signed).pdf)
    publish(world.members["admin"], text="A new version: ketamine is now given by mouth.", title="Consent v2")
    templates["pathway/consent_pdf.html"] = (
        '{% extends "documents/base.html" %}{% block content %}A REWRITTEN TEMPLATE{% endblock %}'
    )
    downloads = staff_pdf(client, world.members["therapist"], signed), portal_pdf(client, world, signed)
    for response in downloads:
        assert response.status_code == 200 and response.content == archived
        assert "A REWRITTEN TEMPLATE" not in pdf_text(response.content)
    # the template in use really is the rewritten one: a new signature would print it
    episode = open_episode(None, world.client)
    signature, _ = consent.request_signature(None, episode, ConsentKind.TREATMENT)
    again = consent.sign(
        client_request(world.practice), signature, typed_name="Alex", shown_sha256=signature.document.sha256
    )
    assert "A REWRITTEN TEMPLATE" in pdf_text(bytes(ConsentPdf.objects.get(signature=again).pdf))


def test_staff_download_is_the_kept_pdf_and_is_audited(client, world, signed):
    response = staff_pdf(client, world.members["monitor"], signed)
    kept = ConsentPdf.objects.get(signature=signed)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    on = signed.signed_at.astimezone(world.practice.zone)
    assert response["Content-Disposition"] == f'attachment; filename="consent-treatment-v1-{on:%Y-%m-%d}.pdf"'
    assert response.content == bytes(kept.pdf)
    event = AuditEvent.objects.get(action="pathway.consent.downloaded")
    assert event.object_id == str(signed.pk) and event.data == {"stage": "signed", "pdf_sha256": kept.sha256}


def test_the_client_downloads_the_same_pdf_and_it_is_audited(client, world, signed):
    response = portal_pdf(client, world, signed)
    assert response.content == bytes(ConsentPdf.objects.get(signature=signed).pdf)
    events = AuditEvent.objects.filter(action="portal.consent.downloaded", object_id=str(signed.pk))
    assert events.count() == 1


def test_a_signature_from_before_kept_pdfs_is_printed_on_first_download_and_kept(client, world):
    (signature_id,) = signed_consent(world, world.client)  # signed, with no PDF kept
    assert not ConsentPdf.objects.filter(signature_id=signature_id).exists()
    client.force_login(world.client_account.user)
    first = client.get(reverse("portal:consent_download", args=[signature_id])).content
    kept = ConsentPdf.objects.get(signature_id=signature_id)
    assert kept.printed_late and bytes(kept.pdf) == first
    assert "on first download" in pdf_text(first) and "I agree." in pdf_text(first)
    second = staff_pdf(client, world.members["therapist"], kept.signature).content
    assert second == first
    assert AuditEvent.objects.filter(action="pathway.consent.pdf_printed").count() == 1


def test_an_unsigned_request_has_no_pdf(client, world):
    publish(world.members["admin"])
    episode = open_episode(None, world.client)
    signature, _ = consent.request_signature(None, episode, ConsentKind.TREATMENT)
    assert staff_pdf(client, world.members["therapist"], signature).status_code == 404
    assert portal_pdf(client, world, signature).status_code == 404


def test_the_signature_page_offers_the_pdf(client, world, signed):
    client.force_login(world.members["therapist"].user)
    html = client.get(reverse("pathway:signature", args=[world.client.pk, signed.pk])).content.decode()
    assert reverse("pathway:signature_pdf", args=[world.client.pk, signed.pk]) in html
    assert "Download the signed consent (PDF)" in html
