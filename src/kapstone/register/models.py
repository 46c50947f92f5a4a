"""The controlled-substance register: where stock is kept, what it is, and every movement of it.

Which federal rule each field serves is in ``docs/register.md``. Quantities are kept in the
product's own measure (mL for a solution, units for lozenges, tablets and nasal devices) with three
decimals; milligrams follow from the product's strength.

:class:`Entry` rows are append-only and hash-chained, one chain per practice, exactly like the audit
trail: appending locks only that practice's :class:`RegisterChain` row. Balances live on
:class:`Container` and :class:`Stock` (per product and location) and carry check constraints, so no
code path, however it is reached, can store a negative balance.
"""

import hashlib
import json
import re
import uuid
from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.practice.tenancy import PracticeScopedModel

from .rules import rules

USER = settings.AUTH_USER_MODEL
GENESIS_HASH = "0" * 64
PLACES = Decimal("0.001")
QUANTITY = {"max_digits": 12, "decimal_places": 3}
DEA_NUMBER = re.compile(r"^[A-Z]{2}\d{7}$")
NDC = re.compile(r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1}|\d{5}-\d{4}-\d{2}|\d{10,11})$")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a register record through the ORM."""


def quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(PLACES)


def validate_dea_number(value: str) -> None:
    if not DEA_NUMBER.match(value):
        raise ValidationError(f"{value!r} is not a DEA registration number: two letters and seven digits.")


def validate_ndc(value: str) -> None:
    if value and not NDC.match(value):
        raise ValidationError(
            f"{value!r} is not an NDC: 10 digits as 4-4-2, 5-3-2 or 5-4-1, or the 11-digit 5-4-2 form."
        )


def validate_retention(value: int) -> None:
    minimum = rules().retention_years
    if value < minimum:
        raise ValidationError(f"Register records are kept at least {minimum} years (21 CFR 1304.04).")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records are append-only: never updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records are append-only: never deleted.")

    _raw_delete = delete


class AppendOnlyModel(PracticeScopedModel):
    """A record that is written once: the ORM refuses to update or delete it."""

    objects = ScopedManager(models.Manager.from_queryset(AppendOnlyQuerySet), practice="practice")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name} records are append-only: never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name} records are append-only: never deleted.")


# --- Where and what ------------------------------------------------------------------------------


class Location(PracticeScopedModel):
    """A registered location: controlled substances are stored and inventoried per DEA registration."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    address = models.TextField()
    dea_number = models.CharField(
        "DEA registration number", max_length=9, validators=[validate_dea_number], help_text="e.g. AB1234563"
    )
    dea_expires_on = models.DateField("DEA registration expires on")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["practice", "name"], name="register_location_name")]

    def __str__(self) -> str:
        return self.name


class StoragePlace(PracticeScopedModel):
    class Kind(models.TextChoices):
        LOCKED_CABINET = "locked_cabinet", "Locked cabinet"
        SAFE = "safe", "Safe"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="storage_places")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="register_storage_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"


class Substance(models.TextChoices):
    KETAMINE = "ketamine", "Ketamine HCl"
    ESKETAMINE = "esketamine", "Esketamine HCl"


class FinishedForm(models.TextChoices):
    INJECTION = "injection", "Injection (solution)"
    NASAL_DEVICE = "nasal_device", "Nasal spray device"
    LOZENGE = "lozenge", "Lozenge (troche)"
    RDT = "rdt", "Rapid-dissolving tablet"
    TABLET = "tablet", "Tablet"


class Measure(models.TextChoices):
    ML = "mL", "mL"
    UNIT = "unit", "units"


class ContainerKind(models.TextChoices):
    VIAL = "vial", "Vial"
    BOX = "box", "Box"
    DEVICE = "device", "Nasal device"


# A solution is measured by volume; everything else by the unit (one lozenge, one device).
MEASURE_OF_FORM = {FinishedForm.INJECTION: Measure.ML}
CONTAINER_OF_FORM = {
    FinishedForm.INJECTION: ContainerKind.VIAL,
    FinishedForm.NASAL_DEVICE: ContainerKind.DEVICE,
}
CODE_PREFIX = {ContainerKind.VIAL: "V", ContainerKind.BOX: "B", ContainerKind.DEVICE: "D"}


class Product(PracticeScopedModel):
    """A finished form and strength in its commercial container, e.g. ketamine 50 mg/mL, 10 mL vial.

    kapstone ships no NDCs: the practice enters them from the package (docs/register.md).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    substance = models.CharField(max_length=20, choices=Substance.choices)
    name = models.CharField(max_length=120, help_text="As on the package, e.g. Ketamine HCl Injection USP.")
    ndc = models.CharField("NDC", max_length=13, blank=True, validators=[validate_ndc])
    schedule = models.CharField(max_length=4, default="III", editable=False)
    form = models.CharField("finished form", max_length=20, choices=FinishedForm.choices)
    strength_mg = models.DecimalField(
        "strength (mg per mL or per unit)",
        max_digits=8,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    per_container = models.DecimalField(
        "mL or units per container",
        **QUANTITY,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text="mL in one vial, lozenges in one box, 1 for a nasal device.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["substance", "name", "strength_mg"]

    def __str__(self) -> str:
        return self.description

    @property
    def measure(self) -> str:
        return MEASURE_OF_FORM.get(self.form, Measure.UNIT)

    @property
    def container_kind(self) -> str:
        return CONTAINER_OF_FORM.get(self.form, ContainerKind.BOX)

    @property
    def measure_label(self) -> str:
        return Measure(self.measure).label

    @property
    def is_liquid(self) -> bool:
        return self.measure == Measure.ML

    @property
    def description(self) -> str:
        """Substance, finished form, strength and units per container: the inventory's wording."""
        strength = f"{self.strength_mg.normalize():f}"
        size = f"{self.per_container.normalize():f}"
        form = FinishedForm(self.form).label.lower()
        if self.is_liquid:
            return f"{self.get_substance_display()} {form} {strength} mg/mL, {size} mL vial"
        if self.form == FinishedForm.NASAL_DEVICE:
            return f"{self.get_substance_display()} {strength} mg nasal device"
        return f"{self.get_substance_display()} {strength} mg {form}, box of {size}"

    def mg_of(self, quantity: Decimal) -> Decimal:
        return quantize(quantity * self.strength_mg)


# --- Containers and balances -----------------------------------------------------------------------


class ContainerState(models.TextChoices):
    SEALED = "sealed", "Sealed"
    OPEN = "open", "Open"
    EMPTY = "empty", "Empty"
    EXPIRED = "expired", "Expired"
    QUARANTINED = "quarantined", "Quarantined"
    DISPOSED = "disposed", "Disposed"


ON_HAND = (ContainerState.SEALED, ContainerState.OPEN, ContainerState.EXPIRED, ContainerState.QUARANTINED)
DRAWABLE = (ContainerState.SEALED, ContainerState.OPEN)


class Receipt(AppendOnlyModel):
    """One delivery, from the supplier's invoice: the Schedule III receipt record (no Form 222)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="receipts")
    received_on = models.DateField("date actually received")
    invoice_number = models.CharField(max_length=60)
    supplier_name = models.CharField(max_length=200)
    supplier_address = models.TextField()
    supplier_dea_number = models.CharField(
        "supplier DEA number", max_length=9, validators=[validate_dea_number]
    )
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Invoice {self.invoice_number} from {self.supplier_name}"


class Container(PracticeScopedModel):
    """One commercial container (vial, box, nasal device) with its own running balance.

    Changed only by ``register.services`` under a row lock; ``balance`` can never go below zero
    or above what the container held when it arrived (check constraints).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=20, help_text="The label written on the container, e.g. V-0012.")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="containers")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="containers")
    lot = models.CharField(max_length=60)
    expires_on = models.DateField()
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="containers")
    storage = models.ForeignKey(StoragePlace, on_delete=models.PROTECT, related_name="containers")
    state = models.CharField(max_length=20, choices=ContainerState.choices, default=ContainerState.SEALED)
    capacity = models.DecimalField(**QUANTITY)
    balance = models.DecimalField(**QUANTITY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "code"], name="register_container_code"),
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="register_container_balance_not_negative",
                violation_error_message="A container's balance can never be negative.",
            ),
            models.CheckConstraint(
                condition=Q(balance__lte=F("capacity")),
                name="register_container_balance_within_capacity",
                violation_error_message="A container cannot hold more than it held when received.",
            ),
        ]
        indexes = [
            # The overview and the count form list a location's containers on hand.
            models.Index(fields=["practice", "location", "state"], name="register_container_on_hand"),
        ]

    def __str__(self) -> str:
        return self.code

    def amount(self, quantity: Decimal) -> str:
        """``quantity`` in this container's measure, e.g. "3.0 mL" or "2 units"."""
        return format_amount(quantity, self.product.measure)


def format_amount(quantity: Decimal, measure: str) -> str:
    value = quantize(quantity).normalize()
    text = f"{value:f}"
    if measure == Measure.ML:
        return f"{text if '.' in text else text + '.0'} mL"
    return f"{text} unit{'' if value == 1 else 's'}"


class Stock(PracticeScopedModel):
    """The running balance of one product at one location: the sum of its containers there."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    balance = models.DecimalField(**QUANTITY, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "location"], name="register_stock_unique"),
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="register_stock_balance_not_negative",
                violation_error_message="A product's balance at a location can never be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} at {self.location}"


# --- The register itself ----------------------------------------------------------------------------


class RegisterChain(PracticeScopedModel):
    """The head of one practice's entry chain; its row lock serialises appends to that chain.

    It also hands out container numbers, so two receipts never label two containers alike.
    """

    practice = models.OneToOneField("practice.Practice", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    next_container = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"register of {self.practice_id} at #{self.seq}"


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    DRAW = "draw", "Draw for a dose"
    WASTE = "waste", "Waste"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    RETURN = "return", "Return to a reverse distributor"
    DESTRUCTION = "destruction", "Destruction"
    LOSS = "loss", "Theft or loss"
    CORRECTION = "correction", "Correction"
    STATE = "state", "Set aside"
    EXPLANATION = "explanation", "Discrepancy explained"


OUTGOING = (EntryKind.DRAW, EntryKind.WASTE, EntryKind.RETURN, EntryKind.DESTRUCTION, EntryKind.LOSS)
CORRECTABLE = (EntryKind.RECEIPT, EntryKind.DRAW, EntryKind.WASTE, EntryKind.LOSS)
DISPOSALS = (EntryKind.WASTE, EntryKind.RETURN, EntryKind.DESTRUCTION, EntryKind.LOSS)


class Entry(AppendOnlyModel):
    """One movement of one container, in the order it was recorded; never changed, never deleted.

    ``quantity`` is the change to the container's balance and ``stock_delta`` the change to its
    product's balance at ``location`` (they differ only for a transfer). A mistake is corrected by
    a later entry of kind ``correction`` whose ``corrects`` points here.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="entries")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QUANTITY)
    stock_delta = models.DecimalField(**QUANTITY)
    mg = models.DecimalField(**QUANTITY)
    container_balance_after = models.DecimalField(**QUANTITY)
    stock_balance_after = models.DecimalField(**QUANTITY)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)
    # A draw: who gave the dose, to whom, and the dose administration it belongs to.
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, null=True, related_name="+")
    given_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    administration_ref = models.CharField(max_length=80, blank=True)
    # Waste and destruction: a second member confirmed with their own password at ``witnessed_at``.
    witness = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    witnessed_at = models.DateTimeField(null=True)
    manner = models.CharField(max_length=200, blank=True)
    # Form 41 number, reverse distributor's reference, loss report reference.
    reference = models.CharField(max_length=120, blank=True)
    counterparty = models.TextField(blank=True, help_text="Reverse distributor: name, address, DEA number.")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="corrections")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, null=True, related_name="entries")
    note = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["practice", "seq"], name="register_entry_unique_seq"),
            models.CheckConstraint(
                condition=Q(container_balance_after__gte=0) & Q(stock_balance_after__gte=0),
                name="register_entry_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(witness__isnull=True) | ~Q(witness=F("recorded_by")),
                name="register_entry_no_self_witness",
                violation_error_message="Nobody witnesses their own waste.",
            ),
        ]
        indexes = [
            # Reports list a practice's entries of some kinds over a period.
            models.Index(fields=["practice", "kind", "occurred_at"], name="register_entry_kind_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.container_id}"

    def content(self) -> dict:
        """Everything the hash covers, in a form that survives a database round trip unchanged."""

        def ref(value) -> str | None:
            return str(value) if value is not None else None

        def dec(value: Decimal) -> str:
            return f"{quantize(value):f}"

        return {
            "practice": self.practice_id,
            "seq": self.seq,
            "kind": self.kind,
            "container": ref(self.container_id),
            "product": ref(self.product_id),
            "location": ref(self.location_id),
            "quantity": dec(self.quantity),
            "stock_delta": dec(self.stock_delta),
            "mg": dec(self.mg),
            "container_balance_after": dec(self.container_balance_after),
            "stock_balance_after": dec(self.stock_balance_after),
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "recorded_at": self.recorded_at.astimezone(UTC).isoformat(),
            "recorded_by": self.recorded_by_id,
            "client": ref(self.client_id),
            "given_by": self.given_by_id,
            "administration_ref": self.administration_ref,
            "witness": self.witness_id,
            "witnessed_at": self.witnessed_at.astimezone(UTC).isoformat() if self.witnessed_at else None,
            "manner": self.manner,
            "reference": self.reference,
            "counterparty": self.counterparty,
            "corrects": ref(self.corrects_id),
            "receipt": ref(self.receipt_id),
            "note": self.note,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


# --- Counts and discrepancies ------------------------------------------------------------------------


class Count(AppendOnlyModel):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial inventory"
        BIENNIAL = "biennial", "Biennial inventory"
        AD_HOC = "ad_hoc", "Count at shift change"

    class BusinessTime(models.TextChoices):
        OPENING = "opening", "At opening of business"
        CLOSE = "close", "At close of business"
        SHIFT = "shift", "At shift change"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="counts")
    taken_at = models.DateTimeField()
    business_time = models.CharField(max_length=20, choices=BusinessTime.choices)
    counted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["practice", "kind", "taken_at"], name="register_count_kind_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.location}"


class CountLine(AppendOnlyModel):
    class Method(models.TextChoices):
        EXACT = "exact", "Exact count"
        ESTIMATED = "estimated", "Estimate"

    count = models.ForeignKey(Count, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="count_lines")
    expected = models.DecimalField("register balance", **QUANTITY)
    counted = models.DecimalField(**QUANTITY)
    method = models.CharField(max_length=20, choices=Method.choices)

    class Meta:
        ordering = ["container__code"]

    def __str__(self) -> str:
        return f"{self.container_id}: {self.counted} of {self.expected}"

    @property
    def difference(self) -> Decimal:
        return self.counted - self.expected


class Discrepancy(PracticeScopedModel):
    """A count that differs from the register. Open until an explanation entry is written.

    Not a clinical safety alert: the practice admins are told by email and it is listed under
    ``/register/discrepancies/`` (docs/register.md).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    line = models.OneToOneField(CountLine, on_delete=models.PROTECT, related_name="discrepancy")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="discrepancies")
    raised_at = models.DateTimeField(default=timezone.now)
    # Set once, by ``services.explain_discrepancy``: the entry holds the explanation, who and when.
    explanation = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="explained"
    )

    class Meta:
        ordering = ["-raised_at"]
        verbose_name_plural = "discrepancies"

    def __str__(self) -> str:
        return f"Discrepancy on {self.container_id}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Discrepancies are never deleted; explain them instead.")

    @property
    def is_open(self) -> bool:
        return self.explanation_id is None


# --- Theft and loss ---------------------------------------------------------------------------------


class LossReport(AppendOnlyModel):
    class Kind(models.TextChoices):
        THEFT = "theft", "Theft"
        LOSS = "loss", "Significant loss"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="loss_report")
    discovered_at = models.DateTimeField()
    description = models.TextField()
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-discovered_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} discovered {self.discovered_at:%Y-%m-%d}"


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def delete(self):
        raise AppendOnlyError("Reporting tasks are never deleted; complete them instead.")


class ReportingTask(PracticeScopedModel):
    """A deadline that follows a theft or loss: the written notice and DEA Form 106."""

    class Kind(models.TextChoices):
        WRITTEN_NOTICE = "written_notice", "Written notice to the DEA field office"
        FORM_106 = "form_106", "DEA Form 106 filed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(LossReport, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField(max_length=120, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(models.Manager.from_queryset(TaskQuerySet), practice="practice")

    class Meta:
        ordering = ["due_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="register_task_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Reporting tasks are never deleted; complete them instead.")

    def status_on(self, day) -> str:
        if self.done_at:
            return "done"
        return "overdue" if day > self.due_on else "due"


# --- Settings -----------------------------------------------------------------------------------------


class RegisterSettings(PracticeScopedModel):
    practice = models.OneToOneField("practice.Practice", on_delete=models.PROTECT, related_name="+")
    retention_years = models.PositiveSmallIntegerField(
        default=rules().retention_years,
        validators=[validate_retention],
        help_text="Entries are never purged; this is the least time every record stays available.",
    )

    def __str__(self) -> str:
        return f"register settings of {self.practice_id}"

    @classmethod
    def for_practice(cls, practice) -> "RegisterSettings":
        return cls.objects.filter(practice=practice).first() or cls(practice=practice)


class RegisterHandler(PracticeScopedModel):
    """A monitor or nurse the practice names to move stock (prescribers and admins always may)."""

    membership = models.OneToOneField(
        "practice.Membership", on_delete=models.CASCADE, related_name="register_handler"
    )
    named_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    named_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.membership} handles controlled substances"
