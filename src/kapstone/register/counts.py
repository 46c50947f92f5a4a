"""Counts of what is on hand (initial, biennial, at shift change) and the discrepancies they find.

A count lists every container on hand at one location with what was found in it. Any difference
from the register balance opens a :class:`Discrepancy`, tells the practice admins by email, and
stays open until someone who may move stock writes the explanation entry (docs/register.md).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.practice.models import Practice

from .models import (
    ON_HAND,
    Container,
    ContainerState,
    Count,
    CountLine,
    Discrepancy,
    Entry,
    Location,
    quantize,
)
from .rules import biennial_due, rules
from .services import RegisterError, append_explanation, check_mover
from .tasks import notify_discrepancy


@dataclass(frozen=True)
class Counted:
    container: Container
    counted: Decimal
    method: str


def containers_to_count(location: Location) -> QuerySet:
    """Every container on hand at ``location``, in label order: the lines a count must fill in."""
    return (
        Container.objects.filter(location=location, state__in=ON_HAND)
        .select_related("product", "storage")
        .order_by("code")
    )


def may_estimate(container: Container) -> bool:
    """Opened Schedule III containers may be estimated, unless they hold many tablets (21 CFR 1304.11)."""
    if container.state == ContainerState.SEALED:
        return False
    return container.product.is_liquid or container.capacity <= rules().exact_count_above_units


def biennial_due_by_location(practice: Practice) -> dict[UUID, date]:
    """When each location's next biennial inventory is due (absent: no inventory yet), in one query."""
    kinds = (Count.Kind.INITIAL, Count.Kind.BIENNIAL)
    latest = Count.objects.filter(kind__in=kinds).values("location").annotate(last=Max("taken_at"))
    zone = practice.zone
    return {row["location"]: biennial_due(timezone.localdate(row["last"], timezone=zone)) for row in latest}


def last_inventory(location: Location) -> Count | None:
    kinds = (Count.Kind.INITIAL, Count.Kind.BIENNIAL)
    return Count.objects.filter(location=location, kind__in=kinds).order_by("-taken_at").first()


def next_biennial_due(location: Location) -> date | None:
    last = last_inventory(location)
    if last is None:
        return None
    return biennial_due(timezone.localdate(last.taken_at, timezone=location.practice.zone))


def _check_lines(location: Location, kind: str, lines: list[Counted]) -> None:
    expected = {c.pk: c for c in containers_to_count(location)}
    given = {line.container.pk for line in lines}
    if missing := [expected[pk].code for pk in expected.keys() - given]:
        raise RegisterError(f"Count every container on hand; missing: {', '.join(sorted(missing))}.", "lines")
    if extra := [line.container.code for line in lines if line.container.pk not in expected]:
        raise RegisterError(f"Not on hand at {location}: {', '.join(sorted(extra))}.", "lines")
    for line in lines:
        if line.counted is None or line.counted < 0:
            raise RegisterError(f"{line.container.code}: enter what was found (zero or more).", "lines")
        if line.method == CountLine.Method.ESTIMATED and not may_estimate(expected[line.container.pk]):
            raise RegisterError(
                f"{line.container.code} is {expected[line.container.pk].get_state_display().lower()}: "
                "count it exactly (only opened containers may be estimated).",
                "lines",
            )


def record_count(
    request: StaffRequest | None,
    *,
    location: Location,
    kind: str,
    business_time: str,
    taken_at: datetime,
    lines: list[Counted],
    note: str = "",
    counted_by: User | None = None,
) -> Count:
    """Record a count; every line that differs from the register opens a discrepancy."""
    check_mover(request)
    counter = counted_by or (request.user if request is not None else None)
    if counter is None:
        raise RegisterError("A count names who counted.", "counted_by")
    if kind in (Count.Kind.INITIAL, Count.Kind.BIENNIAL) and business_time == Count.BusinessTime.SHIFT:
        raise RegisterError("An inventory is taken at the opening or the close of business.", "business_time")
    if taken_at > timezone.now():
        raise RegisterError("A count cannot be in the future.", "taken_at")
    if kind == Count.Kind.INITIAL and (
        first := Count.objects.filter(location=location, kind=Count.Kind.INITIAL).first()
    ):
        raise RegisterError(
            f"The initial inventory of {location} was taken on {first.taken_at:%Y-%m-%d}.", "kind"
        )
    with transaction.atomic():
        # Lock what is counted, so no draw changes a balance between reading it and comparing.
        locked = list(
            Container.objects.select_for_update()
            .filter(pk__in=[line.container.pk for line in lines])
            .order_by("pk")
        )
        balances = {c.pk: c.balance for c in locked}
        _check_lines(location, kind, lines)
        count = Count.objects.create(
            practice=location.practice,
            kind=kind,
            location=location,
            taken_at=taken_at,
            business_time=business_time,
            counted_by=counter,
            note=note,
        )
        discrepancies = []
        for line in lines:
            row = CountLine.objects.create(
                practice=location.practice,
                count=count,
                container=line.container,
                expected=balances[line.container.pk],
                counted=quantize(line.counted),
                method=line.method,
            )
            if row.counted != row.expected:
                discrepancies.append(
                    Discrepancy.objects.create(practice=location.practice, line=row, container=line.container)
                )
        log_event(
            request,
            "register.count.recorded",
            obj=count,
            practice=location.practice,
            data={"kind": kind, "lines": len(lines), "discrepancies": len(discrepancies)},
        )
        for discrepancy in discrepancies:
            transaction.on_commit(lambda pk=str(discrepancy.pk): notify_discrepancy.enqueue(pk))
    return count


def explain_discrepancy(
    request: StaffRequest | None, discrepancy: Discrepancy, *, explanation: str, adjust: bool
) -> Entry:
    """Write the explanation entry; with ``adjust`` the register takes the counted amount as right."""
    check_mover(request)
    if not explanation.strip():
        raise RegisterError("Explain what happened (who looked, what was found).", "explanation")
    with transaction.atomic():
        container = (
            Container.objects.select_for_update().select_related("product").get(pk=discrepancy.container_id)
        )
        current = Discrepancy.objects.select_for_update().select_related("line").get(pk=discrepancy.pk)
        if not current.is_open:
            raise RegisterError("This discrepancy is already explained.")
        adjustment = current.line.difference if adjust else Decimal(0)
        if container.balance + adjustment > container.capacity:
            raise RegisterError(
                f"Container {container.code} cannot hold more than {container.amount(container.capacity)}.",
                "adjust",
            )
        entry = append_explanation(
            request, container=container, adjustment=adjustment, explanation=explanation.strip()
        )
        Discrepancy.objects.filter(pk=current.pk).update(explanation=entry)
    return entry
