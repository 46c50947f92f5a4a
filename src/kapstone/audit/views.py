from datetime import datetime, time, timedelta

from django.apps import apps
from django.core.paginator import Paginator
from django.shortcuts import render

from kapstone.practice.permissions import Capability, capability_required

from .actions import label
from .forms import AuditFilterForm
from .models import AuditEvent
from .services import log_event


@capability_required(Capability.VIEW_AUDIT)
def event_list(request):
    """The practice's audit trail, newest first, filterable by client, staff member, action and date."""
    practice = request.practice
    form = AuditFilterForm(request.GET or None, practice=practice)
    events = AuditEvent.objects.filter(practice=practice).select_related("actor")
    client_model = apps.get_model("clients", "Client")
    if form.is_valid():
        data = form.cleaned_data
        if data["client"]:
            client = client_model.objects.filter(record_number__iexact=data["client"]).first()
            events = events.filter(client_id=client.pk if client else None)
            if client is None:
                form.add_error("client", "No client has this record number.")
        if data["user"]:
            events = events.filter(actor=data["user"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(
                occurred_at__gte=datetime.combine(data["date_from"], time.min, practice.zone)
            )
        if data["date_to"]:
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, practice.zone)
            events = events.filter(occurred_at__lt=end)
    page = Paginator(events.order_by("-occurred_at", "-id"), 50).get_page(request.GET.get("page"))
    client_ids = {event.client_id for event in page if event.client_id}
    clients = client_model.objects.in_bulk(client_ids) if client_ids else {}
    rows = [(event, label(event.action), clients.get(event.client_id)) for event in page]
    log_event(request, "audit.events.viewed", data={"page": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "rows": rows, "query_string": query.urlencode()},
    )
