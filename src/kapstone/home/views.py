from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render

from kapstone.clients.models import Client
from kapstone.pathway.models import Episode, EpisodeState, with_current_stage
from kapstone.practice.middleware import membership_exempt
from kapstone.practice.models import Role
from kapstone.scheduling.queries import overdue_integrations

MY_CLIENTS_LIMIT = 50

# The heading each role lands on, and what its home page leads with.
ROLE_HOMES = {
    Role.ADMIN: "Practice overview",
    Role.PRESCRIBER: "My clients",
    Role.THERAPIST: "My clients",
    Role.MONITOR: "Monitoring",
    Role.FRONT_DESK: "Front desk",
}


@membership_exempt
def index(request):
    if getattr(request, "client_account", None) is not None:
        return redirect("portal:home")  # clients have their own pages
    membership = request.membership
    if membership is None:
        raise PermissionDenied("You have no active role in a practice. Ask your practice admin.")
    my_clients = with_current_stage(Client.objects.filter(care_team__membership=membership)).order_by(
        "legal_last_name", "legal_first_name"
    )
    context = {
        "heading": ROLE_HOMES[membership.role],
        "my_clients": my_clients[:MY_CLIENTS_LIMIT],
        "my_client_count": my_clients.count(),
        "limit": MY_CLIENTS_LIMIT,
    }
    context["overdue_integrations"] = list(overdue_integrations(membership)[:20])
    if membership.role == Role.ADMIN:
        stages = dict(
            Episode.objects.exclude(state=EpisodeState.CLOSED)
            .values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        context["stage_counts"] = [(label, stages.get(value, 0)) for value, label in EpisodeState.choices]
        context["client_total"] = Client.objects.count()
        context["staff_total"] = membership.practice.memberships.active().count()
    return render(request, "home/index.html", context)
