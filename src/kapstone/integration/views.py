"""Staff side of integration: action items and what the client shared, beside the course of care."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from kapstone.audit.services import log_event
from kapstone.practice.permissions import Capability, get_client, require

from . import services
from .forms import ActionItemForm, ActionItemReviewForm
from .models import ActionItem, JournalEntry


def integration(request, client_id):
    client = get_client(request, client_id, Capability.VIEW_CLINICAL)
    form = ActionItemForm(request.POST or None)
    if request.method == "POST":
        require(request.membership, Capability.EDIT_CLINICAL)
        if form.is_valid():
            services.add_action_item(request, client, form)
            messages.success(request, "Action item added. The client sees it in their portal.")
            return redirect("integration:client", client_id=client.pk)
    shared = JournalEntry.objects.filter(client=client, shared=True)
    items = ActionItem.objects.filter(client=client).select_related("created_by")
    log_event(request, "integration.journal.viewed", obj=client)
    context = {
        "client": client,
        "shared_entries": shared,
        "action_items": items,
        "form": form,
        "age": client.age_on(request.practice.today()),
    }
    return render(request, "integration/integration.html", context)


def action_item(request, client_id, item_id):
    client = get_client(request, client_id, Capability.EDIT_CLINICAL)
    item = get_object_or_404(ActionItem, client=client, pk=item_id)
    form = ActionItemReviewForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.review_action_item(request, form)
        messages.success(request, "Action item updated.")
        return redirect("integration:client", client_id=client.pk)
    return render(request, "integration/action_item.html", {"client": client, "item": item, "form": form})
