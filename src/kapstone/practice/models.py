"""The tenant (practice) and the staff who belong to it, each with one role."""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as America/New_York.")


DEFAULT_CRISIS_RESOURCES = (
    "If you are in crisis or thinking about suicide, call or text 988 (Suicide & Crisis Lifeline, US), "
    "available 24 hours a day.\nIn an emergency, call 911 or go to the nearest emergency department."
)


class Practice(models.Model):
    """A clinic or solo practice: the tenant that every clinical row belongs to."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    phone = models.CharField(max_length=40, blank=True)
    record_prefix = models.CharField(
        max_length=8, default="K", help_text="Letters that start every record number, e.g. K-00042."
    )
    crisis_resources = models.TextField(
        default=DEFAULT_CRISIS_RESOURCES,
        help_text="Shown to clients on every questionnaire page and at once after a risk answer.",
    )
    # Per-severity escalation times (docs/severity.md): a critical alert escalates sooner than a warning.
    alert_escalation_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1)],
        help_text="Tell the practice admins when a warning safety alert is still open after this long.",
    )
    critical_escalation_minutes = models.PositiveIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text=(
            "Escalate a critical safety alert (admins and every prescriber) when still open after this "
            "long; never later than a warning."
        ),
    )
    questionnaire_link_days = models.PositiveSmallIntegerField(
        default=7, help_text="How long a questionnaire link sent to a client stays valid."
    )
    # Next record number to hand out; incremented under a row lock (see clients.services).
    next_record_number = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(critical_escalation_minutes__lte=models.F("alert_escalation_minutes")),
                name="critical_escalates_no_later_than_warning",
                violation_error_message="A critical alert must escalate no later than a warning.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def escalation_minutes(self, severity: str) -> int:
        """How long an alert of ``severity`` may stay unacknowledged before it escalates."""
        return self.critical_escalation_minutes if severity == "critical" else self.alert_escalation_minutes

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self):
        return timezone.localdate(timezone=self.zone)


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    PRESCRIBER = "prescriber", "Prescriber"
    THERAPIST = "therapist", "Therapist"
    MONITOR = "monitor", "Monitor"
    FRONT_DESK = "front_desk", "Front desk"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """One staff member's place in one practice. A person may belong to several practices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    title = models.CharField(
        max_length=80, blank=True, help_text="Credentials shown beside the name, e.g. LCSW."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="membership_unique_user_per_practice"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.practice})"

    @property
    def display_name(self) -> str:
        name = self.user.full_name or self.user.email
        return f"{name}, {self.title}" if self.title else name
