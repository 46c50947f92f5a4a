"""Which clients a member may see: the first of the two access steps (``docs/permissions.md``).

A client's record exists for the practice's admins and for the staff on that client's care team; to
everyone else it does not exist (404), so that not even its existence leaks. The care team is the
clients app's own record (``CareTeamMember``), so visibility is decided here, beside it. The second
step, what a role may do with a visible record (403), is ``kapstone.practice.permissions``.
"""

import uuid

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest

from kapstone.practice.models import Membership
from kapstone.practice.permissions import Capability, can, require

from .models import CareTeamMember, Client


def visible_clients(membership: Membership) -> QuerySet[Client]:
    """The clients this member may see: all of the practice's for an admin, else their care team's.

    Runs inside the practice scope, so another practice's clients are never in the result.
    """
    clients = Client.objects.filter(practice=membership.practice)
    if can(membership, Capability.SEE_ALL_CLIENTS):
        return clients
    on_team = CareTeamMember.objects.filter(client=OuterRef("pk"), membership=membership)
    return clients.filter(Exists(on_team))


def get_client(
    request: HttpRequest, client_id: uuid.UUID | str, capability: Capability = Capability.VIEW_CLIENT
) -> Client:
    """The client ``client_id`` if the caller may see it (else 404) and hold ``capability`` (else 403)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404("No such client.")
    client = visible_clients(membership).filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    require(membership, capability)
    return client
