"""Rooms and chairs, appointments with their clinicians and history, calendar feeds, and the
practice's scheduling settings.

Times are stored as aware UTC (``starts_at``/``ends_at``) and shown in the practice's zone. An
appointment keeps its end as a column so that clash checks and calendar ranges are plain index
range queries.
"""

import uuid
from datetime import datetime, time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.practice.links import LinkKind, SecretLinkManager, SecretLinkQuerySet, SecretToken
from kapstone.practice.tenancy import PracticeScopedModel


class Room(PracticeScopedModel):
    """A room or a chair where appointments happen (the live board has one card per room)."""

    class Kind(models.TextChoices):
        ROOM = "room", "Room"
        CHAIR = "chair", "Chair"

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ROOM)
    description = models.CharField(
        max_length=200, blank=True, help_text="Where it is or what it has, e.g. 'Recliner, ground floor'."
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive rooms keep their past appointments but cannot be booked."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="room_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FeedClientLabel(models.TextChoices):
    NONE = "none", "No client identity: “Client appointment”"
    INITIALS = "initials", "The client's initials"
    NAME = "name", "The client's name"


class SchedulingSettings(PracticeScopedModel):
    """One practice's scheduling choices. Missing settings mean the defaults (see :func:`for_practice`)."""

    feed_client_label = models.CharField(
        "client identity in calendar feeds",
        max_length=10,
        choices=FeedClientLabel.choices,
        default=FeedClientLabel.NONE,
        help_text="Calendar feeds leave kapstone and live in staff calendar apps: show no more than needed.",
    )
    reminders_enabled = models.BooleanField("email reminders to clients", default=True)
    reminder_lead_hours = models.PositiveSmallIntegerField(
        "send the reminder this many hours before",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text="From 1 to 168 hours (a week). 24 sends it the day before.",
    )
    medicine_check_in_minutes = models.PositiveSmallIntegerField(
        "check-in time before the dose",
        default=30,
        validators=[MaxValueValidator(120)],
        help_text=(
            "Minutes for arrival, the pre-dose checklist and baseline vitals, added to the protocol's "
            "observation time to give a medicine appointment's usual length. From 0 to 120."
        ),
    )
    intake_minutes = models.PositiveSmallIntegerField(
        "usual intake length", default=60, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    preparation_minutes = models.PositiveSmallIntegerField(
        "usual preparation length", default=50, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    integration_minutes = models.PositiveSmallIntegerField(
        "usual integration length", default=60, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    follow_up_minutes = models.PositiveSmallIntegerField(
        "usual follow-up length", default=50, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    day_starts_at = models.TimeField(
        "calendar day starts", default=time(8), help_text="The first hour the calendar shows."
    )
    day_ends_at = models.TimeField(
        "calendar day ends",
        default=time(18),
        help_text="The calendar grows to show appointments outside these hours.",
    )

    class Meta:
        verbose_name = "scheduling settings"
        verbose_name_plural = "scheduling settings"
        constraints = [
            models.UniqueConstraint(fields=["practice"], name="scheduling_settings_one_per_practice"),
        ]

    def __str__(self) -> str:
        return "Scheduling settings"

    @classmethod
    def for_practice(cls, practice) -> "SchedulingSettings":
        """The practice's settings, or unsaved defaults (nothing is written on a read)."""
        found = cls.objects.filter(practice=practice).first()
        return found or cls(practice=practice)

    def usual_minutes(self, kind: str) -> int | None:
        return {
            AppointmentKind.INTAKE: self.intake_minutes,
            AppointmentKind.PREPARATION: self.preparation_minutes,
            AppointmentKind.INTEGRATION: self.integration_minutes,
            AppointmentKind.FOLLOW_UP: self.follow_up_minutes,
        }.get(kind)


class AppointmentKind(models.TextChoices):
    INTAKE = "intake", "Intake"
    PREPARATION = "preparation", "Preparation"
    MEDICINE = "medicine", "Medicine session"
    INTEGRATION = "integration", "Integration"
    FOLLOW_UP = "follow_up", "Follow-up"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Appointments in these states hold their clinicians and room: a cancelled or missed one frees them.
BLOCKING_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.COMPLETED)


class AppointmentQuerySet(models.QuerySet):
    def blocking(self):
        return self.filter(status__in=BLOCKING_STATUSES)

    def overlapping(self, starts_at, ends_at):
        """Appointments sharing some time with [starts_at, ends_at): touching ends do not overlap."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Appointment(PracticeScopedModel):
    """A scheduled time with a kind, for one client in one episode, with one or more clinicians."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="appointments")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    clinicians = models.ManyToManyField(
        "practice.Membership", through="AppointmentClinician", related_name="appointments"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # A medicine appointment booked while readiness items were missing: which, and the written reason.
    overridden_gates = models.JSONField(default=list, blank=True)
    gate_override_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Completed medicine appointments: the time by which an integration appointment is due.
    integration_due_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every reschedule, so calendar apps replace their copy (ICS SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)

    objects = ScopedManager(models.Manager.from_queryset(AppointmentQuerySet), practice="practice")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appt_ends_after_start"
            ),
        ]
        indexes = [
            # Calendar ranges, room clashes and the reminder sweep: a practice's appointments by time.
            models.Index(fields=["practice", "starts_at"], name="appt_practice_start"),
            # The chart section and upcoming_for_client: one client's appointments by time.
            models.Index(fields=["client", "starts_at"], name="appt_client_start"),
            # Room clashes.
            models.Index(fields=["room", "starts_at"], name="appt_room_start"),
            # Due and overdue integrations: completed medicine appointments by due time.
            models.Index(
                fields=["practice", "kind", "status", "integration_due_at"], name="appt_integration_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status == AppointmentStatus.SCHEDULED


class AppointmentClinician(PracticeScopedModel):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="clinician_links")
    membership = models.ForeignKey("practice.Membership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["membership__user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "membership"], name="appt_clinician_unique"),
        ]
        indexes = [
            # Clinician clashes, the per-clinician calendar and the ICS feed.
            models.Index(fields=["membership", "appointment"], name="appt_clinician_member"),
        ]


class AppointmentChange(PracticeScopedModel):
    """One entry of an appointment's history: what changed, who, when, why, and the times before."""

    class Kind(models.TextChoices):
        CREATED = "created", "Booked"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Marked completed"
        NO_SHOW = "no_show", "Marked no-show"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    # Plain ids and times only: {"starts_at": iso, "ends_at": iso, "room": id, "clinicians": [ids]}.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @staticmethod
    def _time(snapshot, key):
        value = snapshot.get(key) if snapshot else None
        return datetime.fromisoformat(value) if value else None

    @property
    def before_starts_at(self):
        return self._time(self.before, "starts_at")

    @property
    def after_starts_at(self):
        return self._time(self.after, "starts_at")


# A member's calendar feed URL (docs/links.md): read by calendar apps, so a dead one gets a plain 404.
CALENDAR_FEED = LinkKind(name="calendar feed", reason="Calendar feed addresses work until revoked.")


class CalendarFeedQuerySet(SecretLinkQuerySet):
    def unspent(self) -> "CalendarFeedQuerySet":
        # A feed has no expiry: it works until regenerated or revoked, and while its member is active.
        return self.filter(membership__is_active=True, membership__user__is_active=True)


class CalendarFeed(PracticeScopedModel, SecretToken):
    """A member's private ICS feed. Only the SHA-256 of the URL's token is kept."""

    membership = models.OneToOneField(
        "practice.Membership", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(SecretLinkManager.from_queryset(CalendarFeedQuerySet), practice="practice")
    link_related = ("membership__user", "practice")

    def __str__(self) -> str:
        return f"Calendar feed of {self.membership}"

    def issue_token(self, now: datetime | None = None) -> str:
        token = super().issue_token(now)
        self.created_at = now or timezone.now()
        return token
