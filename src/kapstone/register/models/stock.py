"""Where stock is kept, what it is, and each container with its running balance."""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from kapstone.practice.tenancy import PracticeScopedModel

from .base import QUANTITY, USER, AppendOnlyModel, quantize, validate_dea_number, validate_ndc


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

    @property
    def balance_text(self) -> str:
        return self.amount(self.balance)

    @property
    def amount_capacity(self) -> str:
        return self.amount(self.capacity)

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

    @property
    def balance_text(self) -> str:
        return format_amount(self.balance, self.product.measure)
