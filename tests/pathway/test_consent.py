import hashlib

import pytest
from django.core import mail
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.pathway import consent
from kapstone.pathway.models import ConsentKind, ConsentSignature
from kapstone.pathway.services import open_episode

from ..factories import make_client
from .helpers import client_request, pathway_gap_codes, publish, sign_current, staff_request


@pytest.fixture
def episode(world, scoped):
    client = make_client(world.practice, care_team=[world.members["therapist"]], email="client@example.test")
    return open_episode(None, client)


def consent_gap(episode):
    from kapstone.pathway.readiness import readiness_gaps

    return next((gap for gap in readiness_gaps(episode) if gap.code == "pathway.consent"), None)


def test_documents_are_versioned_per_kind_and_never_changed(world, scoped):
    admin = world.members["admin"]
    first = publish(admin, text="Version one.")
    second = publish(admin, text="Version two.", changes="Adds the bladder risk")
    research = publish(admin, kind=ConsentKind.RESEARCH, text="Optional research use.")
    first.refresh_from_db()
    assert (first.version, second.version, research.version) == (1, 2, 1)
    assert first.text == "Version one."
    assert consent.current_documents(world.practice) == {"treatment": second, "research": research}
    assert AuditEvent.objects.filter(action="pathway.consent_document.published").count() == 3


def test_a_document_needs_a_title_and_text(world, scoped):
    with pytest.raises(consent.ConsentError, match="title and its text"):
        publish(world.members["admin"], text="   ")


def test_no_link_without_a_published_document(episode, world):
    with pytest.raises(consent.ConsentError, match="no published"):
        consent.request_signature(staff_request(world.members["therapist"]), episode, ConsentKind.TREATMENT)
    assert consent_gap(episode).label.startswith("Treatment consent: the practice has not published")


def test_the_client_signs_through_the_link_and_the_text_is_frozen(client, episode, world):
    admin = world.members["admin"]
    publish(admin, text="Ketamine may raise blood pressure.\n\nYou may stop at any time.")
    signature, token = consent.request_signature(staff_request(admin), episode, ConsentKind.TREATMENT)
    assert len(token) > 30 and signature.token_hash == hashlib.sha256(token.encode()).hexdigest()
    url = reverse("pathway:sign", args=[token])

    page = client.get(url)
    assert page.status_code == 200
    assert "Ketamine may raise blood pressure." in page.content.decode()
    assert "I do not agree" not in page.content.decode()  # the treatment consent is not optional

    response = client.post(
        url,
        {"typed_name": "  Alex   Rivera ", "agree": "on", "text_sha256": signature.document.sha256},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
    )
    assert response.status_code == 200 and "you have signed" in response.content.decode()
    signature.refresh_from_db()
    assert signature.signed_name == "Alex Rivera"
    assert signature.ip_address == "203.0.113.9" and signature.user_agent == "Mozilla/5.0 (iPhone)"
    assert signature.signed_text == "Ketamine may raise blood pressure.\n\nYou may stop at any time."
    assert signature.signed_text_sha256 == hashlib.sha256(signature.signed_text.encode()).hexdigest()
    assert signature.text_intact and signature.name_differs  # typed name is not the legal name on file
    assert AuditEvent.objects.filter(action="pathway.consent.signed", object_id=str(signature.pk)).exists()
    assert AuditEvent.objects.filter(action="pathway.consent.link_opened").count() == 1

    # one-time: the link is spent
    assert client.get(url).status_code == 404
    assert client.post(url, {"typed_name": "Alex Rivera", "agree": "on"}).status_code == 404


def test_signing_refuses_bad_input_and_keeps_what_was_typed(client, episode, world):
    publish(world.members["admin"])
    signature, token = consent.request_signature(staff_request(world.members["admin"]), episode, "treatment")
    url = reverse("pathway:sign", args=[token])
    response = client.post(url, {"typed_name": "Alex Rivera", "text_sha256": signature.document.sha256})
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required" in page
    assert 'value="Alex Rivera"' in page
    response = client.post(url, {"typed_name": "7", "agree": "on", "text_sha256": signature.document.sha256})
    assert "Type your full name" in response.content.decode()
    response = client.post(url, {"typed_name": "Alex Rivera", "agree": "on", "text_sha256": "0" * 64})
    assert "not the one on file" in response.content.decode()
    signature.refresh_from_db()
    assert signature.signed_at is None


def test_a_wrong_or_expired_link_says_so_without_naming_anyone(client, episode, world):
    publish(world.members["admin"])
    signature, token = consent.request_signature(staff_request(world.members["admin"]), episode, "treatment")
    assert client.get(reverse("pathway:sign", args=["not-a-token"])).status_code == 404
    ConsentSignature.objects.filter(pk=signature.pk).update(link_expires_at=signature.requested_at)
    response = client.get(reverse("pathway:sign", args=[token]))
    assert response.status_code == 404 and episode.client.legal_last_name not in response.content.decode()


def test_a_new_link_replaces_the_unsigned_one(episode, world):
    publish(world.members["admin"])
    request = staff_request(world.members["therapist"])
    first, old_token = consent.request_signature(request, episode, "treatment")
    second, new_token = consent.request_signature(request, episode, "treatment")
    assert first.pk == second.pk and old_token != new_token
    by_link = ConsentSignature.objects.by_link
    assert by_link(old_token) is None and by_link(new_token) == second


def test_consent_is_current_only_when_signed_and_countersigned(episode, world):
    admin = world.members["admin"]
    publish(admin)
    assert "not signed yet" in consent_gap(episode).label
    consent.request_signature(staff_request(admin), episode, "treatment")
    assert "a signing link is waiting" in consent_gap(episode).label
    signature = sign_current(episode, admin, countersign=False)
    gap = consent_gap(episode)
    assert "not countersigned yet" in gap.label and gap.who == "a clinician (countersign)"
    with pytest.raises(consent.ConsentError, match="already signed"):
        consent.request_signature(staff_request(admin), episode, "treatment")
    consent.countersign(staff_request(world.members["therapist"]), signature)
    assert consent_gap(episode) is None
    with pytest.raises(consent.ConsentError, match="already countersigned"):
        consent.countersign(staff_request(admin), signature)


def test_a_new_treatment_version_requires_re_consent_before_the_next_dose(episode, world):
    admin = world.members["admin"]
    publish(admin, text="Version one.")
    sign_current(episode, admin)
    assert "pathway.consent" not in pathway_gap_codes(episode)
    pending_elsewhere, token = consent.request_signature(
        staff_request(admin), open_episode(None, make_client(world.practice)), "treatment"
    )
    publish(admin, text="Version two: adds the risk of bladder problems.")
    gap = consent_gap(episode)
    assert "version 2 is new and the client signed version 1" in gap.label
    assert "re-consent needed" in gap.label
    # unsigned links for the old version stop working: the client must read the new text
    assert ConsentSignature.objects.by_link(token) is None
    pending_elsewhere.refresh_from_db()
    assert pending_elsewhere.status == "cancelled"
    sign_current(episode, admin)
    assert consent_gap(episode) is None


def test_the_research_consent_is_optional_and_separate(client, episode, world):
    admin = world.members["admin"]
    publish(admin)
    publish(admin, kind=ConsentKind.RESEARCH, text="Optional research use.")
    signature, token = consent.request_signature(staff_request(admin), episode, ConsentKind.RESEARCH)
    url = reverse("pathway:sign", args=[token])
    assert "I do not agree" in client.get(url).content.decode()
    response = client.post(url, {"decline": "1"})
    assert "does not change your care" in response.content.decode()
    signature.refresh_from_db()
    assert signature.declined_at and not signature.signed_at
    statuses = consent.consent_status(episode)
    assert statuses["research"].state == "declined"
    assert statuses["treatment"].state == "missing"  # the research answer does not count for treatment
    with pytest.raises(consent.ConsentError):
        consent.decline(client_request(world.practice), signature)


def test_the_treatment_consent_cannot_be_declined(episode, world):
    publish(world.members["admin"])
    signature, _ = consent.request_signature(staff_request(world.members["admin"]), episode, "treatment")
    with pytest.raises(consent.ConsentError, match="cannot be declined"):
        consent.decline(client_request(world.practice), signature)


def test_the_link_can_be_emailed_without_naming_the_treatment(client, world, scoped):
    publish(world.members["admin"])
    target = world.client
    target.email = "river@example.test"
    target.save()
    client.force_login(world.members["therapist"].user)
    episode = target.episodes.first()
    response = client.post(
        reverse("pathway:consent_request", args=[target.pk, episode.pk]),
        {"kind": "treatment", "send_email": "on"},
    )
    assert response.status_code == 200 and "The link was emailed" in response.content.decode()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "/consent/" in body and "ketamine" not in body.lower()
