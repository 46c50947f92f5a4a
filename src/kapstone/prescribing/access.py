"""Who may do what with the prescribing records, on top of ``kapstone.practice.permissions``.

Every clinical role (``VIEW_CLINICAL``) reads them, the front desk sees nothing. Prescribers and admins
record a client's PDMP checks and REMS enrolment; admins (``CONFIGURE_PRACTICE``) manage everyone's
credentials, the REMS certification and the settings. Each member reads their own credentials.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kapstone.practice.models import Membership, Role
from kapstone.practice.permissions import Capability, require

RECORDER_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER})


def can_record(membership: Membership | None) -> bool:
    """May record a client's PDMP checks and REMS enrolment: an active admin or prescriber."""
    return membership is not None and membership.is_active and membership.role in RECORDER_ROLES


def require_recorder(membership: Membership | None) -> None:
    require(membership, Capability.VIEW_CLINICAL)
    if not can_record(membership):
        raise PermissionDenied("Only prescribers and admins record PDMP checks and REMS enrolment.")


def recorder_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: the member is a prescriber or an admin (else 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_recorder(getattr(request, "membership", None))
        return view(request, *args, **kwargs)

    wrapped.required_capability = Capability.VIEW_CLINICAL  # type: ignore[attr-defined]
    return wrapped
