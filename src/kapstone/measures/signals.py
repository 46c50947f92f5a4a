"""Measures follow the pathway: the intake questionnaires of the plan are assigned when an episode is
opened, the end-of-course and follow-up ones when it enters follow-up (docs/measurement-plan.md)."""

from django.dispatch import receiver

from kapstone.clinical import get_instrument
from kapstone.pathway.models import EpisodeState
from kapstone.pathway.readiness import READY_FOR_DOSING
from kapstone.pathway.transitions import Gap, episode_gate, episode_opened, episode_transitioned

from .models import PathwayPoint, QuestionnaireResponse
from .services import assign_plan

FOLLOW_UP_POINTS = (
    PathwayPoint.END_OF_COURSE,
    PathwayPoint.FOLLOW_UP_1M,
    PathwayPoint.FOLLOW_UP_3M,
    PathwayPoint.FOLLOW_UP_6M,
)


@receiver(episode_opened)
def assign_intake_measures(sender, request, episode, **kwargs):
    assign_plan(request, episode.client, PathwayPoint.INTAKE, episode.opened_at, episode=episode)


@receiver(episode_transitioned)
def assign_end_of_course_measures(sender, request, episode, transition, **kwargs):
    if transition.to_state == EpisodeState.FOLLOW_UP and transition.from_state == EpisodeState.TREATMENT:
        for point in FOLLOW_UP_POINTS:
            assign_plan(request, episode.client, point, transition.at, episode=episode)


BASELINE = ("phq9", "gad7", "cssrs_screener")


@receiver(episode_gate)
def measurement_baseline_complete(sender, episode, to_state, **kwargs):
    """Dosing needs a baseline: the intake PHQ-9, GAD-7 and C-SSRS submitted in this episode."""
    if to_state not in (READY_FOR_DOSING, EpisodeState.TREATMENT):
        return []
    done = set(
        QuestionnaireResponse.objects.submitted()
        .filter(episode=episode, instrument_id__in=BASELINE)
        .values_list("instrument_id", flat=True)
    )
    missing = [instrument for instrument in BASELINE if instrument not in done]
    if not missing:
        return []
    names = ", ".join(get_instrument(instrument).short_name for instrument in missing)
    return [
        Gap(
            "measures.baseline",
            f"Measurement baseline: {names} not completed yet",
            "the client or a clinician",
        )
    ]
