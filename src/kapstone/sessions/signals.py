"""Medicine sessions answer for one readiness requirement: the prescriber's dose plan."""

from django.dispatch import receiver

from kapstone.pathway.models import EpisodeState
from kapstone.pathway.readiness import READY_FOR_DOSING
from kapstone.pathway.transitions import Gap, episode_gate

from .models import DosePlan

DOSE_PLAN_GAP = Gap("sessions.dose_plan", "Prescriber's dose plan", "a prescriber")


@receiver(episode_gate)
def dose_plan_in_place(sender, episode, to_state, **kwargs):
    """Dosing, and the move into treatment, need a dose plan from a prescriber for the episode."""
    if to_state not in (READY_FOR_DOSING, EpisodeState.TREATMENT):
        return []
    if DosePlan.objects.filter(episode=episode).exists():
        return []
    return [DOSE_PLAN_GAP]
