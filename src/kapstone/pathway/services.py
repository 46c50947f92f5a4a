from django.db import transaction

from kapstone.audit.services import log_event

from .models import Episode, EpisodeState


@transaction.atomic
def open_episode(request, client, state: str = EpisodeState.REFERRED) -> Episode:
    episode = Episode.objects.create(practice=client.practice, client=client, state=state)
    log_event(request, "pathway.episode.opened", obj=episode, client=client, data={"state": state})
    return episode
