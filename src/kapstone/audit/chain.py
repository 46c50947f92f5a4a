"""The hash chain that the audit trail and the controlled-substance register both keep (docs/audit.md).

Each record stores the SHA-256 of its canonical content, and that content includes the hash of the
record before it, so an altered, inserted, removed or reordered record breaks the chain from there
on. A chain's head (its last sequence number and hash) is kept apart, so removing the newest records
is found too. Records are numbered from 1; the first follows ``GENESIS_HASH``.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

GENESIS_HASH = "0" * 64


class Chained(Protocol):
    seq: int
    prev_hash: str
    hash: str

    def compute_hash(self) -> str: ...


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of ``content`` as canonical JSON (sorted keys, no spaces), the same on every database."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where a chain first goes wrong. ``kind``: a record is ``missing`` at ``seq`` (the next one found
    is ``found``), does not ``follow`` the one before it, was ``altered``, or the chain is ``truncated``
    (the head says it should end at ``found``)."""

    kind: Literal["missing", "follow", "altered", "truncated"]
    seq: int
    record: Chained | None = None
    found: int | None = None


def first_break(records: Iterable[Chained], head: tuple[int, str] | None) -> Break | None:
    """Walk ``records`` in sequence order against the chain's ``head`` (seq, hash); None when whole."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    for record in records:
        if record.seq != expected_seq:
            return Break("missing", expected_seq, found=record.seq)
        if record.prev_hash != prev_hash:
            return Break("follow", record.seq, record)
        if record.compute_hash() != record.hash:
            return Break("altered", record.seq, record)
        expected_seq, prev_hash = expected_seq + 1, record.hash
    if head is not None and head != (expected_seq - 1, prev_hash):
        return Break("truncated", expected_seq, found=head[0])
    return None
