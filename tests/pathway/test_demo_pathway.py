from itertools import pairwise

import pytest

from kapstone.demo.pathway import PATHS
from kapstone.pathway.models import Episode, EpisodeState, Intention
from kapstone.pathway.readiness import readiness_gaps

from ..demo_build import built_demo
from .helpers import PATHWAY_CODES

S = EpisodeState


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with built_demo(django_db_blocker) as practice:
        yield practice


def test_every_demo_episode_has_a_timeline_ending_at_its_stage(demo, db, scoped):
    for episode in Episode.objects.filter(practice=demo).prefetch_related("transitions"):
        steps = list(episode.transitions.all())
        assert steps[0].to_state == S.REFERRED and steps[-1].to_state == episode.state
        assert [step.to_state for step in steps[1:]] == list(PATHS[episode.state])
        assert all(a.at <= b.at for a, b in pairwise(steps))
        assert all(b.from_state == a.to_state for a, b in pairwise(steps))
        assert episode.state_changed_at == steps[-1].at


def test_clients_from_preparation_on_are_prepared_and_one_misses_only_consent(demo, db, scoped):
    prepared = Episode.objects.filter(practice=demo, state__in=[S.PREPARATION, S.TREATMENT, S.FOLLOW_UP])
    blocked = []
    for episode in prepared:
        assert episode.programme is not None
        assert Intention.objects.filter(episode=episode).exists()
        missing = {gap.code for gap in readiness_gaps(episode)} & PATHWAY_CODES
        if missing:
            blocked.append((episode.state, missing))
    assert blocked == [(S.PREPARATION, {"pathway.consent"})]
