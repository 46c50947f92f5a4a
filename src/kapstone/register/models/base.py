"""What every register model shares: append-only records, quantities, and the field validators."""

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from kapstone.practice.tenancy import PracticeScopedModel

from ..rules import rules

USER = settings.AUTH_USER_MODEL
PLACES = Decimal("0.001")
QUANTITY: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}
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
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records are append-only: never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records are append-only: never deleted.")

    _raw_delete = delete


class AppendOnlyModel(PracticeScopedModel):
    """A record that is written once: the ORM refuses to update or delete it."""

    objects = ScopedManager(models.Manager.from_queryset(AppendOnlyQuerySet), practice="practice")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name} records are append-only: never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.verbose_name} records are append-only: never deleted.")
