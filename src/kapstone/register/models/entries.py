"""The register itself: one append-only, hash-chained entry per movement, one chain per practice."""

import uuid
from datetime import UTC
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from kapstone.audit.chain import GENESIS_HASH, content_hash
from kapstone.practice.tenancy import PracticeScopedModel

from .base import QUANTITY, USER, AppendOnlyModel, quantize
from .stock import Container, Location, Product, Receipt, format_amount


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

    @property
    def quantity_text(self) -> str:
        return format_amount(self.quantity, self.product.measure)

    @property
    def balance_after_text(self) -> str:
        return format_amount(self.container_balance_after, self.product.measure)

    def content(self) -> dict:
        """Everything the hash covers, in a form that survives a database round trip unchanged."""

        def ref(value: object) -> str | None:
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
        return content_hash(self.content())
