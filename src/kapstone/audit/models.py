"""Append-only, hash-chained audit events: one chain per practice.

Each event stores the SHA-256 of its own content together with the hash of the event before it in
the same chain, so altering or removing any event breaks every hash after it
(``kapstone audit verify`` finds the first break). Appending locks only that practice's
:class:`ChainHead` row, so one practice's traffic never waits for another's.
"""

from datetime import UTC
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from .chain import GENESIS_HASH, content_hash

SYSTEM_CHAIN = "system"  # events with no practice (e.g. a failed sign-in for an unknown address)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    def _raw_delete(self, using: str | None = None) -> NoReturn:
        self.delete()


class ChainHead(models.Model):
    """The latest event of one chain; its row lock serialises appends to that chain."""

    chain = models.CharField(max_length=40, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.chain} at #{self.seq}"


class AuditEvent(models.Model):
    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    practice = models.ForeignKey(
        "practice.Practice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The client whose record was touched; a plain value, not a key, so the trail outlives any row.
    client_id = models.UUIDField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Names of changed fields and ids, never field values: the trail must not become a copy of PHI.
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_unique_seq")]
        indexes = [
            # The audit page filters a practice's events by client, by actor, by action and by date.
            models.Index(fields=["practice", "client_id", "occurred_at"], name="audit_practice_client"),
            models.Index(fields=["practice", "actor", "occurred_at"], name="audit_practice_actor"),
            models.Index(fields=["practice", "occurred_at"], name="audit_practice_time"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    def content(self) -> dict:
        """Everything the hash covers, in a form that survives a database round trip unchanged."""
        return {
            "chain": self.chain,
            "seq": self.seq,
            "practice": self.practice_id,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "actor": self.actor_id,
            "actor_role": self.actor_role,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "client_id": str(self.client_id) if self.client_id else None,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return content_hash(self.content())
