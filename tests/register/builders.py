"""Builders for register tests: a location with a safe, products as on real packages, a receipt."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.test import RequestFactory

from kapstone.practice.tenancy import scopes_disabled
from kapstone.register import services
from kapstone.register.models import FinishedForm, Location, Product, StoragePlace, Substance
from kapstone.register.verify import CHECKS

_seq = itertools.count(1)
EXPIRES = date(2030, 1, 31)


def request_as(membership, path="/register/"):
    """A request as the member makes it, for calling services directly."""
    request = RequestFactory().post(path)
    request.user = membership.user
    request.membership = membership
    request.practice = membership.practice
    request.session = {}
    return request


def make_location(practice, **fields) -> Location:
    n = next(_seq)
    fields.setdefault("name", f"Clinic {n}")
    fields.setdefault("address", f"{n} Main Street\nSpringfield, IL 62701")
    fields.setdefault("dea_number", f"AB{n:07d}")
    fields.setdefault("dea_expires_on", date(2028, 6, 30))
    with scopes_disabled():
        location = Location.objects.create(practice=practice, **fields)
        StoragePlace.objects.create(practice=practice, location=location, name="Safe 1", kind="safe")
    return location


def safe_of(location) -> StoragePlace:
    with scopes_disabled():
        return StoragePlace.objects.filter(location=location).first()


def ketamine_vial(practice, **fields) -> Product:
    """Ketamine 50 mg/mL in a 10 mL vial (no NDC: the practice enters it from the package)."""
    fields = {
        "substance": Substance.KETAMINE,
        "name": "Ketamine HCl Injection",
        "form": FinishedForm.INJECTION,
        "strength_mg": Decimal(50),
        "per_container": Decimal(10),
        **fields,
    }
    with scopes_disabled():
        return Product.objects.create(practice=practice, **fields)


def esketamine_device(practice) -> Product:
    with scopes_disabled():
        return Product.objects.create(
            practice=practice,
            substance=Substance.ESKETAMINE,
            name="Esketamine nasal spray",
            form=FinishedForm.NASAL_DEVICE,
            strength_mg=Decimal(28),
            per_container=Decimal(1),
        )


def ketamine_lozenges(practice, per_box=10) -> Product:
    with scopes_disabled():
        return Product.objects.create(
            practice=practice,
            substance=Substance.KETAMINE,
            name="Ketamine HCl lozenge",
            form=FinishedForm.LOZENGE,
            strength_mg=Decimal(100),
            per_container=Decimal(per_box),
        )


def receive(member, location, product, containers=1, *, lot="L123", expires_on=EXPIRES, received_on=None):
    """Receive ``containers`` containers of ``product`` at ``location``; returns them in label order."""
    request = request_as(member)
    with scopes_disabled():
        receipt = services.record_receipt(
            request,
            location=location,
            received_on=received_on or (location.practice.today() - timedelta(days=1)),
            invoice_number=f"INV-{next(_seq)}",
            supplier_name="Acme Pharma Distribution",
            supplier_address="1 Supply Way\nMemphis, TN 38101",
            supplier_dea_number="RA1234567",
            lines=[services.ReceiptLine(product, containers, lot, expires_on, safe_of(location))],
        )
        return list(receipt.containers.order_by("code"))


def register_problems(practice) -> list[str]:
    """The register's own checks. These tests draw through ``draw_for_dose`` without a dose on the
    record, which the sessions app's check (every draw belongs to a dose administration) would flag;
    that check is tested in ``tests/sessions/test_supply.py``."""
    own = [check for check in CHECKS if check.__module__ == "kapstone.register.verify"]
    return [problem for check in own for problem in check(practice)]
