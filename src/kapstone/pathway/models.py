"""Episodes of care and what prepares a client for dosing.

An :class:`Episode` is one course of KAP care for one client: the stage it has reached, how it got
there (:class:`EpisodeTransition`, the timeline) and the :class:`Programme` it is planned from.
Preparation adds :class:`PreparationSession` records, the client's :class:`Goal` and
:class:`Intention` (new versions never overwrite old ones), the :class:`Escort` who takes the client
home, and the client's :class:`ConsentSignature` of a versioned :class:`ConsentDocument`.
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.clinical.protocols import all_protocols
from kapstone.practice.links import LinkKind, SecretLink, SecretLinkManager, SecretLinkQuerySet
from kapstone.practice.models import Role
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


class Programme(PracticeScopedModel):
    """A practice's template for an episode: how many preparation and medicine sessions, how soon
    integration follows each dose, how far apart doses are, and when follow-up happens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    protocol_id = models.CharField(
        "protocol", max_length=40, help_text="The medicine-session protocol (route and product) used."
    )
    preparation_sessions = models.PositiveSmallIntegerField("preparation sessions")
    medicine_sessions = models.PositiveSmallIntegerField("medicine sessions")
    # Read by the scheduling app: an integration appointment is due this long after each medicine session.
    integration_within_hours = models.PositiveSmallIntegerField(
        "integration within (hours)",
        help_text="An integration session is due within this many hours after each medicine session.",
    )
    min_days_between_medicine_sessions = models.PositiveSmallIntegerField(
        "minimum days between medicine sessions"
    )
    course_weeks = models.PositiveSmallIntegerField(
        "course length (weeks)",
        null=True,
        blank=True,
        help_text="The medicine sessions are planned within this many weeks. Leave empty if open.",
    )
    follow_up_months = models.JSONField(default=list, blank=True)  # e.g. [1, 3, 6]
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Only active programmes can be chosen for new plans."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="programme_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def protocol_title(self) -> str:
        titles = {protocol.id: protocol.title for protocol in all_protocols()}
        return titles.get(self.protocol_id, self.protocol_id)

    @property
    def follow_up_text(self) -> str:
        return ", ".join(str(month) for month in self.follow_up_months)

    @property
    def summary(self) -> str:
        parts = [
            f"{self.preparation_sessions} preparation",
            f"{self.medicine_sessions} medicine sessions, each followed by integration within "
            f"{self.integration_within_hours} h",
            f"at least {self.min_days_between_medicine_sessions} day"
            f"{'' if self.min_days_between_medicine_sessions == 1 else 's'} apart",
        ]
        if self.course_weeks:
            parts.append(f"within {self.course_weeks} weeks")
        if self.follow_up_months:
            parts.append(f"follow-up at {'/'.join(str(m) for m in self.follow_up_months)} months")
        return ", ".join(parts)


class Episode(PracticeScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="episodes")
    state = models.CharField(max_length=20, choices=EpisodeState.choices, default=EpisodeState.REFERRED)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="episodes"
    )
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
    actor_role = models.CharField(max_length=20, blank=True)  # the actor's role in the practice then
    reason = models.TextField(blank=True)
    # Gates that were not met (codes, and what each said was missing), and the written reason an
    # admin or prescriber gave to proceed anyway.
    overridden_gates = models.JSONField(default=list, blank=True)
    overridden_labels = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state}"

    @property
    def actor_role_label(self) -> str:
        return Role(self.actor_role).label.lower() if self.actor_role in Role.values else self.actor_role

    @property
    def overrides(self) -> list[tuple[str, str]]:
        """(code, what was missing) for each overridden gate."""
        labels = list(self.overridden_labels) + [""] * len(self.overridden_gates)
        return list(zip(self.overridden_gates, labels, strict=False))


def with_current_stage(clients):
    """Annotate a client queryset with ``stage``: the state of each client's newest episode.

    One subquery, so a list of any length costs the same number of queries.
    """
    newest = Episode.objects.filter(client=OuterRef("pk")).order_by("-opened_at").values("state")[:1]
    return clients.annotate(stage=Subquery(newest))


STAGE_LABELS = dict(EpisodeState.choices)


# --- Preparation -------------------------------------------------------------------------------


class PreparationSession(PracticeScopedModel):
    """One preparation session that took place: when, with which therapist, and the therapist's notes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="preparation_sessions")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField("date")
    therapist = models.ForeignKey("practice.Membership", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "recorded_at"]

    def __str__(self) -> str:
        return f"Preparation session {self.held_on:%Y-%m-%d}"


class WordsSource(models.TextChoices):
    STAFF = "staff", "Recorded by staff with the client"
    CLIENT = "client", "Written by the client"


class ClientWords(PracticeScopedModel):
    """Something the client said in their own words. A revision is a new row; nothing is overwritten,
    so the history shows how goals and intentions changed over the course."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="%(class)ss")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="%(class)ss")
    text = models.TextField()
    preparation_session = models.ForeignKey(
        PreparationSession, on_delete=models.PROTECT, null=True, blank=True, related_name="%(class)ss"
    )
    source = models.CharField(max_length=10, choices=WordsSource.choices, default=WordsSource.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Goal(ClientWords):
    """What the client wants from the whole course, in their words."""


class Intention(ClientWords):
    """What the client brings into the medicine sessions, set in preparation."""


class Escort(PracticeScopedModel):
    """The person who takes the client home after each medicine session of the episode."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="escort")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})" if self.relationship else self.name


# --- Informed consent --------------------------------------------------------------------------

CONSENT_LINK_DAYS = 7  # how long a signing link stays valid

# The client's signing link (docs/links.md): the email names the practice, not the treatment.
CONSENT_LINK = LinkKind(
    name="consent",
    reason=(
        "Signing links work once, for a few days at most, and stop when the practice publishes a "
        "newer version of the document."
    ),
    email_subject="A document to read and sign from {practice}",
    email_template="pathway/email/consent_link.txt",
    once=True,
)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "KAP treatment"
    RESEARCH = "research", "Research use of de-identified data (optional)"


class ConsentDocument(PracticeScopedModel):
    """One published version of a consent text. Never edited: a change is a new version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    changes = models.CharField(
        "what changed", max_length=300, blank=True, help_text="A line for staff and clients: what is new."
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "kind", "version"], name="consent_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def sha256(self) -> str:
        return text_digest(self.text)


class SignatureQuerySet(SecretLinkQuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)

    def unspent(self) -> "SignatureQuerySet":
        # A signing link works once: until the client signs or declines, or a newer version replaces it.
        return self.filter(signed_at__isnull=True, declined_at__isnull=True, cancelled_at__isnull=True)

    def pending(self):
        return self.unspent().filter(link_expires_at__gt=timezone.now())


class SignatureManager(SecretLinkManager.from_queryset(SignatureQuerySet)):
    # Through all(), so that without a practice scope the verbs raise ScopeError like any query.
    def signed(self):
        return self.all().signed()

    def pending(self):
        return self.all().pending()


class ConsentSignature(PracticeScopedModel, SecretLink):
    """A request for a client to sign one consent version, and their signature when they do.

    The signed title and text are copied at the moment of signing with their SHA-256, so what the
    client agreed to is frozen whatever happens to the practice's documents later.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="signatures")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="consent_signatures")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="consent_signatures"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The signing link is a SecretLink (token_hash, link_expires_at): the token is shown (or emailed) once.
    cancelled_at = models.DateTimeField(null=True, blank=True)  # a newer version replaced the request
    # The client's act: typed name, time, address and browser, and the exact text they signed.
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_name = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    signed_title = models.CharField(max_length=200, blank=True)
    signed_text = models.TextField(blank=True)
    signed_text_sha256 = models.CharField(max_length=64, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)  # optional consents only
    countersigned_at = models.DateTimeField(null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Scoped like every clinical model, with the queryset verbs above.
    objects = ScopedManager(SignatureManager, practice="practice")
    link_related = ("document", "client", "practice")

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            # Readiness: an episode's signatures of one document.
            models.Index(fields=["episode", "document"], name="signature_episode_document"),
        ]

    def __str__(self) -> str:
        return f"{self.document} — {self.status_label}"

    def link_lifetime(self) -> timedelta:
        return timedelta(days=CONSENT_LINK_DAYS)

    @property
    def status(self) -> str:
        if self.signed_at:
            return "countersigned" if self.countersigned_at else "signed"
        if self.declined_at:
            return "declined"
        if self.cancelled_at:
            return "cancelled"
        if self.link_expires_at and self.link_expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def status_label(self) -> str:
        return {
            "countersigned": "Signed and countersigned",
            "signed": "Signed, not yet countersigned",
            "declined": "Declined by the client",
            "cancelled": "Replaced by a newer version before signing",
            "expired": "Link expired before signing",
            "pending": "Waiting for the client's signature",
        }[self.status]

    @property
    def text_intact(self) -> bool:
        return bool(self.signed_at) and text_digest(self.signed_text) == self.signed_text_sha256

    @property
    def name_differs(self) -> bool:
        """The typed name is not the legal name on file (the countersigner checks it)."""
        typed = " ".join(self.signed_name.split()).casefold()
        return typed != " ".join(self.client.legal_name.split()).casefold()


class ConsentPdf(PracticeScopedModel):
    """A signed consent printed once and kept: every later download serves these bytes unchanged.

    Printed when the client signs, and again (a second record) when staff countersign; neither is
    ever rewritten, so a later consent text, template or stylesheet cannot change what was signed. A
    signature from before PDFs were kept gets its PDF on first download (``printed_late``), from the
    text frozen at signing (docs/documents.md).
    """

    class Stage(models.TextChoices):
        SIGNED = "signed", "As signed by the client"
        COUNTERSIGNED = "countersigned", "Signed and countersigned"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    signature = models.ForeignKey(ConsentSignature, on_delete=models.PROTECT, related_name="pdfs")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64)
    printed_at = models.DateTimeField(default=timezone.now)
    printed_late = models.BooleanField(
        default=False, help_text="Printed on first download: the signature predates kept PDFs."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signature", "stage"], name="consent_pdf_one_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.signature.document} — {self.get_stage_display()}"

    @property
    def filename(self) -> str:
        signature = self.signature
        document = signature.document
        signed_on = timezone.localtime(signature.signed_at, signature.practice.zone)
        return f"consent-{document.kind}-v{document.version}-{signed_on:%Y-%m-%d}.pdf"
