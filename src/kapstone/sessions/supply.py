"""Where a dose comes from: a container of the practice's register, or a pharmacy's prescription.

A dose given from the practice's stock draws from a named container in the same transaction that
records it (``register.services.draw_for_dose``), so no dose is on the record without its draw and
no draw without its dose. A route the practice marks as dispensed by a pharmacy (take-home
lozenges the client brings) records the prescription reference instead. `docs/register.md`.
"""

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.clinical.protocols import Protocol
from kapstone.practice.models import Practice, Role
from kapstone.register import services as register
from kapstone.register.access import can_move_stock
from kapstone.register.models import (
    DRAWABLE,
    Container,
    ContainerState,
    Entry,
    EntryKind,
    FinishedForm,
    Substance,
)

from .models import DoseAdministration, DoseOrder, MedicineSession, ProtocolSetting
from .roles import has_role

Supply = ProtocolSetting.Supply

# A protocol's stock form and the finished forms of the register that can supply it.
FORMS_OF_STOCK = {
    "solution": (FinishedForm.INJECTION,),
    "unit": (FinishedForm.LOZENGE, FinishedForm.RDT, FinishedForm.TABLET),
    "device": (FinishedForm.NASAL_DEVICE,),
}
# Only an oral route can be dispensed to the client: esketamine is never dispensed for home use
# (REMS, source spravato-rems), and injections and infusions are given from the practice's stock.
PHARMACY_ROUTES = ("sublingual",)
SUPPLY_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER})


class SupplyError(Exception):
    pass


def substance_of(protocol: Protocol) -> str:
    return Substance.ESKETAMINE if protocol.drug.lower().startswith("esketamine") else Substance.KETAMINE


def supply_of(practice: Practice, protocol_id: str) -> str:
    setting = ProtocolSetting.objects.filter(practice=practice, protocol_id=protocol_id).first()
    return setting.supply if setting is not None else Supply.REGISTER


def pharmacy_protocols(practice: Practice) -> set[str]:
    """The protocols whose doses the practice has marked as dispensed by a pharmacy."""
    settings = ProtocolSetting.objects.filter(practice=practice, supply=Supply.PHARMACY)
    return set(settings.values_list("protocol_id", flat=True))


def from_pharmacy(session: MedicineSession) -> bool:
    return supply_of(session.practice, session.protocol_id) == Supply.PHARMACY


@transaction.atomic
def set_supply(
    request: StaffRequest, practice: Practice, protocol: Protocol, supply: str, reason: str
) -> ProtocolSetting:
    """An admin or prescriber says where a route's doses come from; audited with the reason."""
    if not has_role(request, SUPPLY_ROLES):
        raise SupplyError("Only an admin or a prescriber changes where a route's doses come from.")
    if supply not in Supply.values:
        raise SupplyError("Choose where the doses come from.")
    if supply == Supply.PHARMACY and protocol.route not in PHARMACY_ROUTES:
        raise SupplyError(
            f"{protocol.title} is given from the practice's own stock: only a sublingual route can be "
            "dispensed by a pharmacy to the client."
        )
    if not reason.strip():
        raise SupplyError("Give a reason for the change.")
    setting, _ = ProtocolSetting.objects.select_for_update().get_or_create(
        practice=practice, protocol_id=protocol.id
    )
    old = setting.supply
    if old != supply:
        setting.supply = supply
        setting.updated_at = timezone.now()
        setting.updated_by = actor_of(request)
        setting.save(update_fields=["supply", "updated_at", "updated_by"])
        log_event(
            request,
            "sessions.protocol.supply_changed",
            obj=setting,
            practice=practice,
            data={"protocol": protocol.id, "old": old, "new": supply, "reason": reason.strip()},
        )
    return setting


def containers_for(
    session: MedicineSession, on: date | None = None, strengths: Collection[Decimal] | None = None
) -> list[Container]:
    """The containers a dose of this session can be drawn from: the protocol's substance and form, the
    ``strengths`` its orders were calculated with (default: any of the protocol's), open or sealed, not
    expired on ``on``; an open one first, then the earliest expiry."""
    protocol = session.protocol
    on = on or session.practice.today()
    strengths = list(strengths) if strengths is not None else list(protocol.stock.strengths)
    queryset = (
        Container.objects.filter(
            practice=session.practice,
            state__in=DRAWABLE,
            expires_on__gte=on,
            balance__gt=0,
            product__substance=substance_of(protocol),
            product__form__in=FORMS_OF_STOCK.get(protocol.stock.form, ()),
            product__strength_mg__in=strengths,
        )
        .select_related("product", "location")
        .annotate(
            opened=Case(
                When(state=ContainerState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("opened", "expires_on", "code")
    )
    return list(queryset)


def check_container(protocol: Protocol, order: DoseOrder, container: Container) -> None:
    """The container holds what was ordered: the protocol's substance, the form and the strength the
    dose was calculated with."""
    product = container.product
    if product.substance != substance_of(protocol):
        raise SupplyError(
            f"Container {container.code} holds {product.get_substance_display()}; this session gives "
            f"{protocol.drug}."
        )
    if product.form not in FORMS_OF_STOCK.get(protocol.stock.form, ()):
        raise SupplyError(
            f"Container {container.code} holds {product.get_form_display().lower()}, not this route's form."
        )
    if product.strength_mg != order.stock_strength:
        unit = protocol.stock.unit
        raise SupplyError(
            f"Container {container.code} is {product.strength_mg.normalize():f} {unit}; the dose was "
            f"ordered with {order.stock_strength.normalize():f} {unit} stock."
        )


def refuse_non_mover(request: StaffRequest | None) -> None:
    if request is not None and not can_move_stock(getattr(request, "membership", None)):
        raise SupplyError(
            "A dose from the practice's stock is drawn from the register, and you are not named to move "
            "stock: a prescriber records this dose, or an admin names you on the register's settings page."
        )


def quantity_for(container: Container, amount_mg: Decimal) -> Decimal:
    """The mL or units ``amount_mg`` takes from ``container``."""
    try:
        return register.dose_quantity(container.product, mg=amount_mg)
    except register.RegisterError as exc:
        raise SupplyError(str(exc)) from exc


def draw(
    request: StaffRequest | None, record: DoseAdministration, container: Container, now: datetime
) -> Entry:
    """Draw ``record``'s amount from ``container`` for it, before the record is saved: the draw names the
    administration by its id. Any refusal of the register ("holds 3.0 mL; 5.0 mL requested") is raised
    as a ``SupplyError`` with the register's words."""
    try:
        return register.draw_for_dose(
            request,
            container=container,
            client=record.session.client,
            administration_ref=f"session {record.session.number}, dose {record.pk}",
            mg=record.amount_mg,
            given_by=record.given_by,
            occurred_at=record.given_at,
            now=now,
        )
    except register.RegisterError as exc:
        raise SupplyError(str(exc)) from exc


def correct_draw(
    request: StaffRequest | None, original: DoseAdministration, amount_mg: Decimal, reason: str
) -> Entry | None:
    """An amended amount (zero when the dose was entered in error) corrects the original's draw, so the
    container's balance follows the record. Nothing to do for a pharmacy dose or an unchanged amount."""
    entry = original.draw
    if entry is None:
        return None
    product = entry.product
    quantity = Decimal(0) if amount_mg == 0 else register.dose_quantity(product, mg=amount_mg)
    if quantity == register.effective_amount(entry):
        return None
    try:
        return register.correct_entry(request, entry=entry, corrected=quantity, reason=reason)
    except register.RegisterError as exc:
        raise SupplyError(str(exc)) from exc


def check_doses_drawn(practice: Practice) -> list[str]:
    """A register check (``register.verify.CHECKS``): every current dose administration from stock has
    its draw, what the draw took (with its corrections) is the dose's amount, and every draw belongs
    to a dose administration on the record."""
    problems = []
    linked = DoseAdministration.objects.filter(practice=practice, draw__isnull=False).values("draw")
    orphans = Entry.objects.filter(practice=practice, kind=EntryKind.DRAW).exclude(pk__in=linked)
    for entry in orphans.select_related("container").order_by("seq"):
        problems.append(
            f"draw entry #{entry.seq} from container {entry.container.code} belongs to no dose administration"
        )
    records = (
        DoseAdministration.objects.current()
        .filter(practice=practice, prescription_ref="")
        .select_related("session__client", "draw__product")
        .prefetch_related("draw__corrections")
        .order_by("given_at")
    )
    for record in records:
        given = timezone.localtime(record.given_at, practice.zone)
        label = (
            f"dose of {record.amount_mg.normalize():f} mg"
            f" to {record.session.client} at {given:%Y-%m-%d %H:%M}"
        )
        entry = record.draw
        if entry is None or entry.kind != EntryKind.DRAW:
            problems.append(f"{label} has no draw from the register")
            continue
        drawn_mg = entry.product.mg_of(register.effective_amount(entry))
        if abs(drawn_mg - record.amount_mg) > register.MG_TOLERANCE:
            problems.append(f"{label}: its draw (entry #{entry.seq}) took {drawn_mg.normalize():f} mg")
    return problems
