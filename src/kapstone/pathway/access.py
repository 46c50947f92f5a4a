"""How pathway views find their objects, through the one permissions module.

Reading an episode's pages needs the clinical capability. Changing them (moving an episode, planning,
recording preparation, asking for or countersigning consent) also needs the capability to edit the
client's record: admins, prescribers and therapists, not monitors. The escort, which has no clinical
content, is for everyone who edits the client's record, front desk included.
"""

from django.shortcuts import get_object_or_404

from kapstone.clients.access import get_client
from kapstone.practice.permissions import Capability, can, require

from .models import Episode

READ = Capability.VIEW_CLINICAL
CHANGE = Capability.EDIT_CLIENT


def client_for(request, client_id, *, change=False):
    client = get_client(request, client_id, READ)
    if change:
        require(request.membership, CHANGE)
    return client


def episode_of(client, episode_id) -> Episode:
    return get_object_or_404(
        Episode.objects.select_related("programme", "practice"), client=client, pk=episode_id
    )


def may_change(request) -> bool:
    return can(request.membership, READ) and can(request.membership, CHANGE)
