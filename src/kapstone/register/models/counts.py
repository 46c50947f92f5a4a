"""Counts of what is on hand and the discrepancies they find; theft and loss with its deadlines;
the register's settings."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.practice.models import Practice
from kapstone.practice.tenancy import PracticeScopedModel

from ..rules import rules
from .base import QUANTITY, USER, AppendOnlyError, AppendOnlyModel, validate_retention
from .entries import Entry
from .stock import Container, Location


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

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
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
    def open(self) -> "TaskQuerySet":
        return self.filter(done_at__isnull=True)

    def delete(self) -> tuple[int, dict[str, int]]:
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

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Reporting tasks are never deleted; complete them instead.")

    def status_on(self, day: date) -> str:
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
    def for_practice(cls, practice: Practice) -> "RegisterSettings":
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
