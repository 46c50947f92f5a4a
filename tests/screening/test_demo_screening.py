"""The demo's screening records: every triage state, and every client past screening decided."""

from kapstone.demo.builder import DEMO_SLUG, build_demo
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.pathway.readiness import readiness_gaps
from kapstone.practice.models import Practice
from kapstone.screening.models import (
    EligibilityAssessment,
    EligibilityDecision,
    Inquiry,
    InquiryStatus,
    Intake,
)

PAST_SCREENING = {
    EpisodeState.ELIGIBLE,
    EpisodeState.PREPARATION,
    EpisodeState.TREATMENT,
    EpisodeState.FOLLOW_UP,
    EpisodeState.CLOSED,
    EpisodeState.PAUSED,
    EpisodeState.WITHDRAWN,
}


def test_the_demo_has_screening_at_every_outcome(db, scoped):
    build_demo()
    practice = Practice.objects.get(slug=DEMO_SLUG)
    statuses = set(Inquiry.objects.filter(practice=practice).values_list("status", flat=True))
    assert statuses == set(InquiryStatus.values)
    for episode in Episode.objects.filter(practice=practice, state__in=PAST_SCREENING):
        decision = EligibilityDecision.objects.get(episode=episode)
        assert decision.is_approval, episode
        assert "screening.eligibility" not in [gap.code for gap in readiness_gaps(episode)]
    declined = EligibilityDecision.objects.get(episode__state=EpisodeState.DECLINED, practice=practice)
    assert declined.assessment.recommendation == "not_eligible" and declined.outcome == "decline"
    recommendations = set(EligibilityAssessment.objects.values_list("recommendation", flat=True))
    assert recommendations == {"eligible", "review", "not_eligible"}
    outcomes = set(EligibilityDecision.objects.values_list("outcome", flat=True))
    assert outcomes == {"approve", "approve_with_conditions", "decline"}
    awaiting = EligibilityAssessment.objects.filter(episode__state=EpisodeState.SCREENING)
    assert (
        awaiting.count() == 2 and not EligibilityDecision.objects.filter(episode__state="screening").exists()
    )
    assert Intake.objects.filter(episode__state="screening", completed_at__isnull=True).count() == 2
    clean = EligibilityAssessment.objects.filter(recommendation="eligible").first()
    assert clean.engine_result().reproduce().recommendation == "eligible"
