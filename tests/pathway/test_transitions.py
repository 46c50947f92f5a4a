import pytest

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import Assignment
from kapstone.pathway.models import Episode, EpisodeState, EpisodeTransition
from kapstone.pathway.services import EpisodeError, TransitionError, open_episode, start_episode, transition
from kapstone.pathway.transitions import Gap, allowed_targets, episode_gate, gaps_for

from ..factories import make_client
from .helpers import make_ready, staff_request

S = EpisodeState


@pytest.fixture
def episode(world, scoped):
    return open_episode(None, make_client(world.practice, care_team=[world.members["therapist"]]))


def advance(episode, *states):
    """Move along the pathway past the gates of other apps (a prescriber's written override), so a test
    checks only the gate it is about."""
    record = None
    for state in states:
        record = transition(None, episode, state, override_reason="Test: other gates", role="prescriber")
    return record


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
    assert record.overridden_labels == ["Signed consent"]
    assert record.overrides == [("consent", "Signed consent")]
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


def test_treatment_waits_for_the_measurement_baseline(episode, world):
    advance(episode, S.SCREENING, S.ELIGIBLE, S.PREPARATION)
    with pytest.raises(TransitionError) as blocked:
        transition(None, episode, S.TREATMENT)
    labels = {gap.code: gap.label for gap in blocked.value.gaps}
    assert "PHQ-9, GAD-7, C-SSRS screener not completed yet" in labels["measures.baseline"]
    complete_baseline(episode.client)
    make_ready(episode, world)
    assert "measures.baseline" not in {gap.code for gap in gaps_for(episode, S.TREATMENT)}
    assert "measures.baseline" not in advance(episode, S.TREATMENT).overridden_gates


def test_treatment_waits_for_consent_preparation_and_an_escort(episode, world):
    advance(episode, S.SCREENING, S.ELIGIBLE, S.PREPARATION)
    with pytest.raises(TransitionError) as blocked:
        transition(None, episode, S.TREATMENT)
    codes = {gap.code for gap in blocked.value.gaps}
    assert {"pathway.consent", "pathway.preparation", "pathway.escort"} <= codes
    make_ready(episode, world)
    complete_baseline(episode.client)
    assert not {gap.code for gap in gaps_for(episode, S.TREATMENT)} & {
        "pathway.consent",
        "pathway.preparation",
        "pathway.escort",
    }


def test_entering_follow_up_assigns_the_end_of_course_and_follow_up_measures(episode):
    complete_baseline(episode.client)
    advance(episode, S.SCREENING, S.ELIGIBLE, S.PREPARATION, S.TREATMENT, S.FOLLOW_UP)
    points = sorted(set(Assignment.objects.filter(client=episode.client).values_list("point", flat=True)))
    # The intake ones came with the opening of the episode.
    assert points == ["end_of_course", "follow_up_1m", "follow_up_3m", "follow_up_6m", "intake"]
    six_months = Assignment.objects.filter(client=episode.client, point="follow_up_6m").first()
    assert (six_months.due_at - episode.state_changed_at).days == 182


def test_a_move_records_who_made_it_and_in_which_role(episode, world):
    prescriber = world.members["prescriber"]
    record = transition(staff_request(prescriber), episode, S.SCREENING)
    assert record.actor == prescriber.user and record.actor_role == "prescriber"
    assert record.actor_role_label == "prescriber"


def test_a_returning_client_gets_a_new_episode_only_once_the_last_one_is_closed(episode, world):
    therapist = world.members["therapist"]
    with pytest.raises(EpisodeError, match="already has an open episode"):
        start_episode(staff_request(therapist), episode.client)
    transition(None, episode, S.WITHDRAWN, reason="Moved away")
    with pytest.raises(EpisodeError):  # withdrawn is not closed yet
        start_episode(staff_request(therapist), episode.client)
    transition(None, episode, S.CLOSED)
    episode.refresh_from_db()
    assert episode.closed_at is not None and not episode.is_open
    second = start_episode(staff_request(therapist), episode.client)
    assert second.state == S.REFERRED and second.pk != episode.pk
    assert Episode.objects.filter(client=episode.client).count() == 2
    assert allowed_targets(episode) == []  # a closed episode stays closed
