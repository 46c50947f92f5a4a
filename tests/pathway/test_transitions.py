import pytest

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import Assignment
from kapstone.pathway.models import EpisodeState, EpisodeTransition
from kapstone.pathway.services import TransitionError, open_episode, transition
from kapstone.pathway.transitions import Gap, allowed_targets, episode_gate

from ..factories import make_client

S = EpisodeState


@pytest.fixture
def episode(world, scoped):
    return open_episode(None, make_client(world.practice, care_team=[world.members["therapist"]]))


def test_an_episode_moves_only_along_the_pathway_and_keeps_its_timeline(episode):
    with pytest.raises(TransitionError, match="cannot move to treatment"):
        transition(None, episode, S.TREATMENT)
    transition(None, episode, S.SCREENING)
    transition(None, episode, S.PAUSED, reason="Client travelling for a month")
    episode.refresh_from_db()
    assert allowed_targets(episode) == [S.SCREENING, S.WITHDRAWN]  # resumes where it paused
    transition(None, episode, S.SCREENING)
    steps = list(
        EpisodeTransition.objects.filter(episode=episode).values_list("from_state", "to_state", "reason")
    )
    assert steps == [
        ("", S.REFERRED, "Episode opened"),
        (S.REFERRED, S.SCREENING, ""),
        (S.SCREENING, S.PAUSED, "Client travelling for a month"),
        (S.PAUSED, S.SCREENING, ""),
    ]
    assert (
        AuditEvent.objects.filter(action="pathway.episode.transitioned", object_id=str(episode.pk)).count()
        == 3
    )


def test_pausing_withdrawing_and_declining_need_a_reason(episode):
    with pytest.raises(TransitionError, match="Give a reason"):
        transition(None, episode, S.WITHDRAWN)


def test_a_gate_blocks_a_move_unless_an_admin_or_prescriber_overrides_it_in_writing(episode):
    def needs_consent(sender, episode, to_state, **kwargs):
        return [Gap("consent", "Signed consent", "the client")] if to_state == S.SCREENING else []

    episode_gate.connect(needs_consent)
    try:
        with pytest.raises(TransitionError) as blocked:
            transition(None, episode, S.SCREENING)
        assert [gap.code for gap in blocked.value.gaps] == ["consent"]
        with pytest.raises(TransitionError, match="Only an admin or a prescriber"):
            transition(None, episode, S.SCREENING, override_reason="urgent", role="therapist")
        record = transition(
            None, episode, S.SCREENING, override_reason="Consent on paper, scanned", role="prescriber"
        )
    finally:
        episode_gate.disconnect(needs_consent)
    assert record.overridden_gates == ["consent"] and record.override_reason == "Consent on paper, scanned"
    assert AuditEvent.objects.filter(action="pathway.episode.gate_overridden").exists()


def complete_baseline(client):
    from kapstone.measures import services

    for instrument, answers in (
        ("phq9", dict.fromkeys(range(1, 10), 1)),
        ("gad7", dict.fromkeys(range(1, 8), 1)),
        ("cssrs_screener", {1: 0, 2: 0, 6: 0}),
    ):
        services.save_answers(
            None, services.draft_for(client, instrument, source="staff"), answers, submit=True
        )


def test_treatment_waits_for_the_measurement_baseline(episode):
    for state in (S.SCREENING, S.ELIGIBLE, S.PREPARATION):
        transition(None, episode, state)
    with pytest.raises(TransitionError) as blocked:
        transition(None, episode, S.TREATMENT)
    assert "PHQ-9, GAD-7, C-SSRS screener not completed yet" in blocked.value.gaps[0].label
    complete_baseline(episode.client)
    transition(None, episode, S.TREATMENT)


def test_entering_follow_up_assigns_the_end_of_course_and_follow_up_measures(episode):
    complete_baseline(episode.client)
    for state in (S.SCREENING, S.ELIGIBLE, S.PREPARATION, S.TREATMENT, S.FOLLOW_UP):
        transition(None, episode, state)
    points = sorted(set(Assignment.objects.filter(client=episode.client).values_list("point", flat=True)))
    assert points == ["end_of_course", "follow_up_1m", "follow_up_3m", "follow_up_6m"]
    six_months = Assignment.objects.filter(client=episode.client, point="follow_up_6m").first()
    assert (six_months.due_at - episode.state_changed_at).days == 182
