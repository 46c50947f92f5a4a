"""``$everything`` of one client: a FHIR ``Bundle`` of type ``collection`` with every exported
resource (``sources``), each entry's ``fullUrl`` its address under the API's FHIR base, so the
relative references between them (``Patient/…``) resolve inside the Bundle."""

from collections import Counter

from django.db.models import QuerySet
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from kapstone.clients.models import Client

from .sources import resources


def everything(clients: QuerySet[Client], base_url: str) -> tuple[Bundle, Counter[str]]:
    """The Bundle of ``clients`` (one client for ``$everything``) and how many resources of each type."""
    entries = []
    counts: Counter[str] = Counter()
    for resource in resources(clients):
        counts[resource.get_resource_type()] += 1
        entries.append(
            {"fullUrl": f"{base_url}/{resource.get_resource_type()}/{resource.id}", "resource": resource}
        )
    bundle = Bundle.model_validate(
        {"resourceType": "Bundle", "type": "collection", "timestamp": timezone.now(), "entry": entries}
    )
    return bundle, counts
