"""The eligibility gate: no move to eligible, and no medicine session, without a prescriber's approval."""

from django.dispatch import receiver

from kapstone.pathway.models import EpisodeState
from kapstone.pathway.readiness import READY_FOR_DOSING
from kapstone.pathway.transitions import Gap, episode_gate

from .models import APPROVALS, EligibilityDecision

ELIGIBILITY_GAP = Gap("screening.eligibility", "Eligibility approved by a prescriber", "a prescriber")


def is_approved(episode) -> bool:
    """Whether the episode's newest eligibility decision is an approval (with or without conditions)."""
    latest = EligibilityDecision.objects.filter(episode=episode).order_by("-decided_at").first()
    return latest is not None and latest.outcome in APPROVALS


@receiver(episode_gate)
def eligibility_approved(sender, episode, to_state, **kwargs):
    if to_state not in (EpisodeState.ELIGIBLE, READY_FOR_DOSING):
        return []
    return [] if is_approved(episode) else [ELIGIBILITY_GAP]
