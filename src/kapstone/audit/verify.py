"""Walk every audit chain and report the first event that was altered, inserted or removed."""

from dataclasses import dataclass

from .chain import first_break
from .models import AuditEvent, ChainHead


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"chain {self.chain}: {where} {self.reason}"


def verify_chain(chain: str) -> ChainProblem | None:
    events = AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000)
    head = ChainHead.objects.filter(chain=chain).values_list("seq", "hash").first()
    found = first_break(events, head)
    if found is None:
        return None
    event_id = found.record.pk if isinstance(found.record, AuditEvent) else None
    reason = {
        "missing": f"is missing (the next event found is #{found.found})",
        "follow": "does not follow the event before it (removed or reordered)",
        "altered": "was altered: its content no longer matches its hash",
        "truncated": f"is missing (the chain should end at #{found.found})",
    }[found.kind]
    return ChainProblem(chain, found.seq, event_id, reason)


def verify_all() -> tuple[int, list[ChainProblem]]:
    """Return the number of events checked and the first problem of each broken chain."""
    chains = set(ChainHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    problems = [problem for chain in sorted(chains) if (problem := verify_chain(chain))]
    return AuditEvent.objects.count(), problems
