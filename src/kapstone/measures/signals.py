"""Measures follow the pathway: the end-of-course and follow-up questionnaires of the plan are
assigned when an episode enters follow-up."""

from django.dispatch import receiver

from kapstone.pathway.models import EpisodeState
from kapstone.pathway.transitions import episode_transitioned

from .models import PathwayPoint
from .services import assign_plan

FOLLOW_UP_POINTS = (
    PathwayPoint.END_OF_COURSE,
    PathwayPoint.FOLLOW_UP_1M,
    PathwayPoint.FOLLOW_UP_3M,
    PathwayPoint.FOLLOW_UP_6M,
)


@receiver(episode_transitioned)
def assign_end_of_course_measures(sender, request, episode, transition, **kwargs):
    if transition.to_state == EpisodeState.FOLLOW_UP and transition.from_state == EpisodeState.TREATMENT:
        for point in FOLLOW_UP_POINTS:
            assign_plan(request, episode.client, point, transition.at, episode=episode)
