"""``log_event``: the one way to write the audit trail."""

from typing import TYPE_CHECKING, Any, overload

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest

from kapstone.practice.models import Practice

from .actions import all_actions
from .models import SYSTEM_CHAIN, AuditEvent, ChainHead

if TYPE_CHECKING:
    # accounts sits above audit: the user model is named for the type checker only, never imported.
    from kapstone.accounts.models import User
    from kapstone.accounts.requests import StaffRequest


@overload
def actor_of(request: "StaffRequest", actor: "User | None" = None) -> "User": ...
@overload
def actor_of(request: HttpRequest | None, actor: "User | None" = None) -> "User | None": ...
def actor_of(request: HttpRequest | None, actor: "User | None" = None) -> "User | None":
    """Who acts: ``actor`` when a caller names one (a background job, the demo), else the signed-in user
    of ``request``; None for an anonymous request or none at all. Services stamp their ``*_by`` fields
    with it; :func:`log_event` finds the same person itself."""
    if actor is not None:
        return actor
    if request is not None and request.user.is_authenticated:
        return request.user
    return None


def role_of(request: HttpRequest | None, role: str | None = None) -> str:
    """The acting member's role: ``role`` when given, else the role of the request's membership, else ""."""
    if role:
        return role
    membership = getattr(request, "membership", None) if request is not None else None
    return membership.role if membership is not None else ""


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; behind N trusted proxies, the Nth address from the right of X-Forwarded-For."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _object_reference(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _client_of(obj: models.Model | None, client: models.Model | None) -> Any:
    if client is not None:
        return client.pk
    if obj is None:
        return None
    if obj._meta.label_lower == "clients.client":
        return obj.pk
    return getattr(obj, "client_id", None)


def log_event(
    request: HttpRequest | None = None,
    action: str = "",
    *,
    obj: models.Model | None = None,
    client: models.Model | None = None,
    actor: "User | None" = None,
    practice: Practice | None = None,
    role: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to its practice's chain, inside the caller's transaction.

    ``request`` supplies actor, role, practice, address and browser unless given explicitly.
    ``data`` holds ids and field names only, never PHI values.
    """
    if action not in all_actions():
        raise ValueError(f"Unknown audit action {action!r}: declare it in the app's audit_actions.py first.")
    membership = getattr(request, "membership", None) if request is not None else None
    if request is not None and actor is None and request.user.is_authenticated:
        actor = request.user
    if practice is None:
        practice = getattr(request, "practice", None) or getattr(obj, "practice", None)
    if role is None:
        role = membership.role if membership is not None and membership.practice == practice else ""
    object_type, object_id = _object_reference(obj)
    chain = str(practice.pk) if practice is not None else SYSTEM_CHAIN

    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(chain=chain)
        event = AuditEvent(
            chain=chain,
            seq=head.seq + 1,
            practice=practice,
            actor=actor,
            actor_role=role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            client_id=_client_of(obj, client),
            ip_address=client_ip(request) if request is not None else None,
            user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
            data=data or {},
            prev_hash=head.hash,
        )
        event.hash = event.compute_hash()
        event.save()
        ChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event
