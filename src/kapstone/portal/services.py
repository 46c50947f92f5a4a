"""Portal accounts and the client's own writing, each change audited."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from kapstone.accounts.models import Invitation
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.clients.models import Client
from kapstone.integration.models import JournalEntry
from kapstone.practice.links import email_link

from .forms import JournalEntryForm
from .models import PORTAL_INVITATION, ClientAccount


class PortalError(Exception):
    pass


@transaction.atomic
def invite_client(request: StaffRequest, client: Client) -> ClientAccount:
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
    invitation, token = Invitation.issue(user=account.user, practice=client.practice, created_by=request.user)
    url = request.build_absolute_uri(reverse("portal:welcome", args=[token]))
    email_link(PORTAL_INVITATION, invitation, url, to=client.email, client=client)
    log_event(request, "portal.account.invited", obj=account, client=client)
    return account


def invitation_by_link(token: str) -> Invitation | None:
    """The live invitation behind a portal link: a client's only (a staff invitation's token does not
    open the portal)."""
    invitation = Invitation.objects.by_link(token)
    if invitation is None or not hasattr(invitation.user, "client_account"):
        return None
    return invitation


@transaction.atomic
def save_journal_entry(
    request: HttpRequest, form: JournalEntryForm, *, client: Client | None = None
) -> JournalEntry:
    """The client's journal entry from the portal: a new one needs ``client``, an edit does not."""
    entry = form.save(commit=False)
    is_new = entry._state.adding
    if is_new:
        if client is None:
            raise ValueError("A new journal entry needs its client.")
        entry.practice, entry.client = client.practice, client
    entry.save()
    action = "integration.journal.created" if is_new else "integration.journal.updated"
    log_event(request, action, obj=entry, practice=entry.practice, data={"shared": entry.shared})
    return entry
