"""The demo practice's controlled-substance register: stock received before the first session, every
demo dose drawn from it (``give_from_stock``), a witnessed waste, and one shift count that found a
lozenge missing, left open for the admin to explain.

Everything goes through ``kapstone.register``'s services, so the entries are chained and audited, and
``kapstone register check`` passes except for that one open discrepancy.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from kapstone.practice.models import Membership
from kapstone.register import counts
from kapstone.register import services as register
from kapstone.register.models import (
    Container,
    ContainerState,
    Count,
    FinishedForm,
    Location,
    Product,
    RegisterHandler,
    StoragePlace,
    Substance,
)
from kapstone.sessions import services
from kapstone.sessions.models import DoseAdministration, DoseOrder, MedicineSession
from kapstone.sessions.supply import containers_for

from .acting import As


@dataclass(frozen=True)
class Stocked:
    name: str
    substance: str
    form: str
    strength_mg: Decimal
    per_container: Decimal
    containers: int
    ndc: str = ""


# What the demo practice buys; enough for every demo dose (NDCs left blank: kapstone ships none).
STOCK = (
    Stocked("Ketamine HCl 100 mg sublingual troche (compounded)", Substance.KETAMINE, FinishedForm.LOZENGE,
            Decimal(100), Decimal(30), 24),
    Stocked("Ketamine HCl Injection USP 100 mg/mL", Substance.KETAMINE, FinishedForm.INJECTION,
            Decimal(100), Decimal(5), 4),
    Stocked("Ketamine HCl Injection USP 10 mg/mL", Substance.KETAMINE, FinishedForm.INJECTION,
            Decimal(10), Decimal(20), 24),
    Stocked("Spravato (esketamine) nasal spray 28 mg", Substance.ESKETAMINE, FinishedForm.NASAL_DEVICE,
            Decimal(28), Decimal(1), 90),
)  # fmt: skip
SUPPLIER = (
    "Midwest Specialty Pharmaceutical Distribution",
    "400 Commerce Drive\nIndianapolis, IN 46204",
    "RM4127730",
)


def stock_register(practice, *, admin: Membership, prescriber: Membership, monitor: Membership, since: date):
    """A registered location with a safe, the products, one delivery received ``since``, and the
    monitor named to move stock (so the monitor's doses draw from the register)."""
    location = Location.objects.create(
        practice=practice,
        name="Lakeside clinic",
        address="1200 Lakeside Avenue, Suite 300\nSpringfield, IL 62704",
        dea_number="FL3842175",
        dea_expires_on=date(since.year + 3, 5, 31),
    )
    safe = StoragePlace.objects.create(
        practice=practice, location=location, name="Medication room safe", kind=StoragePlace.Kind.SAFE
    )
    lines = []
    for item in STOCK:
        product = Product.objects.create(
            practice=practice,
            substance=item.substance,
            name=item.name,
            ndc=item.ndc,
            form=item.form,
            strength_mg=item.strength_mg,
            per_container=item.per_container,
        )
        lines.append(register.ReceiptLine(product, item.containers, f"L{since:%y%m}-{len(lines) + 1:02d}",
                                          date(since.year + 2, 12, 31), safe))  # fmt: skip
    name, address, dea = SUPPLIER
    register.record_receipt(
        As(prescriber),
        location=location,
        received_on=since,
        invoice_number=f"MSP-{since:%Y%m%d}-0042",
        supplier_name=name,
        supplier_address=address,
        supplier_dea_number=dea,
        lines=lines,
    )
    RegisterHandler.objects.create(practice=practice, membership=monitor, named_by=admin.user)
    return location


def give_from_stock(
    session: MedicineSession, order: DoseOrder, monitor: Membership, at: datetime, now: datetime
) -> DoseAdministration:
    """Give ``order`` at ``at`` from the register: from the open container first, then the earliest to
    expire; a dose larger than what is left in it is given in parts, one per container (each nasal
    device is its own container). Returns the first part."""
    remaining, given = order.dose_mg, []
    while remaining > 0:
        on_hand = containers_for(session, at.date(), [order.stock_strength])
        if not on_hand:
            raise RuntimeError(f"The demo register ran out of {session.protocol.title} stock: add to STOCK.")
        container = on_hand[0]
        take = min(remaining, container.product.mg_of(container.balance))
        given.append(
            services.record_administration(
                As(monitor), session, order, given_at=at, amount_mg=take, container=container, now=now
            )
        )
        remaining -= take
    return given[0]


def add_register_story(
    practice, *, prescriber: Membership, monitor: Membership, password: str, now: datetime
):
    """After the sessions: the rest of an opened 10 mg/mL vial wasted with the prescriber as witness, and
    a shift count that finds one troche fewer than the register (an open discrepancy)."""
    vial = (
        Container.objects.filter(practice=practice, state=ContainerState.OPEN, product__strength_mg=10)
        .order_by("-entries__occurred_at")
        .first()
    )
    if vial is not None and vial.balance > 0:
        register.record_waste(
            As(monitor),
            container=vial,
            quantity=min(vial.balance, Decimal("2.5")),
            manner="Remainder of the drawn syringe into the drug-waste container",
            witness=prescriber.user,
            witness_password=password,
            note="Left over after the infusion was prepared.",
            occurred_at=now - timedelta(hours=3),
        )
    box = Container.objects.filter(
        practice=practice, state=ContainerState.OPEN, product__form=FinishedForm.LOZENGE
    ).first()
    if box is not None:
        lines = [
            counts.Counted(c, c.balance - (1 if c.pk == box.pk else 0), "exact")
            for c in counts.containers_to_count(box.location)
        ]
        counts.record_count(
            As(monitor),
            location=box.location,
            kind=Count.Kind.AD_HOC,
            business_time=Count.BusinessTime.SHIFT,
            taken_at=now - timedelta(hours=1),
            lines=lines,
            note="Evening shift handover.",
        )
