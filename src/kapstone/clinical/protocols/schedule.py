"""When a protocol schedules its checks, in minutes after the dose: pure arithmetic on the protocol.

Kept apart from ``kapstone.clinical.monitoring`` (which adds event times, status and flags) because the
protocol reader needs it to validate a file: a schedule whose checks could never be overdue is refused.
"""

from __future__ import annotations

from kapstone.clinical.protocols.model import Protocol


def infusion_length(protocol: Protocol, infusion_minutes: int | None) -> int:
    if protocol.infusion is None:
        if infusion_minutes is not None:
            raise ValueError(f"{protocol.id} has no infusion; infusion_minutes does not apply")
        return 0
    if infusion_minutes is None:
        return protocol.infusion.duration_minutes.as_int
    if isinstance(infusion_minutes, bool) or not isinstance(infusion_minutes, int) or infusion_minutes <= 0:
        raise ValueError(
            f"infusion_minutes must be a positive whole number of minutes, got {infusion_minutes!r}"
        )
    return infusion_minutes


def observation_end_minutes(protocol: Protocol, *, infusion_minutes: int | None = None) -> int:
    """Minutes from the dose until the minimum observation time has passed."""
    end = protocol.observation.minimum_minutes.as_int
    if protocol.observation.counted_from == "infusion_end":
        end += infusion_length(protocol, infusion_minutes)
    return end


# --- schedule ----------------------------------------------------------------------------------------


def check_points(protocol: Protocol, until_minutes: int, infusion_minutes: int | None) -> dict[int, str]:
    """Offset (minutes after the dose) -> id of the segment or fixed check that schedules it."""
    infusion = infusion_length(protocol, infusion_minutes)

    def resolve(point: int | str) -> int | None:
        if point == "infusion_end":
            return infusion
        return None if point == "discharge" else int(point)

    points: dict[int, str] = {}
    for seg in protocol.monitoring.segments:
        start, end = resolve(seg.start), resolve(seg.end)
        stop = until_minutes if end is None else min(end, until_minutes)
        every = seg.every_minutes.as_int
        t = (start or 0) + every
        while t <= stop:
            points.setdefault(t, seg.id)
            t += every
    for check in protocol.monitoring.checks:
        if check.at_minutes <= until_minutes:
            points[check.at_minutes] = check.id  # a named check wins over a segment tick at the same time
    return dict(sorted(points.items()))


def schedule_offsets(
    protocol: Protocol, *, until_minutes: int, infusion_minutes: int | None = None
) -> tuple[int, ...]:
    """Minutes after the dose of every scheduled check up to ``until_minutes`` (baseline excluded)."""
    return tuple(check_points(protocol, until_minutes, infusion_minutes))
