"""Episodes: one course of KAP care for one client, the stage it has reached, and how it got there."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from kapstone.practice.tenancy import PracticeScopedModel


class EpisodeState(models.TextChoices):
    REFERRED = "referred", "Referred"
    SCREENING = "screening", "Screening"
    ELIGIBLE = "eligible", "Eligible"
    DECLINED = "declined", "Declined"
    PREPARATION = "preparation", "Preparation"
    TREATMENT = "treatment", "Treatment"
    FOLLOW_UP = "follow_up", "Follow-up"
    CLOSED = "closed", "Closed"
    PAUSED = "paused", "Paused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Episode(PracticeScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="episodes")
    state = models.CharField(max_length=20, choices=EpisodeState.choices, default=EpisodeState.REFERRED)
    opened_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # current_stage() picks each client's newest episode.
            models.Index(fields=["client", "-opened_at"], name="episode_client_newest"),
        ]

    def __str__(self) -> str:
        return f"Episode {self.opened_at:%Y-%m-%d} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state not in (EpisodeState.CLOSED,)


class EpisodeTransition(PracticeScopedModel):
    """One move of an episode from a state to another: who, when, why (the episode's timeline)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=EpisodeState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=EpisodeState.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    # Gates that were not met, and the written reason an admin or prescriber gave to proceed anyway.
    overridden_gates = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state}"


def with_current_stage(clients):
    """Annotate a client queryset with ``stage``: the state of each client's newest episode.

    One subquery, so a list of any length costs the same number of queries.
    """
    newest = Episode.objects.filter(client=OuterRef("pk")).order_by("-opened_at").values("state")[:1]
    return clients.annotate(stage=Subquery(newest))


STAGE_LABELS = dict(EpisodeState.choices)
