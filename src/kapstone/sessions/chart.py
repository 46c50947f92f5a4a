"""The medicine-sessions section of the client chart, and dose markers for the trajectory charts."""

from django.db.models import Min, Sum
from django.utils import timezone

from kapstone.clinical.protocols import get_protocol
from kapstone.measures.outcome_rates import NO_DOSING, ClientDosing
from kapstone.practice.permissions import Capability, can

from .models import DoseAdministration, MedicineSession
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
        # For the measures trajectories on the same chart (measures cannot ask sessions itself).
        "trajectory_dosing": client_dosing(client) if clinical else NO_DOSING,
    }


def session_markers(client) -> list[tuple]:
    """(aware datetime of the first dose, label) for every dosed session, oldest first, e.g.
    ``(datetime(...), "Dose 3: 100 mg SL")``, for the measures trajectory charts. One aggregate query
    over the current dose administrations, so a long history costs one row per session, not its
    records."""
    rows = (
        DoseAdministration.objects.current()
        .filter(session__client=client)
        .values("session_id", "session__number", "session__protocol_id")
        .annotate(first=Min("given_at"), given=Sum("amount_mg"))
        .order_by("first")
    )
    markers = []
    for row in rows:
        route = get_protocol(row["session__protocol_id"]).route
        label = (
            f"Dose {row['session__number']}: {row['given'].normalize():f} mg {ROUTE_SHORT.get(route, route)}"
        )
        markers.append((row["first"], label))
    return markers


def client_dosing(client) -> ClientDosing:
    """The client's dose markers and each episode's first dose (the outcome baseline rule), for the
    measures trajectories. Two more queries whatever the history."""
    first = (
        DoseAdministration.objects.current()
        .filter(session__client=client)
        .values("session__episode_id")
        .annotate(first=Min("given_at"))
    )
    return ClientDosing(
        markers=session_markers(client),
        first_doses={row["session__episode_id"]: row["first"] for row in first},
    )
