"""Integration records: action items (integration notes and psychotherapy notes join with sessions)."""

from django.db import transaction

from kapstone.audit.services import log_event

from .models import DEFAULT_THEMES, PracticeTheme


@transaction.atomic
def add_action_item(request, client, form, note=None):
    item = form.save(commit=False)
    item.practice, item.client, item.created_by, item.note = client.practice, client, request.user, note
    item.episode = note.episode if note else client.episodes.order_by("-opened_at").first()
    item.save()
    log_event(request, "integration.action_item.created", obj=item)
    return item


@transaction.atomic
def review_action_item(request, form):
    item = form.save()
    log_event(request, "integration.action_item.reviewed", obj=item, data={"status": item.status})
    return item


def theme_labels(practice) -> list[str]:
    return DEFAULT_THEMES + [t.label for t in PracticeTheme.objects.filter(practice=practice)]


@transaction.atomic
def save_integration_note(request, form, *, client=None, session=None):
    note = form.save(commit=False)
    is_new = note._state.adding
    if is_new:
        note.practice, note.client, note.author = client.practice, client, request.user
        note.medicine_session, note.episode = session, session.episode
    note.save()
    log_event(
        request,
        "integration.note.created" if is_new else "integration.note.updated",
        obj=note,
        data={"themes": len(note.themes)},
    )
    return note


@transaction.atomic
def save_psychotherapy_note(request, form, *, client=None, integration_note=None):
    note = form.save(commit=False)
    is_new = note._state.adding
    if is_new:
        note.practice, note.client, note.author, note.integration_note = (
            client.practice,
            client,
            request.user,
            integration_note,
        )
    note.save()
    action = "integration.psychotherapy_note.created" if is_new else "integration.psychotherapy_note.updated"
    log_event(request, action, obj=note, client=note.client)
    return note
