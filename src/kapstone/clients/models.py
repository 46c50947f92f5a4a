"""The client record and the care team that may see it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapstone.practice.tenancy import PracticeScopedModel


class Client(PracticeScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record_number = models.CharField(max_length=20, editable=False)
    legal_first_name = models.CharField("legal first name", max_length=100)
    legal_last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="The name to use when speaking with the client, if different."
    )
    pronouns = models.CharField(
        max_length=40, blank=True, help_text="For example she/her, he/him, they/them."
    )
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "record_number"], name="client_unique_record_number"),
        ]
        indexes = [
            # The client list sorts and searches by name within a practice.
            models.Index(
                fields=["practice", "legal_last_name", "legal_first_name"], name="client_practice_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.record_number})"

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def initials(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first[:1]}{self.legal_last_name[:1]}".upper()

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class CareTeamRole(models.TextChoices):
    LEAD_THERAPIST = "lead_therapist", "Lead therapist"
    THERAPIST = "therapist", "Therapist"
    PRESCRIBER = "prescriber", "Prescriber"
    MONITOR = "monitor", "Monitor"
    COORDINATOR = "coordinator", "Care coordinator"


# A member joining a care team takes the role that matches their practice role, unless chosen.
DEFAULT_CARE_TEAM_ROLE = {
    "admin": CareTeamRole.COORDINATOR,
    "prescriber": CareTeamRole.PRESCRIBER,
    "therapist": CareTeamRole.THERAPIST,
    "monitor": CareTeamRole.MONITOR,
    "front_desk": CareTeamRole.COORDINATOR,
}


class CareTeamMember(PracticeScopedModel):
    """One staff member working with one client, and as what."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    membership = models.ForeignKey(
        "practice.Membership", on_delete=models.CASCADE, related_name="care_assignments"
    )
    role = models.CharField(max_length=20, choices=CareTeamRole.choices)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["role", "membership__user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "membership"], name="care_team_unique_member"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.display_name}: {self.get_role_display()}"
