"""The register's reports for any period, on screen, as CSV and as PDF: a title, columns and rows of text.

Each report costs a fixed number of queries, whatever the period. The administration log names
clients: a viewer sees the names of the clients visible to them (an admin sees all); the command
line, run by whoever holds the server, sees all (docs/register.md).
"""

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.clients.access import visible_clients
from kapstone.pdf import render_pdf
from kapstone.practice.models import Membership, Practice

from .models import DISPOSALS, Count, CountLine, Discrepancy, Entry, EntryKind, Receipt, format_amount

if TYPE_CHECKING:  # a typing-only protocol from the standard library stubs
    from _typeshed import SupportsWrite

HIDDEN_CLIENT = "Client not on your care team"


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    columns: tuple[str, ...]
    rows: list[list[str]]

    def write_csv(self, stream: "SupportsWrite[str]") -> None:
        writer = csv.writer(stream)
        writer.writerow(self.columns)
        writer.writerows(self.rows)

    def pdf(self, practice: Practice, start: date, end: date, printed_by: User | None = None) -> bytes:
        """The report printed (docs/documents.md): landscape, the period, who printed it and when."""
        context = {
            "report": self,
            "practice": practice,
            "start": start,
            "end": end,
            "zone": str(practice.zone),
            "printed_at": _local(timezone.now(), practice),
            "printed_by": _name(printed_by),
        }
        return render_pdf("register/report_pdf.html", context)


def period(practice: Practice, start: date, end: date) -> tuple[datetime, datetime]:
    """The aware instants from the start of ``start`` to the end of ``end`` in the practice's zone."""
    zone = practice.zone
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _local(value: datetime | None, practice: Practice) -> str:
    return timezone.localtime(value, practice.zone).strftime("%Y-%m-%d %H:%M %Z") if value else ""


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user else ""


def _corrections(entries: list[Entry]) -> dict:
    """Sum of corrections per corrected entry, in one query."""
    totals: dict = defaultdict(Decimal)
    rows = Entry.objects.filter(corrects__in=[e.pk for e in entries]).values_list("corrects", "quantity")
    for corrected, quantity in rows:
        totals[corrected] += quantity
    return totals


def administrations(practice: Practice, start: date, end: date, viewer: Membership | None = None) -> Report:
    """Every draw for a dose: substance, form and strength, date, client name and address, mg and mL
    (or units), who gave it (21 CFR 1304.22(c) as applied to dispensers)."""
    since, until = period(practice, start, end)
    entries = list(
        Entry.objects.filter(
            practice=practice, kind=EntryKind.DRAW, occurred_at__gte=since, occurred_at__lt=until
        )
        .select_related("product", "container", "client", "given_by")
        .order_by("occurred_at", "seq")
    )
    corrections = _corrections(entries)
    shown = None if viewer is None else set(visible_clients(viewer).values_list("pk", flat=True))
    rows = []
    for entry in entries:
        correction = corrections.get(entry.pk, Decimal(0))
        quantity = -(entry.quantity + correction)
        client = entry.client
        visible = client is not None and (shown is None or client.pk in shown)
        product = entry.product
        rows.append(
            [
                _local(entry.occurred_at, practice),
                product.get_substance_display(),
                product.description,
                product.ndc,
                entry.container.code,
                entry.container.lot,
                client.legal_name if visible else HIDDEN_CLIENT,
                " ".join(client.address.split()) if visible else "",
                f"{product.mg_of(quantity).normalize():f}",
                format_amount(quantity, product.measure),
                _name(entry.given_by),
                entry.administration_ref,
                "corrected" if correction else "",
            ]
        )
    return Report(
        "administrations",
        "Administration log",
        (
            "Date",
            "Substance",
            "Form and strength",
            "NDC",
            "Container",
            "Lot",
            "Client",
            "Client address",
            "mg",
            "Amount",
            "Given by",
            "Administration",
            "Note",
        ),
        rows,
    )


def receipts(practice: Practice, start: date, end: date, viewer: Membership | None = None) -> Report:
    """Every receipt by the date actually received, with supplier, products and containers."""
    found = (
        Receipt.objects.filter(practice=practice, received_on__gte=start, received_on__lte=end)
        .select_related("location", "received_by")
        .prefetch_related("containers__product")
        .order_by("received_on", "recorded_at")
    )
    rows = []
    for receipt in found:
        by_product: dict = defaultdict(list)
        for container in receipt.containers.all():
            by_product[container.product].append(container)
        for product, containers in by_product.items():
            rows.append(
                [
                    f"{receipt.received_on:%Y-%m-%d}",
                    receipt.supplier_name,
                    " ".join(receipt.supplier_address.split()),
                    receipt.supplier_dea_number,
                    receipt.invoice_number,
                    receipt.location.name,
                    product.description,
                    product.ndc,
                    str(len(containers)),
                    format_amount(sum((c.capacity for c in containers), Decimal(0)), product.measure),
                    ", ".join(sorted({c.lot for c in containers})),
                    ", ".join(c.code for c in sorted(containers, key=lambda c: c.code)),
                    _name(receipt.received_by),
                ]
            )
    return Report(
        "receipts",
        "Receipt log",
        (
            "Received on",
            "Supplier",
            "Supplier address",
            "Supplier DEA number",
            "Invoice",
            "Location",
            "Product",
            "NDC",
            "Containers",
            "Quantity",
            "Lots",
            "Container labels",
            "Received by",
        ),
        rows,
    )


def inventory(practice: Practice, start: date, end: date, viewer: Membership | None = None) -> Report:
    """Every count line: when, which kind, opening or close, per container what the register held and
    what was found, exact or estimated (21 CFR 1304.11)."""
    since, until = period(practice, start, end)
    lines = (
        CountLine.objects.filter(practice=practice, count__taken_at__gte=since, count__taken_at__lt=until)
        .select_related("count__location", "count__counted_by", "container__product")
        .order_by("count__taken_at", "container__code")
    )
    rows = [
        [
            _local(line.count.taken_at, practice),
            line.count.get_kind_display(),
            line.count.get_business_time_display(),
            line.count.location.name,
            line.container.product.description,
            line.container.code,
            line.container.lot,
            line.get_method_display(),
            format_amount(line.expected, line.container.product.measure),
            format_amount(line.counted, line.container.product.measure),
            format_amount(line.difference, line.container.product.measure) if line.difference else "",
            _name(line.count.counted_by),
        ]
        for line in lines
    ]
    return Report(
        "inventory",
        "Inventory and counts",
        (
            "Taken at",
            "Kind",
            "Opening or close",
            "Location",
            "Product",
            "Container",
            "Lot",
            "Method",
            "Register",
            "Counted",
            "Difference",
            "Counted by",
        ),
        rows,
    )


def disposals(practice: Practice, start: date, end: date, viewer: Membership | None = None) -> Report:
    """Waste, returns to a reverse distributor, destructions (Form 41) and thefts or losses."""
    since, until = period(practice, start, end)
    entries = list(
        Entry.objects.filter(
            practice=practice, kind__in=DISPOSALS, occurred_at__gte=since, occurred_at__lt=until
        )
        .select_related("product", "container", "recorded_by", "witness")
        .order_by("occurred_at", "seq")
    )
    corrections = _corrections(entries)
    rows = []
    for entry in entries:
        quantity = -(entry.quantity + corrections.get(entry.pk, Decimal(0)))
        rows.append(
            [
                _local(entry.occurred_at, practice),
                entry.get_kind_display(),
                entry.product.description,
                entry.container.code,
                entry.container.lot,
                format_amount(quantity, entry.product.measure),
                f"{entry.product.mg_of(quantity).normalize():f}",
                entry.manner,
                entry.reference,
                entry.counterparty,
                _name(entry.recorded_by),
                _name(entry.witness),
                _local(entry.witnessed_at, practice),
            ]
        )
    return Report(
        "disposals",
        "Waste and disposals",
        (
            "Date",
            "Kind",
            "Product",
            "Container",
            "Lot",
            "Amount",
            "mg",
            "Manner",
            "Reference",
            "Reverse distributor",
            "Recorded by",
            "Witness",
            "Witnessed at",
        ),
        rows,
    )


def discrepancies(practice: Practice, start: date, end: date, viewer: Membership | None = None) -> Report:
    since, until = period(practice, start, end)
    found = (
        Discrepancy.objects.filter(practice=practice, raised_at__gte=since, raised_at__lt=until)
        .select_related("container__product", "line__count", "explanation__recorded_by")
        .order_by("raised_at")
    )
    rows = []
    for d in found:
        measure = d.container.product.measure
        explanation = d.explanation
        rows.append(
            [
                _local(d.raised_at, practice),
                Count.Kind(d.line.count.kind).label,
                d.container.code,
                d.container.product.description,
                format_amount(d.line.expected, measure),
                format_amount(d.line.counted, measure),
                format_amount(d.line.difference, measure),
                explanation.note if explanation else "OPEN: not explained",
                _name(explanation.recorded_by) if explanation else "",
                _local(explanation.recorded_at, practice) if explanation else "",
                format_amount(explanation.quantity, measure) if explanation and explanation.quantity else "",
            ]
        )
    return Report(
        "discrepancies",
        "Discrepancies",
        (
            "Found at",
            "Count",
            "Container",
            "Product",
            "Register",
            "Counted",
            "Difference",
            "Explanation",
            "Explained by",
            "Explained at",
            "Register adjusted by",
        ),
        rows,
    )


REPORTS = {
    "administrations": administrations,
    "receipts": receipts,
    "inventory": inventory,
    "disposals": disposals,
    "discrepancies": discrepancies,
}
REPORT_TITLES = {
    "administrations": "Administration log",
    "receipts": "Receipt log",
    "inventory": "Inventory and counts",
    "disposals": "Waste and disposals",
    "discrepancies": "Discrepancies",
}


def build(kind: str, practice: Practice, start: date, end: date, viewer: Membership | None = None) -> Report:
    if kind not in REPORTS:
        raise ValueError(f"Unknown report {kind!r}: choose one of {', '.join(REPORTS)}.")
    if end < start:
        raise ValueError("The period ends before it starts.")
    return REPORTS[kind](practice, start, end, viewer)
