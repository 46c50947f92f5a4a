"""Background work for the pathway: emailing a consent signing link (``django.tasks``)."""

from django.tasks import task

from kapstone.practice.links import email_link
from kapstone.practice.tenancy import scopes_disabled

from .models import CONSENT_LINK, ConsentSignature


@task
def send_consent_link(signature_id: str, url: str) -> bool:
    """Email a client their signing link. The email names the practice, not the treatment."""
    with scopes_disabled():
        signature = ConsentSignature.objects.select_related("client", "practice").get(pk=signature_id)
    return email_link(CONSENT_LINK, signature, url, to=signature.client.email, client=signature.client)
