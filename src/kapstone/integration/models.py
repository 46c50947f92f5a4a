"""Integration: the client's journal (and, with medicine sessions, integration notes and action items)."""

import uuid

from django.db import models
from django.utils import timezone

from kapstone.practice.tenancy import PracticeScopedModel

# Prompts offered after a medicine session, in the words clients use for what helps.
JOURNAL_PROMPTS = [
    "What did you feel during or after the session that you usually keep at a distance?",
    "Did a familiar loop of thoughts loosen? What was it like?",
    "How did your inner critic sound this week, and how did you answer it?",
    "What new insight would you like to keep, in your own words?",
    "Where did you notice yourself being more open to people or experiences?",
]


class JournalEntry(PracticeScopedModel):
    """The client's own reflection. Private unless the client shares it with the care team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="journal_entries")
    prompt = models.CharField(max_length=300, blank=True)
    body = models.TextField("Your entry")
    shared = models.BooleanField(
        "Share with my care team", default=False, help_text="Unshared entries are visible only to you."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"Journal entry {self.created_at:%Y-%m-%d}"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Let go"


class ActionItem(PracticeScopedModel):
    """A concrete step the client takes after integration, revisited at later sessions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="action_items")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.SET_NULL, null=True, blank=True)
    note = models.ForeignKey(
        "IntegrationNote", on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    what = models.CharField("What", max_length=300)
    due_on = models.DateField("By when", null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    review_note = models.TextField("How it went", blank=True, help_text="Written when the item is revisited.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "due_on", "created_at"]

    def __str__(self) -> str:
        return self.what


# The five changes clients describe when KAP helps; practices add their own themes.
DEFAULT_THEMES = [
    "Reconnecting with emotion",
    "Disrupting thought loops",
    "Softening the inner critic",
    "Making space for new insight",
    "Becoming more open",
]


class PracticeTheme(PracticeScopedModel):
    label = models.CharField(max_length=80)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["practice", "label"], name="theme_unique_label")]

    def __str__(self) -> str:
        return self.label


class IntegrationNote(PracticeScopedModel):
    """The clinical record of an integration session, linked to the medicine session it follows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="integration_notes")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.PROTECT, related_name="integration_notes")
    medicine_session = models.ForeignKey(
        "medicine_sessions.MedicineSession", on_delete=models.PROTECT, related_name="integration_notes"
    )
    held_on = models.DateField("Integration session on")
    experience_summary = models.TextField("Experience summary")
    themes = models.JSONField(default=list, blank=True)
    insights = models.TextField("Insights, in the client's words", blank=True)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"Integration note {self.held_on:%Y-%m-%d}"


class PsychotherapyNote(PracticeScopedModel):
    """The therapist's private process note (HIPAA psychotherapy notes, 45 CFR 164.501).

    Kept apart from the clinical record: visible only to its author, never shown to the client or to
    other staff, excluded from every export; each read and write is audited.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    integration_note = models.ForeignKey(
        IntegrationNote, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    body = models.TextField("Private process note")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Psychotherapy note {self.created_at:%Y-%m-%d}"
