"""Personal access tokens: create, list, revoke, and find the one a request carries (docs/api.md)."""

from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.practice.models import Membership
from kapstone.practice.tenancy import practice_scope

from .models import ApiToken

# Lifetimes a member chooses from: every token expires, a year after creation at the latest.
LIFETIME_DAYS = (7, 30, 90, 180, 365)
# last_used_at is written at most this often per token, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def tokens_of(membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership)


def create_token(request: StaffRequest, *, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token of the signed-in member, and the token itself, which is never shown again."""
    if days not in LIFETIME_DAYS:
        raise ValueError(f"A token lasts one of {LIFETIME_DAYS} days, not {days}.")
    token = ApiToken(practice=request.practice, membership=request.membership, name=name, scope=scope)
    token.lifetime = timedelta(days=days)
    secret = token.issue_token()
    token.save()
    log_event(request, "api.token.created", obj=token, data={"scope": scope, "days": days})
    return token, secret


def revoke_token(request: StaffRequest, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log_event(request, "api.token.revoked", obj=token)


def bearer_token(request: HttpRequest) -> ApiToken | None:
    """The live token in ``Authorization: Bearer <token>``, or None (absent, unknown, expired, revoked)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token: ApiToken | None = ApiToken.objects.by_link(secret.strip())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        with practice_scope(token.practice):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
