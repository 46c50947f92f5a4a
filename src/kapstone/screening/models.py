"""Screening records: the public "about KAP" text, inquiries, the intake, eligibility assessments and
the prescriber's decisions. Assessments and decisions are immutable once written."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.clinical.eligibility import EligibilityAssessment as EligibilityResult
from kapstone.practice.links import LinkKind, SecretLink, SecretLinkManager, SecretLinkQuerySet
from kapstone.practice.tenancy import PracticeScopedModel


class ImmutableError(Exception):
    """An attempt to change or delete a record that is kept exactly as written."""


# ---------------------------------------------------------------- the public page


class AboutPage(PracticeScopedModel):
    """The practice's own wording of the public page about KAP. Absent = the default text."""

    intro = models.TextField("What KAP is")
    phases = models.TextField("The three phases")
    who_may_help = models.TextField("Who it may help")
    who_not_for = models.TextField("Who it is not for")
    screening = models.TextField("What screening involves")
    evidence_ids = models.JSONField("Sources cited", default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice"], name="about_page_one_per_practice")]

    def __str__(self) -> str:
        return f"About KAP ({self.practice_id})"


# ---------------------------------------------------------------- inquiries


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"


class InquiryStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    INVITED = "invited", "Invited to intake"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    CONVERTED = "converted", "Became a client"


OPEN_INQUIRY_STATUSES = (InquiryStatus.NEW, InquiryStatus.CONTACTED, InquiryStatus.INVITED)


class InquiryQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_INQUIRY_STATUSES)


class Inquiry(PracticeScopedModel):
    """A "reach out" from the public form: only what the practice needs to reply."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices)
    reason = models.TextField(max_length=1000)
    # {question key: "yes" | "no" | "unsure"}; questions in screening.content.SELF_CHECK. Clinical roles only.
    self_check = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=InquiryStatus.choices, default=InquiryStatus.NEW)
    status_changed_at = models.DateTimeField(default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_a_fit_reason = models.TextField(blank=True)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="inquiries"
    )

    objects = ScopedManager(practice="practice", _manager_class=models.Manager.from_queryset(InquiryQuerySet))

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name_plural = "inquiries"
        indexes = [
            # The front desk's inquiry list: a practice's inquiries by status, newest first.
            models.Index(fields=["practice", "status", "-submitted_at"], name="inquiry_by_status"),
        ]

    def __str__(self) -> str:
        return f"Inquiry {self.submitted_at:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INQUIRY_STATUSES


class InquiryTriage(PracticeScopedModel):
    """One triage step on an inquiry: who moved it to which status, when, with what note."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="triage")
    from_status = models.CharField(max_length=12, choices=InquiryStatus.choices)
    to_status = models.CharField(max_length=12, choices=InquiryStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]


class RateLimitBucket(models.Model):
    """A token bucket per caller (a keyed hash of the scope and IP address, never the address itself)."""

    key = models.CharField(max_length=64, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.tokens:.1f}"


# ---------------------------------------------------------------- intake


# The client's intake link (docs/links.md). Not single-use: after sending their answers the client
# comes back through it to the intake screeners, until it expires.
INTAKE_LINK = LinkKind(
    name="intake",
    reason="Links to your health questions work for a few days.",
    email_subject="Your health questions for {practice}",
    email_template="screening/email/intake_link.txt",
)


class IntakeQuerySet(SecretLinkQuerySet):
    def complete(self):
        return self.filter(completed_at__isnull=False)


class Intake(PracticeScopedModel, SecretLink):
    """The screening record of one episode: answers keyed exactly as the eligibility fact catalogue.

    ``answers`` maps fact keys (``kapstone/clinical/data/eligibility/facts.toml``) to values; a missing
    key means not answered yet. The client fills the self-report facts through a one-time link, staff
    complete and verify the rest; screener results come from the measures app (see screening.intake_facts).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="intakes")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.CASCADE, related_name="intakes")
    answers = models.JSONField(default=dict, blank=True)
    medications_text = models.TextField("Current medicines", blank=True)
    clinical_notes = models.TextField("Clinical notes", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client_submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The client's link is a SecretLink (token_hash, link_expires_at): the token is shown (and emailed) once.

    objects = ScopedManager(
        practice="practice", _manager_class=SecretLinkManager.from_queryset(IntakeQuerySet)
    )
    link_related = ("client", "practice", "episode")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["episode"], name="intake_one_per_episode")]

    def __str__(self) -> str:
        return f"Intake {self.created_at:%Y-%m-%d} ({'complete' if self.is_complete else 'draft'})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    def link_lifetime(self) -> timedelta:
        return timedelta(days=self.practice.questionnaire_link_days)


# ---------------------------------------------------------------- assessments and decisions


class Recommendation(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    REVIEW = "review", "Needs a prescriber's review"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError(f"{self.model._meta.verbose_name} records are never changed.")

    def delete(self):
        raise ImmutableError(f"{self.model._meta.verbose_name} records are never deleted.")


class ImmutableModel(PracticeScopedModel):
    """Written once, then kept exactly as written: save() refuses updates, delete() refuses."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"A stored {self._meta.verbose_name} is never changed; record a new one.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"A stored {self._meta.verbose_name} is never deleted.")


class EligibilityAssessmentQuerySet(ImmutableQuerySet):
    pass


class EligibilityAssessment(ImmutableModel):
    """One run of the rule engine: the recommendation, every finding, the rule set and the exact facts.

    ``result`` is ``kapstone.clinical.eligibility.EligibilityAssessment.to_dict()``: with the recorded
    rule set it reproduces every finding, whatever rule set is current later.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="eligibility_assessments"
    )
    episode = models.ForeignKey("pathway.Episode", on_delete=models.CASCADE, related_name="+")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="assessments")
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    ruleset_id = models.CharField(max_length=80)
    ruleset_version = models.CharField(max_length=40)
    ruleset_digest = models.CharField(max_length=64)
    facts = models.JSONField()  # the exact facts evaluated (also inside result)
    fact_sources = models.JSONField(default=dict)  # fact key -> where it came from (for people)
    result = models.JSONField()
    fired_count = models.PositiveSmallIntegerField(default=0)
    not_assessed_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedManager(
        practice="practice", _manager_class=models.Manager.from_queryset(EligibilityAssessmentQuerySet)
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "eligibility assessment"
        indexes = [models.Index(fields=["episode", "-created_at"], name="assessment_episode_newest")]

    def __str__(self) -> str:
        return f"Assessment {self.created_at:%Y-%m-%d} ({self.get_recommendation_display()})"

    @property
    def ruleset_label(self) -> str:
        return f"{self.ruleset_id}@{self.ruleset_version}"

    def engine_result(self):
        return EligibilityResult.from_dict(self.result)


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    DECLINE = "decline", "Decline"


APPROVALS = (DecisionOutcome.APPROVE, DecisionOutcome.APPROVE_WITH_CONDITIONS)


class EligibilityDecision(ImmutableModel):
    """A prescriber's decision on one assessment, with the reason; flagged when against the
    recommendation. Approval moves the episode to eligible, decline to declined."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(EligibilityAssessment, on_delete=models.PROTECT, related_name="decisions")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="eligibility_decisions"
    )
    episode = models.ForeignKey("pathway.Episode", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=30, choices=DecisionOutcome.choices)
    conditions = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    against_recommendation = models.BooleanField(default=False)
    # Rule ids of exclude/review findings that fired or could not be assessed, approved over.
    overridden_rules = models.JSONField(default=list, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(
        practice="practice", _manager_class=models.Manager.from_queryset(ImmutableQuerySet)
    )

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = "eligibility decision"
        indexes = [models.Index(fields=["episode", "-decided_at"], name="decision_episode_newest")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.decided_at:%Y-%m-%d}"

    @property
    def is_approval(self) -> bool:
        return self.outcome in APPROVALS
