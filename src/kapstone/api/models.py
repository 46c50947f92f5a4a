"""Personal access tokens for the open API (docs/api.md).

A token belongs to one staff member's membership, so it acts in that practice with that member's
role and care teams, and stops working when the membership or the account is deactivated. It is a
secret link in the sense of ``kapstone.practice.links``: only the SHA-256 of the token is stored and
the token is shown once; it expires (a year at most) and can be revoked.
"""

import secrets
import uuid
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from kapstone.practice.links import SecretLink, SecretLinkManager, SecretLinkQuerySet, token_digest
from kapstone.practice.tenancy import PracticeScopedModel

# A recognisable start, so a token pasted where it does not belong can be found by secret scanners.
TOKEN_PREFIX = "kap_"  # noqa: S105 - a marker, not a secret
# How many characters of a token are kept in clear to tell a member's tokens apart.
SHOWN_CHARACTERS = 12
LONGEST_LIFETIME = timedelta(days=365)


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read-write", "Read and write"


class ApiTokenQuerySet(SecretLinkQuerySet):
    def unspent(self) -> "ApiTokenQuerySet":
        # Revoked tokens, and tokens of a deactivated member or account, never work again.
        return self.filter(
            revoked_at__isnull=True, membership__is_active=True, membership__user__is_active=True
        )


class ApiToken(PracticeScopedModel, SecretLink):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    membership = models.ForeignKey("practice.Membership", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. 'Outcomes export'.")
    scope = models.CharField(max_length=20, choices=TokenScope.choices, default=TokenScope.READ)
    token_hash = models.CharField(max_length=64, unique=True)
    shown = models.CharField(max_length=SHOWN_CHARACTERS)  # the token's first characters
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(SecretLinkManager.from_queryset(ApiTokenQuerySet), practice="practice")  # type: ignore[misc]
    link_related = ("membership__user", "membership__practice", "practice")

    # Set by the service before ``issue_token``: how long this token works.
    lifetime = LONGEST_LIFETIME

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"API token {self.name!r} of {self.membership_id}"

    def link_lifetime(self) -> timedelta:
        return min(self.lifetime, LONGEST_LIFETIME)

    def issue_token(self, now: datetime | None = None) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = token_digest(token)
        self.shown = token[:SHOWN_CHARACTERS]
        self.created_at = now or timezone.now()
        self.link_expires_at = self.created_at + self.link_lifetime()
        return token

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE

    def status(self, now: datetime | None = None) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.link_expires_at is None or self.link_expires_at <= (now or timezone.now()):
            return "expired"
        return "active"
