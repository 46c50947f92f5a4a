"""Background work for the pathway: emailing a consent signing link (``django.tasks``)."""

from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from kapstone.practice.tenancy import scopes_disabled


@task
def send_consent_link(signature_id: str, url: str) -> bool:
    """Email a client their signing link. The email names the practice, not the treatment."""
    from .models import ConsentSignature

    with scopes_disabled():
        signature = ConsentSignature.objects.select_related("client", "practice").get(pk=signature_id)
    if not signature.client.email:
        return False
    context = {
        "practice": signature.practice,
        "client": signature.client,
        "url": url,
        "expires": signature.link_expires_at,
    }
    send_mail(
        f"A document to read and sign from {signature.practice.name}",
        render_to_string("pathway/email/consent_link.txt", context),
        None,
        [signature.client.email],
    )
    return True
