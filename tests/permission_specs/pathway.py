from kapstone.pathway import consent
from kapstone.pathway.models import ConsentDocument, ConsentKind, Episode
from kapstone.pathway.programmes import programmes_for
from kapstone.pathway.services import open_episode

from . import ALL_200, CLINICAL_200, Kind, Spec, only

# Reading an episode: clinical roles. Changing it: admins, prescribers and therapists (not monitors).
EDITORS_200 = only("admin", "prescriber", "therapist")
EDITORS_302 = only("admin", "prescriber", "therapist", ok=302)


def episode_of(client):
    return Episode.objects.filter(client=client).first() or open_episode(None, client)


class _Request:
    """Just enough of a request for services that read the practice and the user."""

    def __init__(self, practice):
        from django.contrib.auth.models import AnonymousUser

        self.practice, self.user, self.META = practice, AnonymousUser(), {"REMOTE_ADDR": "192.0.2.10"}


def document(practice, kind=ConsentKind.TREATMENT):
    return ConsentDocument.objects.filter(practice=practice, kind=kind).first() or consent.publish_document(
        _Request(practice), kind, title="Consent to KAP", text="I agree to ketamine-assisted psychotherapy."
    )


def signing_link(client):
    episode = episode_of(client)
    document(client.practice)
    return consent.request_signature(None, episode, ConsentKind.TREATMENT)


def signed_signature(client):
    signature, _ = signing_link(client)
    return consent.sign(
        _Request(client.practice), signature, typed_name="Test Client", shown_sha256=signature.document.sha256
    )


KINDS = {
    "episode": Kind(lambda world, client: [client.pk, episode_of(client).pk], client_scoped=True),
    "signature": Kind(lambda world, client: [client.pk, signed_signature(client).pk], client_scoped=True),
    "consent_token": Kind(lambda world, client: [signing_link(world.client)[1]]),
    "programme": Kind(lambda world, client: [programmes_for(world.practice)[0].pk], practice_object=True),
    "consent_document": Kind(lambda world, client: [document(world.practice).pk], practice_object=True),
    "consent_kind": Kind(lambda world, client: [ConsentKind.TREATMENT]),
}

SPECS = {
    # one client's episodes: read by clinical roles, changed by editors (empty POSTs redisplay the form)
    "pathway:episodes": Spec(CLINICAL_200, kind="client"),
    "pathway:open": Spec(EDITORS_302, kind="client", method="post"),
    "pathway:episode": Spec(CLINICAL_200, kind="episode"),
    "pathway:move": Spec(EDITORS_200, kind="episode", method="post"),
    "pathway:plan": Spec(EDITORS_302, kind="episode", method="post"),
    "pathway:readiness": Spec(CLINICAL_200, kind="episode"),
    "pathway:preparation": Spec(CLINICAL_200, kind="episode"),
    "pathway:revisit": Spec(EDITORS_200, kind="episode", method="post"),
    # the escort has no clinical content: everyone who edits the client's record, front desk included
    "pathway:escort": Spec(only("admin", "prescriber", "therapist", "front_desk"), kind="episode"),
    "pathway:consent": Spec(CLINICAL_200, kind="episode"),
    "pathway:consent_request": Spec(EDITORS_302, kind="episode", method="post"),
    "pathway:signature": Spec(CLINICAL_200, kind="signature"),
    "pathway:signature_pdf": Spec(CLINICAL_200, kind="signature"),
    "pathway:countersign": Spec(EDITORS_302, kind="signature", method="post"),
    # the practice's programmes and consent documents: admins
    "pathway:programmes": Spec(only("admin")),
    "pathway:programme_create": Spec(only("admin")),
    "pathway:programme_edit": Spec(only("admin"), kind="programme"),
    "pathway:consent_documents": Spec(only("admin")),
    "pathway:consent_document": Spec(only("admin"), kind="consent_document"),
    "pathway:consent_publish": Spec(only("admin"), kind="consent_kind"),
    # the client's signing link (public)
    "pathway:sign": Spec(ALL_200, kind="consent_token", public=True, anonymous=200),
}
