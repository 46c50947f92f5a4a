"""A client's sign-in to the portal: one user account for one client record."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapstone.practice.links import LinkKind
from kapstone.practice.tenancy import PracticeScopedModel

# The client's portal invitation (docs/links.md): an accounts.Invitation of a client's user.
PORTAL_INVITATION = LinkKind(
    name="portal invitation",
    reason="Invitation links work once and expire after a few days.",
    email_subject="Your {practice} portal",
    email_template="portal/email/invitation.txt",
    once=True,
    sign_in="portal:login",
)


class ClientAccount(PracticeScopedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_account"
    )
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="account")
    invited_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # What the client chose to be reminded of by email.
    remind_questionnaires = models.BooleanField("Questionnaires that are due", default=True)
    remind_intentions = models.BooleanField("Writing my intentions before a medicine session", default=True)
    remind_integration = models.BooleanField(
        "My integration appointment after a medicine session", default=True
    )

    def __str__(self) -> str:
        return f"Portal account of {self.client}"


class MaterialKind(models.TextChoices):
    PREPARATION = "preparation", "Preparing for your sessions"
    SAFETY = "safety", "Staying safe"


class Material(PracticeScopedModel):
    """Preparation and safety reading the practice gives every client in the portal."""

    kind = models.CharField(max_length=20, choices=MaterialKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "position", "title"]

    def __str__(self) -> str:
        return self.title


class ClientReminder(PracticeScopedModel):
    """One reminder email sent, so the same thing is never reminded twice on one day."""

    account = models.ForeignKey(ClientAccount, on_delete=models.CASCADE, related_name="reminders_sent")
    kind = models.CharField(max_length=20)
    reference = models.CharField(max_length=64)  # the id of what was reminded (an assignment, ...)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference", "sent_on"], name="reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder {self.sent_on}"
