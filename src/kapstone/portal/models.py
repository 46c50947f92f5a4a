"""A client's sign-in to the portal: one user account for one client record."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapstone.practice.tenancy import PracticeScopedModel


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
