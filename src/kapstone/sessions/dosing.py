"""What medicine sessions tell measures about doses, in SQL: each episode's first dose and the routes,
for the practice outcomes (one client's markers and first doses come with the chart section,
``chart.client_dosing``).

Measures sits below sessions, so it asks through ``measures.outcome_rates.dosing_facts_requested``
and this module answers (connected in ``apps.py``); see ``docs/clinical.md``, "Outcomes".
"""

from django.db.models import OuterRef, QuerySet, Subquery
from django.dispatch import receiver

from kapstone.clinical.protocols import all_protocols
from kapstone.measures.outcome_rates import DosingFacts, dosing_facts_requested

from .chart import client_dosing
from .models import DoseAdministration, MedicineSession


def first_dose_at(episode: OuterRef) -> Subquery:
    """The first dose actually given in the episode (amended or withdrawn records do not count)."""
    given = DoseAdministration.objects.current().filter(session__episode_id=episode).order_by("given_at")
    return Subquery(given.values("given_at")[:1])


def protocols_by_route() -> dict[str, list[str]]:
    routes: dict[str, list[str]] = {}
    for protocol in all_protocols():
        routes.setdefault(protocol.route, []).append(protocol.id)
    return routes


def episodes_with_route(route: str) -> QuerySet:
    protocol_ids = protocols_by_route().get(route, [])
    return MedicineSession.objects.filter(protocol_id__in=protocol_ids).values("episode_id")


def route_choices() -> list[tuple[str, str]]:
    return [(route, route.replace("_", " ").capitalize()) for route in sorted(protocols_by_route())]


FACTS = DosingFacts(
    first_dose_at=first_dose_at,
    episodes_with_route=episodes_with_route,
    routes=route_choices,
    client_dosing=client_dosing,
)


@receiver(dosing_facts_requested)
def answer_dosing_facts(sender, **kwargs) -> DosingFacts:
    return FACTS
