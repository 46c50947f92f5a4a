"""Questionnaire responses, the assignments that ask for them, the measurement plan and safety alerts."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.practice.links import LinkKind, SecretLink, SecretLinkManager, SecretLinkQuerySet
from kapstone.practice.tenancy import PracticeScopedModel


class PathwayPoint(models.TextChoices):
    INTAKE = "intake", "Intake"
    PRE_SESSION = "pre_session", "Before each medicine session"
    POST_SESSION = "post_session", "The day after each medicine session"
    END_OF_COURSE = "end_of_course", "End of the course"
    FOLLOW_UP_1M = "follow_up_1m", "1 month after the course"
    FOLLOW_UP_3M = "follow_up_3m", "3 months after the course"
    FOLLOW_UP_6M = "follow_up_6m", "6 months after the course"
    AD_HOC = "ad_hoc", "Added by staff"


# A pre-session questionnaire is due by the medicine session; its client reminders start this long
# before it is due, so there is time to answer (other questionnaires are reminded from when they are due).
PRE_SESSION_REMINDERS_FROM = timedelta(days=2)
# The longest lead time a practice may set for a pre-session questionnaire (a week).
MAX_DUE_BEFORE_HOURS = 168


class MeasurementPlanItem(PracticeScopedModel):
    """One instrument the practice assigns at one pathway point, due some days after it."""

    point = models.CharField(max_length=20, choices=PathwayPoint.choices)
    instrument_id = models.CharField(max_length=40)
    due_after_days = models.PositiveSmallIntegerField(default=0)
    since_last_contact = models.BooleanField(
        default=False, help_text="Ask about the time since the last visit instead of the usual recall period."
    )
    due_before_hours = models.PositiveSmallIntegerField(
        "due before the session (hours)",
        default=0,
        validators=[MaxValueValidator(MAX_DUE_BEFORE_HOURS)],
        help_text="Before each medicine session: due this many hours before it starts (0 = at its start).",
    )

    class Meta:
        ordering = ["point", "instrument_id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "point", "instrument_id"], name="plan_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} at {self.get_point_display()}"


class AssignmentQuerySet(SecretLinkQuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True, cancelled_at__isnull=True)

    def unspent(self) -> "AssignmentQuerySet":
        # A questionnaire link works until the answers are sent (or the assignment is cancelled).
        return self.open()

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def to_remind(self, now=None):
        """Open assignments a client should be reminded of now: due or overdue, or due before a
        medicine session within :data:`PRE_SESSION_REMINDERS_FROM`."""
        now = now or timezone.now()
        return self.open().filter(
            models.Q(due_at__lte=now)
            | models.Q(point=PathwayPoint.PRE_SESSION, due_at__lte=now + PRE_SESSION_REMINDERS_FROM)
        )


# The client's questionnaire link (docs/links.md): the email names no questionnaire and no condition.
QUESTIONNAIRE_LINK = LinkKind(
    name="questionnaire",
    reason="Questionnaire links work until the answers are sent, for a few days at most.",
    email_subject="A short questionnaire from {practice}",
    email_template="measures/email/questionnaire_link.txt",
)


class Assignment(PracticeScopedModel, SecretLink):
    """An instrument due for a client at a pathway point, with an optional one-time link
    (``token_hash``, ``link_expires_at``: see :class:`~kapstone.practice.links.SecretLink`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="assignments")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.SET_NULL, null=True, blank=True)
    instrument_id = models.CharField(max_length=40)
    point = models.CharField(max_length=20, choices=PathwayPoint.choices, default=PathwayPoint.AD_HOC)
    since_last_contact = models.BooleanField(default=False)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # What made the plan assign it, if anything (docs/measurement-plan.md): the medicine appointment it is due
    # before, or the medicine session it follows. Referenced by model name only: measures sits below
    # scheduling and sessions, which call measures.services when these moments come.
    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "medicine_sessions.MedicineSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedManager(SecretLinkManager.from_queryset(AssignmentQuerySet), practice="practice")
    link_related = ("client", "practice")

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # Due and overdue lists: open assignments of a practice by due date.
            models.Index(fields=["practice", "completed_at", "due_at"], name="assignment_due"),
        ]
        constraints = [
            # Booking, rescheduling or re-running never assigns the same questionnaire twice for one
            # appointment or one session.
            models.UniqueConstraint(
                fields=["appointment", "instrument_id"],
                condition=models.Q(appointment__isnull=False),
                name="assignment_once_per_appointment",
            ),
            models.UniqueConstraint(
                fields=["session", "instrument_id"],
                condition=models.Q(session__isnull=False),
                name="assignment_once_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} due {self.due_at:%Y-%m-%d}"

    def link_lifetime(self) -> timedelta:
        return timedelta(days=self.practice.questionnaire_link_days)

    @property
    def is_overdue(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None and self.due_at < timezone.now()

    def purpose(self, zone) -> str:
        """What it is for, in words: "Before medicine session Tue 9 Dec 09:00" (select_related the
        appointment and session to keep a list at one query)."""
        if self.appointment_id is not None:
            return f"Before medicine session {_short_time(self.appointment.starts_at, zone)}"
        if self.session_id is not None:
            return f"After medicine session {_short_time(self.session.opened_at, zone)}"
        return self.get_point_display()


def _short_time(moment, zone) -> str:
    local = timezone.localtime(moment, zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class ResponseSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    LINK = "link", "Completed by the client through a link"
    PORTAL = "portal", "Completed by the client in the portal"


class QuestionnaireResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=ResponseStatus.SUBMITTED)


class QuestionnaireResponse(PracticeScopedModel):
    """One set of answers to an instrument (a draft until submitted), with its exact score."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    episode = models.ForeignKey("pathway.Episode", on_delete=models.SET_NULL, null=True, blank=True)
    assignment = models.OneToOneField(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    source = models.CharField(max_length=10, choices=ResponseSource.choices)
    answers = models.JSONField(default=dict)  # {"1": 2, ...}: item number (as JSON text) -> option value
    # The full ScoreResult, and its main numbers as columns so outcomes can be computed in the database.
    result = models.JSONField(null=True, blank=True)
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    severity = models.CharField(max_length=30, blank=True)
    positive_screen = models.BooleanField(null=True)
    has_critical = models.BooleanField(default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(models.Manager.from_queryset(QuestionnaireResponseQuerySet), practice="practice")

    class Meta:
        ordering = ["-submitted_at", "-started_at"]
        indexes = [
            # Trajectories and outcomes: a client's submitted scores of one instrument in time order.
            models.Index(fields=["client", "instrument_id", "submitted_at"], name="response_trajectory"),
            models.Index(fields=["practice", "instrument_id", "status"], name="response_outcomes"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.get_status_display()}"

    def answers_by_item(self) -> dict[int, int | float]:
        return {int(item): value for item, value in self.answers.items()}


class SafetyAlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(acknowledged_at__isnull=True)

    def delete(self):
        raise PermissionError("Safety alerts are never deleted; acknowledge them instead.")


class SafetyAlert(PracticeScopedModel):
    """A risk signal the care team must acknowledge, with the action taken. Never deleted."""

    class Kind(models.TextChoices):
        CRITICAL_ITEM = "critical_item", "Critical answer"
        RISK_LEVEL = "risk_level", "Risk level"
        VITALS = "vitals", "Vitals out of range"
        OBSERVATION = "observation", "Observation out of range"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="safety_alerts")
    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )

    class Severity(models.TextChoices):
        # One meaning across the product (board colour, who is told, how soon it escalates):
        # docs/severity.md.
        WARNING = "warning", "Warning"
        CRITICAL = "critical", "Critical"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.CRITICAL)
    instrument_id = models.CharField(max_length=40, blank=True)
    item = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(models.Manager.from_queryset(SafetyAlertQuerySet), practice="practice")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The banner on every page counts a practice's open alerts.
            models.Index(fields=["practice", "acknowledged_at"], name="alert_open"),
        ]

    def __str__(self) -> str:
        return self.summary

    def delete(self, *args, **kwargs):
        raise PermissionError("Safety alerts are never deleted; acknowledge them instead.")
