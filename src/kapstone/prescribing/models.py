"""The regulated records a prescriber needs before a controlled substance is given.

- :class:`Credential`: a practice member's DEA registration, state licence, BLS or ACLS card, with the
  dates it is valid. A renewal is a new record; the newest expiry per member, kind and state is the
  current one (:func:`current_credentials`), the older ones stay as history.
- :class:`PdmpCheck`: one look at the state's prescription drug monitoring programme for a client.
- :class:`RemsCertification` and :class:`RemsEnrolment`: the treatment setting's Spravato REMS
  certification and a client's REMS patient enrolment.
- :class:`PrescribingSettings`: the practice's reminder window and PDMP rule.

What each field is for, and which defaults are unconfirmed: ``docs/prescribing.md``.
"""

import re
import uuid
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from kapstone.practice.models import Practice
from kapstone.practice.tenancy import PracticeScopedModel

from .rules import rules
from .states import STATES

USER = settings.AUTH_USER_MODEL
DEA_NUMBER = re.compile(r"^[A-Z]{2}\d{7}$")


def validate_dea_number(value: str) -> None:
    """Two letters and seven digits, as the register checks a location's number, and its check digit.

    The seventh digit is the last digit of (1st + 3rd + 5th) + 2 x (2nd + 4th + 6th): a typed-in
    number with one digit wrong or two swapped is refused here instead of at an inspection.
    """
    if not DEA_NUMBER.match(value):
        raise ValidationError(f"{value!r} is not a DEA registration number: two letters and seven digits.")
    d = [int(c) for c in value[2:]]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    if check != d[6]:
        raise ValidationError(
            f"{value!r} is not a DEA registration number: its last digit should be {check}. "
            "Check it against the registration certificate."
        )


def long_date(day: date) -> str:
    """2 Nov 2026: the date in words, as the refusals and reminders say it."""
    return f"{day.day} {day:%b %Y}"


class CredentialKind(models.TextChoices):
    DEA = "dea", "DEA registration"
    MEDICAL_LICENCE = "medical_licence", "State medical licence"
    NURSING_LICENCE = "nursing_licence", "State nursing licence"
    BLS = "bls", "BLS (basic life support)"
    ACLS = "acls", "ACLS (advanced cardiac life support)"


# A DEA registration and a licence belong to a state and carry a number; a BLS or ACLS card need not.
STATE_KINDS = frozenset({CredentialKind.DEA, CredentialKind.MEDICAL_LICENCE, CredentialKind.NURSING_LICENCE})


class Credential(PracticeScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    membership = models.ForeignKey(
        "practice.Membership", on_delete=models.PROTECT, related_name="credentials"
    )
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    number = models.CharField(
        max_length=40,
        blank=True,
        help_text="As on the certificate or card. A DEA number: two letters, seven digits.",
    )
    state = models.CharField(max_length=2, choices=STATES, blank=True)
    issued_on = models.DateField("issued on", null=True, blank=True)
    expires_on = models.DateField("expires on", help_text="Valid through this day.")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["membership__user__full_name", "kind", "-expires_on"]
        indexes = [
            # current_credentials() and the gates read one member's credentials of one kind.
            models.Index(fields=["membership", "kind", "expires_on"], name="credential_member_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issued_on__isnull=True) | models.Q(expires_on__gte=models.F("issued_on")),
                name="credential_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """DEA registration AB1234563 (IL): what the credential is, as a sentence names it."""
        text = self.get_kind_display()
        if self.kind in (CredentialKind.BLS, CredentialKind.ACLS):
            text = self.kind.upper()
        if self.number:
            text += f" {self.number}"
        if self.state:
            text += f" ({self.state})"
        return text

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind in STATE_KINDS:
            if not self.state:
                errors["state"] = f"A {self.get_kind_display()} belongs to a state: choose it."
            if not self.number:
                errors["number"] = f"Type the number of the {self.get_kind_display()}."
        if self.kind == CredentialKind.DEA and self.number:
            try:
                validate_dea_number(self.number)
            except ValidationError as error:
                errors["number"] = error.messages[0]
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            errors["expires_on"] = "It expires after it was issued: check the two dates."
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: date) -> bool:
        """Valid from its issue date (when known) through its expiry date, both days included."""
        return (self.issued_on is None or self.issued_on <= day) and day <= self.expires_on

    def days_left(self, day: date) -> int:
        """Days from ``day`` to the expiry date: 0 on the day itself, negative once expired."""
        return (self.expires_on - day).days

    def status(self, day: date, window_days: int) -> str:
        """``expired``, ``expiring`` (within the window, its last day in it), ``not_yet``, ``current``."""
        if day > self.expires_on:
            return "expired"
        if self.issued_on is not None and day < self.issued_on:
            return "not_yet"
        if self.days_left(day) <= window_days:
            return "expiring"
        return "current"


def current_credentials(credentials: Iterable[Credential]) -> list[Credential]:
    """The newest credential per member, kind and state: a renewal supersedes what it renews.

    "Newest" is the latest expiry (then the latest recorded), so a record typed in late for an old card
    never hides the card in use.
    """
    newest: dict[tuple[object, str, str], Credential] = {}
    for credential in credentials:
        key = (credential.membership_id, credential.kind, credential.state)
        held = newest.get(key)
        if held is None or (credential.expires_on, credential.recorded_at) > (
            held.expires_on,
            held.recorded_at,
        ):
            newest[key] = credential
    return sorted(newest.values(), key=lambda c: (c.expires_on, c.kind))


class PrescribingSettings(PracticeScopedModel):
    practice = models.OneToOneField("practice.Practice", on_delete=models.PROTECT, related_name="+")
    expiry_warning_days = models.PositiveSmallIntegerField(
        "warn of expiring credentials (days before)",
        default=rules().expiry_warning_days,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Credentials expiring within this many days are listed and reminded of. 1 to 365.",
    )
    pdmp_interval_days = models.PositiveSmallIntegerField(
        "PDMP check interval (days)",
        default=rules().pdmp_interval_days,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A dose needs a reviewed PDMP check no older than this. Check your state's rule. 1 to 365.",
    )
    pdmp_hard_stop = models.BooleanField(
        "a missing or overdue PDMP check refuses the dose",
        default=rules().pdmp_hard_stop,
        help_text="When off, a missing or overdue check is shown as a warning only.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"prescribing settings of {self.practice_id}"

    @classmethod
    def for_practice(cls, practice: Practice) -> "PrescribingSettings":
        return cls.objects.filter(practice=practice).first() or cls(practice=practice)


class PdmpCheck(PracticeScopedModel):
    """One look at a state PDMP for a client. The finding is the client's data (PHI): audited, not logged."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="pdmp_checks")
    episode = models.ForeignKey(
        "pathway.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="pdmp_checks"
    )
    checked_on = models.DateField("checked on")
    state = models.CharField("PDMP of the state", max_length=2, choices=STATES)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reviewed = models.BooleanField("result reviewed")
    finding = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "-recorded_at"]
        indexes = [
            # pdmp_refusal() reads a client's newest reviewed check.
            models.Index(fields=["client", "-checked_on"], name="pdmp_client_newest"),
        ]

    def __str__(self) -> str:
        return f"PDMP check ({self.state}) on {self.checked_on}"


class RemsCertification(PracticeScopedModel):
    """The treatment setting's Spravato REMS certification, enrolled by its authorised representative."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    setting_name = models.CharField("healthcare setting", max_length=200)
    address = models.TextField()
    certification_id = models.CharField("REMS certification ID", max_length=60)
    certified_on = models.DateField("certified on")
    authorised_representative = models.CharField("authorised representative", max_length=200)
    ends_on = models.DateField(
        "ends on", null=True, blank=True, help_text="Leave empty while the certification holds."
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-certified_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("certified_on")),
                name="rems_certification_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.setting_name} (REMS {self.certification_id})"

    def clean(self) -> None:
        if self.ends_on and self.certified_on and self.ends_on < self.certified_on:
            raise ValidationError({"ends_on": "It ends after it was certified: check the two dates."})

    def holds_on(self, day: date) -> bool:
        """Certified from its date through its end date, both days included."""
        return self.certified_on <= day and (self.ends_on is None or day <= self.ends_on)


class RemsEnrolment(PracticeScopedModel):
    """A client's Spravato REMS patient enrolment, before the first treatment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="rems_enrolments")
    enrolled_on = models.DateField("enrolled on")
    enrolment_id = models.CharField("REMS enrolment ID", max_length=60)
    signed_by_patient = models.BooleanField("the enrolment form is signed by the patient")
    signed_by_prescriber = models.BooleanField("the enrolment form is signed by the prescriber")
    prescriber = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", help_text="The prescriber who signed the form."
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-enrolled_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"REMS enrolment {self.enrolment_id}"

    @property
    def is_signed(self) -> bool:
        return self.signed_by_patient and self.signed_by_prescriber
