"""Medicine sessions: the clinical record of one dosing visit, and the practice's protocol settings.

A session belongs to one episode. Its protocol is the practice's version of a bundled protocol
(``kapstone.clinical.protocols``) at the moment the session was opened: the overrides are copied onto
the session with the version label, so later changes to the practice's settings never alter an open
or past session. Every timer (phase, next check, overdue) is computed from the event times stored
here, never kept anywhere else, so a reload or a restart loses nothing.

Records made during a session (dose administrations, vitals, observations, adverse events, notes) are
never edited: a correction is a new row that ``amends`` the one it corrects, with a reason, and both
are kept and shown. The current version of a record is the one nobody has amended; an amendment may
also say the original was entered in error, which withdraws it.
"""

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.practice.tenancy import PracticeScopedModel

from .protocol_versions import session_protocol

USER = settings.AUTH_USER_MODEL


# --- practice protocol settings ---------------------------------------------------------------------


class ProtocolSetting(PracticeScopedModel):
    """A practice's overrides of one bundled protocol: setting path -> value (as text, exact)."""

    class Supply(models.TextChoices):
        REGISTER = "register", "From the practice's register"
        PHARMACY = "pharmacy", "Dispensed by a pharmacy to the client (take-home prescription)"

    protocol_id = models.CharField(max_length=40)
    overrides = models.JSONField(default=dict, blank=True)
    # Where this route's doses come from (docs/register.md): a container of the register, drawn for
    # each dose, or a pharmacy's prescription the client brings, recorded by its reference instead.
    supply = models.CharField(max_length=20, choices=Supply.choices, default=Supply.REGISTER)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "protocol_id"], name="protocol_setting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_id}: {len(self.overrides)} override(s)"


class ProtocolChange(PracticeScopedModel):
    """One changed setting: the history shown beside the protocol settings (each change is audited too)."""

    protocol_id = models.CharField(max_length=40)
    path = models.CharField(max_length=120)
    old_value = models.CharField(max_length=40)
    new_value = models.CharField(max_length=40)
    unit = models.CharField(max_length=20, blank=True)
    reason = models.TextField()
    version_label = models.CharField(max_length=120)  # the protocol's label after the change
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.protocol_id} {self.path}: {self.old_value} -> {self.new_value}"


# --- dose plan -----------------------------------------------------------------------------------------


class DosePlan(PracticeScopedModel):
    """The prescriber's plan for an episode's medicine sessions. The newest plan is the current one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="dose_plans")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.CASCADE, related_name="dose_plans")
    protocol_id = models.CharField(max_length=40)
    planned_dose = models.DecimalField(max_digits=8, decimal_places=3)
    dose_unit = models.CharField(max_length=10)  # the protocol's dose unit: "mg" or "mg/kg"
    notes = models.TextField(blank=True)
    prescribed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prescribed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-prescribed_at"]

    def __str__(self) -> str:
        return f"{self.protocol_id} {self.planned_dose.normalize():f} {self.dose_unit}"


# --- the session ---------------------------------------------------------------------------------------


class MedicineSession(PracticeScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="medicine_sessions")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.PROTECT, related_name="medicine_sessions")
    number = models.PositiveSmallIntegerField(default=1)  # 1st, 2nd, ... medicine session of the episode
    protocol_id = models.CharField(max_length=40)
    protocol_version = models.CharField(max_length=120)  # Protocol.version_label when opened
    protocol_overrides = models.JSONField(default=dict, blank=True)  # the practice's overrides then
    room = models.CharField("room / chair", max_length=60)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    # Readiness requirements (pathway gates) that were missing, and the written reason to go ahead.
    readiness_gaps = models.JSONField(default=list, blank=True)
    readiness_override_reason = models.TextField(blank=True)
    # A session opened but never dosed ends by cancellation, with a reason (``cancellation.py``).
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancellation_reason = models.TextField(blank=True)

    # Set by ``state.with_records`` (prefetched lists, in time order), for the type checker.
    order_list: list["DoseOrder"]
    current_administrations: list["DoseAdministration"]
    current_vitals: list["VitalsReading"]
    current_observations: list["Observation"]

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # The live board: a practice's sessions opened today.
            models.Index(fields=["practice", "opened_at"], name="session_board"),
            models.Index(fields=["client", "opened_at"], name="session_client"),
        ]

    def __str__(self) -> str:
        return f"Medicine session {self.number} ({self.opened_at:%Y-%m-%d})"

    @cached_property
    def protocol(self):
        return session_protocol(self.protocol_id, self.protocol_overrides, self.protocol_version)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class PregnancyStatus(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not relevant (cannot become pregnant)"
    NEGATIVE_TEST = "negative_test", "Negative pregnancy test today"
    NOT_PREGNANT = "not_pregnant", "Not pregnant (client's report)"
    PREGNANT = "pregnant", "Pregnant"
    UNKNOWN = "unknown", "Unknown"


class Checklist(PracticeScopedModel):
    """The pre-dose checklist, confirmed before dosing. Confirming again adds a row (the newest counts)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="checklists")
    weight_kg = models.DecimalField("weight", max_digits=5, decimal_places=1, null=True, blank=True)
    fasting = models.BooleanField(default=False)
    no_alcohol_24h = models.BooleanField(default=False)
    escort_present = models.BooleanField(default=False)
    escort_name = models.CharField(max_length=200, blank=True)
    escort_phone = models.CharField(max_length=40, blank=True)
    pregnancy_status = models.CharField(max_length=20, choices=PregnancyStatus.choices)
    intention_recalled = models.BooleanField(default=False)
    music = models.CharField(max_length=200, blank=True)
    eye_shades = models.BooleanField(default=False)
    setting_notes = models.TextField("room and setting", blank=True)
    # What was read when confirming: the baseline reading and the client's latest C-SSRS screener.
    baseline_vitals = models.ForeignKey(
        "VitalsReading", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cssrs_response = models.ForeignKey(
        "measures.QuestionnaireResponse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cssrs_summary = models.CharField(max_length=200, blank=True)
    problems = models.JSONField(default=list, blank=True)  # what a prescriber overrode, in words
    override_reason = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"Checklist {self.confirmed_at:%H:%M}"


class DoseOrder(PracticeScopedModel):
    """A prescriber's order: the dose in mg (and mg/kg), the stock it comes from, volume and rate."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Dose"
        BOOSTER = "booster", "Booster"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INITIAL)
    route = models.CharField(max_length=40)
    dose_unit = models.CharField(max_length=10)  # what the prescriber entered: "mg" or "mg/kg"
    entered_dose = models.DecimalField(max_digits=8, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=1)
    dose_mg_per_kg = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    stock_form = models.CharField(max_length=10)  # "solution", "unit" (tablet/lozenge) or "device"
    stock_strength = models.DecimalField(max_digits=7, decimal_places=2)  # mg/mL, or mg per unit
    volume_ml = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    unit_count = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    bag_volume_ml = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    rate_mg_per_kg_per_h = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)  # protocol breaches the prescriber overrode
    override_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    ordered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ordered_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dose_mg.normalize():f} mg {self.route}"


# --- records made during the session: amended, never edited ----------------------------------------------


class RecordQuerySet(models.QuerySet):
    def current(self):
        """The versions that count: not corrected by a later amendment, not withdrawn as an error."""
        return self.filter(amendments__isnull=True, entered_in_error=False)


class SessionRecord(PracticeScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    amendment_reason = models.TextField(blank=True)
    entered_in_error = models.BooleanField(default=False)  # this amendment withdraws the original

    objects = ScopedManager(models.Manager.from_queryset(RecordQuerySet), practice="practice")

    class Meta:
        abstract = True

    @property
    def is_amendment(self) -> bool:
        return self.amends_id is not None


class DoseAdministration(SessionRecord):
    """An amount actually given, at a time, by someone. Boosters and split or partial doses are more rows."""

    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="administrations")
    order = models.ForeignKey(DoseOrder, on_delete=models.PROTECT, related_name="administrations")
    given_at = models.DateTimeField()
    amount_mg = models.DecimalField(max_digits=7, decimal_places=1)
    given_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    lot_number = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)
    # Where the dose came from (sessions/supply.py): the register's container and the draw entry for
    # it, or, for a pharmacy-dispensed route, the prescription reference. An amendment keeps the
    # original's draw; a changed amount is a correction entry on that draw.
    container = models.ForeignKey(
        "register.Container", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    draw = models.ForeignKey(
        "register.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prescription_ref = models.CharField("prescription reference", max_length=120, blank=True)

    class Meta:
        ordering = ["given_at", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.amount_mg.normalize():f} mg at {self.given_at:%H:%M}"


class VitalsReading(SessionRecord):
    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="vitals")
    taken_at = models.DateTimeField()
    sbp = models.PositiveSmallIntegerField("systolic BP", null=True, blank=True)
    dbp = models.PositiveSmallIntegerField("diastolic BP", null=True, blank=True)
    hr = models.PositiveSmallIntegerField("heart rate", null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField("SpO2", null=True, blank=True)
    rr = models.PositiveSmallIntegerField("respiratory rate", null=True, blank=True)
    # The protocol's flags for this reading when it was recorded: [{parameter, severity, message, ...}]
    flags = models.JSONField(default=list, blank=True)
    alert = models.ForeignKey(
        "measures.SafetyAlert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["taken_at", "recorded_at"]
        indexes = [models.Index(fields=["session", "taken_at"], name="vitals_session_time")]

    def __str__(self) -> str:
        return f"Vitals at {self.taken_at:%H:%M}"

    @property
    def bp(self) -> str:
        return f"{self.sbp}/{self.dbp}" if self.sbp is not None and self.dbp is not None else ""

    def flag_for(self, parameter: str) -> dict | None:
        return next((f for f in self.flags if f["parameter"] == parameter), None)


class Observation(SessionRecord):
    class Scale(models.TextChoices):
        MOAAS = "moaas", "MOAA/S"
        RASS = "rass", "RASS"
        # kapstone's own clinician rating (clinical/data/instruments/dissociation_level.toml): the
        # CADSS items are copyrighted, see docs/clinical.md ("Dissociation").
        DISSOCIATION = "dissociation_level", "Dissociation"

    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="observations")
    observed_at = models.DateTimeField()
    scale = models.CharField(max_length=20, choices=Scale.choices)
    value = models.SmallIntegerField()
    band = models.CharField(max_length=80, blank=True)
    flags = models.JSONField(default=list, blank=True)
    alert = models.ForeignKey(
        "measures.SafetyAlert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["observed_at", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} {self.value}"


class AdverseEvent(SessionRecord):
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    class Relatedness(models.TextChoices):
        RELATED = "related", "Related"
        POSSIBLY = "possibly", "Possibly related"
        UNLIKELY = "unlikely", "Unlikely related"
        UNRELATED = "unrelated", "Not related"
        UNKNOWN = "unknown", "Unknown"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        RESOLVING = "resolving", "Resolving"
        ONGOING = "ongoing", "Not resolved"
        SEQUELAE = "sequelae", "Resolved with sequelae"
        UNKNOWN = "unknown", "Unknown"

    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="adverse_events")
    category = models.CharField(max_length=40)  # an adverse_events id of the session's protocol
    category_label = models.CharField(max_length=100)
    description = models.TextField()
    onset_at = models.DateTimeField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    serious = models.BooleanField(default=False)
    relatedness = models.CharField(max_length=10, choices=Relatedness.choices, default=Relatedness.UNKNOWN)
    action_taken = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["onset_at", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.category_label} ({self.get_severity_display()})"


class SessionNote(SessionRecord):
    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="notes")
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["written_at", "recorded_at"]

    def __str__(self) -> str:
        return f"Note {self.written_at:%H:%M}"


# --- the end of the session ------------------------------------------------------------------------------


class Discharge(PracticeScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.OneToOneField(MedicineSession, on_delete=models.CASCADE, related_name="discharge")
    discharged_at = models.DateTimeField()
    discharged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    aldrete_answers = models.JSONField(default=dict)  # {"1": 2, ...} as scored by kapstone.clinical
    aldrete_total = models.PositiveSmallIntegerField()
    criteria = models.JSONField(default=dict)  # protocol criterion id -> met (bool)
    blocking = models.JSONField(default=list, blank=True)  # what the prescriber's override overrode
    override_reason = models.TextField(blank=True)
    escort_name = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Discharged {self.discharged_at:%H:%M}"


class ReportingForm(PracticeScopedModel):
    """One saved version of a protocol's reporting form for a session (the esketamine REMS Patient
    Monitoring Form). Versions are append-only: a change is a new row with the next ``version``, so the
    earlier answers, who gave them and when stay on the record; the newest version is the form."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="reporting_forms")
    form_id = models.CharField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    answers = models.JSONField(default=dict)  # "<section>.<field>" -> value as text
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "form_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["session", "form_id", "version"], name="reporting_form_version"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.version}"


class ReportingSubmission(PracticeScopedModel):
    """A reporting form sent to whom it is for (the REMS programme): when, by whom, its confirmation.

    One per session and form; the version sent is the one saved at the time (``version``). The deadline
    is the protocol's ``due_within_days`` from the first dose (``sessions/reporting_due.py``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(MedicineSession, on_delete=models.CASCADE, related_name="submissions")
    form_id = models.CharField(max_length=60)
    version = models.ForeignKey(ReportingForm, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmation = models.CharField(
        max_length=80, help_text="The confirmation number the REMS website or fax report gave."
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "form_id"], name="reporting_submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} submitted {self.submitted_on}"


# --- practice settings for observation scales -------------------------------------------------------------


class ScaleLabels(PracticeScopedModel):
    """A practice's own wording of an observation scale's levels (the dissociation level's anchors).

    The values and bands stay those of the reference data; only the words shown beside each value
    change. An observation keeps the words it was recorded with (``Observation.band``)."""

    scale = models.CharField(max_length=20)
    labels = models.JSONField(default=dict)  # str(value) -> label
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "scale"], name="scale_labels_unique")]

    def __str__(self) -> str:
        return f"{self.scale}: {len(self.labels)} label(s)"
