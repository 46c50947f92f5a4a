"""Every movement of controlled-substance stock: one function each, atomic, locked, audited.

Each movement locks its container row (``select_for_update``) before reading the balance, then the
product's stock row at the location, then the practice's register chain head, then (through
``log_event``) the audit chain head, always in that order, so two movements never deadlock and
never both spend the same millilitre. The check constraints on the balances are the last line:
even a path that forgot the lock could not store a negative balance.

Sessions record a dose through :func:`draw_for_dose`; nothing here imports the sessions app.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.clients.models import Client
from kapstone.practice.models import Membership, Practice

from . import rules
from .access import WITNESS_ROLES, require_mover
from .models import (
    CODE_PREFIX,
    CORRECTABLE,
    DRAWABLE,
    GENESIS_HASH,
    ON_HAND,
    OUTGOING,
    Container,
    ContainerState,
    Entry,
    EntryKind,
    Location,
    LossReport,
    Product,
    Receipt,
    RegisterChain,
    ReportingTask,
    Stock,
    StoragePlace,
    quantize,
)

ZERO = Decimal(0)
# A dose's mg and mL must agree with the product's strength to within this rounding (mg).
MG_TOLERANCE = Decimal("0.05")


class RegisterError(Exception):
    """A movement the register refuses; the message says why, ``field`` which input it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def check_mover(request: StaffRequest | None) -> None:
    if request is not None:
        require_mover(getattr(request, "membership", None))


def _lock_container(container: Container) -> Container:
    return Container.objects.select_for_update().select_related("product").get(pk=container.pk)


def _lock_stock(practice: Practice, product: Product, location: Location) -> Stock:
    Stock.objects.get_or_create(practice=practice, product=product, location=location)
    return Stock.objects.select_for_update().get(product=product, location=location)


def _lock_chain(practice: Practice) -> RegisterChain:
    RegisterChain.objects.get_or_create(practice=practice)
    return RegisterChain.objects.select_for_update().get(practice=practice)


def _append(
    request: StaffRequest | None,
    container: Container,
    kind: str,
    quantity: Decimal,
    *,
    practice: Practice | None = None,
    **fields: Any,
) -> Entry:
    """Write one entry for a container that the caller has locked, and apply it to the balances."""
    practice = practice or container.practice
    location = fields.pop("location", container.location)
    stock_delta = fields.pop("stock_delta", quantity)
    occurred_at = fields.pop("occurred_at", None) or timezone.now()
    container_after = container.balance + quantity
    if container_after < 0:
        held, wanted = container.amount(container.balance), container.amount(-quantity)
        raise RegisterError(f"Container {container.code} holds {held}; {wanted} requested.", "quantity")
    stock = _lock_stock(practice, container.product, location)
    stock_after = stock.balance + stock_delta
    if stock_after < 0:
        raise RegisterError(
            f"{container.product} at {location} holds {container.amount(stock.balance)}; "
            f"{container.amount(-stock_delta)} requested.",
            "quantity",
        )
    chain = _lock_chain(practice)
    entry = Entry(
        practice=practice,
        seq=chain.seq + 1,
        kind=kind,
        container=container,
        product=container.product,
        location=location,
        quantity=quantize(quantity),
        stock_delta=quantize(stock_delta),
        mg=container.product.mg_of(quantity),
        container_balance_after=quantize(container_after),
        stock_balance_after=quantize(stock_after),
        occurred_at=occurred_at,
        recorded_by=fields.pop("recorded_by", None) or actor_of(request),
        prev_hash=chain.hash or GENESIS_HASH,
        **fields,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    RegisterChain.objects.filter(pk=chain.pk).update(seq=entry.seq, hash=entry.hash)
    Stock.objects.filter(pk=stock.pk).update(balance=entry.stock_balance_after)
    container.balance = entry.container_balance_after
    Container.objects.filter(pk=container.pk).update(balance=container.balance)
    log_event(
        request,
        f"register.{kind.split('_')[0]}.recorded",
        obj=entry,
        client=entry.client,
        practice=practice,
        actor=entry.recorded_by,
        data={"container": container.code, "seq": entry.seq, "kind": kind},
    )
    return entry


def _set_state(container: Container, state: str) -> None:
    container.state = state
    Container.objects.filter(pk=container.pk).update(state=state)


def _after_outgoing(container: Container) -> None:
    if container.balance == 0:
        _set_state(container, ContainerState.EMPTY)
    elif container.state == ContainerState.SEALED:
        _set_state(container, ContainerState.OPEN)


def _positive(quantity: Decimal | None, what: str, field: str = "quantity") -> Decimal:
    if quantity is None or quantity <= 0:
        raise RegisterError(f"Enter the {what} as a number above zero.", field)
    return quantize(quantity)


# --- Receipt -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    """``containers`` containers of one product and lot, all stored in ``storage``."""

    product: Product
    containers: int
    lot: str
    expires_on: date
    storage: StoragePlace


def record_receipt(
    request: StaffRequest | None,
    *,
    location: Location,
    received_on: date,
    invoice_number: str,
    supplier_name: str,
    supplier_address: str,
    supplier_dea_number: str,
    lines: list[ReceiptLine],
    received_by: User | None = None,
    note: str = "",
) -> Receipt:
    """Record a delivery from the supplier's invoice: one sealed container per unit received."""
    check_mover(request)
    if not lines or any(line.containers < 1 for line in lines):
        raise RegisterError("A receipt lists at least one product with one container or more.", "lines")
    for line in lines:
        if line.storage.location_id != location.pk:
            raise RegisterError(f"{line.storage} is not at {location}.", "lines")
    practice = location.practice
    with transaction.atomic():
        receipt = Receipt.objects.create(
            practice=practice,
            location=location,
            received_on=received_on,
            invoice_number=invoice_number,
            supplier_name=supplier_name,
            supplier_address=supplier_address,
            supplier_dea_number=supplier_dea_number,
            received_by=received_by or actor_of(request),
            note=note,
        )
        for line in sorted(lines, key=lambda line: str(line.product.pk)):
            _lock_stock(practice, line.product, location)
        chain = _lock_chain(practice)
        number = chain.next_container
        for line in lines:
            for _ in range(line.containers):
                container = Container.objects.create(
                    practice=practice,
                    code=f"{CODE_PREFIX[line.product.container_kind]}-{number:04d}",
                    product=line.product,
                    receipt=receipt,
                    lot=line.lot,
                    expires_on=line.expires_on,
                    location=location,
                    storage=line.storage,
                    capacity=line.product.per_container,
                    balance=ZERO,
                )
                number += 1
                RegisterChain.objects.filter(pk=chain.pk).update(next_container=number)
                _append(
                    request,
                    container,
                    EntryKind.RECEIPT,
                    line.product.per_container,
                    receipt=receipt,
                    occurred_at=timezone.now(),
                    recorded_by=actor_of(request) or receipt.received_by,
                )
    return receipt


# --- Draw and waste ----------------------------------------------------------------------------


def dose_quantity(
    product: Product, *, mg: Decimal | None = None, ml: Decimal | None = None, units: Decimal | None = None
) -> Decimal:
    """The container quantity a dose takes, from mg and/or mL (a solution) or units (anything else)."""
    if product.is_liquid:
        if units is not None:
            raise RegisterError(f"{product} is measured in mL, not units.", "units")
        if ml is None and mg is None:
            raise RegisterError("Enter the dose in mg and mL.", "ml")
        if ml is None:
            ml = Decimal(mg) / product.strength_mg
        if mg is not None and abs(Decimal(ml) * product.strength_mg - Decimal(mg)) > MG_TOLERANCE:
            expected = product.mg_of(Decimal(ml)).normalize()
            raise RegisterError(
                f"{ml} mL of {product.strength_mg.normalize():f} mg/mL is {expected:f} mg, not {mg} mg.", "mg"
            )
        return _positive(Decimal(ml), "volume drawn", "ml")
    if ml is not None:
        raise RegisterError(f"{product} is counted in units, not mL.", "ml")
    if units is None and mg is not None:
        units = Decimal(mg) / product.strength_mg
    return _positive(units, "number of units", "units")


def _check_drawable(container: Container, on_date: date) -> None:
    if container.state not in DRAWABLE:
        raise RegisterError(
            f"Container {container.code} is {container.get_state_display().lower()}: "
            "nothing can be drawn from it.",
            "container",
        )
    if container.expires_on < on_date:
        raise RegisterError(
            f"Container {container.code} expired on {container.expires_on:%Y-%m-%d}; set it aside for "
            "return or destruction.",
            "container",
        )


def draw_for_dose(
    request: StaffRequest | None,
    *,
    container: Container,
    client: Client,
    administration_ref: str,
    mg: Decimal | None = None,
    ml: Decimal | None = None,
    units: Decimal | None = None,
    given_by: User | None = None,
    occurred_at: datetime | None = None,
    now: datetime | None = None,
) -> Entry:
    """Draw a dose from a named container for one dose administration (the sessions app calls this).

    ``administration_ref`` names the dose administration (its id) so the register check can match
    every dose to its draw. Refused, with the reason, when the container holds less than the dose,
    is not sealed or open, has expired, or the caller may not move stock. ``now`` is the caller's
    clock when it has one (a session's services are given theirs), else the real time.
    """
    check_mover(request)
    if not administration_ref:
        raise RegisterError("A draw names the dose administration it is for.", "administration_ref")
    if client.practice_id != container.practice_id:
        raise RegisterError("The client and the container belong to different practices.", "client")
    now = now or timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now:
        raise RegisterError("A draw cannot be in the future.", "date")
    with transaction.atomic():
        locked = _lock_container(container)
        quantity = dose_quantity(locked.product, mg=mg, ml=ml, units=units)
        _check_drawable(locked, timezone.localdate(occurred_at, timezone=locked.practice.zone))
        entry = _append(
            request,
            locked,
            EntryKind.DRAW,
            -quantity,
            occurred_at=occurred_at,
            client=client,
            given_by=given_by or actor_of(request),
            recorded_by=actor_of(request) or given_by,
            administration_ref=administration_ref,
        )
        _after_outgoing(locked)
    return entry


def verify_witness(
    request: StaffRequest | None,
    recorder: User | None,
    witness: User | None,
    password: str,
    practice: Practice,
) -> None:
    """The witness is a second clinical member of the practice who confirms with their own password now."""
    if witness is None:
        raise RegisterError("Choose the second staff member who witnessed it.", "witness")
    if recorder is not None and witness.pk == recorder.pk:
        raise RegisterError("You cannot witness your own entry: a second staff member must.", "witness")
    membership = Membership.objects.active().filter(practice=practice, user=witness).first()
    if membership is None or membership.role not in WITNESS_ROLES:
        raise RegisterError(f"{witness} is not a clinical member of {practice}.", "witness")
    if not password:
        raise RegisterError("The witness types their own password to confirm.", "witness_password")
    # Through ``authenticate`` when there is a request, so repeated wrong passwords lock out as at sign-in.
    confirmed = (
        authenticate(request, email=witness.email, password=password) == witness
        if request is not None
        else witness.check_password(password)
    )
    if not confirmed:
        raise RegisterError(f"That is not {witness}'s password.", "witness_password")


def record_waste(
    request: StaffRequest | None,
    *,
    container: Container,
    quantity: Decimal,
    manner: str,
    witness: User | None,
    witness_password: str,
    note: str = "",
    occurred_at: datetime | None = None,
) -> Entry:
    """Record what is left after a dose and was wasted, confirmed by a witness's password."""
    check_mover(request)
    quantity = _positive(quantity, "amount wasted")
    if not manner.strip():
        raise RegisterError("Say how it was wasted (e.g. into a drug-waste container).", "manner")
    # Before the transaction: a wrong password must count towards the witness's lockout, not roll back.
    verify_witness(request, actor_of(request), witness, witness_password, container.practice)
    with transaction.atomic():
        locked = _lock_container(container)
        if locked.state not in DRAWABLE:
            raise RegisterError(
                f"Container {locked.code} is {locked.get_state_display().lower()}.", "container"
            )
        entry = _append(
            request,
            locked,
            EntryKind.WASTE,
            -quantity,
            manner=manner.strip(),
            witness=witness,
            witnessed_at=timezone.now(),
            note=note,
            occurred_at=occurred_at,
        )
        _after_outgoing(locked)
    return entry


# --- Transfer, return, destruction, loss, set aside ------------------------------------------------


def transfer(
    request: StaffRequest | None, *, container: Container, to_storage: StoragePlace, note: str = ""
) -> list[Entry]:
    """Move a whole container to a storage place, at the same or another registered location."""
    check_mover(request)
    with transaction.atomic():
        locked = _lock_container(container)
        if locked.state not in ON_HAND:
            raise RegisterError(f"Container {locked.code} is no longer on hand.", "container")
        to_location = to_storage.location
        if to_storage.pk == locked.storage_id:
            raise RegisterError(f"Container {locked.code} is already in {to_storage}.", "to_storage")
        from_location = locked.location
        # Both stock rows, always in one order, so two opposite transfers never deadlock.
        for location in sorted({from_location, to_location}, key=lambda location: str(location.pk)):
            _lock_stock(locked.practice, locked.product, location)
        moved = locked.balance
        common: dict[str, Any] = {"note": note, "counterparty": ""}
        out = _append(
            request,
            locked,
            EntryKind.TRANSFER_OUT,
            ZERO,
            location=from_location,
            stock_delta=-moved,
            **common,
        )
        entry_in = _append(
            request, locked, EntryKind.TRANSFER_IN, ZERO, location=to_location, stock_delta=moved, **common
        )
        locked.location, locked.storage = to_location, to_storage
        Container.objects.filter(pk=locked.pk).update(location=to_location, storage=to_storage)
    return [out, entry_in]


def _dispose(request: StaffRequest | None, container: Container, kind: str, **fields: Any) -> Entry:
    with transaction.atomic():
        locked = _lock_container(container)
        if locked.state not in ON_HAND:
            raise RegisterError(f"Container {locked.code} is no longer on hand.", "container")
        entry = _append(request, locked, kind, -locked.balance, **fields)
        _set_state(locked, ContainerState.DISPOSED)
    return entry


def return_to_distributor(
    request: StaffRequest | None, *, container: Container, distributor: str, reference: str, note: str = ""
) -> Entry:
    """Send a whole container (expired or unwanted inventory) to a DEA-registered reverse distributor."""
    check_mover(request)
    if not distributor.strip():
        raise RegisterError("Name the reverse distributor, with address and DEA number.", "distributor")
    if not reference.strip():
        raise RegisterError("Enter the reverse distributor's reference for this return.", "reference")
    return _dispose(
        request,
        container,
        EntryKind.RETURN,
        counterparty=distributor.strip(),
        reference=reference.strip(),
        note=note,
    )


def destroy(
    request: StaffRequest | None,
    *,
    container: Container,
    form_41_reference: str,
    manner: str,
    witness: User | None,
    witness_password: str,
) -> Entry:
    """Destroy a whole container of inventory, recorded on DEA Form 41, with a witness."""
    check_mover(request)
    if not form_41_reference.strip():
        raise RegisterError("Enter the DEA Form 41 reference.", "form_41_reference")
    if not manner.strip():
        raise RegisterError("Say how it was destroyed.", "manner")
    verify_witness(request, actor_of(request), witness, witness_password, container.practice)
    return _dispose(
        request,
        container,
        EntryKind.DESTRUCTION,
        reference=form_41_reference.strip(),
        manner=manner.strip(),
        witness=witness,
        witnessed_at=timezone.now(),
    )


def report_loss(
    request: StaffRequest | None,
    *,
    container: Container,
    kind: str,
    quantity: Decimal,
    discovered_at: datetime,
    description: str,
) -> LossReport:
    """Record a theft or loss and open its two reporting tasks (written notice, Form 106) with due dates."""
    check_mover(request)
    quantity = _positive(quantity, "amount missing")
    if not description.strip():
        raise RegisterError("Describe what was found missing and how it was discovered.", "description")
    if discovered_at > timezone.now():
        raise RegisterError("The discovery cannot be in the future.", "date")
    with transaction.atomic():
        locked = _lock_container(container)
        if locked.state not in ON_HAND:
            raise RegisterError(f"Container {locked.code} is no longer on hand.", "container")
        entry = _append(
            request, locked, EntryKind.LOSS, -quantity, occurred_at=discovered_at, note=description
        )
        if locked.balance == 0:
            _set_state(locked, ContainerState.EMPTY)
        report = LossReport.objects.create(
            practice=locked.practice,
            kind=kind,
            entry=entry,
            discovered_at=discovered_at,
            description=description.strip(),
            reported_by=actor_of(request) or entry.recorded_by,
        )
        discovered_on = timezone.localdate(discovered_at, timezone=locked.practice.zone)
        for task_kind, due_on in (
            (ReportingTask.Kind.WRITTEN_NOTICE, rules.notice_due(discovered_on)),
            (ReportingTask.Kind.FORM_106, rules.form_106_due(discovered_on)),
        ):
            ReportingTask.objects.create(
                practice=locked.practice, report=report, kind=task_kind, due_on=due_on
            )
    return report


def complete_task(request: StaffRequest | None, task: ReportingTask, *, reference: str) -> ReportingTask:
    check_mover(request)
    if not reference.strip():
        raise RegisterError("Enter the reference of the notice or the Form 106 filing.", "reference")
    with transaction.atomic():
        task = ReportingTask.objects.select_for_update().get(pk=task.pk)
        if task.done_at:
            raise RegisterError("This task is already done.")
        ReportingTask.objects.filter(pk=task.pk).update(
            done_at=timezone.now(), done_by=actor_of(request), reference=reference.strip()
        )
        task.refresh_from_db()
        log_event(request, "register.task.completed", obj=task, data={"kind": task.kind})
    return task


def set_aside(request: StaffRequest | None, *, container: Container, state: str, reason: str) -> Entry:
    """Quarantine a container, or mark it expired, so nothing more is drawn from it."""
    check_mover(request)
    if state not in (ContainerState.QUARANTINED, ContainerState.EXPIRED):
        raise RegisterError("A container is set aside as quarantined or expired.", "state")
    if not reason.strip():
        raise RegisterError("Say why it is set aside.", "reason")
    with transaction.atomic():
        locked = _lock_container(container)
        if locked.state not in DRAWABLE:
            raise RegisterError(
                f"Container {locked.code} is {locked.get_state_display().lower()}.", "container"
            )
        entry = _append(request, locked, EntryKind.STATE, ZERO, manner=state, note=reason.strip())
        _set_state(locked, state)
    return entry


# --- Corrections -----------------------------------------------------------------------------------


def effective_amount(entry: Entry) -> Decimal:
    """What an entry amounts to after its corrections, as a positive quantity."""
    total = entry.quantity + sum((c.quantity for c in entry.corrections.all()), ZERO)
    return -total if entry.kind in OUTGOING else total


def correct_entry(request: StaffRequest | None, *, entry: Entry, corrected: Decimal, reason: str) -> Entry:
    """Correct a mistaken amount with a new entry that points at the one it corrects.

    ``corrected`` is what the original should have said (a positive amount); the new entry holds the
    difference, so the balances follow.
    """
    check_mover(request)
    if entry.kind not in CORRECTABLE:
        raise RegisterError(
            f"A {entry.get_kind_display().lower()} is not corrected by amount: record the opposite movement.",
        )
    if corrected is None or corrected < 0:
        raise RegisterError("Enter the amount the entry should have recorded (zero or more).", "corrected")
    if not reason.strip():
        raise RegisterError("Say what was wrong.", "reason")
    with transaction.atomic():
        locked = _lock_container(entry.container)
        current = effective_amount(entry)
        sign = -1 if entry.kind in OUTGOING else 1
        delta = sign * (quantize(corrected) - current)
        if delta == 0:
            raise RegisterError(f"Entry #{entry.seq} already records {locked.amount(current)}.", "corrected")
        if locked.balance + delta > locked.capacity:
            raise RegisterError(
                f"Container {locked.code} would hold {locked.amount(locked.balance + delta)}, more than the "
                f"{locked.amount(locked.capacity)} it arrived with.",
                "corrected",
            )
        correction = _append(
            request,
            locked,
            EntryKind.CORRECTION,
            delta,
            location=locked.location,
            corrects=entry,
            client=entry.client,
            note=reason.strip(),
        )
        if locked.balance == 0 and locked.state == ContainerState.OPEN:
            _set_state(locked, ContainerState.EMPTY)
        elif locked.balance > 0 and locked.state == ContainerState.EMPTY:
            _set_state(locked, ContainerState.OPEN)
    return correction


def append_explanation(
    request: StaffRequest | None, *, container: Container, adjustment: Decimal, explanation: str
) -> Entry:
    """The entry that explains a count discrepancy, adjusting the balance when the count was right.

    Called by ``counts.explain_discrepancy``, inside its transaction.
    """
    locked = _lock_container(container)
    entry = _append(request, locked, EntryKind.EXPLANATION, adjustment, note=explanation)
    if locked.balance == 0 and locked.state in DRAWABLE:
        _set_state(locked, ContainerState.EMPTY)
    return entry
