"""Who may move controlled-substance stock, on top of ``kapstone.practice.permissions``.

Every clinical role (``VIEW_CLINICAL``) may read the register; the front desk sees nothing of it.
Moving stock (receipts, draws, waste, transfers, disposals, counts, corrections) is for admins and
prescribers, and for the monitors and therapists (nurses) the practice names on the register
settings page (:class:`RegisterHandler`). Naming is a register record keyed by membership, so the
practice's role table stays as it is (docs/register.md).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kapstone.practice.models import Membership, Role
from kapstone.practice.permissions import Capability, require

from .models import RegisterHandler

MOVER_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER})
NAMEABLE_ROLES = frozenset({Role.MONITOR, Role.THERAPIST})
WITNESS_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.MONITOR, Role.THERAPIST})


def can_move_stock(membership: Membership | None) -> bool:
    if membership is None or not membership.is_active:
        return False
    if membership.role in MOVER_ROLES:
        return True
    if membership.role not in NAMEABLE_ROLES:
        return False
    return RegisterHandler.objects.filter(membership=membership).exists()


def require_mover(membership: Membership | None) -> None:
    require(membership, Capability.VIEW_CLINICAL)
    if not can_move_stock(membership):
        raise PermissionDenied("Only prescribers, admins and staff the practice names may move stock.")


def stock_mover_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: the member may move controlled-substance stock (else 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_mover(getattr(request, "membership", None))
        return view(request, *args, **kwargs)

    wrapped.required_capability = Capability.VIEW_CLINICAL  # type: ignore[attr-defined]
    return wrapped
