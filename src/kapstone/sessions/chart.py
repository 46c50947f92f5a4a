"""The medicine-sessions section of the client chart, and dose markers for the trajectory charts."""

from django.utils import timezone

from kapstone.practice.permissions import Capability, can

from .models import MedicineSession
from .roles import PRESCRIBING_ROLES, has_role
from .state import SessionState, with_records

CHART_SESSIONS = 8
ROUTE_SHORT = {"sublingual": "SL", "intramuscular": "IM", "intravenous": "IV", "intranasal": "IN"}


def _states(client, limit=None):
    sessions = with_records(MedicineSession.objects.filter(client=client).order_by("-opened_at"))
    if limit is not None:
        sessions = sessions[:limit]
    now = timezone.now()
    return [SessionState(s, now) for s in sessions]


TEMPLATE = "sessions/chart_section.html"
CLINICAL = True


def chart_context(request, client) -> dict:
    """The newest sessions (in progress and past) with dose, route and key vitals. A fixed number of
    queries; the chart view has already checked the caller may see the client and audits the view."""
    clinical = can(getattr(request, "membership", None), Capability.VIEW_CLINICAL)
    return {
        "medicine_sessions": _states(client, CHART_SESSIONS) if clinical else [],
        "medicine_sessions_total": MedicineSession.objects.filter(client=client).count() if clinical else 0,
        "medicine_sessions_can_prescribe": has_role(request, PRESCRIBING_ROLES),
    }


def session_markers(client) -> list[tuple]:
    """(aware datetime of the first dose, label) for every dosed session, oldest first, e.g.
    ``(datetime(...), "Dose 3: 100 mg SL")``, for the measures trajectory charts."""
    markers = []
    for state in reversed(_states(client)):
        if state.dose_time is None:
            continue
        route = ROUTE_SHORT.get(state.protocol.route, state.protocol.route)
        markers.append(
            (state.dose_time, f"Dose {state.session.number}: {state.given_mg.normalize():f} mg {route}")
        )
    return markers
