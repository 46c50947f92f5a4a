"""Who may do what: the one public module that decides access.

Access is decided in two steps, always in this order:

1. **Visibility** — a client's record exists for the practice's admins and for the staff on that
   client's care team. To everyone else (another practice, not on the care team) it does not
   exist: 404, so that not even its existence leaks.
2. **Capability** — a visible record may still be out of reach of the caller's role (a front desk
   member never reads clinical content; a monitor does not edit demographics): 403.

Visibility needs the care team, which the clients app owns, so it is decided there
(``kapstone.clients.access``: ``visible_clients``, ``get_client``); this module holds the capabilities.
Views call ``get_client`` (object pages) or the :func:`capability_required` decorator (pages without
an object). The role table below is the whole policy; ``docs/permissions.md`` explains it
and ``tests/test_permission_matrix.py`` checks every URL against every role.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .models import Membership, Role


class Capability(StrEnum):
    VIEW_CLIENT = "clients.view"  # demographics, contacts, care team
    CREATE_CLIENT = "clients.create"
    EDIT_CLIENT = "clients.edit"
    MANAGE_CARE_TEAM = "clients.care_team"
    VIEW_CLINICAL = "clinical.view"  # measures, notes, sessions: everything beyond demographics
    EDIT_CLINICAL = "clinical.edit"  # write clinical records: integration notes, action items
    SCHEDULE = "scheduling.manage"  # book, move and cancel appointments
    SEE_ALL_CLIENTS = "clients.see_all"  # visibility without being on the care team
    MANAGE_STAFF = "practice.staff"
    CONFIGURE_PRACTICE = "practice.configure"  # measurement plan, protocols, practice texts
    VIEW_AUDIT = "audit.view"


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.PRESCRIBER: frozenset(
        {
            C.VIEW_CLIENT,
            C.CREATE_CLIENT,
            C.EDIT_CLIENT,
            C.MANAGE_CARE_TEAM,
            C.VIEW_CLINICAL,
            C.EDIT_CLINICAL,
            C.SCHEDULE,
        }
    ),
    Role.THERAPIST: frozenset(
        {
            C.VIEW_CLIENT,
            C.CREATE_CLIENT,
            C.EDIT_CLIENT,
            C.MANAGE_CARE_TEAM,
            C.VIEW_CLINICAL,
            C.EDIT_CLINICAL,
            C.SCHEDULE,
        }
    ),
    Role.MONITOR: frozenset({C.VIEW_CLIENT, C.VIEW_CLINICAL}),
    Role.FRONT_DESK: frozenset(
        {C.VIEW_CLIENT, C.CREATE_CLIENT, C.EDIT_CLIENT, C.MANAGE_CARE_TEAM, C.SCHEDULE}
    ),
}


def can(membership: Membership | None, capability: Capability) -> bool:
    if membership is None or not membership.is_active:
        return False
    return capability in ROLE_CAPABILITIES[membership.role]


def require(membership: Membership | None, capability: Capability) -> None:
    if not can(membership, capability):
        raise PermissionDenied(f"Your role cannot do this ({capability}).")


ViewFunction = Callable[..., HttpResponseBase]


def capability_required(capability: Capability) -> Callable[[ViewFunction], ViewFunction]:
    """View decorator: the signed-in member's role must hold ``capability`` (else 403)."""

    def decorator(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require(getattr(request, "membership", None), capability)
            return view(request, *args, **kwargs)

        # The view says which capability it needs, for whoever inspects it; mypy types a function as
        # having no such attribute.
        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator
