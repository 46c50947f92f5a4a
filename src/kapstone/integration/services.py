"""Integration records: action items (integration notes and psychotherapy notes join with sessions)."""

from django.db import transaction

from kapstone.audit.services import log_event


@transaction.atomic
def add_action_item(request, client, form):
    item = form.save(commit=False)
    item.practice, item.client, item.created_by = client.practice, client, request.user
    item.episode = client.episodes.order_by("-opened_at").first()
    item.save()
    log_event(request, "integration.action_item.created", obj=item)
    return item


@transaction.atomic
def review_action_item(request, form):
    item = form.save()
    log_event(request, "integration.action_item.reviewed", obj=item, data={"status": item.status})
    return item
