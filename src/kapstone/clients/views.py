from importlib import import_module
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client, visible_clients
from kapstone.measures.models import SafetyAlert
from kapstone.measures.outcome_rates import NO_DOSING, charted_trajectories
from kapstone.pathway.models import Episode, with_current_stage
from kapstone.practice.permissions import Capability, can, capability_required

from . import services
from .forms import CareTeamAddForm, ClientForm
from .models import CareTeamMember

PAGE_SIZE = 25
# Sections other apps add to the client chart: each module has chart_context(request, client), a
# TEMPLATE to include, and CLINICAL (False if front desk may see it too).
CHART_SECTIONS = [
    "kapstone.pathway.chart",
    "kapstone.scheduling.chart",
    "kapstone.screening.chart",
    "kapstone.sessions.chart",
    "kapstone.integration.chart",
]
SEARCH_FIELDS = ("legal_first_name", "legal_last_name", "preferred_name", "record_number")


def search(clients, query: str):
    """Every word must match the start of a name, or the record number."""
    for word in query.split()[:5]:
        match = Q()
        for field in SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": word})
        clients = clients.filter(match)
    return clients


@capability_required(Capability.VIEW_CLIENT)
def client_list(request):
    query = request.GET.get("q", "").strip()[:100]
    clients = with_current_stage(visible_clients(request.membership))
    if query:
        clients = search(clients, query)
    page = Paginator(clients.order_by("legal_last_name", "legal_first_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The search words are PHI (names), so the trail records only that a search happened.
    log_event(request, "clients.list.viewed", data={"searched": bool(query), "page": page.number})
    context = {"page": page, "query": query, "query_string": urlencode({"q": query}) if query else ""}
    return render(request, "clients/list.html", context)


@capability_required(Capability.CREATE_CLIENT)
def client_create(request):
    form = ClientForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        client = services.create_client(request, form)
        messages.success(request, f"Created {client.display_name}, record {client.record_number}.")
        return redirect("clients:detail", client_id=client.pk)
    return render(request, "clients/form.html", {"form": form, "title": "New client"})


def client_detail(request, client_id):
    """The chart: demographics, care team and episodes; clinical sections for clinical roles."""
    client = get_client(request, client_id)
    care_team = client.care_team.select_related("membership__user")
    episodes = Episode.objects.filter(client=client)
    log_event(request, "clients.chart.viewed", obj=client)
    show_clinical = can(request.membership, Capability.VIEW_CLINICAL)
    context = {
        "client": client,
        "care_team": care_team,
        "episodes": episodes,
        "age": client.age_on(request.practice.today()),
        "show_clinical": show_clinical,
    }
    sections = []
    for module_name in CHART_SECTIONS:
        module = import_module(module_name)
        if getattr(module, "CLINICAL", True) and not show_clinical:
            continue
        context.update(module.chart_context(request, client))
        sections.append(module.TEMPLATE)
    context["chart_sections"] = sections
    if show_clinical:
        # The doses come from the medicine-sessions section above (measures cannot ask sessions).
        dosing = context.get("trajectory_dosing", NO_DOSING)
        context["trajectories"] = charted_trajectories(client, request.practice.zone, dosing=dosing)
        context["open_alerts"] = SafetyAlert.objects.open().filter(client=client)
    return render(request, "clients/detail.html", context)


def client_edit(request, client_id):
    client = get_client(request, client_id, Capability.EDIT_CLIENT)
    form = ClientForm(request.POST or None, instance=client, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        services.update_client(request, form)
        messages.success(request, "Saved the client's details.")
        return redirect("clients:detail", client_id=client.pk)
    if request.method == "GET":
        log_event(request, "clients.record.viewed", obj=client)
    return render(request, "clients/form.html", {"form": form, "client": client, "title": "Edit details"})


def care_team(request, client_id):
    client = get_client(request, client_id, Capability.MANAGE_CARE_TEAM)
    form = CareTeamAddForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        member = services.add_care_team_member(
            request, client, form.cleaned_data["membership"], form.cleaned_data["role"] or None
        )
        messages.success(request, f"Added {member.membership.display_name} to the care team.")
        return redirect("clients:care_team", client_id=client.pk)
    if request.method == "GET":
        log_event(request, "clients.record.viewed", obj=client, data={"page": "care_team"})
    members = client.care_team.select_related("membership__user")
    return render(request, "clients/care_team.html", {"client": client, "members": members, "form": form})


@require_POST
def care_team_remove(request, client_id, member_id):
    client = get_client(request, client_id, Capability.MANAGE_CARE_TEAM)
    member = get_object_or_404(CareTeamMember, client=client, pk=member_id)
    try:
        services.remove_care_team_member(request, member)
    except services.CareTeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Removed {member.membership.display_name} from the care team.")
    return redirect("clients:care_team", client_id=client.pk)
