"""Integration records: action items (integration notes and psychotherapy notes join with sessions)."""

from django.db import transaction

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.clients.models import Client
from kapstone.practice.models import Practice
from kapstone.sessions.models import MedicineSession

from .forms import ActionItemForm, ActionItemReviewForm, IntegrationNoteForm, PsychotherapyNoteForm
from .models import DEFAULT_THEMES, ActionItem, IntegrationNote, PracticeTheme, PsychotherapyNote


@transaction.atomic
def add_action_item(
    request: StaffRequest, client: Client, form: ActionItemForm, note: IntegrationNote | None = None
) -> ActionItem:
    item = form.save(commit=False)
    item.practice, item.client, item.created_by, item.note = client.practice, client, request.user, note
    item.episode = note.episode if note else client.episodes.order_by("-opened_at").first()
    item.save()
    log_event(request, "integration.action_item.created", obj=item)
    return item


@transaction.atomic
def review_action_item(request: StaffRequest, form: ActionItemReviewForm) -> ActionItem:
    item = form.save()
    log_event(request, "integration.action_item.reviewed", obj=item, data={"status": item.status})
    return item


def theme_labels(practice: Practice) -> list[str]:
    return DEFAULT_THEMES + [t.label for t in PracticeTheme.objects.filter(practice=practice)]


@transaction.atomic
def save_integration_note(
    request: StaffRequest,
    form: IntegrationNoteForm,
    *,
    client: Client | None = None,
    session: MedicineSession | None = None,
) -> IntegrationNote:
    """Save a new note of ``client``'s medicine ``session``, or an edit of an existing note."""
    note = form.save(commit=False)
    is_new = note._state.adding
    if is_new:
        if client is None or session is None:
            raise ValueError("A new integration note needs its client and medicine session.")
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
def save_psychotherapy_note(
    request: StaffRequest,
    form: PsychotherapyNoteForm,
    *,
    client: Client | None = None,
    integration_note: IntegrationNote | None = None,
) -> PsychotherapyNote:
    note = form.save(commit=False)
    is_new = note._state.adding
    if is_new:
        if client is None:
            raise ValueError("A new psychotherapy note needs its client.")
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
