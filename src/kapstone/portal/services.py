"""Portal accounts and the client's own writing, each change audited."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from kapstone.accounts.models import Invitation
from kapstone.audit.services import log_event

from .models import ClientAccount


class PortalError(Exception):
    pass


@transaction.atomic
def invite_client(request, client) -> ClientAccount:
    """Give the client a portal account and email them a one-time link to choose a password."""
    if not client.email:
        raise PortalError("Add the client's email address first: the invitation is sent by email.")
    users = get_user_model().objects
    existing = users.filter(email__iexact=client.email).first()
    if existing is not None and not hasattr(existing, "client_account"):
        raise PortalError("This email address already belongs to a staff account; use another address.")
    account = ClientAccount.objects.filter(client=client).first()
    if account is None:
        user = existing or users.create_user(client.email, full_name=client.display_name)
        account = ClientAccount.objects.create(
            practice=client.practice, user=user, client=client, invited_by=request.user
        )
    Invitation.objects.filter(user=account.user, used_at__isnull=True).delete()
    _, token = Invitation.issue(user=account.user, practice=client.practice, created_by=request.user)
    link = request.build_absolute_uri(reverse("portal:welcome", args=[token]))
    context = {"practice": client.practice, "client": client, "link": link}
    send_mail(
        f"Your {client.practice.name} portal",
        render_to_string("portal/email/invitation.txt", context),
        None,
        [client.email],
    )
    log_event(request, "portal.account.invited", obj=account, client=client)
    return account


@transaction.atomic
def save_journal_entry(request, form, *, client=None):
    entry = form.save(commit=False)
    is_new = entry._state.adding
    if is_new:
        entry.practice, entry.client = client.practice, client
    entry.save()
    action = "integration.journal.created" if is_new else "integration.journal.updated"
    log_event(request, action, obj=entry, practice=entry.practice, data={"shared": entry.shared})
    return entry
