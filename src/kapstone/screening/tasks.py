"""Background work for screening: telling the front desk about a new inquiry, emailing intake links.

Emails carry no health information: only that something arrived, or a personal link.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from kapstone.practice.links import email_link
from kapstone.practice.models import Membership, Role
from kapstone.practice.tenancy import scopes_disabled

from .models import INTAKE_LINK, Inquiry, Intake

# Who hears about a new inquiry: the people who triage them.
INQUIRY_RECIPIENTS = (Role.FRONT_DESK, Role.ADMIN)


@task
def notify_new_inquiry(inquiry_id: str) -> int:
    with scopes_disabled():
        inquiry = Inquiry.objects.select_related("practice").get(pk=inquiry_id)
        emails = set(
            Membership.objects.active()
            .filter(practice=inquiry.practice, role__in=INQUIRY_RECIPIENTS)
            .values_list("user__email", flat=True)
        )
    if emails:
        context = {"practice": inquiry.practice, "site": settings.KAPSTONE_SITE_URL}
        send_mail(
            f"New inquiry for {inquiry.practice.name}",
            render_to_string("screening/email/new_inquiry.txt", context),
            None,
            sorted(emails),
        )
    return len(emails)


@task
def send_intake_link(intake_id: str, url: str) -> bool:
    """Email a client their intake link. The email names the practice, not a condition."""
    with scopes_disabled():
        intake = Intake.objects.select_related("client", "practice").get(pk=intake_id)
    return email_link(INTAKE_LINK, intake, url, to=intake.client.email, client=intake.client)
