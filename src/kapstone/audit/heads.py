"""The latest event of every chain, for a practice to publish outside kapstone (docs/audit.md).

Whoever controls the database can rewrite a whole chain and its head consistently, and
``kapstone audit verify`` would then pass. A head copied somewhere they do not control (a dated
email, a notary, a ticket in another system) proves what the chain ended with at that moment: a
later chain that no longer contains that event and hash was rewritten.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import OuterRef, Subquery

from .models import AuditEvent, ChainHead


@dataclass(frozen=True)
class Head:
    chain: str
    practice: str | None  # the practice's name; None for the system chain
    seq: int
    event_id: int
    hash: str
    occurred_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "practice": self.practice,
            "seq": self.seq,
            "event_id": self.event_id,
            "hash": self.hash,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
        }


def chain_heads() -> list[Head]:
    """Every chain's newest event, in chain order; two queries whatever the number of practices."""
    newest = AuditEvent.objects.filter(chain=OuterRef("chain"), seq=OuterRef("seq")).values("pk")[:1]
    heads = ChainHead.objects.filter(seq__gt=0).annotate(event_id=Subquery(newest))
    event_ids = dict(heads.values_list("chain", "event_id"))
    events = AuditEvent.objects.select_related("practice").in_bulk([pk for pk in event_ids.values() if pk])
    found = []
    for chain in sorted(event_ids):
        event = events.get(event_ids[chain])
        if event is None:
            continue  # the head names an event that is gone: `audit verify` reports it
        found.append(
            Head(
                chain=chain,
                practice=event.practice.name if event.practice else None,
                seq=event.seq,
                event_id=event.pk,
                hash=event.hash,
                occurred_at=event.occurred_at,
            )
        )
    return found
