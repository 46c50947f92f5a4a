"""Staff side of integration: action items and what the client shared, beside the course of care."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client
from kapstone.pathway.models import Intention
from kapstone.practice.permissions import Capability, capability_required, require
from kapstone.sessions.models import MedicineSession

from . import services
from .forms import ActionItemForm, ActionItemReviewForm, IntegrationNoteForm, PsychotherapyNoteForm, ThemeForm
from .models import (
    DEFAULT_THEMES,
    ActionItem,
    IntegrationNote,
    JournalEntry,
    PracticeTheme,
    PsychotherapyNote,
)


def integration(request, client_id):
    client = get_client(request, client_id, Capability.VIEW_CLINICAL)
    form = ActionItemForm(request.POST or None)
    if request.method == "POST":
        require(request.membership, Capability.EDIT_CLINICAL)
        note = IntegrationNote.objects.filter(client=client, pk=request.POST.get("note") or None).first()
        if form.is_valid():
            services.add_action_item(request, client, form, note=note)
            messages.success(request, "Action item added. The client sees it in their portal.")
            if note is not None:
                return redirect("integration:note", client_id=client.pk, note_id=note.pk)
            return redirect("integration:client", client_id=client.pk)
    shared = JournalEntry.objects.filter(client=client, shared=True)
    items = ActionItem.objects.filter(client=client).select_related("created_by")
    notes = IntegrationNote.objects.filter(client=client).select_related("author", "medicine_session")

    noted = notes.values("medicine_session_id")
    sessions_without_note = MedicineSession.objects.filter(client=client, discharge__isnull=False).exclude(
        pk__in=noted
    )
    log_event(request, "integration.journal.viewed", obj=client)
    context = {
        "client": client,
        "shared_entries": shared,
        "action_items": items,
        "notes": notes,
        "sessions_without_note": sessions_without_note.order_by("-opened_at"),
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
    if request.method == "GET":
        log_event(request, "integration.action_item.viewed", obj=item)
    return render(request, "integration/action_item.html", {"client": client, "item": item, "form": form})


def _intentions(episode):
    return Intention.objects.filter(episode=episode).order_by("-recorded_at") if episode else []


def note_new(request, client_id, session_id):
    client = get_client(request, client_id, Capability.EDIT_CLINICAL)
    session = get_object_or_404(MedicineSession, client=client, pk=session_id)
    form = IntegrationNoteForm(
        request.POST or None,
        theme_labels=services.theme_labels(client.practice),
        initial={"held_on": request.practice.today()},
    )
    if request.method == "POST" and form.is_valid():
        note = services.save_integration_note(request, form, client=client, session=session)
        messages.success(request, "Integration note saved.")
        return redirect("integration:note", client_id=client.pk, note_id=note.pk)
    if request.method == "GET":
        # The blank form shows the session and the client's intentions.
        log_event(request, "integration.note_form.viewed", obj=session)
    context = {"client": client, "session": session, "form": form, "intentions": _intentions(session.episode)}
    return render(request, "integration/note_form.html", context)


def note(request, client_id, note_id):
    client = get_client(request, client_id, Capability.VIEW_CLINICAL)
    note = get_object_or_404(
        IntegrationNote.objects.select_related("author", "medicine_session"), client=client, pk=note_id
    )
    form = IntegrationNoteForm(
        request.POST or None, instance=note, theme_labels=services.theme_labels(client.practice)
    )
    if request.method == "POST":
        require(request.membership, Capability.EDIT_CLINICAL)
        if form.is_valid():
            services.save_integration_note(request, form)
            messages.success(request, "Integration note updated.")
            return redirect("integration:note", client_id=client.pk, note_id=note.pk)
    else:
        log_event(request, "integration.note.viewed", obj=note)
    # The author's own private note, if any: never anyone else's.
    private = PsychotherapyNote.objects.filter(integration_note=note, author=request.user).first()
    context = {
        "client": client,
        "note": note,
        "form": form,
        "intentions": _intentions(note.episode),
        "action_items": note.action_items.all(),
        "action_form": ActionItemForm(),
        "private_note": private,
    }
    return render(request, "integration/note.html", context)


def psychotherapy_note(request, client_id, note_id):
    """The author's private process note for one integration note (create or read/change)."""
    client = get_client(request, client_id, Capability.EDIT_CLINICAL)
    integration_note = get_object_or_404(IntegrationNote, client=client, pk=note_id)
    private = PsychotherapyNote.objects.filter(integration_note=integration_note, author=request.user).first()
    form = PsychotherapyNoteForm(request.POST or None, instance=private)
    if request.method == "POST" and form.is_valid():
        services.save_psychotherapy_note(request, form, client=client, integration_note=integration_note)
        messages.success(request, "Private note saved. Only you can read it.")
        return redirect("integration:note", client_id=client.pk, note_id=integration_note.pk)
    if request.method == "GET" and private is not None:
        log_event(request, "integration.psychotherapy_note.viewed", obj=private, client=client)
    elif request.method == "GET":
        # No private note yet: the blank form still shows the integration note it belongs to.
        log_event(request, "integration.note.viewed", obj=integration_note)
    context = {"client": client, "note": integration_note, "form": form, "private": private}
    return render(request, "integration/psychotherapy_note.html", context)


@capability_required(Capability.CONFIGURE_PRACTICE)
def themes(request):
    """The practice's own integration themes, offered beside the five every practice has."""
    form = ThemeForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        theme = PracticeTheme.objects.create(practice=request.practice, label=form.cleaned_data["label"])
        log_event(request, "integration.theme.added", obj=theme, data={"label": theme.label})
        messages.success(request, f"Added the theme “{theme.label}”.")
        return redirect("integration:themes")
    context = {"defaults": DEFAULT_THEMES, "own": PracticeTheme.objects.all(), "form": form}
    return render(request, "integration/themes.html", context)
