"""The appointments section of the client chart (``scheduling/chart_section.html``)."""

from django.utils import timezone

from kapstone.practice.permissions import Capability, can

from .queries import past_for_client, upcoming_for_client

CHART_UPCOMING = 5
CHART_PAST = 5


TEMPLATE = "scheduling/chart_section.html"
CLINICAL = False  # the front desk schedules, so it sees appointments too


def chart_context(request, client) -> dict:
    """Context for the chart section: the next and the latest appointments (four queries in all).

    The chart view has already checked that the caller may see ``client`` (and audits the view).
    """
    now = timezone.now()
    return {
        "scheduling_upcoming": list(upcoming_for_client(client, now)[:CHART_UPCOMING]),
        "scheduling_past": list(past_for_client(client, now)[:CHART_PAST]),
        "scheduling_can_schedule": can(getattr(request, "membership", None), Capability.SCHEDULE),
    }
