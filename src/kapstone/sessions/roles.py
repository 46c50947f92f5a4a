"""Who may do what in a medicine session, on top of ``kapstone.practice.permissions``.

Every session page first asks ``get_client(request, client_id, Capability.VIEW_CLINICAL)``: outsiders
get 404 and the front desk 403, as everywhere. Within the clinical roles, medicine sessions divide the
work further (clinical reference, architecture "Who uses it"):

- recording vitals, observations, adverse events, notes, the checklist and a discharge that meets
  every criterion: every clinical role (admin, prescriber, therapist, monitor);
- giving a dose (a dose administration): the prescriber and the monitor (RN);
- the dose plan, dose orders and every clinical override (a pre-dose checklist that is not met, a dose
  outside the protocol, a discharge before time or with a failing criterion): the prescriber only;
- starting a session although readiness requirements are missing: an admin or a prescriber, as for
  every pathway gate (``kapstone.pathway.services.OVERRIDE_ROLES``).

These are role sets rather than capabilities because ``Capability`` has none for them yet; the README
proposes ``sessions.prescribe`` and ``sessions.administer``.
"""

from collections.abc import Collection

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from kapstone.pathway.services import OVERRIDE_ROLES
from kapstone.practice.models import Role

RECORDING_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.THERAPIST, Role.MONITOR})
ADMINISTERING_ROLES = frozenset({Role.PRESCRIBER, Role.MONITOR})
PRESCRIBING_ROLES = frozenset({Role.PRESCRIBER})
READINESS_OVERRIDE_ROLES = frozenset(OVERRIDE_ROLES)


def role_of(request: HttpRequest | None) -> str | None:
    membership = getattr(request, "membership", None) if request is not None else None
    return membership.role if membership is not None and membership.is_active else None


def has_role(request: HttpRequest | None, roles: Collection[str]) -> bool:
    return role_of(request) in roles


def require_role(request: HttpRequest | None, roles: Collection[str], what: str) -> None:
    if not has_role(request, roles):
        raise PermissionDenied(f"Your role cannot {what}.")
