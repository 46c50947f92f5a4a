"""The screening section of the client chart: intake status, newest recommendation, decision."""

from .assessment import latest_assessment
from .intake_facts import missing_answers
from .models import EligibilityDecision
from .services import current_episode, intake_for

TEMPLATE = "screening/chart_section.html"
CLINICAL = True


def chart_context(request, client) -> dict:
    """Context for ``screening/chart_section.html`` (clinical roles only; a few queries, any caseload)."""
    episode = current_episode(client)
    intake = intake_for(episode)
    decision = None
    if episode is not None:
        decision = (
            EligibilityDecision.objects.filter(episode=episode)
            .select_related("decided_by")
            .order_by("-decided_at")
            .first()
        )
    return {
        "screening": {
            "episode": episode,
            "intake": intake,
            "missing_count": len(missing_answers(intake.answers)) if intake else 0,
            "assessment": latest_assessment(episode) if episode else None,
            "decision": decision,
        }
    }
