"""Walk every audit chain and report the first event that was altered, inserted or removed."""

from dataclasses import dataclass

from .models import GENESIS_HASH, AuditEvent, ChainHead


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
    expected_seq, prev_hash = 1, GENESIS_HASH
    events = AuditEvent.objects.filter(chain=chain).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainProblem(
                chain, expected_seq, None, f"is missing (the next event found is #{event.seq})"
            )
        if event.prev_hash != prev_hash:
            return ChainProblem(
                chain, event.seq, event.pk, "does not follow the event before it (removed or reordered)"
            )
        if event.compute_hash() != event.hash:
            return ChainProblem(
                chain, event.seq, event.pk, "was altered: its content no longer matches its hash"
            )
        expected_seq, prev_hash = expected_seq + 1, event.hash
    head = ChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        return ChainProblem(chain, expected_seq, None, f"is missing (the chain should end at #{head.seq})")
    return None


def verify_all() -> tuple[int, list[ChainProblem]]:
    """Return the number of events checked and the first problem of each broken chain."""
    chains = set(ChainHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    problems = [problem for chain in sorted(chains) if (problem := verify_chain(chain))]
    return AuditEvent.objects.count(), problems
